//===- WindowedAttention.cpp - loop structure of windowed attention -------===//
//
// neighborhood_attention and sliding_window_attention are parallel over
// (batch, query position, head); the scalar body is one query's softmax over
// its window, in f32. A query's window depends on its position in the whole
// sequence (or grid), so a tile keeps every position: only the batch and
// head loops may be cut (query blocks belong to the online-softmax builder,
// which tracks the offset of each block).
//
//===----------------------------------------------------------------------===//

#include "LoopStructure.h"

#include "seqmix/Dialect/SeqMix/Utils/NeighborhoodWindow.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

using IT = utils::IteratorType;

namespace {

/// Softmax attention of one query over its window, in three passes (max,
/// then sum and weighted values into an f32 row, then normalisation), as
/// the scalar body of every windowed attention op.
struct SoftmaxRow {
  ScalarEmitter &e;
  /// forKeys(body) calls body(key, bias) for every key of the window.
  function_ref<void(function_ref<void(ValueRange, Value)>)> forKeys;
  /// scale * q . k_key
  function_ref<Value(ValueRange)> logit;
  /// v[key, c]
  function_ref<Value(ValueRange, Value)> value;
  /// The f32 row of Dv values is sized like dimension `accDim` of `accLike`.
  Value accLike;
  int64_t accDim;

  /// Writes out(c, value) for c < Dv and the log-sum-exp (-inf and a zero
  /// row when the window is empty, `haveKeys` false).
  void run(Value Dv, Value haveKeys, function_ref<void(Value, Value)> out,
           function_ref<void(Value)> lse) {
    // f32 accumulators allocated once outside the loops.
    Value acc = e.scratch(accLike, accDim);
    Value mx = e.f32(-INFINITY);
    Value mxMem = e.scratch(), sumMem = e.scratch();
    e.store(mxMem, mx, {});
    forKeys([&](ValueRange key, Value bias) {
      e.store(mxMem, e.maxf(e.load(mxMem, {}), e.addf(logit(key), bias)), {});
    });
    mx = e.load(mxMem, {});
    e.store(sumMem, e.f32(0), {});
    e.loop(Dv, [&](Value c) { e.store(acc, e.f32(0), {c}); });
    forKeys([&](ValueRange key, Value bias) {
      Value p = e.exp(e.subf(e.addf(logit(key), bias), mx));
      e.store(sumMem, e.addf(e.load(sumMem, {}), p), {});
      e.loop(Dv, [&](Value c) {
        e.store(acc, e.addf(e.load(acc, {c}), e.mulf(p, value(key, c))), {c});
      });
    });
    Value sum = e.load(sumMem, {});
    Value inv = e.select(haveKeys, e.divf(e.f32(1), sum), e.f32(0));
    e.loop(Dv, [&](Value c) { out(c, e.mulf(e.load(acc, {c}), inv)); });
    lse(e.select(haveKeys, e.addf(mx, e.log(sum)), e.f32(-INFINITY)));
  }
};

SmallVector<Value> concat(ValueRange a, ValueRange b) {
  SmallVector<Value> r(a.begin(), a.end());
  r.append(b.begin(), b.end());
  return r;
}

} // namespace

