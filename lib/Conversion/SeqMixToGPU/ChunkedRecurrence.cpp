//===- ChunkedRecurrence.cpp - linear recurrences in one GPU block --------===//
//
// One block builder for linear_attention (both rules, every gate) and
// ssd (q = C, k = B, v = Δ·x, a scalar gate Δ·A, a vk state; y = o + D x,
// times silu(z)). A thread block computes one (batch row, head, value tile)
// chunk by chunk, the chunk's q, k, gates and values and the state tile
// staged in shared memory. With G_r the chunk's cumulative log gates up to
// row r (per key, or one per row for a scalar gate):
//
//   A[r, s] = sum_i q_r[i] k_s[i] exp(G_r[i] - G_s[i])           (s <= r)
//   o_r     = scale (sum_i q_r[i] exp(G_r[i]) S[i, :] + sum_{s<=r} A[r, s] v_s)
//   S      <- exp(G_L) S + sum_s (k_s exp(G_L - G_s))^T v_s
//
// The delta rule is the same chunk with v replaced by u (the UT form of
// its WY representation, with β_r and S the state before the chunk):
//
//   u_r = β_r (v_r - (k_r exp(G_r)) S - sum_{s<r} k_r.(k_s exp(G_r - G_s)) u_s)
//
// Every exponent is a difference G_r - G_s with r >= s (or G_r itself), so
// it is <= 0: no overflow however strong the gates, unlike the factored
// form q exp(G), k exp(-G). G is kept as an unevaluated sum of two floats
// (a compensated prefix sum): with gates of -20 a step, G reaches -1280
// in a chunk of 64, and the difference of two rounded f32 sums would lose
// 1e-4 of the exponent. Each step is one phase over the block's
// threads (a thread per score, per output element, per state element),
// with a barrier between phases.
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "seqmix/Dialect/SeqMix/Utils/RecurrenceView.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// The largest value dimension `d` of a buffer can take: its static size,
/// or the constant bound of the affine.min that sizes a tile of it.
static std::optional<int64_t> upperBound(Value buffer, int64_t d) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.isDynamicDim(d))
    return type.getDimSize(d);
  auto view = buffer.getDefiningOp<memref::SubViewOp>();
  if (!view)
    return std::nullopt;
  // The tile's sizes are those of the dims the view keeps.
  llvm::SmallBitVector dropped = view.getDroppedDims();
  int64_t kept = -1;
  for (auto [i, size] : llvm::enumerate(view.getMixedSizes())) {
    if (dropped.test(i) || ++kept != d)
      continue;
    if (std::optional<int64_t> c = getConstantIntValue(size))
      return c;
    auto min = cast<Value>(size).getDefiningOp<affine::AffineMinOp>();
    if (!min)
      return std::nullopt;
    std::optional<int64_t> bound;
    for (AffineExpr e : min.getAffineMap().getResults())
      if (auto c = dyn_cast<AffineConstantExpr>(e))
        bound = bound ? std::min(*bound, c.getValue()) : c.getValue();
    return bound;
  }
  return std::nullopt;
}

namespace {
/// A destination bufferization gave the op as a fresh buffer that nothing
/// reads afterwards (a result the program drops): its allocation and the
/// copy that fills it, if any. The block reads the copy's source instead
/// and writes nothing there; in a block the buffer would be each thread's
/// own.
struct DroppedDestination {
  memref::AllocOp alloc;
  memref::CopyOp fill;
};
} // namespace

static std::optional<DroppedDestination> droppedDestination(Value buffer,
                                                            Operation *op) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return std::nullopt;
  DroppedDestination d{alloc, nullptr};
  for (Operation *user : alloc->getUsers()) {
    auto copy = dyn_cast<memref::CopyOp>(user);
    if (copy && copy.getTarget() == buffer && !d.fill &&
        copy->isBeforeInBlock(op))
      d.fill = copy;
    else if (user != op)
      return std::nullopt;
  }
  return d;
}

