//===- TokenRoute.cpp - MoM routing, vectorized over tokens ---------------===//
//
// seqmix.route picks, per token, the top-k of M memories (M is small: 4 to
// 64). Lanes run over tokens: a vector holds one memory's logit for
// `width` tokens, so the softmax (max, exps, sum) and each round of the
// top-k (a compare and two selects per memory) are vector operations with
// no horizontal step, exactly the scalar body's comparisons lane by lane
// (ties to the lower index, NaN never picked). The picks and weights are
// written lane by lane ([B, T, k] is token-major). Tokens left over when the
// width does not divide T take the scalar body.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Beyond this many memories the unrolled rounds grow too long.
static constexpr int64_t kMaxMemories = 64;

LogicalResult mlir::seqmix::detail::buildTokenRoute(RewriterBase &rewriter,
                                                    RouteOp op, int64_t width) {
  Value logits = op.getLogits(), idxOut = op.getOutputs()[0],
        wOut = op.getOutputs()[1];
  std::optional<int64_t> M = staticDim(logits, 2);
  int64_t K = op.getTopKAttr().getInt();
  if (!M || *M > kMaxMemories || K > *M)
    return rewriter.notifyMatchFailure(op, "M must be static and small");
  bool softmax = op.getScore() == RouteScore::softmax;

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value W = e.idx(width);
  Value Bsz = e.dim(logits, 0), T = e.dim(logits, 1);
  Value full = e.muli(e.divi(T, W), W);
  e.loop(Bsz, [&](Value bi) {
    e.loopStep(e.idx(0), full, W, [&](Value t0) {
      SmallVector<Value> l;
      for (int64_t m = 0; m < *M; ++m)
        l.push_back(e.loadLanes(logits, {bi, t0, e.idx(m)}, 1));
      Value mx, sum;
      if (softmax) {
        mx = e.splatF32(-INFINITY);
        for (Value x : l)
          mx = e.maxf(mx, x);
        sum = e.splatF32(0);
        for (Value x : l)
          sum = e.addf(sum, e.exp(e.subf(x, mx)));
      }
      // Each round picks the memory ranked right after the previous pick.
      Value none = e.splat(e.idx(-1));
      Value prevL = e.splatF32(INFINITY), prevM = none, total = e.splatF32(0);
      SmallVector<std::pair<Value, Value>> picks;
      for (int64_t j = 0; j < K; ++j) {
        Value bestL = e.splatF32(-INFINITY), bestM = none;
        for (int64_t m = 0; m < *M; ++m) {
          Value mv = e.splat(e.idx(m));
          Value after =
              e.ori(e.cmpf(arith::CmpFPredicate::OLT, l[m], prevL),
                    e.andi(e.cmpf(arith::CmpFPredicate::OEQ, l[m], prevL),
                           e.cmpi(arith::CmpIPredicate::sgt, mv, prevM)));
          Value better =
              e.ori(e.cmpi(arith::CmpIPredicate::slt, bestM, e.splat(e.idx(0))),
                    e.cmpf(arith::CmpFPredicate::OGT, l[m], bestL));
          Value pick = e.andi(after, better);
          bestL = e.select(pick, l[m], bestL);
          bestM = e.select(pick, mv, bestM);
        }
        Value w = softmax ? e.divf(e.exp(e.subf(bestL, mx)), sum)
                          : seqmix::sigmoid(rewriter, loc, bestL);
        picks.push_back({bestM, w});
        total = e.addf(total, w);
        prevL = bestL;
        prevM = bestM;
      }
      for (auto [j, pick] : llvm::enumerate(picks)) {
        Value w =
            op.getRenormalize() ? e.divf(pick.second, total) : pick.second;
        e.storeLanes(idxOut, pick.first, {bi, t0, e.idx(j)}, 1);
        e.storeLanes(wOut, w, {bi, t0, e.idx(j)}, 1);
      }
    });
    e.loop(full, T, [&](Value t) {
      (void)op.emitScalarBody(rewriter, loc, {bi, t});
    });
  });
  return success();
}