//===----------------------------------------------------------------------===//
// neighborhood_attention: loops (b, x1..xr, h)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> NeighborhoodAttentionOp::getLoopNames() {
  static const char *axes[] = {"x1", "x2", "x3"};
  SmallVector<StringRef> names = {"b"};
  for (int64_t i = 0; i < getNumSpatialDims(); ++i)
    names.push_back(axes[i]);
  names.push_back("h");
  return names;
}
SmallVector<IT> NeighborhoodAttentionOp::getLoopKinds() {
  return SmallVector<IT>(getNumSpatialDims() + 2, IT::parallel);
}
SmallVector<OpFoldResult> NeighborhoodAttentionOp::getLoopSizes(OpBuilder &b) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, r = getNumSpatialDims(); i < r + 2; ++i)
    sizes.push_back(sizeOf(b, getQ(), i));
  return sizes;
}
OperandLoopDims NeighborhoodAttentionOp::getOperandLoopDims() {
  int64_t r = getNumSpatialDims();
  LoopDim W = LoopDim::whole();
  SmallVector<LoopDim, 4> q, kv = {LoopDim::of(0)}, lse;
  for (int64_t i = 0; i < r + 2; ++i)
    q.push_back(LoopDim::of(i));
  lse = q;
  q.push_back(W);
  kv.append(r, W);
  kv.push_back(LoopDim::groupOf(r + 1));
  kv.push_back(W);
  OperandLoopDims dims = {q, kv, kv};
  if (Value rpb = getRpb()) {
    SmallVector<LoopDim, 4> d = whole(rpb);
    d[0] = LoopDim::of(r + 1);
    dims.push_back(d);
  }
  dims.push_back(q);
  if (getLseInit())
    dims.push_back(lse);
  return dims;
}
bool NeighborhoodAttentionOp::isLoopTileable(unsigned loop) {
  return loop == 0 || loop == getNumSpatialDims() + 1;
}
bool NeighborhoodAttentionOp::isLoopSpreadable(unsigned) { return true; }
bool NeighborhoodAttentionOp::readsInit(unsigned) { return false; }
Value NeighborhoodAttentionOp::getSequenceOffsets() { return {}; }

LogicalResult NeighborhoodAttentionOp::emitScalarBody(OpBuilder &b,
                                                      Location loc,
                                                      ValueRange ivs) {
  ScalarEmitter e{b, loc};
  int64_t r = getNumSpatialDims();
  Value q = getQ(), k = getK(), v = getV(), rpb = getRpb();
  Value bi = ivs[0], h = ivs[r + 1];
  SmallVector<Value> qpos(ivs.begin() + 1, ivs.begin() + 1 + r);
  Value Dqk = e.dim(q, r + 2), Dv = e.dim(v, r + 2);
  Value hk = e.divi(h, e.divi(e.dim(q, r + 1), e.dim(k, r + 1)));
  ArrayRef<int64_t> ks = getKernelSize();
  SmallVector<int64_t> dil = getDilationOrDefault();
  SmallVector<int64_t> str = getStrideOrDefault();
  SmallVector<bool> causal = getIsCausalOrDefault();
  Value scale = e.f32(getScaleValue());
  SmallVector<AxisWindow> win;
  for (int64_t a = 0; a < r; ++a)
    win.push_back(naWindow(e, qpos[a], e.dim(q, 1 + a), ks[a], dil[a], str[a],
                           causal[a]));
  // Key coordinates: group + j * dilation for j in [start, end) per axis.
  auto forKeys = [&](function_ref<void(ValueRange, Value)> body) {
    std::function<void(int64_t, SmallVector<Value>)> rec =
        [&](int64_t a, SmallVector<Value> key) {
          if (a == r) {
            Value bias = e.f32(0);
            if (rpb) {
              SmallVector<Value> ri = {h};
              for (int64_t c = 0; c < r; ++c) {
                // (key - query) / dilation + k - 1, in group coordinates.
                Value kj = e.divi(key[c], e.idx(dil[c]));
                ri.push_back(e.addi(e.subi(kj, win[c].pos), e.idx(ks[c] - 1)));
              }
              bias = e.load(rpb, ri);
            }
            return body(key, bias);
          }
          e.loop(win[a].start, win[a].end, [&](Value j) {
            SmallVector<Value> next = key;
            next.push_back(e.addi(win[a].group, e.muli(j, e.idx(dil[a]))));
            rec(a + 1, next);
          });
        };
    rec(0, {});
  };
  auto logit = [&](ValueRange key) {
    Value dot = e.fold(Dqk, e.f32(0), [&](Value c, Value acc) {
      Value qv = e.load(q, concat(concat(bi, qpos), ValueRange{h, c}));
      Value kv = e.load(k, concat(concat(bi, key), ValueRange{hk, c}));
      return e.addf(acc, e.mulf(qv, kv));
    });
    return e.mulf(scale, dot);
  };
  auto value = [&](ValueRange key, Value c) {
    return e.load(v, concat(concat(bi, key), ValueRange{hk, c}));
  };
  Value o = getOInit(), lse = getLseInit();
  SoftmaxRow{e, forKeys, logit, value, v, r + 2}.run(
      Dv, arith::ConstantIntOp::create(b, loc, 1, 1),
      [&](Value c, Value val) {
        e.store(o, val, concat(concat(bi, qpos), ValueRange{h, c}));
      },
      [&](Value l) {
        if (lse)
          e.store(lse, l, concat(concat(bi, qpos), ValueRange{h}));
      });
  return success();
}

