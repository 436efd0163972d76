//===- Recurrences.cpp - loop structure of the linear recurrences ---------===//
//
// linear_attention, selective_scan, ssd and causal_conv1d share one shape:
// parallel loops over batch rows, heads and channels, then the time axis as
// a `reduction` loop whose accumulator is the state destination. The scalar
// body at (.., t) reads the state row of token t, advances it by one step and
// writes the step's output; the state destination therefore holds the
// initial state on entry and the final state on exit, and a tile along t is
// a chunk that carries the state.
//
// With cu_seqlens the batch is one packed row; the state row of token t is
// its sequence, so a tile may not cut the batch or the time loop (run
// seqmix-split-varlen first to tile a packed batch).
//
//===----------------------------------------------------------------------===//

#include "LoopStructure.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

using IT = utils::IteratorType;

/// The batch-row loop dim of a state: packed sequences take it whole.
static LoopDim stateRowDim(Value cu, int64_t batchLoop) {
  return cu ? LoopDim::whole() : LoopDim::of(batchLoop);
}

/// With packed sequences neither the batch loop nor the time loop may be cut.
static bool tileableWithSeqlens(Value cu, unsigned loop, unsigned batchLoop,
                                unsigned timeLoop) {
  return !cu || (loop != batchLoop && loop != timeLoop);
}

//===----------------------------------------------------------------------===//
// linear_attention: loops (b, h, v, t)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> LinearAttentionOp::getLoopNames() {
  return {"b", "h", "v", "t"};
}
SmallVector<IT> LinearAttentionOp::getLoopKinds() {
  return {IT::parallel, IT::parallel, IT::parallel, IT::reduction};
}
SmallVector<OpFoldResult> LinearAttentionOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getQ(), 0), sizeOf(b, getV(), 2), sizeOf(b, getV(), 3),
          sizeOf(b, getQ(), 1)};
}
OperandLoopDims LinearAttentionOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), H = LoopDim::of(1), V = LoopDim::of(2),
          T = LoopDim::of(3), W = LoopDim::whole();
  OperandLoopDims dims;
  dims.push_back({B, T, LoopDim::groupOf(1), W}); // q
  dims.push_back({B, T, LoopDim::groupOf(1), W}); // k
  dims.push_back({B, T, H, V});                   // v
  if (Value g = getLogDecay()) {
    int64_t r = rankOf(g);
    if (r == 1)
      dims.push_back({H});
    else if (r == 3)
      dims.push_back({B, T, H});
    else
      dims.push_back({B, T, H, W});
  }
  addIfPresent(dims, getBeta(), {B, T, H});
  if (Value cu = getCuSeqlens())
    dims.push_back(whole(cu));
  dims.push_back({B, T, H, V}); // o
  LoopDim N = stateRowDim(getCuSeqlens(), 0);
  if (getStateLayout() == StateLayout::kv)
    dims.push_back({N, H, W, V});
  else
    dims.push_back({N, H, V, W});
  return dims;
}
bool LinearAttentionOp::isLoopTileable(unsigned loop) {
  return tileableWithSeqlens(getCuSeqlens(), loop, 0, 3);
}
bool LinearAttentionOp::readsInit(unsigned init) { return init == 1; }
Value LinearAttentionOp::getSequenceOffsets() { return getCuSeqlens(); }

