//===- OnlineSoftmax.cpp - windowed attention in GPU blocks ---------------===//
//
// One flash-style block builder for sliding-window and neighborhood
// attention: a block per (batch, block of queries, head), a thread per
// query. The block walks the box of key positions that any of its queries
// sees (per axis, the union of their windows) in tiles staged in shared
// memory (k and v rows in f32, and each key's coordinates); each thread
// keeps its q row, its Dv accumulators, its running max and sum and the
// scores of the current tile in its own memory, and folds the keys of a
// tile that lie in its window into them with one rescale (online softmax).
// Key positions outside every window of the block are never loaded.
//
// With bf16 or f16 q, k and v (and tiles that fit) the two products run on
// tensor cores (warpMatmul): the block's q rows, a key tile's scores and
// probabilities and the output accumulators live in shared memory, a row
// per thread; per tile, S = q k^T for the whole tile, then each thread
// masks its row to its window, takes its online-softmax step and writes
// its probabilities (zeros outside the window) in the inputs' type, then
// O += P v. Sums and the softmax stay f32.
//
// A window is, per axis, the keys group + j * dilation for j in
// [start, end) (neighborhood attention's windows, in the groups of its
// dilation; a sliding window is group 0, dilation 1, [lo, hi)).
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "seqmix/Dialect/SeqMix/Utils/NeighborhoodWindow.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/MathExtras.h"

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

/// What the builder reads of a windowed attention op.
struct FlashSpec {
  Value q, k, v, o, lse;
  int64_t axes = 1;
  /// Queries per block along each axis.
  SmallVector<int64_t> queries;
  float scale = 1;
  /// The window of query coordinate x along axis a.
  std::function<AxisWindow(ScalarEmitter &, int64_t a, Value x)> window;
  SmallVector<int64_t> dilation;
  /// The additive bias of a key for a query (none: no bias).
  std::function<Value(ScalarEmitter &, Value h, ArrayRef<AxisWindow>,
                      ValueRange key)>
      bias;
};

} // namespace

/// The key coordinates of a window along one axis: [first, last + 1).
static std::pair<Value, Value> keySpan(ScalarEmitter &e, const AxisWindow &w,
                                       int64_t d) {
  Value dv = e.idx(d);
  Value first = e.addi(w.group, e.muli(w.start, dv));
  Value end = e.addi(w.group, e.muli(e.subi(w.end, e.idx(1)), dv));
  return {first, e.maxi(e.addi(end, e.idx(1)), first)};
}

/// Whether key coordinate c lies in the window: c = group + j * d with j in
/// [start, end).
static Value inWindow(ScalarEmitter &e, const AxisWindow &w, int64_t d,
                      Value c) {
  Value rel = e.subi(c, w.group);
  Value some = e.cmpi(arith::CmpIPredicate::sge, rel, e.idx(0));
  Value j = rel;
  if (d > 1) {
    some =
        e.andi(some, e.cmpi(arith::CmpIPredicate::eq,
                            arith::RemSIOp::create(e.b, e.loc, rel, e.idx(d)),
                            e.idx(0)));
    j = arith::DivSIOp::create(e.b, e.loc, rel, e.idx(d));
  }
  some = e.andi(some, e.cmpi(arith::CmpIPredicate::sge, j, w.start));
  return e.andi(some, e.cmpi(arith::CmpIPredicate::slt, j, w.end));
}