static LogicalResult buildChunkedBlock(PatternRewriter &rewriter, Operation *op,
                                       const RecurrenceView &view) {
  auto config = dyn_cast_if_present<GpuTilingAttr>(
      op->getAttr(SeqMixDialect::kTileAttrName));
  if (!config || !config.getChunk() || !hasGpuBlockBuilder(op) ||
      !cast<DestinationStyleOpInterface>(op).hasPureBufferSemantics())
    return failure();
  Value q = view.q, k = view.k, v = view.v, g = view.g;
  Value o = view.o, S = view.S;
  SSDOp ssd = view.ssd;
  std::optional<int64_t> valueTile = upperBound(v, 3);
  if (!valueTile)
    return rewriter.notifyMatchFailure(op, "needs a static value tile");
  int64_t K = cast<MemRefType>(q.getType()).getDimSize(3), Vt = *valueTile;
  int64_t gateRank = view.gateRank();
  int64_t gateCols = gateRank == 4 ? K : gateRank ? 1 : 0;
  // The configured chunk, halved until the tiles fit the static shared
  // memory every chip gives a block: on tensor cores (bf16/f16 inputs,
  // chunks of 16 up) where they fit, else in f32 on the threads.
  int64_t C = *config.getChunk(), threads = config.getWarps().value_or(4) * 32;
  Value beta = view.beta;
  auto fits = [&](int64_t c, int64_t mmaBytes) {
    return chunkedRecurrenceSharedBytes(c, K, Vt, gateCols, mmaBytes,
                                        bool(beta)) <= kStaticSharedMemoryBytes;
  };
  int64_t mmaBytes = chunkedRecurrenceMmaBytes(view);
  int64_t mmaChunk = C;
  while (mmaChunk > 16 && !fits(mmaChunk, mmaBytes))
    mmaChunk /= 2;
  bool mma =
      mmaBytes && Vt % 8 == 0 && mmaChunk % 16 == 0 && fits(mmaChunk, mmaBytes);
  if (mma)
    C = mmaChunk;
  while (!mma && C > 1 && !fits(C, 0))
    C /= 2;
  if (!fits(C, mma ? mmaBytes : 0))
    return rewriter.notifyMatchFailure(op, "tiles exceed shared memory");

  // Destinations the program drops: the state is read from what its
  // buffer was filled from, and neither is written.
  std::optional<DroppedDestination> droppedO = droppedDestination(o, op);
  std::optional<DroppedDestination> droppedS = droppedDestination(S, op);
  Value S0 = S;
  if (droppedS) {
    if (!droppedS->fill)
      return rewriter.notifyMatchFailure(op, "state init is never filled");
    S0 = droppedS->fill.getSource();
  }

  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  BlockEmitter e{{rewriter, loc}, threads};
  e.openBlock();
  // Matmul operands in the inputs' type on tensor cores, else f32.
  Type staged = mma ? getElementTypeOrSelf(q.getType()) : Type();
  Value Qs = e.shared({C, K}, staged), Ks = e.shared({C, K}, staged),
        Vs = e.shared({C, Vt}, staged), As = e.shared({C, C}),
        Ss = e.shared({K, Vt});
  // Tensor cores: the masked, decayed scores and the state as operands,
  // the chunk's outputs as their f32 accumulator.
  Value Ae = mma ? e.shared({C, C}, staged) : Value();
  Value Se = mma ? e.shared({K, Vt}, staged) : Value();
  Value Os = mma ? e.shared({C, Vt}) : Value();
  Value Gs = gateCols ? e.shared({C, gateCols}) : Value();
  Value Gl = gateCols ? e.shared({C, gateCols}) : Value();
  // ssd's Δ of each row of the chunk (for its head).
  Value Ds = ssd ? e.shared({C}) : Value();
  // The delta rule: β of each row, the chunk's decayed k k^T.
  Value Bs = beta ? e.shared({C}) : Value();
  Value KKs = beta ? e.shared({C, C}) : Value();
  Value zero = e.idx(0), one = e.idx(1), cK = e.idx(K), cC = e.idx(C),
        cVt = e.idx(Vt);
  Value T = e.dim(q, 1), V = e.dim(v, 3);
  Value group = e.divi(e.dim(v, 2), e.dim(q, 2));
  bool vk = view.vk, norm = view.l2;
  Value scale = e.f32(view.scale);
  auto below = [&](Value i, Value n) {
    return e.cmpi(arith::CmpIPredicate::ult, i, n);
  };
  // x where `in` holds, else 0: tiles are staged whole (zeros past the
  // sequence and the value tile), as the tensor-core products read them.
  auto orZero = [&](Value in, Value x) { return e.select(in, x, e.f32(0)); };

  e.loops({e.dim(v, 0), e.dim(v, 2)}, [&](ValueRange bh) {
    Value bi = bh[0], h = bh[1], hq = e.divi(h, group);
    auto sIdx = [&](Value i, Value j) {
      return vk ? SmallVector<Value>{bi, h, j, i}
                : SmallVector<Value>{bi, h, i, j};
    };
    Value lastColumn = e.subi(V, one);
    e.phase2(cK, cVt, [&](Value i, Value j) {
      Value s = orZero(below(j, V), e.load(S0, sIdx(i, e.mini(j, lastColumn))));
      e.store(Ss, s, {i, j});
      if (mma)
        e.store(Se, s, {i, j});
    });
    auto chunkLoop = scf::ForOp::create(rewriter, loc, zero, T, cC);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(chunkLoop.getBody()->getTerminator());
      Value t0 = chunkLoop.getInductionVar();
      Value L = e.mini(cC, e.subi(T, t0));
      // The chunk's row r at time t0 + r, clamped inside the sequence.
      Value lastRow = e.subi(T, one);
      auto timeOf = [&](Value r) { return e.mini(e.addi(t0, r), lastRow); };
      // Stage the chunk: q, k and vector gates by key, values by column,
      // scalar gates by row.
      e.phase2(cC, cK, [&](Value r, Value i) {
        Value t = timeOf(r), in = below(r, L);
        e.store(Qs, orZero(in, e.load(q, {bi, t, hq, i})), {r, i});
        e.store(Ks, orZero(in, e.load(k, {bi, t, hq, i})), {r, i});
        if (gateRank == 4)
          e.store(Gs, e.load(g, {bi, t, h, i}), {r, i});
      });
      // Scalar gates by row (ssd: Δ·A, and Δ for the values).
      if (gateRank == 1 || gateRank == 3)
        e.phase(L, [&](Value r) {
          Value t = e.addi(t0, r);
          Value gr;
          if (ssd) {
            auto perHead = [&](Value x) {
              return x ? e.load(x, {h}) : Value();
            };
            Value dt = mambaDelta(
                rewriter, loc, e.load(ssd.getDt(), {bi, t, h}),
                perHead(ssd.getDtBias()), perHead(ssd.getDeltaThreshold()),
                ssd.getDtSoftplus(), ssd.getDtLimit());
            e.store(Ds, dt, {r});
            gr = e.mulf(dt, e.load(ssd.getA(), {h}));
          } else {
            gr = gateRank == 1 ? e.load(g, {h}) : e.load(g, {bi, t, h});
          }
          e.store(Gs, gr, {r, zero});
        });
      if (beta)
        e.phase(L, [&](Value r) {
          e.store(Bs, e.load(beta, {bi, e.addi(t0, r), h}), {r});
        });
      // Values; on the threads ssd's are Δ x, on tensor cores x (Δ goes
      // into the scores and the state update instead).
      e.phase2(cC, cVt, [&](Value r, Value j) {
        Value in = e.andi(below(r, L), below(j, V));
        Value x = e.load(v, {bi, timeOf(r), h, e.mini(j, lastColumn)});
        if (ssd && !mma)
          x = e.mulf(e.load(Ds, {e.mini(r, e.subi(L, one))}), x);
        e.store(Vs, orZero(in, x), {r, j});
      });
      // l2 norms of the rows: a warp per row where K spreads over the lanes
      // (its sum of squares as shuffles), else a thread per row.
      auto inverseNorm = [&](Value sumOfSquares) {
        return e.divf(e.f32(1), e.sqrt(e.addf(sumOfSquares, e.f32(1e-6))));
      };
      if (norm && K % 32 == 0)
        e.warpRows(L, [&](Value r) {
          for (Value X : {Qs, Ks}) {
            Type elt = cast<MemRefType>(X.getType()).getElementType();
            auto rowType = VectorType::get({K}, rewriter.getF32Type());
            Value x = vector::TransferReadOp::create(
                rewriter, loc, VectorType::get({K}, elt), X,
                ValueRange{r, zero},
                arith::ConstantOp::create(rewriter, loc,
                                          rewriter.getZeroAttr(elt)),
                ArrayRef<bool>{true});
            if (!elt.isF32())
              x = arith::ExtFOp::create(rewriter, loc, rowType, x);
            Value ss = vector::ReductionOp::create(
                rewriter, loc, vector::CombiningKind::ADD, e.mulf(x, x));
            Value inv = inverseNorm(ss);
            Value y = e.mulf(
                x, vector::BroadcastOp::create(rewriter, loc, rowType, inv));
            if (!elt.isF32())
              y = arith::TruncFOp::create(rewriter, loc,
                                          VectorType::get({K}, elt), y);
            vector::TransferWriteOp::create(
                rewriter, loc, y, X, ValueRange{r, zero}, ArrayRef<bool>{true});
          }
        });
      else if (norm)
        e.phase(L, [&](Value r) {
          for (Value X : {Qs, Ks}) {
            Value ss = e.fold(cK, e.f32(0), [&](Value i, Value acc) {
              Value x = e.load(X, {r, i});
              return e.addf(acc, e.mulf(x, x));
            });
            Value inv = inverseNorm(ss);
            e.loop(cK, [&](Value i) {
              e.store(X, e.mulf(e.load(X, {r, i}), inv), {r, i});
            });
          }
        });
      // Cumulative log gates down the chunk, a thread per column: the
      // running sum in Gs, the rounding error of each addition (Knuth's
      // two-sum) summed in Gl.
      if (gateCols)
        e.phase(e.idx(gateCols), [&](Value c) {
          auto sums = scf::ForOp::create(rewriter, loc, zero, L, one,
                                         ValueRange{e.f32(0), e.f32(0)});
          OpBuilder::InsertionGuard inner(rewriter);
          rewriter.setInsertionPointToStart(sums.getBody());
          Value r = sums.getInductionVar();
          Value hi = sums.getRegionIterArgs()[0];
          Value lo = sums.getRegionIterArgs()[1];
          Value x = e.load(Gs, {r, c});
          Value s = e.addf(hi, x), xs = e.subf(s, hi);
          Value err = e.addf(e.subf(hi, e.subf(s, xs)), e.subf(x, xs));
          Value l = e.addf(lo, err);
          e.store(Gs, s, {r, c});
          e.store(Gl, l, {r, c});
          scf::YieldOp::create(rewriter, loc, ValueRange{s, l});
        });
      // G_r - G_s at key i (vector gates) or of the rows, and G_r.
      auto column = [&](Value i) { return gateRank == 4 ? i : zero; };
      auto decay = [&](Value r, Value s, Value i) -> Value {
        if (!gateCols)
          return Value();
        Value c = column(i);
        Value hi = e.subf(e.load(Gs, {r, c}), e.load(Gs, {s, c}));
        Value lo = e.subf(e.load(Gl, {r, c}), e.load(Gl, {s, c}));
        return e.exp(e.addf(hi, lo));
      };
      auto scaled = [&](Value x, Value f) { return f ? e.mulf(x, f) : x; };
      auto rowGate = [&](Value r, Value i) -> Value {
        if (!gateCols)
          return Value();
        Value c = column(i);
        return e.exp(e.addf(e.load(Gs, {r, c}), e.load(Gl, {r, c})));
      };
      // (x_r exp(G_r)) S[:, j] for a row of q or k: the state before the
      // chunk as row r sees it.
      auto gatedTimesState = [&](Value X, Value r, Value j) {
        Value sum = e.fold(cK, e.f32(0), [&](Value i, Value acc) {
          Value xi = e.load(X, {r, i});
          if (gateRank == 4)
            xi = e.mulf(xi, rowGate(r, i));
          return e.addf(acc, e.mulf(xi, e.load(Ss, {i, j})));
        });
        return gateRank == 4 ? sum : scaled(sum, rowGate(r, zero));
      };
      // y = scale * (inter + intra) (+ D x, times silu(z)) of row r.
      auto storeOutput = [&](Value r, Value j, Value all) {
        Value t = e.addi(t0, r), y = e.mulf(scale, all);
        if (ssd) {
          if (Value D = ssd.getD()) {
            Value d = cast<MemRefType>(D.getType()).getRank() == 2
                          ? e.load(D, {h, j})
                          : e.load(D, {h});
            y = e.addf(y, e.mulf(d, e.load(v, {bi, t, h, j})));
          }
          if (Value z = ssd.getZ())
            y = e.mulf(y, e.silu(e.load(z, {bi, t, h, j})));
        }
        if (!droppedO)
          e.store(o, y, {bi, t, h, j});
      };
      Value last = e.subi(L, one);
      // Scores of the chunk, lower triangle; with vector gates the decay
      // is inside the sum (per key), so they stay on the threads.
      // (The delta rule: the same of k against the earlier keys.)
      auto decayedDot = [&](Value X, Value r, Value s) {
        Value dot = e.fold(cK, e.f32(0), [&](Value i, Value acc) {
          Value xk = e.mulf(e.load(X, {r, i}), e.load(Ks, {s, i}));
          return e.addf(acc, gateRank == 4 ? scaled(xk, decay(r, s, i)) : xk);
        });
        return gateRank == 4 ? dot : scaled(dot, decay(r, s, zero));
      };
      if (gateRank == 4 || !mma)
        e.phase2(L, L, [&](Value r, Value s) {
          e.ifThen(e.cmpi(arith::CmpIPredicate::ule, s, r), [&] {
            e.store(As, decayedDot(Qs, r, s), {r, s});
          });
          if (beta)
            e.ifThen(e.cmpi(arith::CmpIPredicate::ult, s, r), [&] {
              e.store(KKs, decayedDot(Ks, r, s), {r, s});
            });
        });
      // The delta rule's values u (the UT form of its WY representation):
      // with S the state before the chunk,
      //   u_r = β_r (v_r - (k_r exp(G_r)) S - sum_{s<r} KK[r, s] u_s),
      // after which the chunk is the additive rule's with u for v. First
      // v - (k exp(G)) S, then the substitution down the chunk, a thread
      // per column.
      if (beta) {
        e.phase2(L, V, [&](Value r, Value j) {
          e.store(Vs, e.subf(e.load(Vs, {r, j}), gatedTimesState(Ks, r, j)),
                  {r, j});
        });
        e.phase(V, [&](Value j) {
          e.loop(L, [&](Value r) {
            Value x =
                e.fold(zero, r, e.load(Vs, {r, j}), [&](Value s, Value acc) {
                  return e.subf(
                      acc, e.mulf(e.load(KKs, {r, s}), e.load(Vs, {s, j})));
                });
            e.store(Vs, e.mulf(e.load(Bs, {r}), x), {r, j});
          });
        });
      }
      if (mma) {
        if (gateRank != 4)
          e.warpMatmul(As, {Qs}, {Ks}, C, C, K, /*accumulate=*/false);
        // The scores as an operand: masked, decayed by the rows' gates
        // (times ssd's Δ of the key's row).
        e.phase2(cC, cC, [&](Value r, Value s) {
          Value kept =
              e.andi(e.cmpi(arith::CmpIPredicate::ule, s, r), below(r, L));
          Value a = e.load(As, {r, s});
          if (gateRank != 4)
            a = scaled(a, decay(r, s, zero));
          if (ssd)
            a = e.mulf(a, e.load(Ds, {s}));
          e.store(Ae, orZero(kept, a), {r, s});
        });
        // Vector gates: q exp(G_r) by key, for the state's part.
        if (gateRank == 4)
          e.phase2(L, cK, [&](Value r, Value i) {
            e.store(Qs, e.mulf(e.load(Qs, {r, i}), rowGate(r, i)), {r, i});
          });
        // Outputs: the state before the chunk (scalar gates decay it by
        // row), then the chunk's own rows.
        e.warpMatmul(Os, {Qs}, {Se, /*kMajor=*/true}, C, Vt, K, false);
        if (gateCols && gateRank != 4)
          e.phase2(L, cVt, [&](Value r, Value j) {
            e.store(Os, e.mulf(e.load(Os, {r, j}), rowGate(r, zero)), {r, j});
          });
        e.warpMatmul(Os, {Ae}, {Vs, true}, C, Vt, C, /*accumulate=*/true);
        e.phase2(L, V, [&](Value r, Value j) {
          storeOutput(r, j, e.load(Os, {r, j}));
        });
        // The state after the chunk: keys decayed to its end (times Δ),
        // the state decayed over it, then k^T v on tensor cores.
        if (gateCols || ssd)
          e.phase2(L, cK, [&](Value r, Value i) {
            Value x = scaled(e.load(Ks, {r, i}), decay(last, r, i));
            e.store(Ks, ssd ? e.mulf(x, e.load(Ds, {r})) : x, {r, i});
          });
        if (gateCols)
          e.phase2(cK, cVt, [&](Value i, Value j) {
            e.store(Ss, e.mulf(e.load(Ss, {i, j}), rowGate(last, i)), {i, j});
          });
        e.warpMatmul(Ss, {Ks, true}, {Vs, true}, K, Vt, C, true);
        e.phase2(cK, cVt, [&](Value i, Value j) {
          e.store(Se, e.load(Ss, {i, j}), {i, j});
        });
      } else {
        // Outputs: the state before the chunk, then the chunk's own rows.
        e.phase2(L, V, [&](Value r, Value j) {
          Value inter = gatedTimesState(Qs, r, j);
          Value all =
              e.fold(zero, e.addi(r, one), inter, [&](Value s, Value acc) {
                return e.addf(acc,
                              e.mulf(e.load(As, {r, s}), e.load(Vs, {s, j})));
              });
          storeOutput(r, j, all);
        });
        // The state after the chunk.
        e.phase2(cK, V, [&](Value i, Value j) {
          Value kept = scaled(e.load(Ss, {i, j}), rowGate(last, i));
          Value s = e.fold(L, kept, [&](Value r, Value acc) {
            Value kv = e.mulf(e.load(Ks, {r, i}), e.load(Vs, {r, j}));
            return e.addf(acc, scaled(kv, decay(last, r, i)));
          });
          e.store(Ss, s, {i, j});
        });
      }
    }
    if (!droppedS)
      e.phase2(cK, V, [&](Value i, Value j) {
        e.store(S, e.load(Ss, {i, j}), sIdx(i, j));
      });
  });
  rewriter.eraseOp(op);
  for (std::optional<DroppedDestination> d : {droppedO, droppedS}) {
    if (!d)
      continue;
    if (d->fill)
      rewriter.eraseOp(d->fill);
    rewriter.eraseOp(d->alloc);
  }
  return success();
}

namespace {

/// linear_attention and ssd, through one view.
template <typename OpTy> struct ChunkedRecurrence : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    return buildChunkedBlock(rewriter, op, RecurrenceView::of(op));
  }
};

} // namespace

void mlir::seqmix::populateChunkedRecurrenceToGpuPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ChunkedRecurrence<LinearAttentionOp>, ChunkedRecurrence<SSDOp>>(
      patterns.getContext());
}