/// Column j of head h's state at token t:
///   S'[:, j] = exp(g_t) * S[:, j]
///   S[:, j]  = S'[:, j] + k_t * v_t[j]                      (additive)
///   S[:, j]  = S'[:, j] + k_t * beta_t (v_t[j] - k_t . S'[:, j])  (delta)
///   o_t[j]   = scale * q_t S[:, j]
/// Columns never mix, so the value axis is a parallel loop. Without `j`
/// (a null iv, see getScalarBodyLoops) the body walks every column itself,
/// computing the gates and norms of the step once.
LogicalResult LinearAttentionOp::emitScalarBody(OpBuilder &b, Location loc,
                                                ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value bi = ivs[0], h = ivs[1], jFixed = ivs[2], t = ivs[3];
  Value q = getQ(), k = getK(), v = getV(), S = getStateInit();
  Value o = getOutputInit();
  Value K = e.dim(q, 3);
  Value hq = e.divi(h, e.divi(e.dim(v, 2), e.dim(q, 2)));
  Value n = e.stateRow(getCuSeqlens(), bi, t);
  bool vk = getStateLayout() == StateLayout::vk;
  // 1 / sqrt(sum x^2 + 1e-6) over K with qk_norm = l2, else 1.
  auto invNorm = [&](Value x) -> Value {
    if (getQkNorm() != QKNorm::l2)
      return e.f32(1);
    Value ss = e.fold(K, e.f32(0), [&](Value i, Value acc) {
      Value xi = e.load(x, {bi, t, hq, i});
      return e.addf(acc, e.mulf(xi, xi));
    });
    return e.divf(e.f32(1), e.sqrt(e.addf(ss, e.f32(1e-6))));
  };
  Value qs = invNorm(q), ks = invNorm(k);
  Value gate = getLogDecay();
  int64_t gateRank = gate ? rankOf(gate) : 0;
  Value scale = e.f32(getScaleValue());

  auto body = [&](function_ref<Value(Value)> decay) {
    auto column = [&](Value j) {
      auto sIdx = [&](Value i) {
        return vk ? SmallVector<Value>{n, h, j, i}
                  : SmallVector<Value>{n, h, i, j};
      };
      auto kAt = [&](Value i) { return e.mulf(e.load(k, {bi, t, hq, i}), ks); };
      Value vj = e.load(v, {bi, t, h, j});
      if (Value beta = getBeta()) {
        Value ksd = e.fold(K, e.f32(0), [&](Value i, Value acc) {
          Value s = e.mulf(decay(i), e.load(S, sIdx(i)));
          e.store(S, s, sIdx(i));
          return e.addf(acc, e.mulf(kAt(i), s));
        });
        Value u = e.mulf(e.load(beta, {bi, t, h}), e.subf(vj, ksd));
        e.loop(K, [&](Value i) {
          e.store(S, e.addf(e.load(S, sIdx(i)), e.mulf(kAt(i), u)), sIdx(i));
        });
      } else {
        e.loop(K, [&](Value i) {
          Value s = e.mulf(decay(i), e.load(S, sIdx(i)));
          e.store(S, e.addf(s, e.mulf(kAt(i), vj)), sIdx(i));
        });
      }
      Value qS = e.fold(K, e.f32(0), [&](Value i, Value acc) {
        Value qi = e.mulf(e.load(q, {bi, t, hq, i}), qs);
        return e.addf(acc, e.mulf(qi, e.load(S, sIdx(i))));
      });
      e.store(o, e.mulf(scale, qS), {bi, t, h, j});
    };
    if (jFixed) {
      column(jFixed);
      return;
    }
    Value V = e.dim(v, 3);
    if (getBeta()) {
      e.loop(V, column);
      return;
    }
    // Additive rule over every column: update the state row by row (the
    // columns of a row are contiguous in the kv layout), then read out.
    auto sIdx = [&](Value i, Value j) {
      return vk ? SmallVector<Value>{n, h, j, i} : SmallVector<Value>{n, h, i, j};
    };
    e.loop(K, [&](Value i) {
      Value d = decay(i);
      Value ki = e.mulf(e.load(k, {bi, t, hq, i}), ks);
      e.loop(V, [&](Value j) {
        Value s = e.mulf(d, e.load(S, sIdx(i, j)));
        s = e.addf(s, e.mulf(ki, e.load(v, {bi, t, h, j})));
        e.store(S, s, sIdx(i, j));
      });
    });
    e.loop(V, [&](Value j) {
      Value qS = e.fold(K, e.f32(0), [&](Value i, Value acc) {
        Value qi = e.mulf(e.load(q, {bi, t, hq, i}), qs);
        return e.addf(acc, e.mulf(qi, e.load(S, sIdx(i, j))));
      });
      e.store(o, e.mulf(scale, qS), {bi, t, h, j});
    });
  };

  auto gateAt = [&](Value i) -> Value {
    if (gateRank == 1)
      return e.exp(e.load(gate, {h}));
    if (gateRank == 3)
      return e.exp(e.load(gate, {bi, t, h}));
    if (gateRank == 4)
      return e.exp(e.load(gate, {bi, t, h, i}));
    return e.f32(1);
  };
  if (jFixed || gateRank != 4) {
    // One point, or a gate shared by K: compute it where it is used (a
    // scalar gate is loop-invariant and hoisted by LLVM).
    Value shared = gateRank == 1 || gateRank == 3 ? gateAt(Value()) : Value();
    body([&](Value i) { return shared ? shared : gateAt(i); });
    return success();
  }
  // Every column with a vector gate: exp(g_t) once per key row, in an f32
  // row allocated once outside the loops.
  Value row = e.scratch(q, 3);
  e.loop(K, [&](Value i) { e.store(row, gateAt(i), {i}); });
  body([&](Value i) { return e.load(row, {i}); });
  return success();
}

