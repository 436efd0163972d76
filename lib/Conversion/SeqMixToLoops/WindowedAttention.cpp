//===- WindowedAttention.cpp - reference lowering of windowed attention ---===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// A neighbourhood must fit its axis (kernel_size x dilation <= extent);
/// the verifier checks static extents, this the dynamic ones.
static void checkWindowsFit(OpBuilder &b, Operation *op) {
  auto na = cast<NeighborhoodAttentionOp>(op);
  ScalarEmitter e{b, op->getLoc()};
  ArrayRef<int64_t> ks = na.getKernelSize();
  SmallVector<int64_t> dil = na.getDilationOrDefault();
  for (int64_t a = 0, r = na.getNumSpatialDims(); a < r; ++a) {
    if (!cast<ShapedType>(na.getQ().getType()).isDynamicDim(1 + a))
      continue;
    e.check(e.cmpi(arith::CmpIPredicate::sge, e.dim(na.getQ(), 1 + a),
                   e.idx(ks[a] * dil[a])),
            "seqmix.neighborhood_attention: spatial axis " + Twine(a) +
                " of operand 'q' must be at least kernel_size x dilation = " +
                Twine(ks[a] * dil[a]));
  }
}

/// k and v share their key positions.
static void checkKeysMatch(OpBuilder &b, Operation *op) {
  auto swa = cast<SlidingWindowAttentionOp>(op);
  ScalarEmitter e{b, op->getLoc()};
  e.check(e.cmpi(arith::CmpIPredicate::eq, e.dim(swa.getK(), 1),
                 e.dim(swa.getV(), 1)),
          "seqmix.sliding_window_attention: operands 'k' and 'v' must have "
          "the same Tk");
}

void mlir::seqmix::populateWindowedAttentionToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<NeighborhoodAttentionOp>(patterns, checkWindowsFit);
  addLowerToLoops<SlidingWindowAttentionOp>(patterns, checkKeysMatch);
}
