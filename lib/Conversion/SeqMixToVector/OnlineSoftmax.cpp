//===- OnlineSoftmax.cpp - windowed attention on register tiles -----------===//
//
// sliding_window_attention as tiled online softmax (FlashAttention's form
// on the CPU): a block of query rows walks the key tiles that the union of
// its windows touches, `width` keys at a time, and never writes a score to
// memory. Per tile and row:
//   s   = q · K_tile              lanes over keys: D FMAs on the head's keys
//                                 transposed once, tile by tile, no reduction
//   s   = -inf outside the row's window (the exact rule, lane by lane)
//   m'  = max(m, max(s)),  p = exp(s - m'),  l = l e^(m - m') + Σ p
//   O   = O e^(m - m') + Σ_j p_j v_j      Dv-wide accumulators in registers
// Tiles outside every window of the block are never visited. The scale is
// folded into the transposed keys. A row with no key gives o = 0 and
// lse = -inf, as the reference does.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/NeighborhoodWindow.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Output accumulators of a query block: rows x Dv / width vectors.
static constexpr int64_t kAccumulators = 16;
/// Beyond this D the per-tile score loop is unrolled too far.
static constexpr int64_t kMaxHeadDim = 256;

namespace {
/// What the builder reads of a windowed attention with [B, T, H, D]
/// operands: q, k, v, o (and lse), the scale, and each query row's key
/// window [lo, hi) (clipped to the keys, monotone in the row); rpb, when
/// set, is a [H, 2 kernel - 1] bias indexed by key - query + kernel - 1.
struct AttentionView {
  Value q, k, v, o, lse, rpb;
  float scale = 1;
  int64_t kernel = 0;
  std::function<std::pair<Value, Value>(ScalarEmitter &, Value)> window;
};
} // namespace

static LogicalResult buildOnlineSoftmax(RewriterBase &rewriter, Operation *op,
                                        const AttentionView &view,
                                        int64_t width);

LogicalResult mlir::seqmix::detail::buildSlidingWindowAttention(
    RewriterBase &rewriter, SlidingWindowAttentionOp op, int64_t width) {
  const int64_t left = op.getWindowLeftAttr().getInt();
  const int64_t right = op.getWindowRightAttr().getInt();
  Value q = op.getQ(), k = op.getK();
  AttentionView view;
  view.q = q;
  view.k = k;
  view.v = op.getV();
  view.o = op.getOInit();
  view.lse = op.getLseInit();
  view.scale = op.getScaleValue();
  // Query i sits at key position c = i + Tk - Tq (signed: Tq may exceed Tk).
  view.window = [=](ScalarEmitter &e, Value i) -> std::pair<Value, Value> {
    Value Tk = e.dim(k, 1), zero = e.idx(0);
    Value c = e.subi(e.addi(i, Tk), e.dim(q, 1));
    Value lo = left < 0 ? zero : e.maxi(e.subi(c, e.idx(left)), zero);
    Value end = right < 0 ? Tk : e.mini(e.addi(c, e.idx(right + 1)), Tk);
    return {lo, e.maxi(end, lo)};
  };
  return buildOnlineSoftmax(rewriter, op, view, width);
}

LogicalResult mlir::seqmix::detail::buildNeighborhoodAttention(
    RewriterBase &rewriter, NeighborhoodAttentionOp op, int64_t width) {
  // One spatial axis without dilation: each query's neighborhood is a
  // contiguous run of keys (NATTEN's rule, shifted at the borders).
  if (op.getNumSpatialDims() != 1 || op.getDilationOrDefault()[0] != 1)
    return rewriter.notifyMatchFailure(op, "1-D, dilation 1 only");
  if (Value rpb = op.getRpb();
      rpb && !cast<ShapedType>(rpb.getType()).getElementType().isF32())
    return rewriter.notifyMatchFailure(op, "an f32 rpb only");
  int64_t kernel = op.getKernelSize()[0];
  int64_t stride = op.getStrideOrDefault()[0];
  bool causal = op.getIsCausalOrDefault()[0];
  Value q = op.getQ();
  AttentionView view;
  view.q = q;
  view.k = op.getK();
  view.v = op.getV();
  view.o = op.getOInit();
  view.lse = op.getLseInit();
  view.rpb = op.getRpb();
  view.scale = op.getScaleValue();
  view.kernel = kernel;
  view.window = [=](ScalarEmitter &e, Value i) -> std::pair<Value, Value> {
    AxisWindow w = naWindow(e, i, e.dim(q, 1), kernel, 1, stride, causal);
    return {w.start, w.end};
  };
  return buildOnlineSoftmax(rewriter, op, view, width);
}

