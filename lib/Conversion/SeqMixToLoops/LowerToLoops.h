//===- LowerToLoops.h - the one pattern every buffer-form op uses -*- C++ -*-===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqmix::detail {

/// Checks an op needs beyond the sizes its operands share (offsets values,
/// state rows of packed sequences), emitted before the loops.
using ExtraChecks = void (*)(OpBuilder &b, Operation *op);

/// Emits `cf.assert`s before `op`: every loop size the operands share
/// agrees (dynamic sizes included), then `extra`, before any access.
void emitRuntimeChecks(OpBuilder &b, Operation *op, ExtraChecks extra);

/// A buffer-form op becomes its run-time checks and then upstream's
/// scf::lowerToLoopsUsingSCFForOp over its iteration domain, whose body is
/// the op's scalar body (TilingInterface::generateScalarImplementation).
LogicalResult lowerToLoops(RewriterBase &rewriter, Operation *op,
                           ExtraChecks extra);

template <typename OpTy>
struct LowerToLoopsPattern : OpRewritePattern<OpTy> {
  LowerToLoopsPattern(MLIRContext *ctx, ExtraChecks extra)
      : OpRewritePattern<OpTy>(ctx), extra(extra) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "lowered after bufferization");
    return lowerToLoops(rewriter, op, extra);
  }
  ExtraChecks extra;
};

template <typename... OpTys>
void addLowerToLoops(RewritePatternSet &patterns, ExtraChecks extra = nullptr) {
  (patterns.add<LowerToLoopsPattern<OpTys>>(patterns.getContext(), extra),
   ...);
}


} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H