//===----------------------------------------------------------------------===//
// selective_scan: loops (b, d, t)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> SelectiveScanOp::getLoopNames() {
  return {"b", "d", "t"};
}
SmallVector<IT> SelectiveScanOp::getLoopKinds() {
  return {IT::parallel, IT::parallel, IT::reduction};
}
SmallVector<OpFoldResult> SelectiveScanOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getU(), 0), sizeOf(b, getU(), 2), sizeOf(b, getU(), 1)};
}
OperandLoopDims SelectiveScanOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), D = LoopDim::of(1), T = LoopDim::of(2),
          G = LoopDim::groupOf(1), W = LoopDim::whole();
  OperandLoopDims dims;
  dims.push_back({B, T, D});    // u
  dims.push_back({B, T, D});    // delta
  dims.push_back({D, W});       // A
  dims.push_back({B, T, G, W}); // B
  dims.push_back({B, T, G, W}); // C
  addIfPresent(dims, getD(), {D});
  addIfPresent(dims, getZ(), {B, T, D});
  addIfPresent(dims, getDeltaBias(), {D});
  addIfPresent(dims, getDeltaThreshold(), {D});
  if (Value cu = getCuSeqlens())
    dims.push_back(whole(cu));
  dims.push_back({B, T, D}); // y
  dims.push_back({stateRowDim(getCuSeqlens(), 0), D, W});
  return dims;
}
bool SelectiveScanOp::isLoopTileable(unsigned loop) {
  return tileableWithSeqlens(getCuSeqlens(), loop, 0, 2);
}
bool SelectiveScanOp::readsInit(unsigned init) { return init == 1; }
Value SelectiveScanOp::getSequenceOffsets() { return getCuSeqlens(); }

/// Channel d at token t:
///   h[n] = exp(Δ A[d, n]) h[n] + Δ B_t[g, n] u_t[d]
///   y_t[d] = (Σ_n C_t[g, n] h[n] + D[d] u_t[d]) * silu(z_t[d])
LogicalResult SelectiveScanOp::emitScalarBody(OpBuilder &b, Location loc,
                                              ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value bi = ivs[0], d = ivs[1], t = ivs[2];
  Value u = getU(), A = getA(), Bm = getB(), Cm = getC(), S = getStateInit();
  Value N = e.dim(A, 1);
  Value g = e.divi(d, e.divi(e.dim(u, 2), e.dim(Bm, 2)));
  Value n = e.stateRow(getCuSeqlens(), bi, t);
  Value ut = e.load(u, {bi, t, d});
  Value bias = getDeltaBias(), thr = getDeltaThreshold();
  Value delta = seqmix::mambaDelta(
      b, loc, e.load(getDelta(), {bi, t, d}),
      bias ? e.load(bias, {d}) : Value(), thr ? e.load(thr, {d}) : Value(),
      getDeltaSoftplus(), std::nullopt);
  Value du = e.mulf(delta, ut);
  Value y = e.fold(N, e.f32(0), [&](Value s, Value acc) {
    Value decay = e.exp(e.mulf(delta, e.load(A, {d, s})));
    Value hs = e.addf(e.mulf(decay, e.load(S, {n, d, s})),
                      e.mulf(du, e.load(Bm, {bi, t, g, s})));
    e.store(S, hs, {n, d, s});
    return e.addf(acc, e.mulf(e.load(Cm, {bi, t, g, s}), hs));
  });
  if (Value D = getD())
    y = e.addf(y, e.mulf(e.load(D, {d}), ut));
  if (Value z = getZ())
    y = e.mulf(y, e.silu(e.load(z, {bi, t, d})));
  e.store(getOutputInit(), y, {bi, t, d});
  return success();
}