static LogicalResult buildOnlineSoftmax(RewriterBase &rewriter, Operation *op,
                                        const AttentionView &view,
                                        int64_t width) {
  Value q = view.q, k = view.k, v = view.v, o = view.o, lse = view.lse;
  std::optional<int64_t> D = staticDim(q, 3), Dv = staticDim(v, 3);
  if (!D || !Dv || *D > kMaxHeadDim || *Dv % width != 0 ||
      *Dv / width > kAccumulators)
    return rewriter.notifyMatchFailure(
        op, "D and Dv must be static, Dv a multiple of the width");
  const int64_t nv = *Dv / width;
  const int64_t QB = std::min<int64_t>(4, kAccumulators / nv);

  Location loc = op->getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(q, 0), Tq = e.dim(q, 1), H = e.dim(q, 2);
  Value Tk = e.dim(k, 1), group = e.divi(H, e.dim(k, 2));
  Value scale = e.f32(view.scale);
  // The head's keys, transposed and scaled, padded to whole tiles (the pad
  // is masked). Allocated here, before the loops, once per call (thread).
  Value padded = e.muli(e.divi(e.addi(Tk, e.idx(width - 1)), W), W);
  // Tile-major, [tiles, D, width]: a tile's D rows are contiguous (a
  // [D, Tk] layout would put them Tk floats apart, often the same L1 set).
  Value Kt = memref::AllocOp::create(
      rewriter, loc,
      MemRefType::get({ShapedType::kDynamic, *D, width}, rewriter.getF32Type()),
      ValueRange{e.divi(padded, W)});
  Value P = e.scratch({QB, width});
  Value negInf = e.f32(-INFINITY);
  auto laneType = VectorType::get({width}, rewriter.getIndexType());
  Value lanes = arith::ConstantOp::create(
      rewriter, loc, laneType,
      DenseElementsAttr::get(laneType,
                             llvm::to_vector(llvm::map_range(
                                 llvm::seq<int64_t>(0, width), [&](int64_t i) {
                                   return Attribute(rewriter.getIndexAttr(i));
                                 }))));

  // Rows [i0, i0 + rows) of head h: the key tiles of the union of their
  // windows, then o and lse.
  auto queryBlock = [&](Value bi, Value h, Value hk, Value i0, int64_t rows) {
    // Each row's key window.
    SmallVector<Value> lo, hi;
    for (int64_t r = 0; r < rows; ++r) {
      auto [l, h] = view.window(e, e.addi(i0, e.idx(r)));
      lo.push_back(l);
      hi.push_back(h);
    }
    Value first = e.muli(e.divi(lo.front(), W), W), last = hi.back();
    SmallVector<Value> init;
    for (int64_t r = 0; r < rows; ++r)
      init.append({negInf, e.f32(0)});
    for (int64_t x = 0; x < rows * nv; ++x)
      init.push_back(e.splatF32(0));
    SmallVector<Value> out =
        e.foldMany(first, last, W, init, [&](Value j0, ValueRange cur) {
          SmallVector<Value> next(cur);
          // Scores: D FMAs per row on the transposed keys.
          SmallVector<Value> s(rows, e.splatF32(0));
          for (int64_t d = 0; d < *D; ++d) {
            Value kt = e.load(Kt, {e.divi(j0, W), e.idx(d), zero});
            for (int64_t r = 0; r < rows; ++r) {
              Value qd = e.ScalarEmitter::load(
                  q, {bi, e.addi(i0, e.idx(r)), h, e.idx(d)});
              s[r] = e.fma(e.splat(qd), kt, s[r]);
            }
          }
          Value keys = e.addi(e.splat(j0), lanes);
          // Online softmax. A row with nothing seen yet keeps m = -inf and
          // exponentiates against 0 instead (every p is then 0). The rows'
          // rescaling factors e^(m - m') share one vector exp.
          SmallVector<Value> refs, shifts;
          for (int64_t r = 0; r < rows; ++r) {
            Value in =
                e.andi(e.cmpi(arith::CmpIPredicate::sge, keys, e.splat(lo[r])),
                       e.cmpi(arith::CmpIPredicate::slt, keys, e.splat(hi[r])));
            if (Value rpb = view.rpb) {
              // rpb[h, key - query + kernel - 1], read for the lanes inside
              // the window only.
              Value i = e.addi(i0, e.idx(r));
              Value at = e.subi(e.addi(j0, e.idx(view.kernel - 1)), i);
              Value bias = vector::MaskedLoadOp::create(
                  rewriter, loc, e.f32Vec(), rpb, ValueRange{h, at}, in,
                  e.splatF32(0));
              s[r] = e.addf(s[r], bias);
            }
            s[r] = e.select(in, s[r], e.splat(negInf));
            Value tileMax = vector::ReductionOp::create(
                rewriter, loc, vector::CombiningKind::MAXIMUMF, s[r]);
            Value mNew = e.maxf(cur[2 * r], tileMax);
            next[2 * r] = mNew;
            refs.push_back(
                e.select(e.cmpf(arith::CmpFPredicate::OEQ, mNew, negInf),
                         e.f32(0), mNew));
            shifts.push_back(e.subf(cur[2 * r], refs.back()));
          }
          shifts.resize(width, e.f32(0));
          Value alphas = e.exp(vector::FromElementsOp::create(
              rewriter, loc, e.f32Vec(), shifts));
          for (int64_t r = 0; r < rows; ++r) {
            Value alpha = vector::ExtractOp::create(rewriter, loc, alphas, r);
            Value p = e.exp(e.subf(s[r], e.splat(refs[r])));
            Value sum = vector::ReductionOp::create(
                rewriter, loc, vector::CombiningKind::ADD, p);
            next[2 * r + 1] = e.addf(e.mulf(cur[2 * r + 1], alpha), sum);
            for (int64_t x = 0; x < nv; ++x) {
              Value &acc = next[2 * rows + r * nv + x];
              acc = e.mulf(acc, e.splat(alpha));
            }
            e.store(P, p, {e.idx(r), zero});
          }
          // O += P V: a broadcast of p_j per row, a vector row of v per key
          // (the pad's keys read the last key; their p is 0).
          Value lastKey = e.subi(Tk, one);
          for (int64_t jj = 0; jj < width; ++jj) {
            Value key = e.mini(e.addi(j0, e.idx(jj)), lastKey);
            for (int64_t x = 0; x < nv; ++x) {
              Value vv = e.load(v, {bi, key, hk, e.idx(x * width)});
              for (int64_t r = 0; r < rows; ++r) {
                Value pj =
                    e.splat(e.ScalarEmitter::load(P, {e.idx(r), e.idx(jj)}));
                Value &acc = next[2 * rows + r * nv + x];
                acc = e.fma(pj, vv, acc);
              }
            }
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r) {
      Value i = e.addi(i0, e.idx(r));
      Value m = out[2 * r], l = out[2 * r + 1];
      Value any = e.cmpf(arith::CmpFPredicate::OGT, l, e.f32(0));
      Value inv = e.select(any, e.divf(e.f32(1), l), e.f32(0));
      for (int64_t x = 0; x < nv; ++x)
        e.store(o, e.mulf(out[2 * rows + r * nv + x], e.splat(inv)),
                {bi, i, h, e.idx(x * width)});
      if (lse)
        e.ScalarEmitter::store(lse, e.select(any, e.addf(m, e.log(l)), negInf),
                               {bi, i, h});
    }
  };

  e.loop(Bsz, [&](Value bi) {
    e.loop(H, [&](Value h) {
      Value hk = e.divi(h, group);
      // Key rows read in order (each a contiguous row of D).
      e.loop(padded, [&](Value j) {
        Value inside = e.cmpi(arith::CmpIPredicate::slt, j, Tk);
        Value key = e.mini(j, e.subi(Tk, one));
        e.loop(e.idx(*D), [&](Value d) {
          Value x = e.mulf(e.ScalarEmitter::load(k, {bi, key, hk, d}), scale);
          e.ScalarEmitter::store(Kt, e.select(inside, x, e.f32(0)),
                                 {e.divi(j, W), d, e.remi(j, W)});
        });
      });
      Value full = e.muli(e.divi(Tq, e.idx(QB)), e.idx(QB));
      e.loopStep(zero, full, e.idx(QB),
                 [&](Value i0) { queryBlock(bi, h, hk, i0, QB); });
      e.loop(full, Tq, [&](Value i0) { queryBlock(bi, h, hk, i0, 1); });
    });
  });
  // Buffer deallocation frees Kt.
  return success();
}
