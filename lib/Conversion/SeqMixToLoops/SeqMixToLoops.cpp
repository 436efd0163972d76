//===- SeqMixToLoops.cpp - naive reference lowering of seqmix ops ---------===//
//
// Every op becomes plain scf.for loops over buffers, written from the
// formulas of DESIGN.md one line at a time. Nothing here is tiled or
// vectorized: this lowering is the oracle that optimized lowerings are
// compared with, and the baseline of the benchmarks.
//
// Operands are read through bufferization.to_buffer (read-only, any layout),
// results are memref.alloc'd and handed back with bufferization.to_tensor,
// so One-Shot Bufferize finishes the function around them. All arithmetic is
// f32; quantized operands are dequantized on load.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

namespace mlir::seqmix {
#define GEN_PASS_DEF_CONVERTSEQMIXTOLOOPSPASS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

//===----------------------------------------------------------------------===//
// Emitter: scalar loop building blocks
//===----------------------------------------------------------------------===//

/// A buffer with the element conversion needed to read or write it as f32.
struct Buf {
  Value mem;
  Type elt;         // storage element type
  double scale = 0; // dequantization scale, 0 when not quantized
};

struct Emitter {
  OpBuilder &b;
  Location loc;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divi(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remi(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value mini(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxi(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value maxf(Value x, Value y) { return arith::MaximumFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value log(Value x) { return math::LogOp::create(b, loc, x); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value sigmoid(Value x) { return seqmix::sigmoid(b, loc, x); }
  Value silu(Value x) { return seqmix::silu(b, loc, x); }
  Value toIndex(Value v) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }

  /// Size of dimension `i` of a tensor or memref, constant when static.
  Value dim(Value shaped, int64_t i) {
    auto st = cast<ShapedType>(shaped.getType());
    if (!st.isDynamicDim(i))
      return idx(st.getDimSize(i));
    if (isa<MemRefType>(st))
      return memref::DimOp::create(b, loc, shaped, i);
    return tensor::DimOp::create(b, loc, shaped, i);
  }

  /// Stops with `msg` at run time unless `cond` holds.
  void check(Value cond, StringRef msg) {
    cf::AssertOp::create(b, loc, cond, b.getStringAttr(msg));
  }
  void checkEq(Value x, Value y, StringRef msg) {
    check(cmpi(arith::CmpIPredicate::eq, x, y), msg);
  }

  //===--------------------------------------------------------------------===//
  // Buffers
  //===--------------------------------------------------------------------===//

  /// Read-only view of a tensor operand. Quantized tensors are viewed as
  /// their i8 storage.
  Buf in(Value tensor) {
    auto tt = cast<RankedTensorType>(tensor.getType());
    Buf buf;
    buf.elt = tt.getElementType();
    if (auto q = dyn_cast<quant::UniformQuantizedType>(buf.elt)) {
      buf.elt = q.getStorageType();
      buf.scale = q.getScale();
      tensor = quant::StorageCastOp::create(
          b, loc, RankedTensorType::get(tt.getShape(), buf.elt), tensor);
    }
    // A fully dynamic layout accepts whatever buffer the producer has.
    SmallVector<int64_t> strides(tt.getRank(), ShapedType::kDynamic);
    auto layout =
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides);
    auto type = MemRefType::get(tt.getShape(), buf.elt, layout);
    buf.mem = bufferization::ToBufferOp::create(b, loc, type, tensor,
                                                /*read_only=*/true);
    return buf;
  }
  Buf inOpt(Value tensor) { return tensor ? in(tensor) : Buf{}; }

  /// A fresh buffer for a result of type `type` whose sizes are `sizes`.
  Buf out(Type type, ArrayRef<Value> sizes) {
    auto tt = cast<RankedTensorType>(type);
    Buf buf;
    buf.elt = tt.getElementType();
    if (auto q = dyn_cast<quant::UniformQuantizedType>(buf.elt)) {
      buf.elt = q.getStorageType();
      buf.scale = q.getScale();
    }
    SmallVector<Value> dyn;
    for (auto [i, s] : llvm::enumerate(sizes))
      if (tt.isDynamicDim(i))
        dyn.push_back(s);
    buf.mem = memref::AllocOp::create(
        b, loc, MemRefType::get(tt.getShape(), buf.elt), dyn);
    return buf;
  }
  /// f32 scratch memory of the given sizes (freed by the buffer
  /// deallocation pipeline, which owns every allocation).
  Value scratch(ArrayRef<Value> sizes) {
    SmallVector<int64_t> shape;
    SmallVector<Value> dyn;
    for (Value s : sizes) {
      std::optional<int64_t> c = getConstantIntValue(s);
      shape.push_back(c ? *c : ShapedType::kDynamic);
      if (!c)
        dyn.push_back(s);
    }
    return memref::AllocOp::create(
        b, loc, MemRefType::get(shape, b.getF32Type()), dyn);
  }

  /// The tensor of result type `type` holding `buf`.
  Value finish(const Buf &buf, Type type) {
    auto tt = cast<RankedTensorType>(type);
    Type storageTensor = RankedTensorType::get(tt.getShape(), buf.elt);
    Value t = bufferization::ToTensorOp::create(
        b, loc, storageTensor, buf.mem, b.getUnitAttr(), b.getUnitAttr());
    if (storageTensor != type)
      t = quant::StorageCastOp::create(b, loc, type, t);
    return t;
  }

  /// Replaces `op` with its results: each present result value gets the
  /// tensor of its buffer.
  void replace(Operation *op, ArrayRef<std::pair<const Buf *, Value>> results) {
    SmallVector<Value> repl;
    for (auto [buf, result] : results)
      if (result)
        repl.push_back(finish(*buf, result.getType()));
    op->replaceAllUsesWith(repl);
  }

  /// Loads as f32 (widening, or dequantizing int8 storage).
  Value load(const Buf &buf, ValueRange indices) {
    Value v = memref::LoadOp::create(b, loc, buf.mem, indices);
    return toF32(v, buf);
  }
  Value load(Value mem, ValueRange indices) {
    return memref::LoadOp::create(b, loc, mem, indices);
  }
  Value toF32(Value v, const Buf &buf) {
    return seqmix::toF32(b, loc, v, buf.scale);
  }
  /// Stores an f32 value, narrowing or quantizing
  /// (round half to even, clamp to [-128, 127]) as the buffer needs.
  void store(const Buf &buf, Value v, ValueRange indices) {
    memref::StoreOp::create(b, loc, seqmix::fromF32(b, loc, v, buf.elt, buf.scale),
                            buf.mem, indices);
  }
  void store(Value mem, Value v, ValueRange indices) {
    memref::StoreOp::create(b, loc, v, mem, indices);
  }
  /// Loads an integer (i32/i64) element as an index.
  Value loadIndex(const Buf &buf, ValueRange indices) {
    return toIndex(memref::LoadOp::create(b, loc, buf.mem, indices));
  }

  //===--------------------------------------------------------------------===//
  // Control flow
  //===--------------------------------------------------------------------===//

  /// for (iv = lb; iv < ub; ++iv) body(iv)
  void loop(Value lb, Value ub, function_ref<void(Value)> body) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, idx(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }
  void loop(Value ub, function_ref<void(Value)> body) {
    loop(idx(0), ub, body);
  }
  /// Nested loops over [0, ubs[i]).
  void loops(ArrayRef<Value> ubs, function_ref<void(ValueRange)> body,
             SmallVector<Value> ivs = {}) {
    if (ubs.empty())
      return body(ivs);
    loop(ubs.front(), [&](Value iv) {
      SmallVector<Value> next = ivs;
      next.push_back(iv);
      loops(ubs.drop_front(), body, next);
    });
  }
  void ifThen(Value cond, function_ref<void()> then) {
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    then();
  }
  /// cond ? then() : otherwise(), evaluating only the chosen side.
  Value ifElse(Value cond, function_ref<Value()> then,
               function_ref<Value()> otherwise) {
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()}, cond,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, otherwise());
    return ifOp.getResult(0);
  }

  /// A scalar f32 accumulator (a rank-0 scratch buffer).
  struct Acc {
    Emitter &e;
    Value mem;
    Value get() { return memref::LoadOp::create(e.b, e.loc, mem); }
    void set(Value v) { memref::StoreOp::create(e.b, e.loc, v, mem); }
    void add(Value v) { set(e.addf(get(), v)); }
  };
  Acc acc() {
    return Acc{*this, memref::AllocaOp::create(
                          b, loc, MemRefType::get({}, b.getF32Type()))};
  }

  //===--------------------------------------------------------------------===//
  // Sequences
  //===--------------------------------------------------------------------===//

  /// Stops unless `offs` (count + 1 offsets) starts at 0, does not
  /// decrease and ends at `total` (named `totalName` in the message).
  void checkOffsets(const Buf &offs, Value count, Value total, StringRef name,
                    StringRef totalName) {
    std::string what = ("seqmix: " + name).str();
    checkEq(loadIndex(offs, idx(0)), idx(0), what + " must start at 0");
    loop(count, [&](Value n) {
      Value lo = loadIndex(offs, n), hi = loadIndex(offs, addi(n, idx(1)));
      check(cmpi(arith::CmpIPredicate::sle, lo, hi),
            what + " must be non-decreasing");
    });
    checkEq(loadIndex(offs, count), total,
            what + " must end at " + totalName.str());
  }

  /// The checked view of a cu_seqlens operand: a batch of 1 and offsets
  /// from 0 to T, verified before anything reads through them.
  Buf seqlens(Value cu, Value batch, Value time) {
    Buf offs = in(cu);
    checkEq(batch, idx(1), "seqmix: cu_seqlens needs a batch of 1");
    checkOffsets(offs, numSequences(cu, batch), time, "cu_seqlens", "T");
    return offs;
  }

  /// Calls body(n, b, start, end) for every sequence: the batch rows when
  /// `cu` is absent, else the packed sequences of batch row 0.
  void sequences(Value cu, Value batch, Value time,
                 function_ref<void(Value, Value, Value, Value)> body) {
    if (!cu) {
      loop(batch, [&](Value n) { body(n, n, idx(0), time); });
      return;
    }
    Buf offs = seqlens(cu, batch, time);
    loop(numSequences(cu, batch), [&](Value n) {
      body(n, idx(0), loadIndex(offs, n), loadIndex(offs, addi(n, idx(1))));
    });
  }
  Value numSequences(Value cu, Value batch) {
    return cu ? subi(dim(cu, 0), idx(1)) : batch;
  }
};

//===----------------------------------------------------------------------===//
// Linear recurrences
//===----------------------------------------------------------------------===//

/// linear_attention: S_t = diag(exp g_t) S_{t-1} + k_t^T v_t (or the delta
/// rule), o_t = scale q_t S_t, one head and one sequence at a time.
void lowerLinearAttention(LinearAttentionOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf q = e.in(op.getQ()), k = e.in(op.getK()), v = e.in(op.getV());
  Value B = e.dim(op.getQ(), 0), T = e.dim(op.getQ(), 1);
  Value Hqk = e.dim(op.getQ(), 2), K = e.dim(op.getQ(), 3);
  Value H = e.dim(op.getV(), 2), V = e.dim(op.getV(), 3);
  e.checkEq(e.dim(op.getK(), 1), T, "seqmix.linear_attention: k and q differ in T");
  e.checkEq(e.dim(op.getV(), 1), T, "seqmix.linear_attention: v and q differ in T");
  Value group = e.divi(H, Hqk);
  Value gate = op.getLogDecay(), beta = op.getBeta();
  int64_t gateRank =
      gate ? cast<RankedTensorType>(gate.getType()).getRank() : 0;
  Buf g = e.inOpt(gate), bt = e.inOpt(beta);
  Buf init = e.inOpt(op.getInitialState());
  bool vk = op.getStateLayout() == StateLayout::vk;
  bool l2 = op.getQkNorm() == QKNorm::l2;
  Value N = e.numSequences(op.getCuSeqlens(), B);
  if (op.getInitialState())
    e.checkEq(e.dim(op.getInitialState(), 0), N,
              "seqmix.linear_attention: initial_state rows != sequences");

  Buf o = e.out(op.getO().getType(), {B, T, H, V});
  Buf fin;
  if (Value fs = op.getFinalState())
    fin = e.out(fs.getType(), vk ? SmallVector<Value>{N, H, V, K}
                                 : SmallVector<Value>{N, H, K, V});
  Value S = e.scratch({K, V});
  Value u = e.scratch({V});
  auto acc = e.acc();
  Value scale = e.f32(op.getScale().convertToFloat());
  auto stateIdx = [&](Value n, Value h, Value i, Value j) {
    return vk ? SmallVector<Value>{n, h, j, i} : SmallVector<Value>{n, h, i, j};
  };
  // 1 / sqrt(sum x^2 + 1e-6) over the K axis, or 1 without qk_norm.
  auto invNorm = [&](const Buf &x, Value bi, Value t, Value hq) -> Value {
    if (!l2)
      return e.f32(1);
    acc.set(e.f32(0));
    e.loop(K, [&](Value i) {
      Value xi = e.load(x, {bi, t, hq, i});
      acc.add(e.mulf(xi, xi));
    });
    return e.divf(e.f32(1), e.sqrt(e.addf(acc.get(), e.f32(1e-6))));
  };

  e.sequences(op.getCuSeqlens(), B, T,
              [&](Value n, Value bi, Value start, Value end) {
    e.loop(H, [&](Value h) {
      Value hq = e.divi(h, group);
      e.loops({K, V}, [&](ValueRange ij) {
        Value s0 = op.getInitialState()
                       ? e.load(init, stateIdx(n, h, ij[0], ij[1]))
                       : e.f32(0);
        e.store(S, s0, ij);
      });
      e.loop(start, end, [&](Value t) {
        Value qs = invNorm(q, bi, t, hq), ks = invNorm(k, bi, t, hq);
        auto decay = [&](Value i) -> Value {
          if (gateRank == 1)
            return e.exp(e.load(g, {h}));
          if (gateRank == 3)
            return e.exp(e.load(g, {bi, t, h}));
          if (gateRank == 4)
            return e.exp(e.load(g, {bi, t, h, i}));
          return e.f32(1);
        };
        auto kAt = [&](Value i) { return e.mulf(e.load(k, {bi, t, hq, i}), ks); };
        if (beta) {
          // S' = diag(exp g) S; S += k^T (beta (v - k S')).
          e.loop(K, [&](Value i) {
            Value d = decay(i);
            e.loop(V, [&](Value j) {
              e.store(S, e.mulf(d, e.load(S, {i, j})), {i, j});
            });
          });
          Value bv = e.load(bt, {bi, t, h});
          e.loop(V, [&](Value j) {
            acc.set(e.f32(0));
            e.loop(K, [&](Value i) { acc.add(e.mulf(kAt(i), e.load(S, {i, j}))); });
            Value vj = e.load(v, {bi, t, h, j});
            e.store(u, e.mulf(bv, e.subf(vj, acc.get())), {j});
          });
          e.loops({K, V}, [&](ValueRange ij) {
            Value upd = e.mulf(kAt(ij[0]), e.load(u, {ij[1]}));
            e.store(S, e.addf(e.load(S, ij), upd), ij);
          });
        } else {
          e.loop(K, [&](Value i) {
            Value d = decay(i), ki = kAt(i);
            e.loop(V, [&](Value j) {
              Value s = e.mulf(d, e.load(S, {i, j}));
              s = e.addf(s, e.mulf(ki, e.load(v, {bi, t, h, j})));
              e.store(S, s, {i, j});
            });
          });
        }
        e.loop(V, [&](Value j) {
          acc.set(e.f32(0));
          e.loop(K, [&](Value i) {
            Value qi = e.mulf(e.load(q, {bi, t, hq, i}), qs);
            acc.add(e.mulf(qi, e.load(S, {i, j})));
          });
          e.store(o, e.mulf(scale, acc.get()), {bi, t, h, j});
        });
      });
      if (op.getFinalState())
        e.loops({K, V}, [&](ValueRange ij) {
          e.store(fin, e.load(S, ij), stateIdx(n, h, ij[0], ij[1]));
        });
    });
  });
  e.replace(op, {{&o, op.getO()}, {&fin, op.getFinalState()}});
}

/// The Mamba Δ of channel (or head) `ch`, from its optional bias and
/// threshold buffers.
Value mambaDelta(Emitter &e, Value raw, const Buf &bias, const Buf &thr,
                 Value ch, bool softplus, std::optional<ArrayRef<float>> limit) {
  return seqmix::mambaDelta(e.b, e.loc, raw,
                            bias.mem ? e.load(bias, {ch}) : Value(),
                            thr.mem ? e.load(thr, {ch}) : Value(), softplus,
                            limit);
}

/// selective_scan (Mamba-1): one channel and one sequence at a time.
void lowerSelectiveScan(SelectiveScanOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf u = e.in(op.getU()), dt = e.in(op.getDelta()), A = e.in(op.getA());
  Buf Bm = e.in(op.getB()), Cm = e.in(op.getC());
  Buf D = e.inOpt(op.getD()), z = e.inOpt(op.getZ());
  Buf bias = e.inOpt(op.getDeltaBias()), thr = e.inOpt(op.getDeltaThreshold());
  Buf init = e.inOpt(op.getInitialState());
  Value B = e.dim(op.getU(), 0), T = e.dim(op.getU(), 1);
  Value Dn = e.dim(op.getU(), 2), N = e.dim(op.getA(), 1);
  Value G = e.dim(op.getB(), 2);
  e.checkEq(e.dim(op.getB(), 1), T, "seqmix.selective_scan: B and u differ in T");
  e.checkEq(e.dim(op.getC(), 1), T, "seqmix.selective_scan: C and u differ in T");
  Value perGroup = e.divi(Dn, G);
  Value Ns = e.numSequences(op.getCuSeqlens(), B);
  Buf y = e.out(op.getY().getType(), {B, T, Dn});
  Buf fin;
  if (Value fs = op.getFinalState())
    fin = e.out(fs.getType(), {Ns, Dn, N});
  Value h = e.scratch({N});
  auto acc = e.acc();

  e.sequences(op.getCuSeqlens(), B, T,
              [&](Value n, Value bi, Value start, Value end) {
    e.loop(Dn, [&](Value d) {
      Value g = e.divi(d, perGroup);
      e.loop(N, [&](Value s) {
        e.store(h, init.mem ? e.load(init, {n, d, s}) : e.f32(0), {s});
      });
      e.loop(start, end, [&](Value t) {
        Value ut = e.load(u, {bi, t, d});
        Value delta = mambaDelta(e, e.load(dt, {bi, t, d}), bias, thr, d,
                                 op.getDeltaSoftplus(), std::nullopt);
        acc.set(e.f32(0));
        e.loop(N, [&](Value s) {
          Value decay = e.exp(e.mulf(delta, e.load(A, {d, s})));
          Value in = e.mulf(e.mulf(delta, e.load(Bm, {bi, t, g, s})), ut);
          Value hs = e.addf(e.mulf(decay, e.load(h, {s})), in);
          e.store(h, hs, {s});
          acc.add(e.mulf(e.load(Cm, {bi, t, g, s}), hs));
        });
        Value yt = acc.get();
        if (D.mem)
          yt = e.addf(yt, e.mulf(e.load(D, {d}), ut));
        if (z.mem)
          yt = e.mulf(yt, e.silu(e.load(z, {bi, t, d})));
        e.store(y, yt, {bi, t, d});
      });
      if (fin.mem)
        e.loop(N, [&](Value s) { e.store(fin, e.load(h, {s}), {n, d, s}); });
    });
  });
  e.replace(op, {{&y, op.getY()}, {&fin, op.getFinalState()}});
}

/// ssd (Mamba-2), directly from its recurrence (not through
/// linear_attention, so the two paths check each other).
void lowerSSD(SSDOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf x = e.in(op.getX()), dt = e.in(op.getDt()), A = e.in(op.getA());
  Buf Bm = e.in(op.getB()), Cm = e.in(op.getC());
  Buf D = e.inOpt(op.getD()), z = e.inOpt(op.getZ());
  Buf bias = e.inOpt(op.getDtBias()), thr = e.inOpt(op.getDeltaThreshold());
  Buf init = e.inOpt(op.getInitialState());
  bool dPerChannel =
      op.getD() && cast<RankedTensorType>(op.getD().getType()).getRank() == 2;
  Value B = e.dim(op.getX(), 0), T = e.dim(op.getX(), 1);
  Value H = e.dim(op.getX(), 2), P = e.dim(op.getX(), 3);
  Value G = e.dim(op.getB(), 2), N = e.dim(op.getB(), 3);
  e.checkEq(e.dim(op.getB(), 1), T, "seqmix.ssd: B and x differ in T");
  e.checkEq(e.dim(op.getC(), 1), T, "seqmix.ssd: C and x differ in T");
  Value perGroup = e.divi(H, G);
  Value Ns = e.numSequences(op.getCuSeqlens(), B);
  Buf y = e.out(op.getY().getType(), {B, T, H, P});
  Buf fin;
  if (Value fs = op.getFinalState())
    fin = e.out(fs.getType(), {Ns, H, P, N});
  Value S = e.scratch({P, N});
  auto acc = e.acc();

  e.sequences(op.getCuSeqlens(), B, T,
              [&](Value n, Value bi, Value start, Value end) {
    e.loop(H, [&](Value h) {
      Value g = e.divi(h, perGroup);
      e.loops({P, N}, [&](ValueRange ps) {
        e.store(S, init.mem ? e.load(init, {n, h, ps[0], ps[1]}) : e.f32(0),
                ps);
      });
      e.loop(start, end, [&](Value t) {
        Value delta = mambaDelta(e, e.load(dt, {bi, t, h}), bias, thr, h,
                                 op.getDtSoftplus(), op.getDtLimit());
        Value decay = e.exp(e.mulf(delta, e.load(A, {h})));
        e.loop(P, [&](Value p) {
          Value xt = e.load(x, {bi, t, h, p});
          acc.set(e.f32(0));
          e.loop(N, [&](Value s) {
            Value in = e.mulf(e.mulf(delta, xt), e.load(Bm, {bi, t, g, s}));
            Value hs = e.addf(e.mulf(decay, e.load(S, {p, s})), in);
            e.store(S, hs, {p, s});
            acc.add(e.mulf(e.load(Cm, {bi, t, g, s}), hs));
          });
          Value yt = acc.get();
          if (D.mem)
            yt = e.addf(yt, e.mulf(dPerChannel ? e.load(D, {h, p})
                                               : e.load(D, {h}),
                                   xt));
          if (z.mem)
            yt = e.mulf(yt, e.silu(e.load(z, {bi, t, h, p})));
          e.store(y, yt, {bi, t, h, p});
        });
      });
      if (fin.mem)
        e.loops({P, N}, [&](ValueRange ps) {
          e.store(fin, e.load(S, ps), {n, h, ps[0], ps[1]});
        });
    });
  });
  e.replace(op, {{&y, op.getY()}, {&fin, op.getFinalState()}});
}

/// causal_conv1d: y_t = bias + sum_j w[:, j] x_{t-W+1+j}; history before a
/// sequence start comes from initial_state (row W-1+tt for tt < 0) or is 0.
void lowerCausalConv1d(CausalConv1dOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf x = e.in(op.getX()), w = e.in(op.getW());
  Buf bias = e.inOpt(op.getBias()), init = e.inOpt(op.getInitialState());
  Value B = e.dim(op.getX(), 0), T = e.dim(op.getX(), 1);
  Value Dn = e.dim(op.getX(), 2), W = e.dim(op.getW(), 1);
  Value hist = e.subi(W, e.idx(1));
  Value Ns = e.numSequences(op.getCuSeqlens(), B);
  Buf y = e.out(op.getY().getType(), {B, T, Dn});
  Buf fin;
  if (Value fs = op.getFinalState())
    fin = e.out(fs.getType(), {Ns, hist, Dn});
  auto acc = e.acc();
  bool silu = op.getActivation() == Activation::silu;

  // x at position tt relative to the sequence start (tt may be negative).
  auto at = [&](Value n, Value bi, Value start, Value tt, Value d) {
    Value inSeq = e.cmpi(arith::CmpIPredicate::sge, tt, e.idx(0));
    return e.ifElse(
        inSeq, [&] { return e.load(x, {bi, e.addi(start, tt), d}); },
        [&] {
          if (!init.mem)
            return e.f32(0);
          return e.load(init, {n, e.addi(hist, tt), d});
        });
  };
  e.sequences(op.getCuSeqlens(), B, T,
              [&](Value n, Value bi, Value start, Value end) {
    e.loop(start, end, [&](Value t) {
      Value rel = e.subi(t, start);
      e.loop(Dn, [&](Value d) {
        acc.set(bias.mem ? e.load(bias, {d}) : e.f32(0));
        e.loop(W, [&](Value j) {
          Value tt = e.addi(e.subi(rel, hist), j);
          acc.add(e.mulf(e.load(w, {d, j}), at(n, bi, start, tt, d)));
        });
        Value yt = silu ? e.silu(acc.get()) : acc.get();
        e.store(y, yt, {bi, t, d});
      });
    });
    if (fin.mem) {
      Value len = e.subi(end, start);
      e.loops({hist, Dn}, [&](ValueRange id) {
        Value tt = e.addi(e.subi(len, hist), id[0]);
        e.store(fin, at(n, bi, start, tt, id[1]), {n, id[0], id[1]});
      });
    }
  });
  e.replace(op, {{&y, op.getY()}, {&fin, op.getFinalState()}});
}

//===----------------------------------------------------------------------===//
// Memory routing
//===----------------------------------------------------------------------===//

/// route: scores, then k rounds of "largest not yet taken", strict > so
/// ties go to the lower memory index.
void lowerRoute(RouteOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf logits = e.in(op.getLogits());
  Value B = e.dim(op.getLogits(), 0), T = e.dim(op.getLogits(), 1);
  Value M = e.dim(op.getLogits(), 2);
  int64_t k = op.getTopKAttr().getInt();
  Value K = e.idx(k);
  Buf idxOut = e.out(op.getIndices().getType(), {B, T, K});
  Buf wOut = e.out(op.getWeights().getType(), {B, T, K});
  Value score = e.scratch({M}), taken = e.scratch({M});
  auto best = e.acc(), bestIdx = e.acc(), total = e.acc(), sum = e.acc();
  bool softmax = op.getScore() == RouteScore::softmax;

  e.loops({B, T}, [&](ValueRange bt) {
    auto logit = [&](Value m) { return e.load(logits, {bt[0], bt[1], m}); };
    if (softmax) {
      best.set(e.f32(-INFINITY));
      e.loop(M, [&](Value m) { best.set(e.maxf(best.get(), logit(m))); });
      sum.set(e.f32(0));
      e.loop(M, [&](Value m) {
        Value p = e.exp(e.subf(logit(m), best.get()));
        e.store(score, p, {m});
        sum.add(p);
      });
      e.loop(M, [&](Value m) {
        e.store(score, e.divf(e.load(score, {m}), sum.get()), {m});
      });
    } else {
      e.loop(M, [&](Value m) { e.store(score, e.sigmoid(logit(m)), {m}); });
    }
    e.loop(M, [&](Value m) { e.store(taken, e.f32(0), {m}); });
    total.set(e.f32(0));
    e.loop(K, [&](Value j) {
      best.set(e.f32(-INFINITY));
      bestIdx.set(e.f32(-1));
      e.loop(M, [&](Value m) {
        Value s = e.load(score, {m});
        Value free_ = e.cmpf(arith::CmpFPredicate::OEQ, e.load(taken, {m}),
                             e.f32(0));
        Value none = e.cmpf(arith::CmpFPredicate::OLT, bestIdx.get(), e.f32(0));
        Value better = e.cmpf(arith::CmpFPredicate::OGT, s, best.get());
        Value pick = arith::AndIOp::create(
            b, e.loc, free_, arith::OrIOp::create(b, e.loc, none, better));
        e.ifThen(pick, [&] {
          best.set(s);
          bestIdx.set(arith::UIToFPOp::create(
              b, e.loc, b.getF32Type(),
              arith::IndexCastOp::create(b, e.loc, b.getI32Type(), m)));
        });
      });
      Value m = e.toIndex(arith::FPToSIOp::create(b, e.loc, b.getI32Type(),
                                                  bestIdx.get()));
      e.store(taken, e.f32(1), {m});
      e.store(idxOut.mem,
              arith::IndexCastOp::create(b, e.loc, idxOut.elt, m),
              {bt[0], bt[1], j});
      e.store(wOut, best.get(), {bt[0], bt[1], j});
      total.add(best.get());
    });
    if (op.getRenormalize())
      e.loop(K, [&](Value j) {
        Value wj = e.load(wOut, {bt[0], bt[1], j});
        e.store(wOut, e.divf(wj, total.get()), {bt[0], bt[1], j});
      });
  });
  e.replace(op, {{&idxOut, op.getIndices()}, {&wOut, op.getWeights()}});
}

/// Feature loops over the trailing axes of `t` from axis `first`.
SmallVector<Value> featureDims(Emitter &e, Value t, int64_t first) {
  SmallVector<Value> dims;
  for (int64_t i = first, r = cast<ShapedType>(t.getType()).getRank(); i < r;
       ++i)
    dims.push_back(e.dim(t, i));
  return dims;
}
SmallVector<Value> concat(ValueRange a, ValueRange b) {
  SmallVector<Value> r(a.begin(), a.end());
  r.append(b.begin(), b.end());
  return r;
}

/// dispatch: a counting sort by (b, m) that visits (t, j) in order, hence
/// stable.
void lowerDispatch(DispatchOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf x = e.in(op.getX()), ind = e.in(op.getIndices());
  Value B = e.dim(op.getX(), 0), T = e.dim(op.getX(), 1);
  Value K = e.dim(op.getIndices(), 2);
  Value M = e.idx(op.getNumMemoriesAttr().getInt());
  SmallVector<Value> feat = featureDims(e, op.getX(), 2);
  Value R = e.muli(e.muli(B, T), K), S = e.muli(B, M);
  Buf packed = e.out(op.getPacked().getType(), concat(ValueRange{R}, feat));
  Buf offsets = e.out(op.getOffsets().getType(), {e.addi(S, e.idx(1))});
  Buf rows = e.out(op.getRows().getType(), {R});
  // Counts and cursors as index values in f32-free scratch (memref<?xindex>).
  auto idxScratch = [&](Value n) {
    return memref::AllocOp::create(
        b, e.loc, MemRefType::get({ShapedType::kDynamic}, b.getIndexType()),
        ValueRange{n});
  };
  Value cursor = idxScratch(e.addi(S, e.idx(1)));
  e.loop(e.addi(S, e.idx(1)), [&](Value s) { e.store(cursor, e.idx(0), {s}); });
  auto memoryOf = [&](Value bi, Value t, Value j) {
    Value m = e.loadIndex(ind, {bi, t, j});
    e.check(e.cmpi(arith::CmpIPredicate::ult, m, M),
            "seqmix.dispatch: memory index out of [0, num_memories)");
    return m;
  };
  // cursor[s + 1] = number of slots routed to segment s.
  e.loops({B, T, K}, [&](ValueRange btj) {
    Value s = e.addi(e.muli(btj[0], M), memoryOf(btj[0], btj[1], btj[2]));
    Value next = e.addi(s, e.idx(1));
    e.store(cursor, e.addi(e.load(cursor, {next}), e.idx(1)), {next});
  });
  // Prefix sums give the segment starts.
  e.loop(S, [&](Value s) {
    Value next = e.addi(s, e.idx(1));
    e.store(cursor, e.addi(e.load(cursor, {next}), e.load(cursor, {s})),
            {next});
  });
  e.loop(e.addi(S, e.idx(1)), [&](Value s) {
    e.store(offsets.mem,
            arith::IndexCastOp::create(b, e.loc, offsets.elt,
                                       e.load(cursor, {s})),
            {s});
  });
  e.loops({B, T, K}, [&](ValueRange btj) {
    Value s = e.addi(e.muli(btj[0], M), memoryOf(btj[0], btj[1], btj[2]));
    Value r = e.load(cursor, {s});
    e.store(cursor, e.addi(r, e.idx(1)), {s});
    Value slot = e.addi(e.muli(e.addi(e.muli(btj[0], T), btj[1]), K), btj[2]);
    e.store(rows.mem, arith::IndexCastOp::create(b, e.loc, rows.elt, slot),
            {r});
    e.loops(feat, [&](ValueRange f) {
      Value v = memref::LoadOp::create(b, e.loc, x.mem,
                                       concat(ValueRange{btj[0], btj[1]}, f));
      memref::StoreOp::create(b, e.loc, v, packed.mem,
                              concat(ValueRange{r}, f));
    });
  });
  e.replace(op, {{&packed, op.getPacked()},
                 {&offsets, op.getOffsets()},
                 {&rows, op.getRows()}});
}

void lowerSegmentMatmul(SegmentMatmulOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf p = e.in(op.getPacked()), w = e.in(op.getWeight());
  Buf offs = e.in(op.getOffsets());
  Value R = e.dim(op.getPacked(), 0), Din = e.dim(op.getPacked(), 1);
  Value M = e.dim(op.getWeight(), 0), Dout = e.dim(op.getWeight(), 2);
  Value S = e.subi(e.dim(op.getOffsets(), 0), e.idx(1));
  e.checkOffsets(offs, S, R, "segment_matmul offsets", "R");
  Buf out = e.out(op.getResult().getType(), {R, Dout});
  auto acc = e.acc();
  e.loop(S, [&](Value s) {
    Value m = e.remi(s, M);
    Value lo = e.loadIndex(offs, s), hi = e.loadIndex(offs, e.addi(s, e.idx(1)));
    e.loop(lo, hi, [&](Value r) {
      e.loop(Dout, [&](Value c) {
        acc.set(e.f32(0));
        e.loop(Din, [&](Value i) {
          acc.add(e.mulf(e.load(p, {r, i}), e.load(w, {m, i, c})));
        });
        e.store(out, acc.get(), {r, c});
      });
    });
  });
  e.replace(op, {{&out, op.getResult()}});
}

/// combine: out[b, t] = sum_j w[b, t, j] packed[row(b, t, j)], accumulated
/// in f32 by scattering each packed row to the slot it came from.
void lowerCombine(CombineOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf p = e.in(op.getPacked()), rows = e.in(op.getRows());
  Buf w = e.in(op.getWeights());
  Value B = e.dim(op.getWeights(), 0), T = e.dim(op.getWeights(), 1);
  Value K = e.dim(op.getWeights(), 2), R = e.dim(op.getPacked(), 0);
  SmallVector<Value> feat = featureDims(e, op.getPacked(), 1);
  SmallVector<Value> outDims = concat(ValueRange{B, T}, feat);
  Value sum = e.scratch(outDims);
  e.loops(outDims, [&](ValueRange i) { e.store(sum, e.f32(0), i); });
  Value slots = e.muli(e.muli(B, T), K);
  e.checkEq(R, slots, "seqmix.combine: packed rows != B*T*k");
  e.loop(R, [&](Value r) {
    Value slot = e.loadIndex(rows, {r});
    e.check(e.cmpi(arith::CmpIPredicate::ult, slot, slots),
            "seqmix.combine: row index out of [0, B*T*k)");
    Value j = e.remi(slot, K), bt = e.divi(slot, K);
    Value t = e.remi(bt, T), bi = e.divi(bt, T);
    Value wj = e.load(w, {bi, t, j});
    e.loops(feat, [&](ValueRange f) {
      SmallVector<Value> o = concat(ValueRange{bi, t}, f);
      Value v = e.mulf(wj, e.load(p, concat(ValueRange{r}, f)));
      e.store(sum, e.addf(e.load(sum, o), v), o);
    });
  });
  Buf out = e.out(op.getResult().getType(), outDims);
  e.loops(outDims, [&](ValueRange i) { e.store(out, e.load(sum, i), i); });
  e.replace(op, {{&out, op.getResult()}});
}

//===----------------------------------------------------------------------===//
// Windowed attention
//===----------------------------------------------------------------------===//

/// Softmax attention of one query over a box of keys, in three passes
/// (max, then sum and weighted values). `forKeys(body)` calls body(keyIdx,
/// bias) for every key of the window; `logit(keyIdx)` is scale * q.k.
struct SoftmaxRow {
  Emitter &e;
  Value acc; // f32 [Dv] scratch

  void run(function_ref<void(function_ref<void(ValueRange, Value)>)> forKeys,
           function_ref<Value(ValueRange)> logit,
           function_ref<Value(ValueRange, Value)> value, Value Dv,
           function_ref<void(Value, Value)> store, function_ref<void(Value)> lse,
           Value haveKeys) {
    auto mx = e.acc(), sum = e.acc();
    mx.set(e.f32(-INFINITY));
    forKeys([&](ValueRange key, Value bias) {
      mx.set(e.maxf(mx.get(), e.addf(logit(key), bias)));
    });
    sum.set(e.f32(0));
    e.loop(Dv, [&](Value c) { e.store(acc, e.f32(0), {c}); });
    forKeys([&](ValueRange key, Value bias) {
      Value p = e.exp(e.subf(e.addf(logit(key), bias), mx.get()));
      sum.add(p);
      e.loop(Dv, [&](Value c) {
        e.store(acc, e.addf(e.load(acc, {c}), e.mulf(p, value(key, c))), {c});
      });
    });
    // A row with no key at all gives 0 and lse = -inf.
    Value inv = e.select(haveKeys, e.divf(e.f32(1), sum.get()), e.f32(0));
    e.loop(Dv, [&](Value c) { store(c, e.mulf(e.load(acc, {c}), inv)); });
    lse(e.select(haveKeys, e.addf(mx.get(), e.log(sum.get())),
                 e.f32(-INFINITY)));
  }
};

/// One axis of a neighborhood: the key window [start, end) in the query's
/// dilation group (NATTEN's rule), and the group of the query.
struct AxisWindow {
  Value group, pos, start, end;
};

AxisWindow naWindow(Emitter &e, Value x, Value L, int64_t k, int64_t d,
                    int64_t s, bool causal) {
  Value dv = e.idx(d);
  Value g = e.remi(x, dv), i = e.divi(x, dv);
  // Group length ceil((L - g) / d).
  Value lg = e.divi(e.addi(e.subi(L, g), e.idx(d - 1)), dv);
  Value first = e.muli(e.divi(i, e.idx(s)), e.idx(s));
  Value last = e.subi(lg, e.idx(1));
  AxisWindow w{g, i, {}, {}};
  if (causal) {
    Value leader = e.mini(e.addi(first, e.idx(s - 1)), last);
    w.start = e.maxi(e.subi(leader, e.idx(k - 1)), e.idx(0));
    w.end = e.mini(e.addi(i, e.idx(1)), lg);
    return w;
  }
  int64_t wl = k / 2, wr = k / 2 + (k % 2) - 1;
  Value leader = e.mini(e.addi(first, e.idx(s / 2)), last);
  Value start = e.maxi(e.subi(leader, e.idx(wl)), e.idx(0));
  // Shift left when the window would run past the end of the group.
  Value over = e.cmpi(arith::CmpIPredicate::sge, e.addi(leader, e.idx(wr)), lg);
  Value shift = e.subi(e.subi(e.subi(lg, e.idx(wr)), leader), e.idx(1));
  w.start = e.select(over, e.addi(start, shift), start);
  w.end = e.addi(w.start, e.idx(k));
  return w;
}

void lowerNeighborhoodAttention(NeighborhoodAttentionOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf q = e.in(op.getQ()), k = e.in(op.getK()), v = e.in(op.getV());
  Buf rpb = e.inOpt(op.getRpb());
  int64_t r = op.getNumSpatialDims();
  Value B = e.dim(op.getQ(), 0);
  SmallVector<Value> X;
  for (int64_t i = 0; i < r; ++i)
    X.push_back(e.dim(op.getQ(), 1 + i));
  Value H = e.dim(op.getQ(), r + 1), Dqk = e.dim(op.getQ(), r + 2);
  Value Hkv = e.dim(op.getK(), r + 1), Dv = e.dim(op.getV(), r + 2);
  Value group = e.divi(H, Hkv);
  ArrayRef<int64_t> ks = op.getKernelSize();
  SmallVector<int64_t> dil = op.getDilationOrDefault();
  SmallVector<int64_t> str = op.getStrideOrDefault();
  SmallVector<bool> causal = op.getIsCausalOrDefault();
  Value scale = e.f32(op.getScale().convertToFloat());
  Buf o = e.out(op.getO().getType(), concat(concat(ValueRange{B}, X),
                                            ValueRange{H, Dv}));
  Buf lse;
  if (Value l = op.getLse())
    lse = e.out(l.getType(), concat(concat(ValueRange{B}, X), ValueRange{H}));
  SoftmaxRow row{e, e.scratch({Dv})};
  auto acc = e.acc();

  e.loops(concat(concat(ValueRange{B}, X), ValueRange{H}), [&](ValueRange qi) {
    Value bi = qi[0], h = qi[r + 1], hk = e.divi(h, group);
    SmallVector<Value> qpos(qi.begin() + 1, qi.begin() + 1 + r);
    SmallVector<AxisWindow> win;
    for (int64_t a = 0; a < r; ++a)
      win.push_back(naWindow(e, qpos[a], X[a], ks[a], dil[a], str[a], causal[a]));
    // Key coordinates: group + j * dilation for j in [start, end) per axis.
    auto forKeys = [&](function_ref<void(ValueRange, Value)> body) {
      std::function<void(int64_t, SmallVector<Value>)> rec =
          [&](int64_t a, SmallVector<Value> key) {
            if (a == r) {
              Value bias = e.f32(0);
              if (rpb.mem) {
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
      acc.set(e.f32(0));
      e.loop(Dqk, [&](Value c) {
        Value qv = e.load(q, concat(concat(ValueRange{bi}, qpos), ValueRange{h, c}));
        Value kv = e.load(k, concat(concat(ValueRange{bi}, key), ValueRange{hk, c}));
        acc.add(e.mulf(qv, kv));
      });
      return e.mulf(scale, acc.get());
    };
    auto value = [&](ValueRange key, Value c) {
      return e.load(v, concat(concat(ValueRange{bi}, key), ValueRange{hk, c}));
    };
    row.run(forKeys, logit, value, Dv,
            [&](Value c, Value val) {
              e.store(o, val, concat(concat(ValueRange{bi}, qpos), ValueRange{h, c}));
            },
            [&](Value l) {
              if (lse.mem)
                e.store(lse, l, concat(concat(ValueRange{bi}, qpos), ValueRange{h}));
            },
            arith::ConstantIntOp::create(b, e.loc, 1, 1));
  });
  e.replace(op, {{&o, op.getO()}, {&lse, op.getLse()}});
}

void lowerSlidingWindowAttention(SlidingWindowAttentionOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Buf q = e.in(op.getQ()), k = e.in(op.getK()), v = e.in(op.getV());
  Value B = e.dim(op.getQ(), 0), Tq = e.dim(op.getQ(), 1);
  Value H = e.dim(op.getQ(), 2), D = e.dim(op.getQ(), 3);
  Value Tk = e.dim(op.getK(), 1), Hkv = e.dim(op.getK(), 2);
  Value Dv = e.dim(op.getV(), 3);
  e.checkEq(e.dim(op.getV(), 1), Tk,
            "seqmix.sliding_window_attention: k and v differ in Tk");
  Value group = e.divi(H, Hkv);
  int64_t left = op.getWindowLeftAttr().getInt();
  int64_t right = op.getWindowRightAttr().getInt();
  Value scale = e.f32(op.getScale().convertToFloat());
  Buf o = e.out(op.getO().getType(), {B, Tq, H, Dv});
  Buf lse;
  if (Value l = op.getLse())
    lse = e.out(l.getType(), {B, Tq, H});
  SoftmaxRow row{e, e.scratch({Dv})};
  auto acc = e.acc();

  e.loops({B, Tq, H}, [&](ValueRange qi) {
    Value bi = qi[0], i = qi[1], h = qi[2], hk = e.divi(h, group);
    // Bottom-right alignment: query i sits at key position i + Tk - Tq,
    // computed in signed index arithmetic (it may be negative).
    Value pos = e.subi(e.addi(i, Tk), Tq);
    Value lo = left < 0 ? e.idx(0) : e.maxi(e.subi(pos, e.idx(left)), e.idx(0));
    Value hi = right < 0 ? Tk
                         : e.mini(e.addi(e.addi(pos, e.idx(right)), e.idx(1)), Tk);
    hi = e.maxi(hi, lo);
    auto forKeys = [&](function_ref<void(ValueRange, Value)> body) {
      e.loop(lo, hi, [&](Value j) { body(j, e.f32(0)); });
    };
    auto logit = [&](ValueRange j) {
      acc.set(e.f32(0));
      e.loop(D, [&](Value c) {
        acc.add(e.mulf(e.load(q, {bi, i, h, c}), e.load(k, {bi, j[0], hk, c})));
      });
      return e.mulf(scale, acc.get());
    };
    auto value = [&](ValueRange j, Value c) {
      return e.load(v, {bi, j[0], hk, c});
    };
    row.run(forKeys, logit, value, Dv,
            [&](Value c, Value val) { e.store(o, val, {bi, i, h, c}); },
            [&](Value l) {
              if (lse.mem)
                e.store(lse, l, {bi, i, h});
            },
            e.cmpi(arith::CmpIPredicate::slt, lo, hi));
  });
  e.replace(op, {{&o, op.getO()}, {&lse, op.getLse()}});
}

//===----------------------------------------------------------------------===//
// Hadamard
//===----------------------------------------------------------------------===//

/// The m x m base matrix of DESIGN.md (m in {1, 12, 20, 28}), row-major ±1.
SmallVector<int8_t> hadamardBase(int64_t m) {
  if (m == 1)
    return {1};
  auto chi = [](int64_t a, int64_t q) -> int {
    a = ((a % q) + q) % q;
    if (a == 0)
      return 0;
    for (int64_t x = 1; x < q; ++x)
      if ((x * x) % q == a)
        return 1;
    return -1;
  };
  SmallVector<int8_t> h(m * m);
  if (m == 12 || m == 20) {
    // Paley I: H = I + [[0, 1^T], [-1, Q]], Q[a][b] = chi(a - b).
    int64_t q = m - 1;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) {
        int c;
        if (i == 0)
          c = j == 0 ? 0 : 1;
        else if (j == 0)
          c = -1;
        else
          c = chi((i - 1) - (j - 1), q);
        h[i * m + j] = static_cast<int8_t>(c + (i == j ? 1 : 0));
      }
    return h;
  }
  // Paley II (m = 28, q = 13): C = [[0, 1^T], [1, Q]], every entry a 2x2
  // block: 0 -> [[1, -1], [-1, -1]], ±1 -> ±[[1, 1], [1, -1]].
  int64_t q = 13, n = q + 1;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int c = (i == 0 && j == 0) ? 0
              : (i == 0 || j == 0) ? 1
                                   : chi((i - 1) - (j - 1), q);
      int blk[2][2];
      if (c == 0) {
        blk[0][0] = 1, blk[0][1] = -1, blk[1][0] = -1, blk[1][1] = -1;
      } else {
        blk[0][0] = c, blk[0][1] = c, blk[1][0] = c, blk[1][1] = -c;
      }
      for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y)
          h[(2 * i + x) * m + (2 * j + y)] = static_cast<int8_t>(blk[x][y]);
    }
  return h;
}

/// y[.., c] = sum_j x[.., j] H_N[j, c] / sqrt(N), H_N[j, c] =
/// H_m[j / 2^p, c / 2^p] * (-1)^popcount((j mod 2^p) & (c mod 2^p)).
void lowerHadamard(HadamardOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  auto xt = cast<RankedTensorType>(op.getX().getType());
  int64_t n = xt.getShape().back(), m = n, p2 = 1;
  while (m % 2 == 0 && !(m == 12 || m == 20 || m == 28))
    m /= 2, p2 *= 2;
  SmallVector<int8_t> base = hadamardBase(m);
  auto baseType = RankedTensorType::get({m, m}, b.getF32Type());
  SmallVector<float> basef(base.begin(), base.end());
  Value baseT = arith::ConstantOp::create(
      b, e.loc, DenseElementsAttr::get(baseType, ArrayRef<float>(basef)));
  Buf hm = e.in(baseT);
  Buf x = e.in(op.getX());
  SmallVector<Value> rows = featureDims(e, op.getX(), 0);
  rows.pop_back();
  Value N = e.idx(n), P = e.idx(p2);
  Buf y = e.out(op.getY().getType(), concat(rows, ValueRange{N}));
  auto acc = e.acc();
  Value norm = e.f32(1.0 / std::sqrt(static_cast<double>(n)));
  Type i32 = b.getI32Type();
  e.loops(rows, [&](ValueRange ri) {
    e.loop(N, [&](Value c) {
      acc.set(e.f32(0));
      e.loop(N, [&](Value j) {
        Value hv = e.load(hm, {e.divi(j, P), e.divi(c, P)});
        Value bits = arith::AndIOp::create(
            b, e.loc, arith::IndexCastOp::create(b, e.loc, i32, e.remi(j, P)),
            arith::IndexCastOp::create(b, e.loc, i32, e.remi(c, P)));
        // Parity of the set bits by xor-folding (no popcount needed).
        for (int64_t sh : {16, 8, 4, 2, 1})
          bits = arith::XOrIOp::create(
              b, e.loc, bits,
              arith::ShRUIOp::create(
                  b, e.loc, bits,
                  arith::ConstantIntOp::create(b, e.loc, i32, sh)));
        Value odd = arith::TruncIOp::create(b, e.loc, b.getI1Type(), bits);
        hv = e.select(odd, arith::NegFOp::create(b, e.loc, hv), hv);
        acc.add(e.mulf(e.load(x, concat(ri, ValueRange{j})), hv));
      });
      e.store(y, e.mulf(acc.get(), norm), concat(ri, ValueRange{c}));
    });
  });
  e.replace(op, {{&y, op.getY()}});
}

//===----------------------------------------------------------------------===//
// Generic scan
//===----------------------------------------------------------------------===//

/// seqmix.scan on tensors: an scf.for over sequences carrying the final
/// states and stacked outputs, and inside it an scf.for over time carrying
/// the step states; the region is cloned as the step body.
void lowerScan(ScanOp op, OpBuilder &b) {
  Emitter e{b, op.getLoc()};
  Location loc = op.getLoc();
  size_t nIn = op.getInputs().size(), nInit = op.getInits().size();
  Block &body = op.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  size_t nOut = yield.getValues().size() - nInit;
  Value first = op.getInputs().empty() ? Value() : op.getInputs()[0];
  Value B = first ? e.dim(first, 0) : e.dim(op.getInits()[0], 0);
  Value T = first ? e.dim(first, 1) : e.idx(0);

  // Results start as copies of the initial states (never written in place:
  // they may be the caller's buffers) and empty output tensors.
  SmallVector<Value> carried;
  for (Value init : op.getInits())
    carried.push_back(bufferization::AllocTensorOp::create(
        b, loc, cast<RankedTensorType>(init.getType()), ValueRange{},
        /*copy=*/init));
  for (size_t j = 0; j < nOut; ++j) {
    auto rt = cast<RankedTensorType>(op.getResults()[nInit + j].getType());
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < rt.getRank(); ++d)
      if (rt.isDynamicDim(d))
        dyn.push_back(d == 0 ? B : d == 1 ? T : Value());
    carried.push_back(tensor::EmptyOp::create(b, loc, rt, dyn));
  }

  // The slice of `t` at leading indices `lead` (those axes dropped), as
  // offsets / sizes / strides for extract_slice and insert_slice alike.
  struct Box {
    SmallVector<OpFoldResult> offs, sizes, strides;
  };
  auto box = [&](OpBuilder &bb, Value t, ValueRange lead) {
    Box r;
    int64_t rank = cast<RankedTensorType>(t.getType()).getRank();
    for (int64_t d = 0; d < rank; ++d) {
      bool isLead = d < static_cast<int64_t>(lead.size());
      r.offs.push_back(isLead ? OpFoldResult(lead[d]) : bb.getIndexAttr(0));
      r.sizes.push_back(isLead ? bb.getIndexAttr(1)
                               : tensor::getMixedSize(bb, loc, t, d));
      r.strides.push_back(bb.getIndexAttr(1));
    }
    return r;
  };
  auto slice = [&](OpBuilder &bb, Value t, ValueRange lead,
                   RankedTensorType sliceType) -> Value {
    Box r = box(bb, t, lead);
    return tensor::ExtractSliceOp::create(bb, loc, sliceType, t, r.offs,
                                          r.sizes, r.strides);
  };
  auto insert = [&](OpBuilder &bb, Value src, Value dst, ValueRange lead) {
    Box r = box(bb, dst, lead);
    return tensor::InsertSliceOp::create(bb, loc, src, dst, r.offs, r.sizes,
                                         r.strides)
        .getResult();
  };

  Value cu = op.getCuSeqlens();
  Buf offs = cu ? e.seqlens(cu, B, T) : Buf{};
  Value count = e.numSequences(cu, B);
  auto seqLoop = scf::ForOp::create(
      b, loc, e.idx(0), count, e.idx(1), carried,
      [&](OpBuilder &sb, Location, Value n, ValueRange acc) {
        Emitter se{sb, loc};
        Value bi = cu ? se.idx(0) : n;
        Value start = cu ? se.loadIndex(offs, n) : se.idx(0);
        Value end = cu ? se.loadIndex(offs, se.addi(n, se.idx(1))) : T;
        SmallVector<Value> init;
        for (size_t s = 0; s < nInit; ++s)
          init.push_back(slice(sb, acc[s], n,
                               cast<RankedTensorType>(
                                   body.getArgument(nIn + s).getType())));
        SmallVector<Value> iter = init;
        iter.append(acc.begin() + nInit, acc.end());
        auto timeLoop = scf::ForOp::create(
            sb, loc, start, end, se.idx(1), iter,
            [&](OpBuilder &tb, Location, Value t, ValueRange st) {
              IRMapping map;
              for (size_t i = 0; i < nIn; ++i)
                map.map(body.getArgument(i),
                        slice(tb, op.getInputs()[i], ValueRange{bi, t},
                              cast<RankedTensorType>(
                                  body.getArgument(i).getType())));
              for (size_t s = 0; s < nInit; ++s)
                map.map(body.getArgument(nIn + s), st[s]);
              for (Operation &inner : body.without_terminator())
                tb.clone(inner, map);
              SmallVector<Value> next;
              for (size_t s = 0; s < nInit; ++s)
                next.push_back(map.lookupOrDefault(yield.getValues()[s]));
              for (size_t j = 0; j < nOut; ++j)
                next.push_back(insert(tb,
                                      map.lookupOrDefault(
                                          yield.getValues()[nInit + j]),
                                      st[nInit + j], ValueRange{bi, t}));
              scf::YieldOp::create(tb, loc, next);
            });
        SmallVector<Value> out;
        for (size_t s = 0; s < nInit; ++s)
          out.push_back(insert(sb, timeLoop.getResult(s), acc[s], n));
        for (size_t j = 0; j < nOut; ++j)
          out.push_back(timeLoop.getResult(nInit + j));
        scf::YieldOp::create(sb, loc, out);
      });
  op->replaceAllUsesWith(seqLoop.getResults());
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertSeqMixToLoopsPass
    : seqmix::impl::ConvertSeqMixToLoopsPassBase<ConvertSeqMixToLoopsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<SeqMixDialect>(op->getDialect()) && !isa<YieldOp>(op))
        ops.push_back(op);
    });
    // Innermost first: a scan body may hold seqmix ops of its own.
    for (Operation *op : llvm::reverse(ops)) {
      OpBuilder b(op);
      TypeSwitch<Operation *>(op)
          .Case([&](LinearAttentionOp o) { lowerLinearAttention(o, b); })
          .Case([&](SelectiveScanOp o) { lowerSelectiveScan(o, b); })
          .Case([&](SSDOp o) { lowerSSD(o, b); })
          .Case([&](CausalConv1dOp o) { lowerCausalConv1d(o, b); })
          .Case([&](RouteOp o) { lowerRoute(o, b); })
          .Case([&](DispatchOp o) { lowerDispatch(o, b); })
          .Case([&](SegmentMatmulOp o) { lowerSegmentMatmul(o, b); })
          .Case([&](CombineOp o) { lowerCombine(o, b); })
          .Case([&](NeighborhoodAttentionOp o) {
            lowerNeighborhoodAttention(o, b);
          })
          .Case([&](SlidingWindowAttentionOp o) {
            lowerSlidingWindowAttention(o, b);
          })
          .Case([&](HadamardOp o) { lowerHadamard(o, b); })
          .Case([&](ScanOp o) { lowerScan(o, b); });
      op->erase();
    }
  }
};

} // namespace
