//===- RecurrentLinearAttention.cpp - linear attention on register tiles --===//
//
// The recurrent form (chunk = 1) of linear_attention. The additive rule is
// state stationary: a tile of one head's state, `rows` key rows times one or
// two vectors of value columns, stays in registers while a block of tokens
// streams through it. Per token and key row i:
//   S_i = exp(g_i) S_i + k_i v        (a multiply and an FMA per vector)
//   o  += q_i S_i                     (an FMA)
// Lanes run over value columns, so o = q S needs no horizontal reduction,
// and the state is read and written once per token block, not per token.
//
// What a token brings to every tile of its head is prepared once per token
// block into f32 rows on the stack: q times the scale (and its inverse l2
// norm), k (and its norm), exp of the gate. The key-row tiles of a column
// block add their partial outputs into an f32 block, which is narrowed into
// o once every tile has passed. The delta rule needs k S' over all K rows
// before any row changes, so its column block keeps every row, in L1, and
// each token makes two passes over it. Columns left over when the vector
// width does not divide V take the op's scalar column body.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// State accumulators of one tile: half the vector registers (32 with
/// AVX-512, 16 with AVX2), leaving the rest to v, the partial outputs and
/// the broadcasts of q, k and the gate.
static int64_t tileAccumulators(int64_t width) { return width >= 16 ? 16 : 8; }

/// Tokens per block: their prepared rows (q, k and a vector gate, K floats
/// each) stay within 16 KiB, a part of L1.
static int64_t tokenBlock(int64_t K) {
  int64_t tb = 64;
  while (tb > 8 && 3 * tb * K * 4 > 16384)
    tb /= 2;
  return tb;
}

/// Beyond this K the prepared rows are unrolled too far.
static constexpr int64_t kMaxKeyDim = 512;

RecurrentTile mlir::seqmix::detail::recurrentTile(int64_t K,
                                                  std::optional<int64_t> V,
                                                  int64_t width) {
  RecurrentTile t;
  t.vectors = !V || *V >= 2 * width ? 2 : 1;
  t.rows = 1;
  for (int64_t r = tileAccumulators(width) / t.vectors; r >= 1; --r)
    if (K % r == 0) {
      t.rows = r;
      break;
    }
  return t;
}

