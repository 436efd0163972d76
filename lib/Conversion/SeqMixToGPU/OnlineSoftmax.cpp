//===- OnlineSoftmax.cpp - windowed attention in GPU blocks ---------------===//
//
// Flash-style sliding-window attention: a block per (batch, query block,
// head), a thread per query. The block walks the keys that any of its
// queries sees in tiles staged in shared memory (k and v rows, f32); each
// thread keeps its q row, its Dv accumulators, its running max and sum and
// the scores of the current tile in its own memory, and folds each tile in
// with one rescale (online softmax). Key tiles outside every window of the
// block are never loaded.
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Keys per tile: the largest power of two up to 64 whose k and v rows fit
/// 32 KiB (of the 48 KiB of static shared memory), at least 8.
static std::optional<int64_t> keyTile(int64_t D, int64_t Dv) {
  for (int64_t kt = 64; kt >= 8; kt /= 2)
    if (kt * (D + Dv) * 4 <= (32 << 10))
      return kt;
  return std::nullopt;
}

namespace {

struct BlockSlidingWindow : OpRewritePattern<SlidingWindowAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SlidingWindowAttentionOp op,
                                PatternRewriter &rewriter) const override {
    auto config = dyn_cast_if_present<GpuTilingAttr>(
        op->getAttr(SeqMixDialect::kTileAttrName));
    if (!config || config.getBlocks().size() != 3 || !hasGpuBlockBuilder(op) ||
        !op.hasPureBufferSemantics())
      return failure();
    Value q = op.getQ(), k = op.getK(), v = op.getV();
    Value o = op.getOInit(), lse = op.getLseInit();
    int64_t D = cast<MemRefType>(q.getType()).getDimSize(3);
    int64_t Dv = cast<MemRefType>(v.getType()).getDimSize(3);
    std::optional<int64_t> Kt = keyTile(D, Dv);
    // A thread per query of the block.
    int64_t Qb = std::max<int64_t>(config.getBlocks()[1], 1);
    if (!Kt)
      return rewriter.notifyMatchFailure(op, "k and v rows exceed shared "
                                             "memory");
    int64_t left = op.getWindowLeftAttr().getInt();
    int64_t right = op.getWindowRightAttr().getInt();

    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    BlockEmitter e{{rewriter, loc}, Qb};
    Value zero = e.idx(0), one = e.idx(1), cQb = e.idx(Qb), cKt = e.idx(*Kt);
    Value cD = e.idx(D), cDv = e.idx(Dv);
    Value Bsz = e.dim(q, 0), Tq = e.dim(q, 1), H = e.dim(q, 2),
          Tk = e.dim(k, 1);
    Value group = e.divi(H, e.dim(k, 2));
    Value scale = e.f32(op.getScaleValue());
    // The grid: batch, query block, head.
    Value blocks = e.divi(e.addi(Tq, e.idx(Qb - 1)), cQb);
    auto grid = scf::ParallelOp::create(
        rewriter, loc, ValueRange{zero, zero, zero}, ValueRange{Bsz, blocks, H},
        ValueRange{one, one, one});
    rewriter.setInsertionPoint(grid.getBody()->getTerminator());
    Value bi = grid.getInductionVars()[0], h = grid.getInductionVars()[2];
    Value i0 = e.muli(grid.getInductionVars()[1], cQb);
    Value hk = e.divi(h, group);
    e.openBlock();
    Value Ks = e.shared({*Kt, D}), Vs = e.shared({*Kt, Dv});
    // Per thread: q row, accumulators, the tile's scores, max and sum.
    Value own = e.threadPrivate(D + Dv + *Kt + 2);
    Value accAt = cD, scoreAt = e.idx(D + Dv), mAt = e.idx(D + Dv + *Kt),
          lAt = e.idx(D + Dv + *Kt + 1);
    // Bottom-right alignment: query i sits at key position i + Tk - Tq
    // (signed; it may be negative); its keys are [lo, hi).
    auto window = [&](Value i) -> std::pair<Value, Value> {
      Value pos = e.subi(e.addi(i, Tk), Tq);
      Value lo = left < 0 ? zero : e.maxi(e.subi(pos, e.idx(left)), zero);
      Value hi = right < 0 ? Tk : e.mini(e.addi(pos, e.idx(right + 1)), Tk);
      return {lo, e.maxi(hi, lo)};
    };
    Value nq = e.mini(cQb, e.subi(Tq, i0));
    auto [lo0, hi0] = window(i0);
    auto [lo1, hi1] = window(e.subi(e.addi(i0, nq), one));
    Value blockLo = lo0, blockHi = e.maxi(hi1, lo0);

    e.phase(nq, [&](Value t, Value tid) {
      Value i = e.addi(i0, t);
      e.loop(cD, [&](Value c) {
        e.store(own, e.load(q, {bi, i, h, c}), {tid, c});
      });
      e.loop(cDv, [&](Value c) {
        e.store(own, e.f32(0), {tid, e.addi(accAt, c)});
      });
      e.store(own, e.f32(-INFINITY), {tid, mAt});
      e.store(own, e.f32(0), {tid, lAt});
    });
    auto tiles = scf::ForOp::create(rewriter, loc, blockLo, blockHi, cKt);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(tiles.getBody()->getTerminator());
      Value j0 = tiles.getInductionVar();
      Value nk = e.mini(cKt, e.subi(blockHi, j0));
      e.phase2(nk, cD, [&](Value r, Value c) {
        e.store(Ks, e.load(k, {bi, e.addi(j0, r), hk, c}), {r, c});
      });
      e.phase2(nk, cDv, [&](Value r, Value c) {
        e.store(Vs, e.load(v, {bi, e.addi(j0, r), hk, c}), {r, c});
      });
      e.phase(nq, [&](Value t, Value tid) {
        auto [lo, hi] = window(e.addi(i0, t));
        Value from = e.subi(e.maxi(lo, j0), j0);
        Value to = e.maxi(e.subi(e.mini(hi, e.addi(j0, nk)), j0), from);
        e.ifThen(e.cmpi(arith::CmpIPredicate::slt, from, to), [&] {
          Value mOld = e.load(own, {tid, mAt});
          Value mNew = e.fold(from, to, mOld, [&](Value r, Value mx) {
            Value dot = e.fold(cD, e.f32(0), [&](Value c, Value acc) {
              return e.addf(acc,
                            e.mulf(e.load(own, {tid, c}), e.load(Ks, {r, c})));
            });
            Value s = e.mulf(scale, dot);
            e.store(own, s, {tid, e.addi(scoreAt, r)});
            return e.maxf(mx, s);
          });
          // exp(-inf) = 0 before the first key.
          Value keep = e.exp(e.subf(mOld, mNew));
          Value sum = e.fold(from, to, e.f32(0), [&](Value r, Value acc) {
            Value p =
                e.exp(e.subf(e.load(own, {tid, e.addi(scoreAt, r)}), mNew));
            e.store(own, p, {tid, e.addi(scoreAt, r)});
            return e.addf(acc, p);
          });
          e.store(own, e.addf(e.mulf(e.load(own, {tid, lAt}), keep), sum),
                  {tid, lAt});
          e.store(own, mNew, {tid, mAt});
          e.loop(cDv, [&](Value c) {
            Value at = e.addi(accAt, c);
            Value acc =
                e.fold(from, to, e.mulf(e.load(own, {tid, at}), keep),
                       [&](Value r, Value acc) {
                         return e.addf(
                             acc, e.mulf(e.load(own, {tid, e.addi(scoreAt, r)}),
                                         e.load(Vs, {r, c})));
                       });
            e.store(own, acc, {tid, at});
          });
        });
      });
    }
    // o = acc / sum and lse = max + log(sum); a query without keys gets a
    // zero row and -inf.
    e.phase(nq, [&](Value t, Value tid) {
      Value i = e.addi(i0, t);
      auto [lo, hi] = window(i);
      Value some = e.cmpi(arith::CmpIPredicate::slt, lo, hi);
      Value sum = e.load(own, {tid, lAt});
      Value inv = e.select(some, e.divf(e.f32(1), sum), e.f32(0));
      e.loop(cDv, [&](Value c) {
        e.store(o, e.mulf(e.load(own, {tid, e.addi(accAt, c)}), inv),
                {bi, i, h, c});
      });
      if (lse)
        e.store(lse,
                e.select(some, e.addf(e.load(own, {tid, mAt}), e.log(sum)),
                         e.f32(-INFINITY)),
                {bi, i, h});
    });
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void mlir::seqmix::populateWindowedAttentionToGpuPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BlockSlidingWindow>(patterns.getContext());
}
