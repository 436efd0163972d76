//===- SeqMixToGPU.cpp - the block-cooperative GPU tile builders pass -----===//

#include "seqmix/Conversion/SeqMixToGPU/SeqMixToGPU.h"
#include "seqmix/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_CONVERTSEQMIXTOGPUBLOCKSPASS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;

namespace {

struct ConvertSeqMixToGpuBlocksPass
    : seqmix::impl::ConvertSeqMixToGpuBlocksPassBase<
          ConvertSeqMixToGpuBlocksPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    seqmix::populateChunkedRecurrenceToGpuPatterns(patterns);
    seqmix::populateWindowedAttentionToGpuPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
