//===- RecurrentLinearAttention.cpp - linear recurrences on register tiles ===//
//
// One builder for linear_attention (every gate, the additive and the delta
// rule) and ssd (q = C, k = B, v = Δ·x, gate Δ·A). Lanes run over value
// columns: a tile of one head's state, up to 16 key rows by one vector of
// columns, stays in registers while a block of tokens streams through it,
// so o = q S needs no horizontal reduction and the state is read and
// written once per token block. The additive rule advances in register
// chunks of C tokens (`chunk`; 1 is the recurrent form): per row and chunk,
// one multiply by the chunk's decay and C FMAs of k v into the state, and
// C FMAs of q into the tokens' outputs, read from the state at the chunk's
// start; the intra-chunk scores add their share when o is stored.
//
// What a token brings to every tile of its head is prepared once per token
// block into f32 rows on the stack: q (times the scale, its inverse l2 norm
// and its in-chunk decay), k (times its decay to the chunk's end), the
// chunk's decay and the scores. The key-row tiles add their partial outputs
// into an f32 block, which becomes o once every tile has passed. The delta
// rule needs k S' over all K rows before any row changes, so its column
// vector keeps every row in L1: each token makes two passes over it, or
// in chunks (the UT form, see deltaChunkBlock) each chunk does.
// Columns left over when the vector width does not divide V take the op's
// scalar column body.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/RecurrenceView.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Vector registers a tile may keep live: all but one of the register file
/// (32 with AVX-512, 16 with AVX2).
static int64_t tileRegisters(int64_t width) { return width >= 16 ? 31 : 15; }

/// Tokens per block: their prepared rows (q, k and a vector gate, K floats
/// each) stay within 16 KiB, a part of L1.
static int64_t tokenBlock(int64_t K) {
  int64_t tb = 64;
  while (tb > 8 && 3 * tb * K * 4 > 16384)
    tb /= 2;
  return tb;
}

/// The largest chunk whose tokens' v and outputs stay in registers.
static constexpr int64_t kMaxRegisterChunk = 8;

/// Beyond this K the prepared rows are unrolled too far.
static constexpr int64_t kMaxKeyDim = 512;

/// Key rows of a tile for chunks of `chunk` tokens: live across a chunk are
/// the rows of state, and v and the partial outputs of each token (about
/// 2 chunk + 2 more), at most 16 rows. The tile is one vector of columns
/// wide, so that each broadcast of q, k or the decay feeds one instruction
/// and folds into it as a memory operand (a broadcast kept in a register
/// costs as much as an FMA on some cores).
static int64_t tileRows(int64_t K, int64_t width, int64_t chunk) {
  int64_t budget = tileRegisters(width) - 2 * chunk - 4;
  for (int64_t r = std::min<int64_t>(budget, 16); r > 1; --r)
    if (K % r == 0)
      return r;
  return 1;
}

static LogicalResult buildRecurrence(RewriterBase &rewriter,
                                     LoopStructureOpInterface op,
                                     const RecurrenceView &r, int64_t width);

LogicalResult mlir::seqmix::detail::buildRecurrentLinearAttention(
    RewriterBase &rewriter, LinearAttentionOp op, int64_t width) {
  return buildRecurrence(rewriter, op, RecurrenceView::of(op), width);
}

LogicalResult mlir::seqmix::detail::buildRecurrentSSD(RewriterBase &rewriter,
                                                      SSDOp op, int64_t width) {
  // ssd is linear_attention with q = C, k = B, v = Δ·x, a scalar gate Δ·A,
  // scale 1 and a vk state (docs/Ops.md); Δ is computed per token and head
  // while preparing, v scaled in the tile's loads, D and z applied when o is
  // stored: no tensor of Δ·x or Δ·A.
  return buildRecurrence(rewriter, op, RecurrenceView::of(op), width);
}

