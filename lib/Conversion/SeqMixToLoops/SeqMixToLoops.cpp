//===- SeqMixToLoops.cpp - the reference lowering pass --------------------===//
//
// The in-compiler oracle: every op becomes plain scf.for loops whose body is
// the op's scalar body (TilingInterface::generateScalarImplementation),
// after run-time checks of the sizes and offsets it reads through. Nothing is
// tiled or vectorized; optimized lowerings are compared with this one.
//
// Buffer-form ops are lowered (run it after one-shot bufferization);
// seqmix.scan, whose body is tensor IR, is lowered on tensors (run it once
// before bufferization too). Ops in the other form are left alone.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_CONVERTSEQMIXTOLOOPSPASS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

void mlir::seqmix::populateSeqMixToLoopsPatterns(RewritePatternSet &patterns) {
  populateRecurrenceToLoopsPatterns(patterns);
  populateRoutingToLoopsPatterns(patterns);
  populateWindowedAttentionToLoopsPatterns(patterns);
  populateHadamardToLoopsPatterns(patterns);
  populateScanToLoopsPatterns(patterns);
}

namespace {

struct ConvertSeqMixToLoopsPass
    : seqmix::impl::ConvertSeqMixToLoopsPassBase<ConvertSeqMixToLoopsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSeqMixToLoopsPatterns(patterns);
    // Post-order walk: a scan nested in another scan's body goes first.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