static LogicalResult buildFlashBlock(PatternRewriter &rewriter, Operation *op,
                                     const FlashSpec &spec) {
  Value q = spec.q, k = spec.k, v = spec.v, o = spec.o, lse = spec.lse;
  int64_t r = spec.axes;
  int64_t D = cast<MemRefType>(q.getType()).getDimSize(r + 2);
  int64_t Dv = cast<MemRefType>(v.getType()).getDimSize(r + 2);
  std::optional<int64_t> Kt = keyTile(D, Dv);
  if (!Kt)
    return rewriter.notifyMatchFailure(op, "k and v rows exceed shared "
                                           "memory");
  int64_t queries = 1;
  for (int64_t n : spec.queries)
    queries *= n;
  if (queries > 1024)
    return rewriter.notifyMatchFailure(op, "more than 1024 queries a block");
  // On tensor cores (bf16/f16 where the tiles fit) the block has whole
  // warps, a query row per thread (rows past the queries idle); else a
  // thread per query.
  int64_t rows = llvm::alignTo(queries, 32);
  std::optional<int64_t> mmaKt = windowedAttentionMmaKeyTile(q, k, v, r, rows);
  bool mma = mmaKt.has_value();
  int64_t threads = mma ? rows : queries;
  if (mma)
    Kt = mmaKt;

  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  BlockEmitter e{{rewriter, loc}, threads};
  Value zero = e.idx(0), one = e.idx(1), cKt = e.idx(*Kt);
  Value cD = e.idx(D), cDv = e.idx(Dv);
  Value Bsz = e.dim(q, 0), H = e.dim(q, r + 1);
  Value group = e.divi(H, e.dim(k, r + 1));
  Value scale = e.f32(spec.scale);
  SmallVector<Value> Lq, Lk, qb, nb;
  Value blocks = one;
  for (int64_t a = 0; a < r; ++a) {
    Lq.push_back(e.dim(q, 1 + a));
    Lk.push_back(e.dim(k, 1 + a));
    qb.push_back(e.idx(spec.queries[a]));
    nb.push_back(e.divi(e.addi(Lq[a], e.idx(spec.queries[a] - 1)), qb[a]));
    blocks = e.muli(blocks, nb[a]);
  }
  // The grid: batch, the blocks of queries (linearized), head.
  auto grid = scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero, zero, zero}, ValueRange{Bsz, blocks, H},
      ValueRange{one, one, one});
  rewriter.setInsertionPoint(grid.getBody()->getTerminator());
  Value bi = grid.getInductionVars()[0], h = grid.getInductionVars()[2];
  Value hk = e.divi(h, group);
  // The block's first query along each axis, and the queries it has.
  SmallVector<Value> x0(r), nq(r);
  Value linear = grid.getInductionVars()[1];
  for (int64_t a = r; a-- > 0;) {
    x0[a] = e.muli(e.remi(linear, nb[a]), qb[a]);
    linear = e.divi(linear, nb[a]);
    nq[a] = e.mini(qb[a], e.subi(Lq[a], x0[a]));
  }
  // The key box: per axis, the union of the windows of the block's
  // queries along it (a window depends on that axis's coordinate only).
  SmallVector<Value> lo(r), extent(r);
  Value keys = one;
  for (int64_t a = 0; a < r; ++a) {
    auto span = scf::ForOp::create(rewriter, loc, x0[a], e.addi(x0[a], nq[a]),
                                   one, ValueRange{Lk[a], zero});
    {
      OpBuilder::InsertionGuard g(rewriter);
      rewriter.setInsertionPointToStart(span.getBody());
      auto [first, end] = keySpan(e, spec.window(e, a, span.getInductionVar()),
                                  spec.dilation[a]);
      scf::YieldOp::create(
          rewriter, loc,
          ValueRange{e.mini(span.getRegionIterArgs()[0], first),
                     e.maxi(span.getRegionIterArgs()[1], end)});
    }
    lo[a] = span.getResult(0);
    extent[a] = e.maxi(e.subi(span.getResult(1), lo[a]), zero);
    keys = e.muli(keys, extent[a]);
  }

  e.openBlock();
  Type staged = mma ? getElementTypeOrSelf(q.getType()) : Type();
  Value Ks = e.shared({*Kt, D}, staged), Vs = e.shared({*Kt, Dv}, staged);
  auto coordType = MemRefType::get({*Kt, r}, rewriter.getIndexType());
  Value coords = memref::AllocaOp::create(rewriter, loc, coordType);
  // Tensor cores: the block's q rows, the tile's scores and probabilities
  // (a row per thread) and the output accumulators, in shared memory.
  Value Qs = mma ? e.shared({threads, D}, staged) : Value();
  Value Ss = mma ? e.shared({threads, *Kt}) : Value();
  Value Ps = mma ? e.shared({threads, *Kt}, staged) : Value();
  Value Os = mma ? e.shared({threads, Dv}) : Value();
  // Per thread: (on the threads) q row, accumulators, the tile's scores;
  // max and sum.
  int64_t ownRow = mma ? 0 : D + Dv + *Kt;
  Value own = e.threadPrivate(ownRow + 2);
  Value accAt = cD, scoreAt = e.idx(D + Dv), mAt = e.idx(ownRow),
        lAt = e.idx(ownRow + 1);
  // A thread's query (if it has one) and its windows.
  auto query = [&](Value tid, function_ref<void(ValueRange)> body) {
    SmallVector<Value> x(r);
    Value rest = tid;
    Value inside = e.cmpi(arith::CmpIPredicate::ult, tid, e.idx(queries));
    for (int64_t a = r; a-- > 0;) {
      Value off = e.remi(rest, qb[a]);
      rest = e.divi(rest, qb[a]);
      x[a] = e.addi(x0[a], off);
      inside = e.andi(inside, e.cmpi(arith::CmpIPredicate::ult, off, nq[a]));
    }
    e.ifThen(inside, [&] { body(x); });
  };
  auto at = [&](ValueRange x, ValueRange tail) {
    SmallVector<Value> idx = {bi};
    idx.append(x.begin(), x.end());
    idx.append(tail.begin(), tail.end());
    return idx;
  };
  Value cThreads = e.idx(threads);

  e.phase(cThreads, [&](Value, Value tid) {
    query(tid, [&](ValueRange x) {
      e.loop(cD, [&](Value c) {
        e.store(mma ? Qs : own, e.load(q, at(x, {h, c})), {tid, c});
      });
      e.loop(cDv, [&](Value c) {
        if (mma)
          e.store(Os, e.f32(0), {tid, c});
        else
          e.store(own, e.f32(0), {tid, e.addi(accAt, c)});
      });
      e.store(own, e.f32(-INFINITY), {tid, mAt});
      e.store(own, e.f32(0), {tid, lAt});
    });
  });
  auto tiles = scf::ForOp::create(rewriter, loc, zero, keys, cKt);
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(tiles.getBody()->getTerminator());
    Value n0 = tiles.getInductionVar();
    Value nk = e.mini(cKt, e.subi(keys, n0));
    // The tile's key coordinates, then its k and v rows.
    e.phase(nk, [&](Value row) {
      Value rest = e.addi(n0, row);
      for (int64_t a = r; a-- > 0;) {
        memref::StoreOp::create(rewriter, loc,
                                e.addi(lo[a], e.remi(rest, extent[a])), coords,
                                ValueRange{row, e.idx(a)});
        rest = e.divi(rest, extent[a]);
      }
    });
    auto keyAt = [&](Value row) {
      SmallVector<Value> c;
      for (int64_t a = 0; a < r; ++a)
        c.push_back(memref::LoadOp::create(rewriter, loc, coords,
                                           ValueRange{row, e.idx(a)}));
      return c;
    };
    e.phase2(nk, cD, [&](Value row, Value c) {
      e.store(Ks, e.load(k, at(keyAt(row), {hk, c})), {row, c});
    });
    e.phase2(nk, cDv, [&](Value row, Value c) {
      e.store(Vs, e.load(v, at(keyAt(row), {hk, c})), {row, c});
    });
    // Tensor cores take the whole tile: v rows past its keys are zeros
    // (their probabilities are, and 0 times what was there may be NaN).
    if (mma) {
      e.phase2(e.subi(cKt, nk), cDv, [&](Value row, Value c) {
        e.store(Vs, e.f32(0), {e.addi(nk, row), c});
      });
      e.warpMatmul(Ss, {Qs}, {Ks}, threads, *Kt, D, /*accumulate=*/false);
    }
    e.phase(cThreads, [&](Value, Value tid) {
      query(tid, [&](ValueRange x) {
        SmallVector<AxisWindow> win;
        for (int64_t a = 0; a < r; ++a)
          win.push_back(spec.window(e, a, x[a]));
        // Scores of the tile's keys in the window (-inf for the others).
        Value mTile = e.fold(nk, e.f32(-INFINITY), [&](Value row, Value mx) {
          SmallVector<Value> key = keyAt(row);
          Value in;
          for (int64_t a = 0; a < r; ++a) {
            Value ina = inWindow(e, win[a], spec.dilation[a], key[a]);
            in = in ? e.andi(in, ina) : ina;
          }
          auto score = scf::IfOp::create(rewriter, loc,
                                         TypeRange{rewriter.getF32Type()}, in,
                                         /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard g(rewriter);
            rewriter.setInsertionPointToStart(score.thenBlock());
            Value dot =
                mma ? e.load(Ss, {tid, row})
                    : e.fold(cD, e.f32(0), [&](Value c, Value acc) {
                        return e.addf(acc, e.mulf(e.load(own, {tid, c}),
                                                  e.load(Ks, {row, c})));
                      });
            Value s = e.mulf(scale, dot);
            if (spec.bias)
              s = e.addf(s, spec.bias(e, h, win, key));
            scf::YieldOp::create(rewriter, loc, s);
            rewriter.setInsertionPointToStart(score.elseBlock());
            scf::YieldOp::create(rewriter, loc, e.f32(-INFINITY));
          }
          Value s = score.getResult(0);
          if (mma)
            e.store(Ss, s, {tid, row});
          else
            e.store(own, s, {tid, e.addi(scoreAt, row)});
          return e.maxf(mx, s);
        });
        Value some = e.cmpf(arith::CmpFPredicate::OGT, mTile, e.f32(-INFINITY));
        // The online-softmax step of a tile with a key in the window: the
        // new max, the tile's probabilities (their sum), the running sum,
        // then the accumulators rescaled (exp(-inf) = 0 before the first
        // key).
        auto step = [&](function_ref<Value(Value)> probabilities,
                        function_ref<void(Value)> rescale) {
          Value mOld = e.load(own, {tid, mAt});
          Value mNew = e.maxf(mOld, mTile);
          Value keep = e.exp(e.subf(mOld, mNew));
          Value sum = probabilities(mNew);
          e.store(own, e.addf(e.mulf(e.load(own, {tid, lAt}), keep), sum),
                  {tid, lAt});
          e.store(own, mNew, {tid, mAt});
          rescale(keep);
        };
        if (mma) {
          // The tile's probabilities as the product's operand (zeros past
          // its keys, or all zeros where none is in the window), the
          // accumulators rescaled for it.
          auto update = scf::IfOp::create(rewriter, loc, TypeRange{}, some,
                                          /*withElseRegion=*/true);
          OpBuilder::InsertionGuard g(rewriter);
          rewriter.setInsertionPointToStart(update.thenBlock());
          step(
              [&](Value mNew) {
                return e.fold(cKt, e.f32(0), [&](Value row, Value acc) {
                  Value p = e.select(
                      e.cmpi(arith::CmpIPredicate::ult, row, nk),
                      e.exp(e.subf(e.load(Ss, {tid, row}), mNew)), e.f32(0));
                  e.store(Ps, p, {tid, row});
                  return e.addf(acc, p);
                });
              },
              [&](Value keep) {
                e.loop(cDv, [&](Value c) {
                  e.store(Os, e.mulf(e.load(Os, {tid, c}), keep), {tid, c});
                });
              });
          rewriter.setInsertionPointToStart(update.elseBlock());
          e.loop(cKt, [&](Value row) { e.store(Ps, e.f32(0), {tid, row}); });
          return;
        }
        // A tile with no key in the window changes nothing (and would
        // give exp(-inf - -inf) in the step).
        e.ifThen(some, [&] {
          step(
              [&](Value mNew) {
                return e.fold(nk, e.f32(0), [&](Value row, Value acc) {
                  Value at = e.addi(scoreAt, row);
                  Value p = e.exp(e.subf(e.load(own, {tid, at}), mNew));
                  e.store(own, p, {tid, at});
                  return e.addf(acc, p);
                });
              },
              [&](Value keep) {
                e.loop(cDv, [&](Value c) {
                  Value accC = e.addi(accAt, c);
                  Value acc = e.fold(
                      nk, e.mulf(e.load(own, {tid, accC}), keep),
                      [&](Value row, Value acc) {
                        Value p = e.load(own, {tid, e.addi(scoreAt, row)});
                        return e.addf(acc, e.mulf(p, e.load(Vs, {row, c})));
                      });
                  e.store(own, acc, {tid, accC});
                });
              });
        });
      });
    });
    if (mma)
      e.warpMatmul(Os, {Ps}, {Vs, /*kMajor=*/true}, threads, Dv, *Kt,
                   /*accumulate=*/true);
  }
  // o = acc / sum and lse = max + log(sum); a query without keys gets a
  // zero row and -inf.
  e.phase(cThreads, [&](Value, Value tid) {
    query(tid, [&](ValueRange x) {
      Value sum = e.load(own, {tid, lAt});
      Value some = e.cmpf(arith::CmpFPredicate::OGT, sum, e.f32(0));
      Value inv = e.select(some, e.divf(e.f32(1), sum), e.f32(0));
      e.loop(cDv, [&](Value c) {
        Value acc =
            mma ? e.load(Os, {tid, c}) : e.load(own, {tid, e.addi(accAt, c)});
        e.store(o, e.mulf(acc, inv), at(x, {h, c}));
      });
      if (lse)
        e.store(lse,
                e.select(some, e.addf(e.load(own, {tid, mAt}), e.log(sum)),
                         e.f32(-INFINITY)),
                at(x, {h}));
    });
  });
  rewriter.eraseOp(op);
  return success();
}