//===----------------------------------------------------------------------===//
// ssd: loops (b, h, p, t)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> SSDOp::getLoopNames() { return {"b", "h", "p", "t"}; }
SmallVector<IT> SSDOp::getLoopKinds() {
  return {IT::parallel, IT::parallel, IT::parallel, IT::reduction};
}
SmallVector<OpFoldResult> SSDOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getX(), 0), sizeOf(b, getX(), 2), sizeOf(b, getX(), 3),
          sizeOf(b, getX(), 1)};
}
OperandLoopDims SSDOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), H = LoopDim::of(1), P = LoopDim::of(2),
          T = LoopDim::of(3), G = LoopDim::groupOf(1), W = LoopDim::whole();
  OperandLoopDims dims;
  dims.push_back({B, T, H, P}); // x
  dims.push_back({B, T, H});    // dt
  dims.push_back({H});          // A
  dims.push_back({B, T, G, W}); // B
  dims.push_back({B, T, G, W}); // C
  if (Value D = getD())
    dims.push_back(rankOf(D) == 1 ? SmallVector<LoopDim, 4>{H}
                                  : SmallVector<LoopDim, 4>{H, P});
  addIfPresent(dims, getZ(), {B, T, H, P});
  addIfPresent(dims, getDtBias(), {H});
  addIfPresent(dims, getDeltaThreshold(), {H});
  if (Value cu = getCuSeqlens())
    dims.push_back(whole(cu));
  dims.push_back({B, T, H, P}); // y
  dims.push_back({stateRowDim(getCuSeqlens(), 0), H, P, W});
  return dims;
}
bool SSDOp::isLoopTileable(unsigned loop) {
  return tileableWithSeqlens(getCuSeqlens(), loop, 0, 3);
}
bool SSDOp::readsInit(unsigned init) { return init == 1; }
Value SSDOp::getSequenceOffsets() { return getCuSeqlens(); }

/// Row p of head h at token t (Mamba-2, scalar decay per head):
///   S[p, n] = exp(Δ A[h]) S[p, n] + Δ x_t[h, p] B_t[g, n]
///   y_t[h, p] = (Σ_n C_t[g, n] S[p, n] + D x_t[h, p]) * silu(z_t[h, p])
LogicalResult SSDOp::emitScalarBody(OpBuilder &b, Location loc,
                                    ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value bi = ivs[0], h = ivs[1], pFixed = ivs[2], t = ivs[3];
  Value x = getX(), Bm = getB(), Cm = getC(), S = getStateInit();
  Value N = e.dim(Bm, 3);
  Value g = e.divi(h, e.divi(e.dim(x, 2), e.dim(Bm, 2)));
  Value n = e.stateRow(getCuSeqlens(), bi, t);
  // The step's Δ and decay, once for all the rows p the body walks.
  Value bias = getDtBias(), thr = getDeltaThreshold();
  Value delta = seqmix::mambaDelta(
      b, loc, e.load(getDt(), {bi, t, h}), bias ? e.load(bias, {h}) : Value(),
      thr ? e.load(thr, {h}) : Value(), getDtSoftplus(), getDtLimit());
  Value decay = e.exp(e.mulf(delta, e.load(getA(), {h})));
  auto row = [&](Value p) {
    Value xt = e.load(x, {bi, t, h, p});
    Value dx = e.mulf(delta, xt);
    Value y = e.fold(N, e.f32(0), [&](Value s, Value acc) {
      Value hs = e.addf(e.mulf(decay, e.load(S, {n, h, p, s})),
                        e.mulf(dx, e.load(Bm, {bi, t, g, s})));
      e.store(S, hs, {n, h, p, s});
      return e.addf(acc, e.mulf(e.load(Cm, {bi, t, g, s}), hs));
    });
    if (Value D = getD())
      y = e.addf(y, e.mulf(rankOf(D) == 2 ? e.load(D, {h, p}) : e.load(D, {h}),
                           xt));
    if (Value z = getZ())
      y = e.mulf(y, e.silu(e.load(z, {bi, t, h, p})));
    e.store(getOutputInit(), y, {bi, t, h, p});
  };
  if (pFixed)
    row(pFixed);
  else
    e.loop(e.dim(x, 3), row);
  return success();
}