LogicalResult mlir::seqmix::detail::buildRecurrentLinearAttention(
    RewriterBase &rewriter, LinearAttentionOp op, int64_t width) {
  if (op.getCuSeqlens())
    return rewriter.notifyMatchFailure(op, "packed sequences are split first");
  if (auto config = op->getAttrOfType<TilingConfigAttrInterface>(
          SeqMixDialect::kTileAttrName))
    if (std::optional<int64_t> c = config.getChunkSize(); c && *c > 1)
      return rewriter.notifyMatchFailure(op, "only chunk = 1 is built");
  Value q = op.getQ(), k = op.getK(), v = op.getV(), g = op.getLogDecay();
  Value S = op.getStateInit(), o = op.getOutputInit();
  std::optional<int64_t> Kdim = staticDim(q, 3);
  if (!Kdim || *Kdim < 1 || *Kdim > kMaxKeyDim)
    return rewriter.notifyMatchFailure(op, "K must be static and moderate");
  const int64_t K = *Kdim;
  const int64_t gateRank = g ? cast<ShapedType>(g.getType()).getRank() : 0;
  const bool vk = op.getStateLayout() == StateLayout::vk;
  const bool l2 = op.getQkNorm() == QKNorm::l2;
  std::optional<int64_t> Vdim = staticDim(v, 3);
  const RecurrentTile tile = recurrentTile(K, Vdim, width);
  const int64_t TB = tokenBlock(K);
  // The prepared rows vectorize over K, in the widest vector dividing it.
  int64_t kw = width;
  while (kw > 1 && K % kw)
    kw /= 2;

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width), ke(rewriter, loc, kw);
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(v, 0), T = e.dim(v, 1), H = e.dim(v, 2), V = e.dim(v, 3);
  Value group = e.divi(H, e.dim(q, 2));
  Value qs = e.scratch({TB, K}), ks = e.scratch({TB, K});
  Value ds = gateRank == 4   ? e.scratch({TB, K})
             : gateRank == 3 ? e.scratch({TB})
                             : Value();
  Value ob = e.scratch({TB, tile.vectors * width});
  Value beta = op.getBeta();
  // The delta rule's column block of the state, all K rows.
  Value st = beta ? e.scratch({K, tile.vectors * width}) : Value();

  // The state the tiles read: a vk state with a static V is transposed into
  // an f32 [K, V] block on the stack once per head (lane-by-lane reads of
  // it would cost more than the tile's arithmetic at every token block);
  // with a dynamic V, lane by lane.
  const bool transposed = vk && Vdim;
  Value Sh = transposed ? e.scratch({K, *Vdim}) : Value();
  auto loadState = [&](Value bi, Value h, Value i, Value c) {
    if (transposed)
      return e.load(Sh, {i, c});
    if (vk)
      return e.loadLanes(S, {bi, h, c, i}, 2);
    return e.load(S, {bi, h, i, c});
  };
  auto storeState = [&](Value bi, Value h, Value i, Value c, Value x) {
    if (transposed)
      e.store(Sh, x, {i, c});
    else if (vk)
      e.storeLanes(S, x, {bi, h, c, i}, 2);
    else
      e.store(S, x, {bi, h, i, c});
  };
  // Copies head h's columns [0, end) between the vk state and the
  // transposed block.
  auto transpose = [&](Value bi, Value h, Value end, bool in) {
    e.loop(end, [&](Value j) {
      e.loop(e.idx(K), [&](Value i) {
        if (in)
          e.ScalarEmitter::store(Sh, e.ScalarEmitter::load(S, {bi, h, j, i}),
                                 {i, j});
        else
          e.ScalarEmitter::store(S, e.ScalarEmitter::load(Sh, {i, j}),
                                 {bi, h, j, i});
      });
    });
  };

  // Row t of `dst`: token tt's row of q or k, times `factor` (or 1) and,
  // with qk_norm = l2, its inverse norm.
  auto prepare = [&](Value src, Value dst, Value bi, Value tt, Value hq,
                     Value t, Value factor) {
    SmallVector<Value> xs;
    for (int64_t i = 0; i < K; i += kw)
      xs.push_back(ke.load(src, {bi, tt, hq, e.idx(i)}));
    if (l2) {
      Value ss = ke.splatF32(0);
      for (Value x : xs)
        ss = ke.fma(x, x, ss);
      Value sum = vector::ReductionOp::create(rewriter, loc,
                                              vector::CombiningKind::ADD, ss);
      Value inv = e.divf(e.f32(1), e.sqrt(e.addf(sum, e.f32(1e-6))));
      factor = factor ? e.mulf(factor, inv) : inv;
    }
    for (auto [n, x] : llvm::enumerate(xs))
      ke.store(dst, factor ? ke.mulf(x, ke.splat(factor)) : x,
               {t, e.idx(int64_t(n) * kw)});
  };

  // The tile loop of one column block [v0, v0 + vectors * width) over the
  // tokens [t0, t0 + tb), every key-row tile in turn.
  auto columnBlock = [&](Value bi, Value h, Value t0, Value tb, Value v0,
                         int64_t vectors, Value gateConst) {
    auto col = [&](int64_t l) { return e.addi(v0, e.idx(l * width)); };
    e.loop(tb, [&](Value t) {
      for (int64_t l = 0; l < vectors; ++l)
        e.store(ob, e.splatF32(0), {t, e.idx(l * width)});
    });
    e.loopStep(zero, e.idx(K), e.idx(tile.rows), [&](Value i0) {
      auto row = [&](int64_t r) { return e.addi(i0, e.idx(r)); };
      SmallVector<Value> state;
      for (int64_t r = 0; r < tile.rows; ++r)
        for (int64_t l = 0; l < vectors; ++l)
          state.push_back(loadState(bi, h, row(r), col(l)));
      SmallVector<Value> last =
          e.foldMany(zero, tb, one, state, [&](Value t, ValueRange cur) {
            Value tt = e.addi(t0, t);
            SmallVector<Value> vv, next(cur);
            // Two partial sums per output vector halve its FMA chain.
            int64_t parts = width >= 16 && tile.rows > 1 ? 2 : 1;
            SmallVector<Value> acc;
            for (int64_t l = 0; l < vectors; ++l) {
              vv.push_back(e.load(v, {bi, tt, h, col(l)}));
              acc.push_back(e.load(ob, {t, e.idx(l * width)}));
              if (parts == 2)
                acc.push_back(e.splatF32(0));
            }
            Value rowGate = gateRank == 3
                                ? e.splat(e.ScalarEmitter::load(ds, {t}))
                                : gateConst;
            for (int64_t r = 0; r < tile.rows; ++r) {
              Value i = e.addi(i0, e.idx(r));
              Value qi = e.splat(e.ScalarEmitter::load(qs, {t, i}));
              Value ki = e.splat(e.ScalarEmitter::load(ks, {t, i}));
              Value gi = gateRank == 4
                             ? e.splat(e.ScalarEmitter::load(ds, {t, i}))
                             : rowGate;
              for (int64_t l = 0; l < vectors; ++l) {
                Value &s = next[r * vectors + l];
                s = e.fma(ki, vv[l], gi ? e.mulf(s, gi) : s);
                Value &a = acc[l * parts + r % parts];
                a = e.fma(qi, s, a);
              }
            }
            for (int64_t l = 0; l < vectors; ++l) {
              Value sum = acc[l * parts];
              if (parts == 2)
                sum = e.addf(sum, acc[l * parts + 1]);
              e.store(ob, sum, {t, e.idx(l * width)});
            }
            return next;
          });
      for (int64_t r = 0; r < tile.rows; ++r)
        for (int64_t l = 0; l < vectors; ++l)
          storeState(bi, h, row(r), col(l), last[r * vectors + l]);
    });
    e.loop(tb, [&](Value t) {
      for (int64_t l = 0; l < vectors; ++l)
        e.store(o, e.load(ob, {t, e.idx(l * width)}),
                {bi, e.addi(t0, t), h, col(l)});
    });
  };

  // The delta rule on the column block [v0, v0 + vectors * width): every
  // key row of it, copied into an f32 block on the stack (L1) for the
  // token block. Per token, a first pass decays the rows and sums k S'
  // (u = beta (v - k S') needs all K rows before any row is updated), a
  // second adds k u and sums q S into o: four vector operations per row and
  // vector, no horizontal reduction.
  auto deltaColumnBlock = [&](Value bi, Value h, Value t0, Value tb, Value v0,
                              int64_t vectors, Value gateConst) {
    auto col = [&](int64_t l) { return e.addi(v0, e.idx(l * width)); };
    auto copy = [&](bool in) {
      e.loop(e.idx(K), [&](Value i) {
        for (int64_t l = 0; l < vectors; ++l) {
          SmallVector<Value> stAt = {i, e.idx(l * width)};
          if (in)
            e.store(st, loadState(bi, h, i, col(l)), stAt);
          else
            storeState(bi, h, i, col(l), e.load(st, stAt));
        }
      });
    };
    // Rows per step of the passes, and partial sums per vector.
    constexpr int64_t R = 4;
    int64_t rows = K % R == 0 ? R : 1;
    // sum_i x_i * f(i, row vectors) over all K rows, for each vector,
    // where `step` updates row i's vectors in the block and returns them.
    auto pass = [&](Value t, function_ref<Value(Value, int64_t, Value)> step,
                    Value xs) {
      SmallVector<Value> init(vectors * rows, e.splatF32(0));
      SmallVector<Value> acc = e.foldMany(
          zero, e.idx(K), e.idx(rows), init, [&](Value i0, ValueRange cur) {
            SmallVector<Value> next(cur);
            for (int64_t r = 0; r < rows; ++r) {
              Value i = e.addi(i0, e.idx(r));
              Value x = e.splat(e.ScalarEmitter::load(xs, {t, i}));
              for (int64_t l = 0; l < vectors; ++l) {
                SmallVector<Value> stAt = {i, e.idx(l * width)};
                Value old = e.load(st, stAt), sv = step(i, l, old);
                if (sv != old) // ungated, the first pass only reads
                  e.store(st, sv, stAt);
                next[l * rows + r] = e.fma(x, sv, next[l * rows + r]);
              }
            }
            return next;
          });
      SmallVector<Value> sums;
      for (int64_t l = 0; l < vectors; ++l) {
        Value sum = acc[l * rows];
        for (int64_t r = 1; r < rows; ++r)
          sum = e.addf(sum, acc[l * rows + r]);
        sums.push_back(sum);
      }
      return sums;
    };
    copy(/*in=*/true);
    e.loop(tb, [&](Value t) {
      Value tt = e.addi(t0, t);
      Value rowGate =
          gateRank == 3 ? e.splat(e.ScalarEmitter::load(ds, {t})) : gateConst;
      // S' = exp(g) S, and k S'.
      SmallVector<Value> kS = pass(
          t,
          [&](Value i, int64_t, Value sv) {
            Value gi = gateRank == 4
                           ? e.splat(e.ScalarEmitter::load(ds, {t, i}))
                           : rowGate;
            return gi ? e.mulf(sv, gi) : sv;
          },
          ks);
      Value b = e.splat(e.ScalarEmitter::load(beta, {bi, tt, h}));
      SmallVector<Value> u;
      for (int64_t l = 0; l < vectors; ++l)
        u.push_back(e.mulf(b, e.subf(e.load(v, {bi, tt, h, col(l)}), kS[l])));
      // S = S' + k u, and o = q S.
      SmallVector<Value> out = pass(
          t,
          [&](Value i, int64_t l, Value sv) {
            Value ki = e.splat(e.ScalarEmitter::load(ks, {t, i}));
            return e.fma(ki, u[l], sv);
          },
          qs);
      for (int64_t l = 0; l < vectors; ++l)
        e.store(o, out[l], {bi, tt, h, col(l)});
    });
    copy(/*in=*/false);
  };

  // Column blocks of `vectors` vectors, then single vectors, then scalar
  // columns; a range known to be empty is not emitted.
  int64_t block = tile.vectors * width;
  Value blocksEnd = e.muli(e.divi(V, e.idx(block)), e.idx(block));
  Value vectorsEnd = e.muli(e.divi(V, W), W);
  bool singleTail = tile.vectors == 2 && (!Vdim || *Vdim % block >= width);
  bool scalarTail = !Vdim || *Vdim % width != 0;
  Value scale = e.f32(op.getScaleValue());

  e.loop(Bsz, [&](Value bi) {
    e.loop(H, [&](Value h) {
      Value hq = e.divi(h, group);
      Value gateConst = gateRank == 1
                            ? e.splat(e.exp(e.ScalarEmitter::load(g, {h})))
                            : Value();
      if (transposed)
        transpose(bi, h, vectorsEnd, /*in=*/true);
      e.loopStep(zero, T, e.idx(TB), [&](Value t0) {
        Value tb = e.mini(e.idx(TB), e.subi(T, t0));
        e.loop(tb, [&](Value t) {
          Value tt = e.addi(t0, t);
          prepare(q, qs, bi, tt, hq, t, scale);
          prepare(k, ks, bi, tt, hq, t, Value());
          if (gateRank == 4)
            for (int64_t i = 0; i < K; i += kw)
              ke.store(ds, ke.exp(ke.load(g, {bi, tt, h, e.idx(i)})),
                       {t, e.idx(i)});
          if (gateRank == 3)
            e.ScalarEmitter::store(
                ds, e.exp(e.ScalarEmitter::load(g, {bi, tt, h})), {t});
        });
        auto build = [&](Value v0, int64_t vectors) {
          if (beta)
            deltaColumnBlock(bi, h, t0, tb, v0, vectors, gateConst);
          else
            columnBlock(bi, h, t0, tb, v0, vectors, gateConst);
        };
        e.loopStep(zero, blocksEnd, e.idx(block),
                   [&](Value v0) { build(v0, tile.vectors); });
        if (singleTail)
          e.loopStep(blocksEnd, vectorsEnd, W, [&](Value v0) { build(v0, 1); });
      });
      if (transposed)
        transpose(bi, h, vectorsEnd, /*in=*/false);
      if (scalarTail)
        e.loop(vectorsEnd, V, [&](Value j) {
          e.loop(T, [&](Value t) {
            (void)op.emitScalarBody(rewriter, loc, {bi, h, j, t});
          });
        });
    });
  });
  return success();
}