/// The config's queries per block along the query axes (loops 1..r).
static std::optional<SmallVector<int64_t>> queriesPerBlock(Operation *op,
                                                           int64_t axes) {
  auto config = dyn_cast_if_present<GpuTilingAttr>(
      op->getAttr(SeqMixDialect::kTileAttrName));
  if (!config || int64_t(config.getBlocks().size()) != axes + 2)
    return std::nullopt;
  SmallVector<int64_t> queries;
  for (int64_t a = 0; a < axes; ++a)
    queries.push_back(std::max<int64_t>(config.getBlocks()[1 + a], 1));
  return queries;
}

namespace {

struct BlockSlidingWindow : OpRewritePattern<SlidingWindowAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SlidingWindowAttentionOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<SmallVector<int64_t>> queries = queriesPerBlock(op, 1);
    if (!queries || !hasGpuBlockBuilder(op) || !op.hasPureBufferSemantics())
      return failure();
    int64_t left = op.getWindowLeftAttr().getInt();
    int64_t right = op.getWindowRightAttr().getInt();
    Value qBuf = op.getQ(), kBuf = op.getK();
    FlashSpec spec;
    spec.q = op.getQ();
    spec.k = op.getK();
    spec.v = op.getV();
    spec.o = op.getOInit();
    spec.lse = op.getLseInit();
    spec.queries = *queries;
    spec.scale = op.getScaleValue();
    spec.dilation = {1};
    spec.window = [=](ScalarEmitter &e, int64_t, Value i) {
      return swaWindow(e, i, e.dim(qBuf, 1), e.dim(kBuf, 1), left, right);
    };
    return buildFlashBlock(rewriter, op, spec);
  }
};