//===----------------------------------------------------------------------===//
// sliding_window_attention: loops (b, i, h)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> SlidingWindowAttentionOp::getLoopNames() {
  return {"b", "i", "h"};
}
SmallVector<IT> SlidingWindowAttentionOp::getLoopKinds() {
  return {IT::parallel, IT::parallel, IT::parallel};
}
SmallVector<OpFoldResult> SlidingWindowAttentionOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getQ(), 0), sizeOf(b, getQ(), 1), sizeOf(b, getQ(), 2)};
}
OperandLoopDims SlidingWindowAttentionOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), I = LoopDim::of(1), H = LoopDim::of(2),
          W = LoopDim::whole();
  OperandLoopDims dims = {{B, I, H, W},
                          {B, W, LoopDim::groupOf(2), W},
                          {B, W, LoopDim::groupOf(2), W},
                          {B, I, H, W}};
  if (getLseInit())
    dims.push_back({B, I, H});
  return dims;
}
bool SlidingWindowAttentionOp::isLoopTileable(unsigned loop) {
  return loop != 1;
}
bool SlidingWindowAttentionOp::isLoopSpreadable(unsigned) { return true; }
bool SlidingWindowAttentionOp::readsInit(unsigned) { return false; }
Value SlidingWindowAttentionOp::getSequenceOffsets() { return {}; }

LogicalResult SlidingWindowAttentionOp::emitScalarBody(OpBuilder &b,
                                                       Location loc,
                                                       ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value q = getQ(), k = getK(), v = getV();
  Value bi = ivs[0], i = ivs[1], h = ivs[2];
  Value Tq = e.dim(q, 1), D = e.dim(q, 3), Tk = e.dim(k, 1), Dv = e.dim(v, 3);
  Value hk = e.divi(h, e.divi(e.dim(q, 2), e.dim(k, 2)));
  int64_t left = getWindowLeftAttr().getInt();
  int64_t right = getWindowRightAttr().getInt();
  Value scale = e.f32(getScaleValue());
  AxisWindow window = swaWindow(e, i, Tq, Tk, left, right);
  Value lo = window.start, hi = window.end;
  auto forKeys = [&](function_ref<void(ValueRange, Value)> body) {
    e.loop(lo, hi, [&](Value j) { body(j, e.f32(0)); });
  };
  auto logit = [&](ValueRange j) {
    Value dot = e.fold(D, e.f32(0), [&](Value c, Value acc) {
      return e.addf(
          acc, e.mulf(e.load(q, {bi, i, h, c}), e.load(k, {bi, j[0], hk, c})));
    });
    return e.mulf(scale, dot);
  };
  auto value = [&](ValueRange j, Value c) {
    return e.load(v, {bi, j[0], hk, c});
  };
  Value o = getOInit(), lse = getLseInit();
  SoftmaxRow{e, forKeys, logit, value, v, 3}.run(
      Dv, e.cmpi(arith::CmpIPredicate::slt, lo, hi),
      [&](Value c, Value val) {
        e.store(o, val, {bi, i, h, c});
      },
      [&](Value l) {
        if (lse)
          e.store(lse, l, {bi, i, h});
      });
  return success();
}

SmallVector<int64_t> NeighborhoodAttentionOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
SmallVector<int64_t> SlidingWindowAttentionOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
