//===- OnlineSoftmax.cpp - windowed attention on register tiles -----------===//
//
// sliding_window_attention and neighborhood_attention (no dilation) as
// tiled online softmax (FlashAttention's form on the CPU). A query's window
// is a box of key runs along the last spatial axis (one run for a sliding
// window); a block of query rows along that axis walks the runs and the
// key tiles of each that the union of its windows touches, `width` keys at
// a time, and never writes a score to memory. Per tile and row:
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
/// What the builder reads of a windowed attention: q, k, v, o (and lse),
/// the scale, and each query's key window, a box: [lo, hi) on the last
/// spatial axis (clipped, monotone along it) and, on outer axes, a range
/// shared by the queries of a row; rpb, when set, is biased by
/// key - query + kernel - 1 per axis.
struct AttentionView {
  Value q, k, v, o, lse, rpb;
  float scale = 1;
  /// Spatial axes of the queries and keys ([B, X1.., H, D]; 1 for [B, T,
  /// H, D]); rpb is [H, 2 k1 - 1, ..], kernel the per-axis kernel sizes.
  int64_t rank = 1;
  SmallVector<int64_t> kernel;
  /// A query's key window [start, end) on spatial axis `a`, from its
  /// position there.
  std::function<std::pair<Value, Value>(ScalarEmitter &, int64_t, Value)>
      window;
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
  view.window = [=](ScalarEmitter &e, int64_t,
                    Value i) -> std::pair<Value, Value> {
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
  // Without dilation each query's neighborhood is a box whose last-axis
  // extent is a contiguous run of keys (NATTEN's rule per axis, shifted at
  // the borders).
  if (llvm::any_of(op.getDilationOrDefault(), [](int64_t d) { return d != 1; }))
    return rewriter.notifyMatchFailure(op, "dilation 1 only");
  if (Value rpb = op.getRpb();
      rpb && !cast<ShapedType>(rpb.getType()).getElementType().isF32())
    return rewriter.notifyMatchFailure(op, "an f32 rpb only");
  int64_t r = op.getNumSpatialDims();
  SmallVector<int64_t> kernel(op.getKernelSize());
  SmallVector<int64_t> stride = op.getStrideOrDefault();
  SmallVector<bool> causal = op.getIsCausalOrDefault();
  Value q = op.getQ();
  AttentionView view;
  view.q = q;
  view.k = op.getK();
  view.v = op.getV();
  view.o = op.getOInit();
  view.lse = op.getLseInit();
  view.rpb = op.getRpb();
  view.scale = op.getScaleValue();
  view.rank = r;
  view.kernel = kernel;
  view.window = [=](ScalarEmitter &e, int64_t a,
                    Value x) -> std::pair<Value, Value> {
    AxisWindow w =
        naWindow(e, x, e.dim(q, 1 + a), kernel[a], 1, stride[a], causal[a]);
    return {w.start, w.end};
  };
  return buildOnlineSoftmax(rewriter, op, view, width);
}

static LogicalResult buildOnlineSoftmax(RewriterBase &rewriter, Operation *op,
                                        const AttentionView &view,
                                        int64_t width) {
  Value q = view.q, k = view.k, v = view.v, o = view.o, lse = view.lse;
  const int64_t R = view.rank;
  std::optional<int64_t> D = staticDim(q, R + 2), Dv = staticDim(v, R + 2);
  if (!D || !Dv || *D > kMaxHeadDim || *Dv % width != 0 ||
      *Dv / width > kAccumulators)
    return rewriter.notifyMatchFailure(
        op, "D and Dv must be static, Dv a multiple of the width");
  const int64_t nv = *Dv / width;
  const int64_t QB = std::min<int64_t>(4, kAccumulators / nv);

  Location loc = op->getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(q, 0), H = e.dim(q, R + 1);
  Value group = e.divi(H, e.dim(k, R + 1));
  Value Tq = e.dim(q, R), Tk = e.dim(k, R); // the last spatial axis
  // Keys are numbered row-major over the spatial axes; stride[a] is axis
  // a's step in that numbering.
  SmallVector<Value> keyExtent, keyStride(R);
  for (int64_t a = 0; a < R; ++a)
    keyExtent.push_back(e.dim(k, 1 + a));
  Value numKeys = one;
  for (int64_t a = R - 1; a >= 0; --a) {
    keyStride[a] = numKeys;
    numKeys = e.muli(numKeys, keyExtent[a]);
  }
  Value scale = e.f32(view.scale);
  // Every key of the head, transposed and scaled, padded to whole tiles
  // (the pad is masked). Allocated here, before the loops, once per call
  // (thread). Tile-major, [tiles, D, width]: a tile's D rows are contiguous
  // (a [D, keys] layout would put them a whole key count apart, often the
  // same L1 set).
  Value padded = e.muli(e.divi(e.addi(numKeys, e.idx(width - 1)), W), W);
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
  auto cat = [](ValueRange a, ValueRange b) {
    SmallVector<Value> r(a.begin(), a.end());
    r.append(b.begin(), b.end());
    return r;
  };

  // Rows [i0, i0 + rows) on the last axis of the queries at outer position
  // `qo`, head h: the key tiles of the union of their windows, then o and
  // lse.
  auto queryBlock = [&](Value bi, ValueRange qo, Value h, Value hk, Value i0,
                        int64_t rows) {
    // Each row's key window on the last axis; the outer axes' windows are
    // the block's.
    SmallVector<Value> lo, hi;
    for (int64_t r = 0; r < rows; ++r) {
      auto [l, u] = view.window(e, R - 1, e.addi(i0, e.idx(r)));
      lo.push_back(l);
      hi.push_back(u);
    }
    SmallVector<std::pair<Value, Value>> outer;
    for (int64_t a = 0; a + 1 < R; ++a)
      outer.push_back(view.window(e, a, qo[a]));
    SmallVector<Value> init;
    for (int64_t r = 0; r < rows; ++r)
      init.append({negInf, e.f32(0)});
    for (int64_t x = 0; x < rows * nv; ++x)
      init.push_back(e.splatF32(0));

    // The key tiles of one run: keys base + [lo, hi) of the outer key
    // position `ko`.
    auto run = [&](ValueRange ko, ValueRange state) -> SmallVector<Value> {
      Value base = zero;
      for (int64_t a = 0; a + 1 < R; ++a)
        base = e.addi(base, e.muli(ko[a], keyStride[a]));
      Value first = e.muli(e.divi(e.addi(base, lo.front()), W), W);
      Value last = e.addi(base, hi.back());
      return e.foldMany(first, last, W, state, [&](Value j0, ValueRange cur) {
        SmallVector<Value> next(cur);
        // Scores: D FMAs per row on the transposed keys.
        SmallVector<Value> s(rows, e.splatF32(0));
        Value tile = e.divi(j0, W);
        for (int64_t d = 0; d < *D; ++d) {
          Value kt = e.load(Kt, {tile, e.idx(d), zero});
          for (int64_t r = 0; r < rows; ++r) {
            Value qd = e.ScalarEmitter::load(
                q, cat(cat(bi, qo), {e.addi(i0, e.idx(r)), h, e.idx(d)}));
            s[r] = e.fma(e.splat(qd), kt, s[r]);
          }
        }
        // Last-axis position of each lane's key in this run.
        Value keys = e.addi(e.splat(e.subi(j0, base)), lanes);
        // Online softmax. A row with nothing seen yet keeps m = -inf
        // and exponentiates against 0 instead (every p is then 0). The
        // rows' rescaling factors e^(m - m') share one vector exp.
        SmallVector<Value> refs, shifts;
        for (int64_t r = 0; r < rows; ++r) {
          Value in =
              e.andi(e.cmpi(arith::CmpIPredicate::sge, keys, e.splat(lo[r])),
                     e.cmpi(arith::CmpIPredicate::slt, keys, e.splat(hi[r])));
          if (Value rpb = view.rpb) {
            // rpb[h, key - query + kernel - 1 per axis], read for the
            // lanes inside the window only.
            SmallVector<Value> at = {h};
            for (int64_t a = 0; a + 1 < R; ++a)
              at.push_back(
                  e.addi(e.subi(ko[a], qo[a]), e.idx(view.kernel[a] - 1)));
            Value i = e.addi(i0, e.idx(r));
            at.push_back(e.subi(
                e.addi(e.subi(j0, base), e.idx(view.kernel.back() - 1)), i));
            Value bias = vector::MaskedLoadOp::create(
                rewriter, loc, e.f32Vec(), rpb, at, in, e.splatF32(0));
            s[r] = e.addf(s[r], bias);
          }
          s[r] = e.select(in, s[r], e.splat(negInf));
          Value tileMax = vector::ReductionOp::create(
              rewriter, loc, vector::CombiningKind::MAXIMUMF, s[r]);
          Value mNew = e.maxf(cur[2 * r], tileMax);
          next[2 * r] = mNew;
          refs.push_back(e.select(
              e.cmpf(arith::CmpFPredicate::OEQ, mNew, negInf), e.f32(0), mNew));
          shifts.push_back(e.subf(cur[2 * r], refs.back()));
        }
        shifts.resize(width, e.f32(0));
        Value alphas = e.exp(
            vector::FromElementsOp::create(rewriter, loc, e.f32Vec(), shifts));
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
        // O += P V: a broadcast of p_j per row, a vector row of v per
        // key (keys outside the run read a key of it; their p is 0).
        Value lastKey = e.subi(Tk, one);
        for (int64_t jj = 0; jj < width; ++jj) {
          Value key = e.maxi(
              e.mini(e.addi(e.subi(j0, base), e.idx(jj)), lastKey), zero);
          for (int64_t x = 0; x < nv; ++x) {
            Value vv = e.load(v, cat(cat(bi, ko), {key, hk, e.idx(x * width)}));
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
    };
    // The runs: every outer key position of the block's window box.
    std::function<SmallVector<Value>(int64_t, SmallVector<Value>, ValueRange)>
        runs = [&](int64_t a, SmallVector<Value> ko,
                   ValueRange state) -> SmallVector<Value> {
      if (a + 1 >= R)
        return run(ko, state);
      return e.foldMany(outer[a].first, outer[a].second, one, state,
                        [&](Value x, ValueRange cur) {
                          SmallVector<Value> next = ko;
                          next.push_back(x);
                          return runs(a + 1, next, cur);
                        });
    };
    SmallVector<Value> out = runs(0, {}, init);
    for (int64_t r = 0; r < rows; ++r) {
      Value i = e.addi(i0, e.idx(r));
      Value m = out[2 * r], l = out[2 * r + 1];
      Value any = e.cmpf(arith::CmpFPredicate::OGT, l, e.f32(0));
      Value inv = e.select(any, e.divf(e.f32(1), l), e.f32(0));
      for (int64_t x = 0; x < nv; ++x)
        e.store(o, e.mulf(out[2 * rows + r * nv + x], e.splat(inv)),
                cat(cat(bi, qo), {i, h, e.idx(x * width)}));
      if (lse)
        e.ScalarEmitter::store(lse, e.select(any, e.addf(m, e.log(l)), negInf),
                               cat(cat(bi, qo), {i, h}));
    }
  };

  e.loop(Bsz, [&](Value bi) {
    e.loop(H, [&](Value h) {
      Value hk = e.divi(h, group);
      // Keys in order, each a contiguous row of D.
      Value lastFlat = e.subi(numKeys, one);
      e.loop(padded, [&](Value j) {
        Value inside = e.cmpi(arith::CmpIPredicate::slt, j, numKeys);
        Value flat = e.mini(j, lastFlat);
        SmallVector<Value> coords(R);
        for (int64_t a = 0; a < R; ++a)
          coords[a] = e.remi(e.divi(flat, keyStride[a]), keyExtent[a]);
        e.loop(e.idx(*D), [&](Value d) {
          Value x = e.mulf(
              e.ScalarEmitter::load(k, cat(cat(bi, coords), {hk, d})), scale);
          e.ScalarEmitter::store(Kt, e.select(inside, x, e.f32(0)),
                                 {e.divi(j, W), d, e.remi(j, W)});
        });
      });
      // Queries: every outer position, then blocks along the last axis.
      std::function<void(int64_t, SmallVector<Value>)> rows =
          [&](int64_t a, SmallVector<Value> qo) {
            if (a + 1 < R) {
              e.loop(e.dim(q, 1 + a), [&](Value x) {
                SmallVector<Value> next = qo;
                next.push_back(x);
                rows(a + 1, next);
              });
              return;
            }
            Value full = e.muli(e.divi(Tq, e.idx(QB)), e.idx(QB));
            e.loopStep(zero, full, e.idx(QB),
                       [&](Value i0) { queryBlock(bi, qo, h, hk, i0, QB); });
            e.loop(full, Tq,
                   [&](Value i0) { queryBlock(bi, qo, h, hk, i0, 1); });
          };
      rows(0, {});
    });
  });
  // Buffer deallocation frees Kt.
  return success();
}
