//===- OnlineSoftmax.cpp - windowed attention on register tiles -----------===//
//
// sliding_window_attention and neighborhood_attention as
// tiled online softmax (FlashAttention's form on the CPU). A query's window
// is a box of key runs along the last spatial axis (one run for a sliding
// window); a block of query rows along that axis walks the runs and the
// key tiles of each that the union of its windows touches, `width` keys at
// a time, and never writes a score to memory. Per tile and row:
//   s   = q · K_tile              lanes over keys: D FMAs on the head's keys
//                                 transposed once, tile by tile, no reduction
//   s   = -inf outside the row's window (the exact rule, lane by lane)
//   m'  = m, or max(m, max(s)) where some s > m + slack
//   p   = exp(s - m'),  l = l e^(m - m') + p  (lane by lane)
//   O   = O e^(m - m') + Σ_j p_j v_j      Dv-wide accumulators in registers
// Tiles outside every window of the block are never visited. The scale is
// folded into the transposed keys. A row with no key gives o = 0 and
// lse = -inf, as the reference does.
//
// Neighborhoods whose last-axis kernel fits in one vector (NATTEN's image
// and video kernels, k <= width) take the other register
// tile of the same scheme, lanes over queries (buildQueryLanes, below):
// lanes over keys would mask most of each tile there.
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
/// How far a score may pass the online softmax's reference before the
/// reference moves (p <= e^kSlack; sums of thousands of such p stay far
/// from overflow).
static constexpr float kSlack = 8.0f;
/// How many vectors of positions ahead a transpose prefetches its source.
static constexpr int64_t kAhead = 2;
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
  SmallVector<int64_t> kernel, stride, dilation;
  /// The last axis' windows are NATTEN's plain rule (no causal mask,
  /// dilation or stride there): k keys from x - k / 2 inside, the first or
  /// last k at the borders.
  bool centered = false;
  /// A query's key window [start, end) on spatial axis `a`, from its
  /// position there.
  std::function<std::pair<Value, Value>(ScalarEmitter &, int64_t, Value)>
      window;
};
} // namespace

static LogicalResult buildOnlineSoftmax(RewriterBase &rewriter, Operation *op,
                                        const AttentionView &view,
                                        int64_t width);

/// The query tile the op's config sets (one size per spatial axis), or
/// none.
static ArrayRef<int64_t> queryTile(Operation *op) {
  auto config = op->getAttrOfType<CpuTilingAttr>(SeqMixDialect::kTileAttrName);
  return config ? config.getQuery() : ArrayRef<int64_t>();
}

/// Indices `a` then `b`.
static SmallVector<Value> cat(ValueRange a, ValueRange b) {
  SmallVector<Value> r(a.begin(), a.end());
  r.append(b.begin(), b.end());
  return r;
}

/// The rows of an n x n block of vectors (n a power of two), transposed in
/// registers: log2(n) rounds of two-source shuffles, each swapping the
/// off-diagonal b x b blocks of every 2b x 2b block (n shuffles a round,
/// 64 for 16 x 16). vector.transpose on a 2-D vector would be lowered
/// element by element here, and cost ten times as much.
static SmallVector<Value> transposeSquare(RewriterBase &rewriter, Location loc,
                                          ArrayRef<Value> rows) {
  int64_t n = rows.size();
  assert(llvm::isPowerOf2_64(n) && "a power-of-two block");
  SmallVector<Value> r(rows);
  for (int64_t b = n / 2; b >= 1; b /= 2) {
    SmallVector<int64_t> low(n), high(n);
    for (int64_t j = 0; j < n; ++j) {
      bool right = j & b;
      low[j] = right ? n + j - b : j;  // keeps its left, takes the other's
      high[j] = right ? n + j : j + b; // takes the other's right, keeps its
    }
    for (int64_t i = 0; i < n; ++i) {
      if (i & b)
        continue;
      Value top = r[i], bottom = r[i + b];
      r[i] = vector::ShuffleOp::create(rewriter, loc, top, bottom, low);
      r[i + b] = vector::ShuffleOp::create(rewriter, loc, top, bottom, high);
    }
  }
  return r;
}
static LogicalResult buildQueryLanes(RewriterBase &rewriter, Operation *op,
                                     const AttentionView &view, int64_t width);

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
  view.window = [=](ScalarEmitter &e, int64_t,
                    Value i) -> std::pair<Value, Value> {
    AxisWindow w = swaWindow(e, i, e.dim(q, 1), e.dim(k, 1), left, right);
    return {w.start, w.end};
  };
  return buildOnlineSoftmax(rewriter, op, view, width);
}

