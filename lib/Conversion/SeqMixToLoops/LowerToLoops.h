//===- LowerToLoops.h - the one pattern every buffer-form op uses -*- C++ -*-===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqmix::detail {

/// A buffer-form op becomes its run-time checks (unless it is marked
/// `seqmix.checked`) and then scf.for loops over its iteration domain,
/// nested in the op's reference loop order, whose body is the op's scalar
/// body (TilingInterface::generateScalarImplementation).
LogicalResult lowerToLoops(RewriterBase &rewriter, Operation *op);

template <typename OpTy>
struct LowerToLoopsPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "lowered after bufferization");
    return lowerToLoops(rewriter, op);
  }
};

template <typename... OpTys>
void addLowerToLoops(RewritePatternSet &patterns) {
  patterns.add<LowerToLoopsPattern<OpTys>...>(patterns.getContext());
}

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOLOOPS_LOWERTOLOOPS_H