//===----------------------------------------------------------------------===//
// causal_conv1d: loops (b, d, t)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> CausalConv1dOp::getLoopNames() {
  return {"b", "d", "t"};
}
SmallVector<IT> CausalConv1dOp::getLoopKinds() {
  return {IT::parallel, IT::parallel, IT::reduction};
}
SmallVector<OpFoldResult> CausalConv1dOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getX(), 0), sizeOf(b, getX(), 2), sizeOf(b, getX(), 1)};
}
OperandLoopDims CausalConv1dOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), D = LoopDim::of(1), T = LoopDim::of(2),
          W = LoopDim::whole();
  OperandLoopDims dims;
  dims.push_back({B, T, D}); // x
  dims.push_back({D, W});    // w
  addIfPresent(dims, getBias(), {D});
  if (Value cu = getCuSeqlens())
    dims.push_back(whole(cu));
  dims.push_back({B, T, D}); // y
  dims.push_back({stateRowDim(getCuSeqlens(), 0), W, D});
  return dims;
}
bool CausalConv1dOp::isLoopTileable(unsigned loop) {
  return tileableWithSeqlens(getCuSeqlens(), loop, 0, 2);
}
bool CausalConv1dOp::readsInit(unsigned init) { return init == 1; }
Value CausalConv1dOp::getSequenceOffsets() { return getCuSeqlens(); }

/// Channel d at token t: the state is a shift register of the last W-1
/// inputs (oldest first), so
///   y_t = act(bias + Σ_{j<W-1} w[d, j] state[j] + w[d, W-1] x_t)
/// and then the register shifts x_t in.
LogicalResult CausalConv1dOp::emitScalarBody(OpBuilder &b, Location loc,
                                             ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value bi = ivs[0], d = ivs[1], t = ivs[2];
  Value w = getW(), S = getStateInit();
  Value hist = e.subi(e.dim(w, 1), e.idx(1));
  Value n = e.stateRow(getCuSeqlens(), bi, t);
  Value xt = e.load(getX(), {bi, t, d});
  Value acc0 = getBias() ? e.load(getBias(), {d}) : e.f32(0);
  Value acc = e.fold(hist, acc0, [&](Value j, Value a) {
    return e.addf(a, e.mulf(e.load(w, {d, j}), e.load(S, {n, j, d})));
  });
  acc = e.addf(acc, e.mulf(e.load(w, {d, hist}), xt));
  if (getActivation() == Activation::silu)
    acc = e.silu(acc);
  e.store(getOutputInit(), acc, {bi, t, d});
  // Shift: state[j] = state[j + 1] for j < W-2, state[W-2] = x_t.
  Value last = e.subi(hist, e.idx(1));
  e.loop(e.idx(0), last, [&](Value j) {
    e.store(S, e.load(S, {n, e.addi(j, e.idx(1)), d}), {n, j, d});
  });
  e.ifThen(e.cmpi(arith::CmpIPredicate::sgt, hist, e.idx(0)),
           [&] { e.store(S, xt, {n, last, d}); });
  return success();
}

//===----------------------------------------------------------------------===//
// Reference loop order: each step sweeps its state while it is in cache
//===----------------------------------------------------------------------===//

// linear_attention and ssd: (b, h, t, v|p); the conv: (b, t, d), so that a
// token's channels are read contiguously; Mamba-1: (b, d, t), a channel's
// N states stay in registers over time.
SmallVector<int64_t> LinearAttentionOp::getReferenceLoopOrder() {
  return {0, 1, 3, 2};
}
// The value columns (innermost in the reference order) are walked by the
// body itself, which computes each step's gates and norms once.
unsigned LinearAttentionOp::getScalarBodyLoops() { return 1; }
SmallVector<int64_t> SSDOp::getReferenceLoopOrder() { return {0, 1, 3, 2}; }
// The head's rows p (innermost in the reference order) are walked by the
// body itself, which computes the step's Δ and decay once.
unsigned SSDOp::getScalarBodyLoops() { return 1; }
SmallVector<int64_t> CausalConv1dOp::getReferenceLoopOrder() {
  return {0, 2, 1};
}
SmallVector<int64_t> SelectiveScanOp::getReferenceLoopOrder() {
  return {0, 1, 2};
}
