//===- seqmix-opt.cpp - seqmix optimizer driver ---------------------------===//
//
// mlir-opt with the seqmix dialect and passes on top of every upstream
// dialect, extension and pass.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"

int main(int argc, char **argv) {
  // A verifier message names the operand and its expected shape; a dump of
  // the whole op in generic form after it buries that. Keep it off unless
  // asked for.
  std::vector<char *> args(argv, argv + argc);
  bool explicitDump = llvm::any_of(args, [](const char *a) {
    return llvm::StringRef(a).contains("mlir-print-op-on-diagnostic");
  });
  static char noDump[] = "--mlir-print-op-on-diagnostic=false";
  if (!explicitDump)
    args.insert(args.begin() + 1, noDump);
  argc = static_cast<int>(args.size());
  argv = args.data();

  mlir::registerAllPasses();
  mlir::seqmix::registerSeqMixPasses();
  mlir::seqmix::registerSeqMixConversionPasses();
  mlir::seqmix::registerSeqMixPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::seqmix::registerSeqMixDialectAndExtensions(registry);
  // gpu-module-to-binary (seqmix-gpu-pipeline) translates kernels to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "seqmix optimizer driver\n", registry));
}