LogicalResult mlir::seqmix::detail::buildNeighborhoodAttention(
    RewriterBase &rewriter, NeighborhoodAttentionOp op, int64_t width) {
  // Each query's neighborhood is a box (NATTEN's rule per axis, shifted at
  // the borders): without dilation its last-axis extent is a contiguous
  // run of keys; with dilation d, every d-th key of a run, which only the
  // lanes-over-queries tile covers (the offsets of its lanes from their
  // keys are then all multiples of d).
  SmallVector<int64_t> dilation = op.getDilationOrDefault();
  bool dilated = llvm::any_of(dilation, [](int64_t d) { return d != 1; });
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
  view.stride = stride;
  view.dilation = dilation;
  view.centered = !causal.back() && dilation.back() == 1 && stride.back() == 1;
  // Positions along axis a: the window's keys are start, start + d, ...
  // below end (end may pass the axis; no key there is of the group).
  view.window = [=](ScalarEmitter &e, int64_t a,
                    Value x) -> std::pair<Value, Value> {
    AxisWindow w = naWindow(e, x, e.dim(q, 1 + a), kernel[a], dilation[a],
                            stride[a], causal[a]);
    if (dilation[a] == 1)
      return {w.start, w.end};
    Value d = e.idx(dilation[a]);
    return {e.addi(w.group, e.muli(w.start, d)),
            e.addi(w.group, e.muli(w.end, d))};
  };
  // Short windows along the last axis (NATTEN's image and video kernels):
  // lanes over queries, which a lane over keys would mostly mask.
  if (kernel.back() <= width)
    return buildQueryLanes(rewriter, op, view, width);
  if (dilated)
    return rewriter.notifyMatchFailure(
        op, "dilation only with lanes over queries (short kernels)");
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
  // Query rows per block: the config's query tile, else as many as the
  // accumulators allow, up to 4.
  ArrayRef<int64_t> tile = queryTile(op);
  const int64_t QB =
      tile.empty() ? std::min<int64_t>(4, kAccumulators / nv) : tile.back();

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
      init.append({negInf, e.splatF32(0)});
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
      // The tiles inside every row's window (the windows are monotone
      // along the axis: the last row starts latest, the first ends
      // earliest) skip the mask; the tiles before and after take it.
      Value inFrom = e.mini(e.maxi(e.muli(e.divi(e.addi(e.addi(base, lo.back()),
                                                        e.idx(width - 1)),
                                                 W),
                                          W),
                                   first),
                            last);
      Value inTo = e.maxi(
          e.mini(e.muli(e.divi(e.addi(base, hi.front()), W), W), last), inFrom);
      auto tiles = [&](Value from, Value to, ValueRange carried, bool masked) {
        return e.foldMany(from, to, W, carried, [&](Value j0, ValueRange cur) {
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
          // Online softmax with a lazy reference: p = exp(s - m) against a
          // reference m that moves only when a score passes m + kSlack (so
          // p <= e^kSlack); the tile then rescales l and O by e^(m - m').
          // Any reference gives the same o = O / l and lse = m + log l,
          // and most tiles pass no score: a compare and a mask test
          // instead of a horizontal maximum and the rescaling. l is kept
          // lane by lane and summed once at the end. A row with nothing
          // seen yet keeps m = -inf and exponentiates against 0 instead
          // (every p is then 0).
          for (int64_t r = 0; r < rows; ++r) {
            Value in = masked ? e.andi(e.cmpi(arith::CmpIPredicate::sge, keys,
                                              e.splat(lo[r])),
                                       e.cmpi(arith::CmpIPredicate::slt, keys,
                                              e.splat(hi[r])))
                              : Value();
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
              Value bias =
                  masked
                      ? vector::MaskedLoadOp::create(rewriter, loc, e.f32Vec(),
                                                     rpb, at, in, e.splatF32(0))
                      : e.load(rpb, at);
              s[r] = e.addf(s[r], bias);
            }
            if (masked)
              s[r] = e.select(in, s[r], e.splat(negInf));
            Value m = cur[2 * r];
            Value above = e.cmpf(arith::CmpFPredicate::OGT, s[r],
                                 e.splat(e.addf(m, e.f32(kSlack))));
            Value passes = vector::ReductionOp::create(
                rewriter, loc, vector::CombiningKind::OR, above);
            SmallVector<Value> kept = {m, cur[2 * r + 1]};
            for (int64_t x = 0; x < nv; ++x)
              kept.push_back(cur[2 * rows + r * nv + x]);
            auto moved =
                scf::IfOp::create(rewriter, loc, ValueRange(kept).getTypes(),
                                  passes, /*withElse=*/true);
            {
              OpBuilder::InsertionGuard g(rewriter);
              rewriter.setInsertionPointToStart(moved.thenBlock());
              Value mNew = e.maxf(
                  m, vector::ReductionOp::create(
                         rewriter, loc, vector::CombiningKind::MAXIMUMF, s[r]));
              Value alpha = e.splat(e.exp(e.subf(m, mNew)));
              SmallVector<Value> rescaled = {mNew, e.mulf(kept[1], alpha)};
              for (int64_t x = 0; x < nv; ++x)
                rescaled.push_back(e.mulf(kept[2 + x], alpha));
              scf::YieldOp::create(rewriter, loc, rescaled);
              rewriter.setInsertionPointToStart(moved.elseBlock());
              scf::YieldOp::create(rewriter, loc, kept);
            }
            Value mNow = moved.getResult(0);
            next[2 * r] = mNow;
            Value ref =
                e.select(e.cmpf(arith::CmpFPredicate::OEQ, mNow, negInf),
                         e.f32(0), mNow);
            Value p = e.exp(e.subf(s[r], e.splat(ref)));
            next[2 * r + 1] = e.addf(moved.getResult(1), p);
            for (int64_t x = 0; x < nv; ++x)
              next[2 * rows + r * nv + x] = moved.getResult(2 + x);
            e.store(P, p, {e.idx(r), zero});
          }
          // O += P V: a broadcast of p_j per row, a vector row of v per
          // key (keys outside the run read a key of it; their p is 0).
          Value lastKey = e.subi(Tk, one);
          for (int64_t jj = 0; jj < width; ++jj) {
            Value key = e.maxi(
                e.mini(e.addi(e.subi(j0, base), e.idx(jj)), lastKey), zero);
            for (int64_t x = 0; x < nv; ++x) {
              Value vv =
                  e.load(v, cat(cat(bi, ko), {key, hk, e.idx(x * width)}));
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
      SmallVector<Value> cur = tiles(first, inFrom, state, /*masked=*/true);
      cur = tiles(inFrom, inTo, cur, /*masked=*/false);
      return tiles(inTo, last, cur, /*masked=*/true);
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
      Value m = out[2 * r];
      Value l = e.sum(out[2 * r + 1]);
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

  // The kv heads outer: each is transposed once for the query heads of its
  // group (GQA).
  e.loop(Bsz, [&](Value bi) {
    e.loop(e.dim(k, R + 1), [&](Value hk) {
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
      e.loop(group, [&](Value g) {
        Value h = e.addi(e.muli(hk, group), g);
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
  });
  // Buffer deallocation frees Kt.
  return success();
}

//===----------------------------------------------------------------------===//
// Lanes over queries (short windows along the last axis)
//===----------------------------------------------------------------------===//
//
// `width` consecutive queries along the last axis share one vector; each
// lane keeps its own softmax, so no score needs a horizontal reduction.
// k and v (once per kv head, into a ring of the image rows the blocks
// still read) and q (scaled, a block's rows at a time) are transposed
// image row by image row into lines of positions, where the keys at one
// offset `delta` from `width` consecutive queries are one contiguous load.
// A vector of queries on each of two consecutive image rows (a query tile
// of 2 x width; one row where that axis is dilated) walks the union of
// their outer windows' key rows and, on each, the offsets [dmin, dmax]
// that any of its lanes' windows reach (the kernel's k offsets inside the
// image, up to 2k - 1 at its borders), masking each lane to its own window
// and each row to its own key rows: every key and value load serves both
// rows. The scores of the few dozen keys stay in an L1 scratch, then one
// exact softmax per lane and P V, with lanes over queries again.
//
// Where the last axis is NATTEN's plain rule (AttentionView::centered) the
// lanes' windows differ only by their start, so each lane walks exactly
// its k static steps instead (see centeredLine): no lane mask, no offsets
// beyond the kernel at the borders.

static LogicalResult buildQueryLanes(RewriterBase &rewriter, Operation *op,
                                     const AttentionView &view, int64_t width) {
  Value q = view.q, k = view.k, v = view.v, o = view.o, lse = view.lse;
  const int64_t R = view.rank;
  std::optional<int64_t> D = staticDim(q, R + 2), Dv = staticDim(v, R + 2);
  if (!D || !Dv || *D > kMaxHeadDim || *Dv > kMaxHeadDim)
    return rewriter.notifyMatchFailure(op, "D and Dv must be static");
  const int64_t kLast = view.kernel.back(), sLast = view.stride.back();
  // A block of query rows along the innermost outer axis shares the key
  // rows of its windows (their union, the halo): each key load serves
  // every row of the block. Rows per block: the config's query tile on
  // that axis, else 2; dilated there, consecutive rows see disjoint key
  // rows, so the block is one row.
  const int64_t blockAxis = R - 2;
  ArrayRef<int64_t> tile = queryTile(op);
  int64_t blockRows = 1;
  if (R >= 2 && (view.dilation.empty() || view.dilation[blockAxis] == 1))
    blockRows = tile.empty() ? 2 : tile[blockAxis];
  // The score entries of one block: its outer windows' key rows (at most
  // the kernel each, plus the halo on the block axis) times the offsets
  // key - query along the last axis its lanes reach: within +-(k - 1) of a
  // query, +-(s - 1) more where a stride group shares its leader's window.
  int64_t maxEntries = 2 * (kLast + sLast) - 3;
  for (int64_t a = 0; a + 1 < R; ++a)
    maxEntries *=
        view.kernel[a] + (a == blockAxis ? blockRows * view.stride[a] : 0);
  // Positions a lane may reach beyond its image row on either side.
  const int64_t dLast = view.dilation.empty() ? 1 : view.dilation.back();
  const int64_t pad = (dLast * (kLast + sLast) + width - 1) / width * width;
  const int64_t chunk = std::min<int64_t>(*Dv, 16); // PV accumulators
  const bool centered = view.centered && !view.rpb;

  Location loc = op->getLoc();
  VectorEmitter e(rewriter, loc, width);
  Type i32 = rewriter.getI32Type();
  auto i32Vec = VectorType::get({width}, i32);
  auto toI32 = [&](Value x) {
    return arith::IndexCastOp::create(rewriter, loc, i32, x).getResult();
  };
  auto fromI32 = [&](Value x) {
    return arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), x)
        .getResult();
  };
  auto splatI32 = [&](Value x) {
    return vector::BroadcastOp::create(rewriter, loc, i32Vec, x).getResult();
  };
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(q, 0), H = e.dim(q, R + 1);
  Value group = e.divi(H, e.dim(k, R + 1));
  Value Tq = e.dim(q, R); // the last spatial axis
  // Image rows: the outer positions, numbered row-major.
  SmallVector<Value> extent, rowStride(R - 1);
  for (int64_t a = 0; a + 1 < R; ++a)
    extent.push_back(e.dim(q, 1 + a));
  Value numRows = one;
  for (int64_t a = R - 2; a >= 0; --a) {
    rowStride[a] = numRows;
    numRows = e.muli(numRows, extent[a]);
  }
  // The head's q (scaled), k and v transposed row by row: [rows, D, pad +
  // Tq (whole vectors) + pad], so that the keys at one offset from a vector
  // of queries are one contiguous load, and a row's D lines sit together.
  // The pads are zero: lanes that reach past their row read finite values,
  // which their window masks.
  Value rounded = e.muli(e.divi(e.addi(Tq, e.idx(width - 1)), W), W);
  Value rowLen = e.addi(rounded, e.idx(2 * pad));
  // Two-dimensional: line (row * n + d) by column. Centered windows
  // (see centeredLine) take a slab per row and vector of queries instead:
  // line ((row * vectors + v) * n + d) holds the positions [v width -
  // width / 2, v width + 3 width / 2), every key any lane of the vector
  // reads, so that a vector's keys of one row are one contiguous stretch
  // of memory and each step one load. q needs no halo: its slab is the
  // vector's own positions, at column 0.
  Value vectors = e.divi(rounded, W);
  const int64_t half = width / 2;
  auto transposed = [&](Value rows, int64_t n, bool keys) {
    return memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic},
                        rewriter.getF32Type()),
        centered ? ValueRange{e.muli(e.muli(rows, vectors), e.idx(n)),
                              e.idx(keys ? 2 * width : width)}
                 : ValueRange{e.muli(rows, e.idx(n)), rowLen});
  };
  auto line = [&](Value row, int64_t n, Value d) {
    return e.addi(e.muli(row, e.idx(n)), d);
  };
  auto slabLine = [&](Value row, Value v, int64_t n, Value d) {
    return line(e.addi(e.muli(row, vectors), v), n, d);
  };
  // The outer coordinates of an image row.
  auto coordsOf = [&](Value row) {
    SmallVector<Value> c(R - 1);
    for (int64_t a = 0; a + 1 < R; ++a)
      c[a] = e.remi(e.divi(row, rowStride[a]), extent[a]);
    return c;
  };
  // The blocks of query rows, in order: `blockRows` consecutive rows along
  // the block axis, the rows left over there one at a time.
  auto forEachBlock = [&](function_ref<void(Value, int64_t)> body) {
    if (blockRows == 1)
      return e.loop(numRows, [&](Value row) { body(row, 1); });
    Value Y = extent[blockAxis];
    Value full = e.subi(Y, e.remi(Y, e.idx(blockRows)));
    e.loop(e.divi(numRows, Y), [&](Value outer) {
      Value base = e.muli(outer, Y);
      e.loopStep(zero, full, e.idx(blockRows),
                 [&](Value y0) { body(e.addi(base, y0), blockRows); });
      e.loop(full, Y, [&](Value y) { body(e.addi(base, y), 1); });
    });
  };
  // The first and last key rows (row-major) of the windows of `nr` query
  // rows from `first`: the corners of their box.
  auto keySpan = [&](Value first, int64_t nr) {
    SmallVector<Value> qo = coordsOf(first);
    Value lo = zero, last = zero;
    for (int64_t a = 0; a + 1 < R; ++a) {
      auto [start, end] = view.window(e, a, qo[a]);
      Value hi = a == blockAxis && nr > 1
                     ? view.window(e, a, e.addi(qo[a], e.idx(nr - 1))).second
                     : end;
      Value top = e.subi(e.mini(hi, extent[a]), one);
      last = e.addi(last, e.muli(e.maxi(top, zero), rowStride[a]));
      lo = e.addi(lo, e.muli(start, rowStride[a]));
    }
    return std::pair{lo, last};
  };
  OpBuilder scratchAt = e.scratchBuilder(Value());
  auto counter = [&]() {
    return memref::AllocaOp::create(
        scratchAt, loc, MemRefType::get({}, rewriter.getIndexType()));
  };
  auto get = [&](Value c) {
    return memref::LoadOp::create(rewriter, loc, c, ValueRange{}).getResult();
  };
  auto set = [&](Value c, Value x) {
    memref::StoreOp::create(rewriter, loc, x, c, ValueRange{});
  };
  // k and v are transposed row by row as the blocks reach them (the rows
  // transposed form a prefix that only grows, `kvDone` long), into a ring
  // of `ringRows` rows, row r in slot r mod ringRows: the rows since the
  // lowest one a block still reads. A whole head (4 MiB of k on a 16 x 32
  // x 32 video at D = 32) would leave L2 before its rows are read; the
  // ring (three frames there) mostly stays. Its size is found by walking
  // the blocks once: the most rows between a block's first key row and
  // the end of the prefix. q needs only the block's own rows.
  Value kvDone = counter(), ringNeed = counter();
  set(kvDone, zero);
  set(ringNeed, one);
  forEachBlock([&](Value first, int64_t nr) {
    auto [lo, last] = keySpan(first, nr);
    Value done = e.maxi(get(kvDone), e.addi(last, one));
    set(kvDone, done);
    set(ringNeed, e.maxi(get(ringNeed), e.subi(done, lo)));
  });
  Value ringRows = e.mini(get(ringNeed), numRows);
  Value Qt = transposed(e.idx(blockRows), *D, false),
        Kt = transposed(ringRows, *D, true),
        Vt = transposed(ringRows, *Dv, true);
  Value tail = e.addi(rounded, e.idx(pad));
  for (auto [buffer, lines, rows] : {std::tuple{Qt, *D, e.idx(blockRows)},
                                     {Kt, *D, ringRows},
                                     {Vt, *Dv, ringRows}}) {
    Value dst = buffer;
    int64_t n = lines;
    if (centered && dst == Qt)
      continue;
    e.loop(rows, [&](Value row) {
      e.loop(e.idx(n), [&](Value d) {
        if (centered) {
          e.store(dst, e.splatF32(0), {slabLine(row, zero, n, d), zero});
          e.store(dst, e.splatF32(0),
                  {slabLine(row, e.subi(vectors, one), n, d), W});
          return;
        }
        for (int64_t j = 0; j < pad; j += width) {
          e.store(dst, e.splatF32(0), {line(row, n, d), e.idx(j)});
          e.store(dst, e.splatF32(0),
                  {line(row, n, d), e.addi(tail, e.idx(j))});
        }
      });
    });
  }
  // The offset walk: each position's window [start, end) along the last
  // axis, as i32, for the positions a vector may cover (those past the end
  // take the last). Centered steps know their windows without it.
  Value lastQ = e.subi(Tq, one);
  Value winStart, winEnd;
  if (!centered) {
    Value nWin = e.addi(Tq, W);
    auto i32Buffer = [&](Value n) {
      return memref::AllocOp::create(
          rewriter, loc, MemRefType::get({ShapedType::kDynamic}, i32),
          ValueRange{n});
    };
    winStart = i32Buffer(nWin);
    winEnd = i32Buffer(nWin);
    e.loop(nWin, [&](Value x) {
      auto [st, en] = view.window(e, R - 1, e.mini(x, lastQ));
      memref::StoreOp::create(rewriter, loc, toI32(st), winStart, x);
      memref::StoreOp::create(rewriter, loc, toI32(en), winEnd, x);
    });
  }
  // Per entry: its scores (then probabilities), a vector of lanes per row.
  Value S = e.scratch({maxEntries, blockRows * width}); // a row's lanes each
  Value T = e.scratch({width, width}); // a block of outputs, lane-major
  // The block's outputs, one vector of queries per row and column.
  Value Ot = e.scratch({blockRows * *Dv, width});
  // The ring slot of each group of entries' key row (see Kt above).
  Value keyRow = memref::AllocaOp::create(
      scratchAt, loc, MemRefType::get({maxEntries}, rewriter.getIndexType()));
  SmallVector<int32_t> laneIds(width);
  for (int64_t l = 0; l < width; ++l)
    laneIds[l] = int32_t(l);
  Value lanes = arith::ConstantOp::create(
      rewriter, loc, i32Vec,
      DenseElementsAttr::get(i32Vec, llvm::ArrayRef<int32_t>(laneIds)));
  Value negInf = e.f32(-INFINITY);
  Value scale = e.f32(view.scale);

  // Lines [d0, d0 + n) of image row `row` of the transposed head, columns
  // [x0, x0 + width), from src[b, row, x, head, :]: a width x width block
  // through one register transpose where n is width, lane by lane
  // otherwise.
  auto transposeBlock = [&](Value src, Value dst, int64_t lines, Value bi,
                            ValueRange at, Value row, Value slot, Value head,
                            Value x0, int64_t d0, int64_t n, bool scaled) {
    SmallVector<Value> xs;
    for (int64_t l = 0; l < width; ++l)
      xs.push_back(e.mini(e.addi(x0, e.idx(l)), lastQ));
    Value col = e.addi(x0, e.idx(pad));
    // The source lines of the block kAhead vectors on (row-major, into
    // the next rows) are fetched now: these loads stride by H x D
    // elements, which the hardware prefetcher follows too late, and the
    // transposes otherwise wait on memory.
    {
      Value f = e.addi(e.muli(row, Tq), e.addi(x0, e.idx(kAhead * width)));
      f = e.mini(f, e.subi(e.muli(numRows, Tq), one));
      Value px = e.remi(f, Tq);
      SmallVector<Value> pc = coordsOf(e.divi(f, Tq));
      for (int64_t l = 0; l < width; ++l)
        e.prefetch(src, cat(cat(bi, pc), {e.mini(e.addi(px, e.idx(l)), lastQ),
                                          head, e.idx(d0)}));
    }
    // The block's n transposed lines.
    SmallVector<Value> rows;
    if (n == width) {
      SmallVector<Value> lines;
      for (int64_t l = 0; l < width; ++l)
        lines.push_back(
            e.load(src, cat(cat(bi, at), {xs[l], head, e.idx(d0)})));
      rows = transposeSquare(rewriter, loc, lines);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        Value r = e.splatF32(0);
        for (int64_t l = 0; l < width; ++l)
          r = vector::InsertOp::create(
              rewriter, loc,
              e.ScalarEmitter::load(
                  src, cat(cat(bi, at), {xs[l], head, e.idx(d0 + i)})),
              r, l);
        rows.push_back(r);
      }
    }
    if (scaled)
      for (Value &r : rows)
        r = e.mulf(r, e.splat(scale));
    if (!centered) {
      for (auto [i, r] : llvm::enumerate(rows))
        e.store(dst, r, {line(slot, lines, e.idx(d0 + int64_t(i))), col});
      return;
    }
    // The vector's own slab, and for keys the halves of it that its
    // neighbours' slabs reach.
    Value v = e.divi(x0, W);
    auto slabOf = [&](Value slab, int64_t i) {
      return slabLine(slot, slab, lines, e.idx(d0 + i));
    };
    for (auto [i, r] : llvm::enumerate(rows))
      e.store(dst, r, {slabOf(v, int64_t(i)), e.idx(scaled ? 0 : half)});
    if (scaled)
      return;
    auto storeHalves = [&](int64_t first, Value slab, Value column) {
      SmallVector<int64_t> lanesOf;
      for (int64_t l = 0; l < half; ++l)
        lanesOf.push_back(first + l);
      for (auto [i, r] : llvm::enumerate(rows))
        vector::StoreOp::create(
            rewriter, loc,
            vector::ShuffleOp::create(rewriter, loc, r, r, lanesOf), dst,
            ValueRange{slabOf(slab, int64_t(i)), column});
    };
    e.ifThen(e.cmpi(arith::CmpIPredicate::ugt, v, zero),
             [&] { storeHalves(0, e.subi(v, one), e.idx(width + half)); });
    e.ifThen(e.cmpi(arith::CmpIPredicate::ult, e.addi(v, one), vectors),
             [&] { storeHalves(half, e.addi(v, one), zero); });
  };
  // Image rows [from, to) of a head, transposed, row r into slot r - base
  // (q) or r mod ringRows (k and v, base = none).
  auto ringSlot = [&](Value row) { return e.remi(row, ringRows); };
  auto transposeRows = [&](Value src, Value dst, Value bi, Value head,
                           int64_t n, bool scaled, Value from, Value to,
                           Value base) {
    e.loop(from, to, [&](Value row) {
      SmallVector<Value> at = coordsOf(row);
      Value slot = base ? e.subi(row, base) : ringSlot(row);
      e.loopStep(zero, Tq, W, [&](Value x0) {
        for (int64_t d0 = 0; d0 < n; d0 += width)
          transposeBlock(src, dst, n, bi, at, row, slot, head, x0, d0,
                         std::min<int64_t>(width, n - d0), scaled);
      });
    });
  };

  // Centered windows (see AttentionView::centered): lane l's key at step j
  // of its window is x0 + l - wl + j inside, j at the left border and
  // Tq - k + j at the right one. The steps are static: step j of a line is
  // one load from the vector's slab, at column width / 2 - wl + j; border
  // lanes take their shared key (fixL, fixR: the vector has such lanes),
  // on the left by a permute of that load, on the right as a broadcast.
  const int64_t wl = kLast / 2, wr = kLast - wl - 1;
  auto centeredLine = [&](Value buf, Value row, int64_t n, Value d, Value x0,
                          Value xs, int64_t j0, int64_t g, bool fixL,
                          bool fixR) {
    Value ln = slabLine(row, e.divi(x0, W), n, d);
    Value rightLanes;
    // Left border lanes only in the vector at x0 = 0 (wl < width): lane l <
    // wl takes key j, which lane wl of the step's load holds. One in-register
    // permute with constant indices, no broadcast load or select.
    SmallVector<int64_t> leftFix;
    for (int64_t l = 0; fixL && l < width; ++l)
      leftFix.push_back(std::max(l, wl));
    if (fixR)
      rightLanes = e.cmpi(arith::CmpIPredicate::sge, xs,
                          splatI32(toI32(e.subi(Tq, e.idx(wr)))));
    SmallVector<Value> out;
    for (int64_t j = j0; j < j0 + g; ++j) {
      Value vj = e.load(buf, {ln, e.idx(half - wl + j)});
      // Key position p sits in the slab of vector p / width, at column
      // p % width + width / 2.
      auto key = [&](Value p) {
        return e.splat(
            e.ScalarEmitter::load(buf, {slabLine(row, e.divi(p, W), n, d),
                                        e.addi(e.remi(p, W), e.idx(half))}));
      };
      if (fixL)
        vj = vector::ShuffleOp::create(rewriter, loc, vj, vj, leftFix);
      if (fixR)
        vj = e.select(rightLanes, key(e.addi(Tq, e.idx(j - kLast))), vj);
      out.push_back(vj);
    }
    return out;
  };

  // One vector of queries on each of `nr` consecutive image rows along the
  // block axis, from outer coordinates `qo` (Qt's rows): [x0, x0 + width) on
  // the last axis. Centered windows take one of four variants of the
  // block, by the image borders its lanes touch; the others walk offsets.
  struct Borders {
    bool left = false, right = false;
  };
  auto ifElse = [&](Value cond, function_ref<void()> then,
                    function_ref<void()> otherwise) {
    auto ifOp = scf::IfOp::create(rewriter, loc, cond, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    then();
    rewriter.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    otherwise();
  };
  auto queryBlock = [&](Value bi, ValueRange qo, int64_t nr, Value h, Value x0,
                        Borders borders) {
    Value xs = e.addi(splatI32(toI32(x0)), lanes);
    // Only the lanes inside the image count (and are written).
    Value valid = e.cmpi(arith::CmpIPredicate::slt, xs, splatI32(toI32(Tq)));
    Value st, en, from, to, count;
    if (centered) {
      count = e.idx(kLast); // [from, to) is the offset walk's alone
    } else {
      st = vector::LoadOp::create(rewriter, loc, i32Vec, winStart, x0);
      en = vector::LoadOp::create(rewriter, loc, i32Vec, winEnd, x0);
      auto constI32 = [&](int32_t c) {
        return splatI32(arith::ConstantIntOp::create(rewriter, loc, i32, c));
      };
      Value dmin = fromI32(vector::ReductionOp::create(
          rewriter, loc, vector::CombiningKind::MINSI,
          e.select(valid, e.subi(st, xs), constI32(INT32_MAX))));
      Value dmax = fromI32(vector::ReductionOp::create(
          rewriter, loc, vector::CombiningKind::MAXSI,
          e.select(valid, e.subi(en, xs), constI32(INT32_MIN))));
      // Offsets run over [dmin, dmax): index arithmetic stays unsigned by
      // walking delta + pad, the column of lane 0's key. Every key row has
      // the same `count` of them (every d-th with dilation d), so entry i
      // is key row i / count, offset i % count.
      from = e.addi(dmin, e.idx(pad));
      to = e.addi(dmax, e.idx(pad));
      count = e.maxi(
          e.divi(e.addi(e.subi(to, from), e.idx(dLast - 1)), e.idx(dLast)),
          one);
    }
    Value qcol = e.addi(x0, e.idx(pad));
    // Row r's outer coordinates, and its key rows on the block axis.
    auto rowCoords = [&](int64_t r) {
      SmallVector<Value> c(qo.begin(), qo.end());
      if (r)
        c[blockAxis] = e.addi(c[blockAxis], e.idx(r));
      return c;
    };
    SmallVector<std::pair<Value, Value>> rowWindow;
    for (int64_t r = 0; nr > 1 && r < nr; ++r)
      rowWindow.push_back(view.window(e, blockAxis, rowCoords(r)[blockAxis]));
    // rpb[h, (key - query) / d + k - 1 per axis]: one value per key row
    // and offset, the same for every lane (their offsets from their keys
    // are equal); clamped into range for the lanes outside their windows,
    // which the mask drops.
    auto rpbIndex = [&](Value offset, int64_t a) {
      int64_t d = view.dilation.empty() ? 1 : view.dilation[a];
      Value i = arith::DivSIOp::create(rewriter, loc, offset, e.idx(d));
      i = e.addi(i, e.idx(view.kernel[a] - 1));
      return e.maxi(e.mini(i, e.idx(2 * view.kernel[a] - 2)), zero);
    };
    // Scores of every (key row, offset) the lanes reach, masked per lane
    // (and per row, for the key rows of the block's halo outside a row's
    // window); carried: the entry count and each row's running maximum.
    // `bias` holds each row's rpb indices so far, `keyY` the key row on
    // the block axis.
    using Biases = SmallVector<SmallVector<Value>>;
    std::function<SmallVector<Value>(int64_t, Value, Biases, Value, ValueRange)>
        keyRows = [&](int64_t a, Value row, Biases bias, Value keyY,
                      ValueRange carried) -> SmallVector<Value> {
      if (a + 1 < R) {
        auto [lo, hi] =
            nr > 1 && a == blockAxis
                ? std::pair{rowWindow.front().first, rowWindow.back().second}
                : view.window(e, a, qo[a]);
        Value step = e.idx(view.dilation.empty() ? 1 : view.dilation[a]);
        return e.foldMany(lo, hi, step, carried, [&](Value y, ValueRange cur) {
          Biases at = bias;
          for (int64_t r = 0; view.rpb && r < nr; ++r)
            at[r].push_back(rpbIndex(e.subi(y, rowCoords(r)[a]), a));
          return keyRows(a + 1, e.addi(row, e.muli(y, rowStride[a])), at,
                         a == blockAxis ? y : keyY, cur);
        });
      }
      // The key row of the entries to come, by its slot from here on.
      row = ringSlot(row);
      memref::StoreOp::create(rewriter, loc, row, keyRow,
                              e.divi(carried[0], count));
      // One entry: each row's bias, the lanes' own windows, into the
      // scratch.
      // `dp`: the offset walk's column (delta + pad); none for centered
      // steps, every lane's step being in its window.
      auto record = [&](Value dp, ArrayRef<Value> scores,
                        ValueRange cur) -> SmallVector<Value> {
        Value delta = dp ? e.subi(dp, e.idx(pad)) : Value();
        Value in;
        if (!centered) {
          Value keyX = e.addi(xs, splatI32(toI32(delta)));
          in = e.andi(e.cmpi(arith::CmpIPredicate::sge, keyX, st),
                      e.cmpi(arith::CmpIPredicate::slt, keyX, en));
        }
        SmallVector<Value> next = {e.addi(cur[0], one)};
        for (int64_t r = 0; r < nr; ++r) {
          Value s = scores[r];
          if (view.rpb) {
            SmallVector<Value> at = bias[r];
            at.push_back(rpbIndex(delta, R - 1));
            s = e.addf(s, e.splat(e.ScalarEmitter::load(view.rpb, at)));
          }
          Value keep = in;
          if (nr > 1) {
            auto [lo, hi] = rowWindow[r];
            Value rowIn = e.andi(e.cmpi(arith::CmpIPredicate::sge, keyY, lo),
                                 e.cmpi(arith::CmpIPredicate::slt, keyY, hi));
            Value rowLanes = vector::BroadcastOp::create(
                rewriter, loc, VectorType::get({width}, rewriter.getI1Type()),
                rowIn);
            keep = keep ? e.andi(keep, rowLanes) : rowLanes;
          }
          if (keep)
            s = e.select(keep, s, e.splat(negInf));
          e.store(S, s, {cur[0], e.idx(r * width)});
          // s > m ? s : m, one vmaxps; maximumf's NaN rule costs four
          // more instructions per entry, and a NaN score reaches o anyway
          // through its p.
          next.push_back(e.select(
              e.cmpf(arith::CmpFPredicate::OGT, s, cur[1 + r]), s, cur[1 + r]));
        }
        return next;
      };
      // The scores of `g` offsets for every row, each key line loaded once
      // for all rows and each q line once for all offsets (`keys` gives a
      // key line's vectors at the g offsets); `parts` partial sums over D
      // per score keep enough FMA chains.
      auto scoreGroup = [&](function_ref<SmallVector<Value>(Value)> keys,
                            int64_t g, int64_t parts) {
        SmallVector<Value> acc(nr * g * parts, e.splatF32(0));
        for (int64_t d = 0; d < *D; ++d) {
          SmallVector<Value> qd;
          for (int64_t r = 0; r < nr; ++r)
            qd.push_back(e.load(
                Qt, centered ? ValueRange{slabLine(e.idx(r), e.divi(x0, W), *D,
                                                   e.idx(d)),
                                          zero}
                             : ValueRange{line(e.idx(r), *D, e.idx(d)), qcol}));
          SmallVector<Value> kds = keys(e.idx(d));
          for (int64_t o = 0; o < g; ++o) {
            Value kd = kds[o];
            for (int64_t r = 0; r < nr; ++r) {
              Value &a = acc[(r * g + o) * parts + d % parts];
              a = e.fma(qd[r], kd, a);
            }
          }
        }
        SmallVector<Value> out; // by offset, then row
        for (int64_t o = 0; o < g; ++o)
          for (int64_t r = 0; r < nr; ++r) {
            Value s = acc[(r * g + o) * parts];
            for (int64_t i = 1; i < parts; ++i)
              s = e.addf(s, acc[(r * g + o) * parts + i]);
            out.push_back(s);
          }
        return out;
      };
      // Offsets in groups of G (the kernel, up to 8), then one at a time.
      // One offset at a time would load q and k for every FMA, twice what
      // the FMA unit can take. With dilation, only every d-th offset holds
      // keys of the lanes' groups (dmin is one of them).
      const int64_t G = std::clamp<int64_t>(kLast, 1, 8);
      if (centered) {
        SmallVector<Value> next(carried.begin(), carried.end());
        for (int64_t j0 = 0; j0 < kLast; j0 += G) {
          int64_t g = std::min(G, kLast - j0);
          SmallVector<Value> scores = scoreGroup(
              [&](Value d) {
                return centeredLine(Kt, row, *D, d, x0, xs, j0, g, borders.left,
                                    borders.right);
              },
              g, 1);
          for (int64_t o = 0; o < g; ++o)
            next = record(Value(), ArrayRef<Value>(scores).slice(o * nr, nr),
                          next);
        }
        return next;
      }
      auto unaligned = [&](Value dp0, int64_t g) {
        return [&, dp0, g](Value d) {
          SmallVector<Value> out;
          for (int64_t o = 0; o < g; ++o)
            out.push_back(
                e.load(Kt, {line(row, *D, d),
                            e.addi(x0, e.addi(dp0, e.idx(o * dLast)))}));
          return out;
        };
      };
      Value grouped =
          e.addi(from, e.muli(e.muli(e.divi(count, e.idx(G)), e.idx(G)),
                              e.idx(dLast)));
      SmallVector<Value> afterGroups = e.foldMany(
          from, grouped, e.idx(G * dLast), carried,
          [&](Value dp0, ValueRange cur) {
            SmallVector<Value> scores = scoreGroup(unaligned(dp0, G), G, 1);
            SmallVector<Value> next(cur.begin(), cur.end());
            for (int64_t o = 0; o < G; ++o)
              next = record(e.addi(dp0, e.idx(o * dLast)),
                            ArrayRef<Value>(scores).slice(o * nr, nr), next);
            return next;
          });
      return e.foldMany(
          grouped, to, e.idx(dLast), afterGroups,
          [&](Value dp, ValueRange cur) {
            return record(
                dp,
                scoreGroup(unaligned(dp, 1), 1,
                           std::min<int64_t>(std::max<int64_t>(1, 4 / nr), *D)),
                cur);
          });
    };
    SmallVector<Value> init = {zero};
    for (int64_t r = 0; r < nr; ++r)
      init.push_back(e.splat(negInf));
    SmallVector<Value> scored =
        keyRows(0, zero, Biases(nr, SmallVector<Value>{h}), zero, init);
    Value n = scored[0];
    // One exact softmax per lane and row over the n entries.
    SmallVector<Value> ref, lInit;
    for (int64_t r = 0; r < nr; ++r) {
      Value m = scored[1 + r];
      Value seen = e.cmpf(arith::CmpFPredicate::OGT, m, e.splat(negInf));
      ref.push_back(e.select(seen, m, e.splatF32(0)));
      lInit.push_back(e.splatF32(0));
    }
    SmallVector<Value> l =
        e.foldMany(zero, n, one, lInit, [&](Value i, ValueRange cur) {
          SmallVector<Value> next;
          for (int64_t r = 0; r < nr; ++r) {
            Value at = e.idx(r * width);
            Value p = e.exp(e.subf(e.load(S, {i, at}), ref[r]));
            e.store(S, p, {i, at});
            next.push_back(e.addf(cur[r], p));
          }
          return next;
        });
    SmallVector<Value> any, inv;
    for (int64_t r = 0; r < nr; ++r) {
      any.push_back(e.cmpf(arith::CmpFPredicate::OGT, l[r], e.splatF32(0)));
      inv.push_back(
          e.select(any[r], e.divf(e.splatF32(1), l[r]), e.splatF32(0)));
    }
    // P V, `chunk` accumulators in all: each value line loaded once for
    // every row of the block. The results go to the block's scratch.
    const int64_t cn = std::max<int64_t>(1, chunk / nr);
    for (int64_t c0 = 0; c0 < *Dv; c0 += cn) {
      int64_t cw = std::min<int64_t>(cn, *Dv - c0);
      SmallVector<Value> init(nr * cw, e.splatF32(0));
      // Key row by key row, offset by offset, as the entries were made.
      SmallVector<Value> acc = e.foldMany(
          zero, e.divi(n, count), one, init, [&](Value kr, ValueRange outer) {
            Value row = e.ScalarEmitter::load(keyRow, kr);
            Value first = e.muli(kr, count);
            if (centered) {
              // Its static steps, each value line one load (and the
              // border lanes' broadcasts).
              SmallVector<Value> next(outer.begin(), outer.end());
              for (int64_t o = 0; o < kLast; ++o) {
                SmallVector<Value> p;
                for (int64_t r = 0; r < nr; ++r)
                  p.push_back(
                      e.load(S, {e.addi(first, e.idx(o)), e.idx(r * width)}));
                for (int64_t c = 0; c < cw; ++c) {
                  Value vc = centeredLine(Vt, row, *Dv, e.idx(c0 + c), x0, xs,
                                          o, 1, borders.left, borders.right)[0];
                  for (int64_t r = 0; r < nr; ++r)
                    next[r * cw + c] = e.fma(p[r], vc, next[r * cw + c]);
                }
              }
              return next;
            }
            return e.foldMany(
                zero, count, one, outer, [&](Value o, ValueRange cur) {
                  Value i = e.addi(first, o);
                  Value col = e.addi(x0, e.addi(from, e.muli(o, e.idx(dLast))));
                  SmallVector<Value> p;
                  for (int64_t r = 0; r < nr; ++r)
                    p.push_back(e.load(S, {i, e.idx(r * width)}));
                  SmallVector<Value> next(cur.begin(), cur.end());
                  for (int64_t c = 0; c < cw; ++c) {
                    Value vc = e.load(Vt, {line(row, *Dv, e.idx(c0 + c)), col});
                    for (int64_t r = 0; r < nr; ++r)
                      next[r * cw + c] = e.fma(p[r], vc, next[r * cw + c]);
                  }
                  return next;
                });
          });
      for (int64_t r = 0; r < nr; ++r)
        for (int64_t c = 0; c < cw; ++c)
          e.store(Ot, e.mulf(acc[r * cw + c], inv[r]),
                  {e.idx(r * *Dv + c0 + c), zero});
    }
    auto scatter = [&](Value mem, ValueRange at, Value value, int64_t dim) {
      auto [strides, offset] =
          cast<MemRefType>(mem.getType()).getStridesAndOffset();
      (void)offset;
      Value stride =
          ShapedType::isDynamic(strides[dim])
              ? memref::ExtractStridedMetadataOp::create(rewriter, loc, mem)
                    .getStrides()[dim]
              : e.idx(strides[dim]);
      Value offsets = e.muli(lanes, splatI32(toI32(stride)));
      vector::ScatterOp::create(rewriter, loc, /*resultType=*/Type(), mem, at,
                                offsets, valid, value);
    };
    for (int64_t r = 0; r < nr; ++r) {
      SmallVector<Value> oc = rowCoords(r);
      // Whole blocks of columns: transposed in registers, each lane's row
      // of `width` outputs is one store; the columns left over scatter.
      int64_t c0 = 0;
      for (; c0 + width <= *Dv; c0 += width) {
        SmallVector<Value> cols;
        for (int64_t c = 0; c < width; ++c)
          cols.push_back(e.load(Ot, {e.idx(r * *Dv + c0 + c), zero}));
        for (auto [lane, t] :
             llvm::enumerate(transposeSquare(rewriter, loc, cols)))
          e.store(T, t, {e.idx(lane), zero});
        e.loop(e.mini(e.subi(Tq, x0), W), [&](Value lane) {
          e.store(o, e.load(T, {lane, zero}),
                  cat(cat(bi, oc), {e.addi(x0, lane), h, e.idx(c0)}));
        });
      }
      for (; c0 < *Dv; ++c0)
        scatter(o, cat(cat(bi, oc), {x0, h, e.idx(c0)}),
                e.load(Ot, {e.idx(r * *Dv + c0), zero}), R);
      if (lse)
        scatter(lse, cat(cat(bi, oc), {x0, h}),
                e.select(any[r], e.addf(scored[1 + r], e.log(l[r])),
                         e.splat(negInf)),
                R);
    }
  };

  // The kv heads outer, their query rows in blocks, and the query heads of
  // the group (GQA) inner: k and v are transposed once for all of them.
  e.loop(Bsz, [&](Value bi) {
    e.loop(e.dim(k, R + 1), [&](Value hk) {
      set(kvDone, zero);
      forEachBlock([&](Value first, int64_t nr) {
        Value done = get(kvDone);
        Value needed = e.maxi(done, e.addi(keySpan(first, nr).second, one));
        transposeRows(k, Kt, bi, hk, *D, false, done, needed, Value());
        transposeRows(v, Vt, bi, hk, *Dv, false, done, needed, Value());
        set(kvDone, needed);
        SmallVector<Value> qo = coordsOf(first);
        e.loop(group, [&](Value g) {
          Value h = e.addi(e.muli(hk, group), g);
          transposeRows(q, Qt, bi, h, *D, /*scaled=*/true, first,
                        e.addi(first, e.idx(nr)), first);
          e.loopStep(zero, Tq, W, [&](Value x0) {
            if (!centered)
              return queryBlock(bi, qo, nr, h, x0, Borders{});
            // The variant for the borders the vector's lanes touch.
            auto variant = [&](bool left, bool right) {
              return [&, left, right] {
                queryBlock(bi, qo, nr, h, x0, Borders{left, right});
              };
            };
            Value hasL = e.cmpi(arith::CmpIPredicate::slt, x0, e.idx(wl));
            Value hasR = e.cmpi(arith::CmpIPredicate::sge,
                                e.addi(x0, e.idx(width - 1 + wr)), Tq);
            ifElse(
                hasL,
                [&] {
                  ifElse(hasR, variant(true, true), variant(true, false));
                },
                [&] {
                  ifElse(hasR, variant(false, true), variant(false, false));
                });
          });
        });
      });
    });
  });
  // Buffer deallocation frees the transposed heads and the windows.
  return success();
}
