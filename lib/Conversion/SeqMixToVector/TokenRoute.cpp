//===- TokenRoute.cpp - MoM routing and combine on vectors ----------------===//
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
// seqmix.dispatch sorts on the calling thread (a counting sort per batch
// row, which checks every memory index), then copies the packed rows on
// threads: each row gathers its slot's features, so rows never collide.
//
// seqmix.combine scatters each packed row back onto its token, times the
// slot's weight. Lanes run over the last feature dimension (a row is
// contiguous), and the thread tiles split the features, so two rows of one
// token (its k slots) never meet in different threads; the packed rows are
// walked in order with the scalar body's multiply and add, so the sums are
// the same to the bit. The slots were checked against B*T*k before any
// thread ran.
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

LogicalResult mlir::seqmix::detail::buildRowCombine(RewriterBase &rewriter,
                                                    CombineOp op,
                                                    int64_t width) {
  Value packed = op.getPacked(), w = op.getWeights(), out = op.getOutputs()[0];
  int64_t rank = cast<ShapedType>(packed.getType()).getRank();
  if (rank < 2)
    return rewriter.notifyMatchFailure(op, "no feature dimension");
  Location loc = op.getLoc();
  Type outElt = cast<MemRefType>(out.getType()).getElementType();
  VectorEmitter e(rewriter, loc, width);
  Value W = e.idx(width), zero = e.idx(0);
  Value R = e.dim(packed, 0), F = e.dim(packed, rank - 1);
  Value full = e.muli(e.divi(F, W), W);
  Value T = e.dim(w, 1), K = e.dim(w, 2);
  SmallVector<Value> outer;
  for (int64_t d = 1; d + 1 < rank; ++d)
    outer.push_back(e.dim(packed, d));
  e.loop(R, [&](Value r) {
    Value slot = e.loadIndex(op.getRows(), {r});
    Value j = e.remi(slot, K), bt = e.divi(slot, K);
    Value t = e.remi(bt, T), bi = e.divi(bt, T);
    Value weight = e.ScalarEmitter::load(w, {bi, t, j});
    Value weights = e.splat(weight);
    e.loops(outer, [&](ValueRange f) {
      // Indices into out ([B, T, F..]) and packed ([R, F..]) at feature
      // `last` of the innermost dimension.
      auto outAt = [&](Value last) {
        SmallVector<Value> idx = {bi, t};
        idx.append(f.begin(), f.end());
        idx.push_back(last);
        return idx;
      };
      auto packedAt = [&](Value last) {
        SmallVector<Value> idx = {r};
        idx.append(f.begin(), f.end());
        idx.push_back(last);
        return idx;
      };
      e.loopStep(zero, full, W, [&](Value f0) {
        SmallVector<Value> o = outAt(f0);
        e.store(out,
                e.addf(e.load(out, o),
                       e.mulf(weights, e.load(packed, packedAt(f0)))),
                o);
      });
      e.loop(full, F, [&](Value fl) {
        SmallVector<Value> o = outAt(fl);
        Value sum =
            e.addf(e.ScalarEmitter::load(out, o),
                   e.mulf(weight, e.ScalarEmitter::load(packed, packedAt(fl))));
        memref::StoreOp::create(
            rewriter, loc, seqmix::fromF32(rewriter, loc, sum, outElt), out, o);
      });
    });
  });
  return success();
}

void mlir::seqmix::detail::buildThreadedDispatch(RewriterBase &rewriter,
                                                 DispatchOp op) {
  Location loc = op.getLoc();
  ScalarEmitter e{rewriter, loc};
  Value x = op.getX(), packed = op.getOutputs()[0], rows = op.getOutputs()[2];
  e.loop(e.dim(x, 0), [&](Value bi) {
    op.emitSort(rewriter, loc, bi, /*copyFeatures=*/false);
  });
  // Blocks of rows per thread iteration; the copy loop of a row is
  // contiguous, which LLVM vectorizes.
  Value R = e.dim(packed, 0), T = e.dim(x, 1), K = e.dim(op.getIndices(), 2),
        block = e.idx(16);
  auto par = scf::ParallelOp::create(rewriter, loc, ValueRange{e.idx(0)},
                                     ValueRange{R}, ValueRange{block});
  OpBuilder::InsertionGuard g(rewriter);
  rewriter.setInsertionPoint(par.getBody()->getTerminator());
  Value r0 = par.getInductionVars()[0];
  e.loop(r0, e.mini(e.addi(r0, block), R), [&](Value r) {
    Value bt = e.divi(e.loadIndex(rows, {r}), K);
    op.emitCopyRow(rewriter, loc, e.divi(bt, T), e.remi(bt, T), r);
  });
}
