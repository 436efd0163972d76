//===- Passes.cpp - seqmix passes and pipelines from C --------------------===//

#include "seqmix-c/Passes.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"

#include "mlir/InitAllPasses.h"

#include <mutex>

void seqmixRegisterPasses(void) {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::seqmix::registerSeqMixPasses();
    mlir::seqmix::registerSeqMixConversionPasses();
    mlir::seqmix::registerSeqMixPipelines();
  });
}

void seqmixRegisterAllPasses(void) {
  static std::once_flag once;
  std::call_once(once, [] { mlir::registerAllPasses(); });
  seqmixRegisterPasses();
}