static LogicalResult buildRecurrence(RewriterBase &rewriter,
                                     LoopStructureOpInterface op,
                                     const RecurrenceView &r, int64_t width) {
  if (r.cu)
    return rewriter.notifyMatchFailure(op, "packed sequences are split first");
  int64_t C = 1;
  if (auto config = op->getAttrOfType<TilingConfigAttrInterface>(
          SeqMixDialect::kTileAttrName))
    C = config.getChunkSize().value_or(1);
  // A larger chunk (fla's 64, say) runs as register chunks of 8: the same
  // result; the GEMM-sized form is not built (docs/CodeGeneration.md).
  C = std::min(C, kMaxRegisterChunk);
  Value q = r.q, k = r.k, v = r.v, g = r.g, S = r.S, o = r.o;
  SSDOp ssd = r.ssd;
  std::optional<int64_t> Kdim = staticDim(q, 3);
  if (!Kdim || *Kdim < 1 || *Kdim > kMaxKeyDim)
    return rewriter.notifyMatchFailure(op, "K must be static and moderate");
  const int64_t K = *Kdim;
  const int64_t gateRank = r.gateRank();
  const bool vk = r.vk, l2 = r.l2;
  std::optional<int64_t> Vdim = staticDim(v, 3);
  const int64_t rows = tileRows(K, width, C);
  const int64_t TB = tokenBlock(K);
  // The prepared rows vectorize over K, in the widest vector dividing it.
  int64_t kw = width;
  while (kw > 1 && K % kw)
    kw /= 2;

  Location loc = op->getLoc();
  VectorEmitter e(rewriter, loc, width), ke(rewriter, loc, kw);
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(v, 0), T = e.dim(v, 1), H = e.dim(v, 2), V = e.dim(v, 3);
  Value group = e.divi(H, e.dim(q, 2));
  Value scale = e.f32(r.scale);
  Value qs = e.scratch({TB, K}), ks = e.scratch({TB, K});
  Value beta = r.beta;
  // The delta rule in chunks (C > 1) prepares its tokens as the additive
  // rule does, plus k times its decay from the chunk's start and the
  // scores of k against the chunk's earlier keys (see deltaChunkBlock).
  const bool deltaChunks = beta && C > 1;
  const bool chunked = !beta || deltaChunks;
  // The gate: per token for the recurrent delta rule (a row of K, or one
  // scalar); in chunks the decay over each chunk, in its first row.
  Value ds = !gateRank                  ? Value()
             : gateRank == 4 || chunked ? e.scratch({TB, K})
                                        : e.scratch({TB});
  Value ob = beta ? Value() : e.scratch({TB, width});
  // ssd's Δ of each token of the block (for its head).
  Value dts = ssd ? e.scratch({TB}) : Value();
  // The intra-chunk scores, row t: A[t, tau] for the taus of t's chunk
  // (q against k), and for the delta rule the same of k against k.
  Value as = chunked ? e.scratch({TB, C}) : Value();
  Value kps = deltaChunks ? e.scratch({TB, K}) : Value();
  Value aks = deltaChunks ? e.scratch({TB, C}) : Value();
  // The delta rule's column block of the state, all K rows.
  Value st = beta ? e.scratch({K, width}) : Value();

  // The state the tiles read: a vk state with static H and V is transposed
  // into f32 [K, V] blocks once per call (lane-by-lane reads of it would
  // cost more than the tile's arithmetic at every token block); otherwise
  // it is read lane by lane.
  std::optional<int64_t> Hdim = staticDim(v, 2);
  const bool transposed = vk && Vdim && Hdim;
  Value Sh;
  if (transposed) {
    // On the heap (every head's [K, V], possibly megabytes), once per
    // thread region; buffer deallocation frees it.
    OpBuilder hb = e.scratchBuilder(Value());
    Sh = memref::AllocOp::create(
        hb, loc, MemRefType::get({*Hdim, K, *Vdim}, rewriter.getF32Type()));
  }
  auto loadState = [&](Value bi, Value h, Value i, Value c) {
    if (transposed)
      return e.load(Sh, {h, i, c});
    if (vk)
      return e.loadLanes(S, {bi, h, c, i}, 2);
    return e.load(S, {bi, h, i, c});
  };
  auto storeState = [&](Value bi, Value h, Value i, Value c, Value x) {
    if (transposed)
      e.store(Sh, x, {h, i, c});
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
                                 {h, i, j});
        else
          e.ScalarEmitter::store(S, e.ScalarEmitter::load(Sh, {h, i, j}),
                                 {bi, h, j, i});
      });
    });
  };

  // Token tt's row of q or k as vectors of kw lanes over K, times `factor`
  // (or 1) and, with qk_norm = l2, its inverse norm.
  auto rowOf = [&](Value src, Value bi, Value tt, Value hq, Value factor) {
    SmallVector<Value> xs;
    for (int64_t i = 0; i < K; i += kw)
      xs.push_back(ke.load(src, {bi, tt, hq, e.idx(i)}));
    if (l2) {
      Value ss = ke.splatF32(0);
      for (Value x : xs)
        ss = ke.fma(x, x, ss);
      Value sum = ke.sum(ss);
      Value inv = e.divf(e.f32(1), e.sqrt(e.addf(sum, e.f32(1e-6))));
      factor = factor ? e.mulf(factor, inv) : inv;
    }
    if (factor)
      for (Value &x : xs)
        x = ke.mulf(x, ke.splat(factor));
    return xs;
  };
  // That row, into row t of `dst`.
  auto prepare = [&](Value src, Value dst, Value bi, Value tt, Value hq,
                     Value t, Value factor) {
    for (auto [n, x] : llvm::enumerate(rowOf(src, bi, tt, hq, factor)))
      ke.store(dst, x, {t, e.idx(int64_t(n) * kw)});
  };

  // A head's row of a [B, T, H, X] operand is a stride of H X elements from
  // the next token's, past what the hardware prefetchers follow: while a
  // head's rows of a token block are prepared, the next head's rows of the
  // same tokens are fetched (the last head's: the next block's, of head 0).
  // The next block's rows of the same head would be evicted again by the
  // other heads' before their turn: a block of every head's rows is more
  // than L2. One head's rows of a block are usually more than L1 keeps
  // while the head's own tiles and rows stream through it, so they go to
  // L2 (locality 2): into L1 they evicted each other first and kept the
  // core's few L1 miss slots busy. A few tokens' rows (up to 8 KiB, a
  // quarter of L1: a decode step's) go to L1.
  Value lastT = e.subi(T, one);
  int64_t locality = 2;
  if (std::optional<int64_t> Ts = staticDim(v, 1); Ts && Vdim) {
    int64_t rowBytes = 4 * (2 * K + 2 * *Vdim + (gateRank == 4 ? K : 0));
    if (std::min(*Ts, TB) * rowBytes <= 8192)
      locality = 3;
  }
  auto prefetchRows = [&](Value bi, Value h, Value tt) {
    Value nh = e.addi(h, one);
    Value wrap = e.cmpi(arith::CmpIPredicate::eq, nh, H);
    Value ahead = e.select(wrap, e.mini(e.addi(tt, e.idx(TB)), lastT), tt);
    nh = e.select(wrap, zero, nh);
    Value nhq = e.divi(nh, group);
    auto lines = [&](Value mem, Value head, bool write = false) {
      int64_t n = cast<ShapedType>(mem.getType()).getShape().back();
      for (int64_t x = 0; x < n; x += 16)
        e.prefetch(mem, {bi, ahead, head, e.idx(x)}, write, locality);
    };
    lines(q, nhq);
    lines(k, nhq);
    lines(v, nh);
    // o is written once the next head's tiles are done; prefetched for
    // writing, its lines are not fetched on the store's critical path.
    lines(o, nh, /*write=*/true);
    if (gateRank == 4)
      lines(g, nh);
  };

  // The additive rule in chunks of Lc tokens (C, or 1 for the tokens left
  // over). With d_s = exp(g_s) and, within the chunk, P_t = d_0 .. d_t,
  // Q_t = d_t+1 .. d_Lc-1 (products, so no exp of a cumulative sum):
  //   o_t = (q_t P_t) S_0 + sum_{tau <= t} A[t, tau] v_tau,
  //   A[t, tau] = sum_i q_t,i k_tau,i d_tau+1,i .. d_t,i,
  //   S_Lc = P_Lc-1 S_0 + sum_tau (k_tau Q_tau) v_tau^T.
  // Per element of the state a chunk then costs one multiply and 2 Lc
  // FMAs, against 3 Lc token by token. This prepares, for the chunk whose
  // first token is row `base` of the block: q P (times the scale and norm)
  // and k Q in rows base.., P_Lc-1 in row `base` of `ds`, and A.
  auto prepareChunk = [&](Value bi, Value h, Value hq, Value t0, Value base,
                          int64_t Lc, Value gateConst) {
    int64_t pieces = K / kw;
    SmallVector<SmallVector<Value>> qv(Lc), kv(Lc);
    SmallVector<Value> tokenGate(Lc);
    // q and k scaled and normalized, and the gate of each token.
    for (int64_t t = 0; t < Lc; ++t) {
      Value tt = e.addi(t0, e.addi(base, e.idx(t)));
      prefetchRows(bi, h, tt);
      qv[t] = rowOf(q, bi, tt, hq, scale);
      kv[t] = rowOf(k, bi, tt, hq, Value());
      if (ssd) {
        // Δ (bias, softplus, dt_limit, threshold), kept for v; the gate is
        // exp(Δ A).
        auto perHead = [&](Value x) {
          return x ? e.ScalarEmitter::load(x, {h}) : Value();
        };
        Value dt = seqmix::mambaDelta(
            rewriter, loc, e.ScalarEmitter::load(ssd.getDt(), {bi, tt, h}),
            perHead(ssd.getDtBias()), perHead(ssd.getDeltaThreshold()),
            ssd.getDtSoftplus(), ssd.getDtLimit());
        e.ScalarEmitter::store(dts, dt, {e.addi(base, e.idx(t))});
        tokenGate[t] = ke.splat(e.exp(e.mulf(dt, perHead(ssd.getA()))));
      } else if (gateRank == 3) {
        tokenGate[t] = ke.splat(e.exp(e.ScalarEmitter::load(g, {bi, tt, h})));
      }
      if (gateRank == 1)
        tokenGate[t] = ke.splat(gateConst);
    }
    auto times = [&](Value x, Value y) {
      return !x ? y : !y ? x : ke.mulf(x, y);
    };
    SmallVector<Value> scores(Lc * Lc, ke.splatF32(0)), keyScores(scores);
    for (int64_t p = 0; p < pieces; ++p) {
      Value at = e.idx(p * kw);
      SmallVector<Value> d(Lc);
      for (int64_t t = 0; t < Lc; ++t) {
        Value tt = e.addi(t0, e.addi(base, e.idx(t)));
        d[t] =
            gateRank == 4 ? ke.exp(ke.load(g, {bi, tt, h, at})) : tokenGate[t];
      }
      Value prefix, suffix;
      SmallVector<Value> suffixes(Lc);
      for (int64_t t = Lc - 1; t >= 0; --t) {
        suffixes[t] = suffix;
        suffix = times(suffix, d[t]);
      }
      for (int64_t t = 0; t < Lc; ++t) {
        Value row = e.addi(base, e.idx(t));
        prefix = times(prefix, d[t]);
        ke.store(qs, prefix ? ke.mulf(qv[t][p], prefix) : qv[t][p], {row, at});
        ke.store(ks, suffixes[t] ? ke.mulf(kv[t][p], suffixes[t]) : kv[t][p],
                 {row, at});
        if (kps)
          ke.store(kps, prefix ? ke.mulf(kv[t][p], prefix) : kv[t][p],
                   {row, at});
        // A[t, tau] over this piece, the decays between tau and t applied.
        Value between;
        for (int64_t tau = t; tau >= 0; --tau) {
          Value kd = between ? ke.mulf(kv[tau][p], between) : kv[tau][p];
          scores[t * Lc + tau] = ke.fma(qv[t][p], kd, scores[t * Lc + tau]);
          if (kps && tau < t)
            keyScores[t * Lc + tau] =
                ke.fma(kv[t][p], kd, keyScores[t * Lc + tau]);
          between = times(between, d[tau]);
        }
      }
      if (prefix)
        ke.store(ds, prefix, {base, at});
    }
    for (int64_t t = 0; t < Lc; ++t)
      for (int64_t tau = 0; tau <= t; ++tau) {
        Value at = e.addi(base, e.idx(t));
        e.ScalarEmitter::store(as, ke.sum(scores[t * Lc + tau]),
                               {at, e.idx(tau)});
        if (kps && tau < t)
          e.ScalarEmitter::store(aks, ke.sum(keyScores[t * Lc + tau]),
                                 {at, e.idx(tau)});
      }
  };

  // for (base = lo; base < hi; base += Lc) body(base, Lc): full chunks of
  // C, then the tokens left over one by one.
  auto overChunks =
      [&](Value tb, SmallVector<Value> init,
          function_ref<SmallVector<Value>(Value, int64_t, ValueRange)> body) {
        Value full = e.muli(e.divi(tb, e.idx(C)), e.idx(C));
        if (C > 1)
          init = e.foldMany(
              zero, full, e.idx(C), init,
              [&](Value base, ValueRange cur) { return body(base, C, cur); });
        return e.foldMany(
            C > 1 ? full : zero, tb, one, init,
            [&](Value base, ValueRange cur) { return body(base, 1, cur); });
      };

  // The tile loop of the column vector at v0 over the tokens
  // [t0, t0 + tb), every key-row tile in turn, then the intra-chunk part
  // and the store.
  auto columnBlock = [&](Value bi, Value h, Value t0, Value tb, Value v0) {
    auto vAt = [&](Value row) {
      Value x = e.load(v, {bi, e.addi(t0, row), h, v0});
      return ssd ? e.mulf(x, e.splat(e.ScalarEmitter::load(dts, {row}))) : x;
    };
    e.loop(tb, [&](Value t) { e.store(ob, e.splatF32(0), {t, zero}); });
    e.loopStep(zero, e.idx(K), e.idx(rows), [&](Value i0) {
      auto row = [&](int64_t r) { return e.addi(i0, e.idx(r)); };
      SmallVector<Value> state;
      for (int64_t r = 0; r < rows; ++r)
        state.push_back(loadState(bi, h, row(r), v0));
      SmallVector<Value> last = overChunks(
          tb, state,
          [&](Value base, int64_t Lc, ValueRange cur) -> SmallVector<Value> {
            SmallVector<Value> next(cur), vv, acc;
            auto token = [&](int64_t t) { return e.addi(base, e.idx(t)); };
            // Partial sums keep each output's FMA chain (one per key row)
            // short enough for the FMAs of a chunk to overlap.
            int64_t parts = std::max<int64_t>(1, 4 / Lc);
            auto accOf = [&](int64_t t, int64_t r) -> Value & {
              return acc[t * parts + r % parts];
            };
            for (int64_t t = 0; t < Lc; ++t) {
              vv.push_back(vAt(token(t)));
              acc.push_back(e.load(ob, {token(t), zero}));
              acc.append(parts - 1, e.splatF32(0));
            }
            for (int64_t r = 0; r < rows; ++r) {
              auto bcast = [&](Value mem, Value rowIdx) {
                return e.splat(e.ScalarEmitter::load(mem, {rowIdx, row(r)}));
              };
              for (int64_t t = 0; t < Lc; ++t)
                accOf(t, r) = e.fma(bcast(qs, token(t)), next[r], accOf(t, r));
              if (ds)
                next[r] = e.mulf(next[r], bcast(ds, base));
              for (int64_t t = 0; t < Lc; ++t)
                next[r] = e.fma(bcast(ks, token(t)), vv[t], next[r]);
            }
            for (int64_t t = 0; t < Lc; ++t) {
              Value sum = accOf(t, 0);
              for (int64_t p = 1; p < parts; ++p)
                sum = e.addf(sum, accOf(t, p));
              e.store(ob, sum, {token(t), zero});
            }
            return next;
          });
      for (int64_t r = 0; r < rows; ++r)
        storeState(bi, h, row(r), v0, last[r]);
    });
    // o_t = ob_t + sum_{tau <= t} A[t, tau] v_tau, within t's chunk.
    (void)overChunks(tb, {}, [&](Value base, int64_t Lc, ValueRange) {
      for (int64_t t = 0; t < Lc; ++t) {
        Value rowT = e.addi(base, e.idx(t));
        Value out = e.load(ob, {rowT, zero});
        for (int64_t tau = 0; tau <= t; ++tau) {
          Value a = e.splat(e.ScalarEmitter::load(as, {rowT, e.idx(tau)}));
          out = e.fma(a, vAt(e.addi(base, e.idx(tau))), out);
        }
        Value tt = e.addi(t0, rowT);
        if (ssd) {
          // y = o + D x, times silu(z).
          if (Value D = ssd.getD()) {
            bool perHead = cast<ShapedType>(D.getType()).getRank() == 1;
            Value d = perHead ? e.splat(e.ScalarEmitter::load(D, {h}))
                              : e.load(D, {h, v0});
            out = e.fma(d, e.load(v, {bi, tt, h, v0}), out);
          }
          if (Value z = ssd.getZ())
            out = e.mulf(
                out, seqmix::silu(rewriter, loc, e.load(z, {bi, tt, h, v0})));
        }
        e.store(o, out, {bi, tt, h, v0});
      }
      return SmallVector<Value>();
    });
  };

  // Copies the state's column vector at v0, every key row, into `st` or
  // back.
  auto copyState = [&](Value bi, Value h, Value v0, bool in) {
    e.loop(e.idx(K), [&](Value i) {
      if (in)
        e.store(st, loadState(bi, h, i, v0), {i, zero});
      else
        storeState(bi, h, i, v0, e.load(st, {i, zero}));
    });
  };
  // The delta rule on the column vector at v0: every key row of it,
  // copied into an f32 block on the stack (L1) for the token block. Per
  // token, a first pass decays the rows and sums k S' (u = beta (v - k S')
  // needs all K rows before any row is updated), a second adds k u and sums
  // q S into o: four vector operations per row, no horizontal reduction.
  auto deltaColumnBlock = [&](Value bi, Value h, Value t0, Value tb, Value v0,
                              Value gateConst) {
    // Rows per step of the passes, one partial sum each.
    constexpr int64_t R = 4;
    int64_t step = K % R == 0 ? R : 1;
    // sum_i x_i * f(i, row i) over all K rows, where `update` returns row
    // i's new value (stored back unless it is the old one).
    auto pass = [&](Value t, function_ref<Value(Value, Value)> update,
                    Value xs) {
      SmallVector<Value> init(step, e.splatF32(0));
      SmallVector<Value> acc = e.foldMany(
          zero, e.idx(K), e.idx(step), init, [&](Value i0, ValueRange cur) {
            SmallVector<Value> next(cur);
            for (int64_t r = 0; r < step; ++r) {
              Value i = e.addi(i0, e.idx(r));
              Value x = e.splat(e.ScalarEmitter::load(xs, {t, i}));
              Value old = e.load(st, {i, zero}), sv = update(i, old);
              if (sv != old) // ungated, the first pass only reads
                e.store(st, sv, {i, zero});
              next[r] = e.fma(x, sv, next[r]);
            }
            return next;
          });
      Value sum = acc[0];
      for (int64_t r = 1; r < step; ++r)
        sum = e.addf(sum, acc[r]);
      return sum;
    };
    copyState(bi, h, v0, /*in=*/true);
    e.loop(tb, [&](Value t) {
      Value tt = e.addi(t0, t);
      Value rowGate =
          gateRank == 3 ? e.splat(e.ScalarEmitter::load(ds, {t})) : gateConst;
      // S' = exp(g) S, and k S'.
      Value kS = pass(
          t,
          [&](Value i, Value sv) {
            Value gi = gateRank == 4
                           ? e.splat(e.ScalarEmitter::load(ds, {t, i}))
                           : rowGate;
            return gi ? e.mulf(sv, gi) : sv;
          },
          ks);
      Value b = e.splat(e.ScalarEmitter::load(beta, {bi, tt, h}));
      Value u = e.mulf(b, e.subf(e.load(v, {bi, tt, h, v0}), kS));
      // S = S' + k u, and o = q S.
      Value out = pass(
          t,
          [&](Value i, Value sv) {
            return e.fma(e.splat(e.ScalarEmitter::load(ks, {t, i})), u, sv);
          },
          qs);
      e.store(o, out, {bi, tt, h, v0});
    });
    copyState(bi, h, v0, /*in=*/false);
  };

  // The delta rule in chunks of Lc tokens (the UT form of its WY
  // representation), on the column vector at v0 with every key row in L1.
  // With P_t the decays from the chunk's start through t (products, as for
  // the additive rule) and S_0 the state at its start:
  //   u_t = beta_t (v_t - (k_t P_t) S_0 - sum_{tau < t} a[t, tau] u_tau),
  //   a[t, tau] = k_t . (k_tau d_tau+1 .. d_t),
  // that is U = (I + diag(beta) A)^-1 diag(beta) (V - K_P S_0), solved by
  // forward substitution on the vector; then the additive rule's chunk
  // with u for v:
  //   o_t = (q_t P_t) S_0 + sum_{tau <= t} A[t, tau] u_tau,
  //   S_Lc = P_Lc-1 S_0 + sum_tau (k_tau Q_tau) u_tau^T.
  // Per row of the state a chunk makes two passes (a load and 2 Lc FMAs;
  // a load, the decay, Lc FMAs and a store) where token by token it makes
  // 2 Lc, each with a store.
  auto deltaChunkBlock = [&](Value bi, Value h, Value t0, Value tb, Value v0) {
    copyState(bi, h, v0, /*in=*/true);
    (void)overChunks(tb, {}, [&](Value base, int64_t Lc, ValueRange) {
      auto token = [&](int64_t t) { return e.addi(base, e.idx(t)); };
      auto bcast = [&](Value mem, Value row, Value i) {
        return e.splat(e.ScalarEmitter::load(mem, {row, i}));
      };
      // Pass 1: (k_t P_t) S_0 and (q_t P_t) S_0, `parts` partial sums each
      // so that a short chunk still has enough FMA chains.
      int64_t parts = std::max<int64_t>(1, 4 / Lc);
      while (K % parts)
        parts /= 2;
      SmallVector<Value> init(2 * Lc * parts, e.splatF32(0));
      SmallVector<Value> acc = e.foldMany(
          zero, e.idx(K), e.idx(parts), init, [&](Value i0, ValueRange cur) {
            SmallVector<Value> next(cur);
            for (int64_t p = 0; p < parts; ++p) {
              Value i = e.addi(i0, e.idx(p));
              Value sv = e.load(st, {i, zero});
              for (int64_t t = 0; t < Lc; ++t) {
                Value &kS = next[(2 * t) * parts + p];
                Value &qS = next[(2 * t + 1) * parts + p];
                kS = e.fma(bcast(kps, token(t), i), sv, kS);
                qS = e.fma(bcast(qs, token(t), i), sv, qS);
              }
            }
            return next;
          });
      auto total = [&](int64_t n) {
        Value sum = acc[n * parts];
        for (int64_t p = 1; p < parts; ++p)
          sum = e.addf(sum, acc[n * parts + p]);
        return sum;
      };
      // u by forward substitution, then o.
      SmallVector<Value> u(Lc);
      for (int64_t t = 0; t < Lc; ++t) {
        Value tt = e.addi(t0, token(t));
        Value x = e.subf(e.load(v, {bi, tt, h, v0}), total(2 * t));
        for (int64_t tau = 0; tau < t; ++tau)
          x = e.subf(x, e.mulf(bcast(aks, token(t), e.idx(tau)), u[tau]));
        u[t] = e.mulf(e.splat(e.ScalarEmitter::load(beta, {bi, tt, h})), x);
      }
      for (int64_t t = 0; t < Lc; ++t) {
        Value out = total(2 * t + 1);
        for (int64_t tau = 0; tau <= t; ++tau)
          out = e.fma(bcast(as, token(t), e.idx(tau)), u[tau], out);
        e.store(o, out, {bi, e.addi(t0, token(t)), h, v0});
      }
      // Pass 2: the state at the chunk's end.
      e.loop(e.idx(K), [&](Value i) {
        Value sv = e.load(st, {i, zero});
        if (ds)
          sv = e.mulf(sv, bcast(ds, base, i));
        for (int64_t t = 0; t < Lc; ++t)
          sv = e.fma(bcast(ks, token(t), i), u[t], sv);
        e.store(st, sv, {i, zero});
      });
      return SmallVector<Value>();
    });
    copyState(bi, h, v0, /*in=*/false);
  };

  // Column vectors, then scalar columns (not emitted when known empty).
  Value vectorsEnd = e.muli(e.divi(V, W), W);
  bool scalarTail = !Vdim || *Vdim % width != 0;

  // Token blocks outside heads: a token's rows of every head are adjacent
  // ([B, T, H, X]), so the heads of a block read them together, and rows
  // shared by the heads (ssd's B and C, GQA's q and k) are read once per
  // block, not once per head.
  e.loop(Bsz, [&](Value bi) {
    if (transposed)
      e.loop(H, [&](Value h) { transpose(bi, h, vectorsEnd, /*in=*/true); });
    e.loopStep(zero, T, e.idx(TB), [&](Value t0) {
      Value tb = e.mini(e.idx(TB), e.subi(T, t0));
      e.loop(H, [&](Value h) {
        Value hq = e.divi(h, group);
        Value gateConstScalar =
            gateRank == 1 ? e.exp(e.ScalarEmitter::load(g, {h})) : Value();
        Value gateConst = gateConstScalar ? e.splat(gateConstScalar) : Value();
        if (!chunked)
          e.loop(tb, [&](Value t) {
            Value tt = e.addi(t0, t);
            prefetchRows(bi, h, tt);
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
        else
          (void)overChunks(tb, {}, [&](Value base, int64_t Lc, ValueRange) {
            prepareChunk(bi, h, hq, t0, base, Lc, gateConstScalar);
            return SmallVector<Value>();
          });
        e.loopStep(zero, vectorsEnd, W, [&](Value v0) {
          if (deltaChunks)
            deltaChunkBlock(bi, h, t0, tb, v0);
          else if (beta)
            deltaColumnBlock(bi, h, t0, tb, v0, gateConst);
          else
            columnBlock(bi, h, t0, tb, v0);
        });
      });
    });
    if (transposed)
      e.loop(H, [&](Value h) { transpose(bi, h, vectorsEnd, /*in=*/false); });
    if (scalarTail)
      e.loop(H, [&](Value h) {
        e.loop(vectorsEnd, V, [&](Value j) {
          e.loop(T, [&](Value t) {
            (void)op.emitScalarBody(rewriter, loc, {bi, h, j, t});
          });
        });
      });
  });
  // The batch loop (the last op emitted) says which builder made it and
  // with what parameters: one entry serves every gate, both rules and ssd.
  auto batchLoop = cast<scf::ForOp>(*std::prev(rewriter.getInsertionPoint()));
  static const char *gates[] = {"none", "constant", "", "scalar", "vector"};
  std::string params;
  llvm::raw_string_ostream(params)
      << "linear_recurrence<rule = " << (beta ? "delta" : "additive")
      << ", gate = " << (ssd ? "ssd" : gates[gateRank]) << ", chunk = " << C
      << ", rows = " << rows << ", layout = " << (vk ? "vk" : "kv") << ">";
  batchLoop->setAttr(SeqMixDialect::kBuilderAttrName,
                     rewriter.getStringAttr(params));
  return success();
}