struct BlockNeighborhood : OpRewritePattern<NeighborhoodAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(NeighborhoodAttentionOp op,
                                PatternRewriter &rewriter) const override {
    int64_t r = op.getNumSpatialDims();
    std::optional<SmallVector<int64_t>> queries = queriesPerBlock(op, r);
    if (!queries || !hasGpuBlockBuilder(op) || !op.hasPureBufferSemantics())
      return failure();
    SmallVector<int64_t> ks(op.getKernelSize());
    SmallVector<int64_t> dil = op.getDilationOrDefault();
    SmallVector<int64_t> str = op.getStrideOrDefault();
    SmallVector<bool> causal = op.getIsCausalOrDefault();
    Value q = op.getQ(), rpb = op.getRpb();
    FlashSpec spec;
    spec.q = q;
    spec.k = op.getK();
    spec.v = op.getV();
    spec.o = op.getOInit();
    spec.lse = op.getLseInit();
    spec.axes = r;
    spec.queries = *queries;
    spec.scale = op.getScaleValue();
    spec.dilation = dil;
    spec.window = [=](ScalarEmitter &e, int64_t a, Value x) {
      return naWindow(e, x, e.dim(q, 1 + a), ks[a], dil[a], str[a], causal[a]);
    };
    // rpb[h, (key / dilation - query / dilation) + k - 1] per axis.
    if (rpb)
      spec.bias = [=](ScalarEmitter &e, Value h, ArrayRef<AxisWindow> win,
                      ValueRange key) {
        SmallVector<Value> ri = {h};
        for (int64_t a = 0; a < r; ++a) {
          Value kj = e.divi(key[a], e.idx(dil[a]));
          ri.push_back(e.addi(e.subi(kj, win[a].pos), e.idx(ks[a] - 1)));
        }
        return e.load(rpb, ri);
      };
    return buildFlashBlock(rewriter, op, spec);
  }
};

} // namespace

void mlir::seqmix::populateWindowedAttentionToGpuPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BlockSlidingWindow, BlockNeighborhood>(patterns.getContext());
}
