//===- seqmix-opt.cpp - seqmix optimizer driver ---------------------------===//
//
// mlir-opt with the seqmix dialect and passes on top of every upstream
// dialect, extension and pass.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::seqmix::registerSeqMixPasses();
  mlir::seqmix::registerSeqMixConversionPasses();
  mlir::seqmix::registerSeqMixPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::seqmix::registerSeqMixDialectAndExtensions(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "seqmix optimizer driver\n", registry));
}
