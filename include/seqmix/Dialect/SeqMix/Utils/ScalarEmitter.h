//===- ScalarEmitter.h - scalar loop building blocks ------------*- C++ -*-===//
//
// The reference semantics of every seqmix op is written once, as the body at
// one point of its iteration domain (generateScalarImplementation), on
// buffers. These helpers keep those bodies close to the formulas: f32
// arithmetic, loads that widen f16/bf16 to f32, stores that narrow back, and
// scf.for loops with or without carried values.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_UTILS_SCALAREMITTER_H
#define SEQMIX_DIALECT_SEQMIX_UTILS_SCALAREMITTER_H

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::seqmix {

struct ScalarEmitter {
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
  Value maxf(Value x, Value y) {
    return arith::MaximumFOp::create(b, loc, x, y);
  }
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
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value sigmoid(Value x) { return seqmix::sigmoid(b, loc, x); }
  Value silu(Value x) { return seqmix::silu(b, loc, x); }
  /// An i32/i64 value as an index.
  Value toIndex(Value v) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }
  /// An index as an integer of type `t`.
  Value fromIndex(Value v, Type t) {
    return arith::IndexCastOp::create(b, loc, t, v);
  }

  /// Size of dimension `i` of a memref or tensor, constant when static.
  Value dim(Value v, int64_t i) {
    auto st = cast<ShapedType>(v.getType());
    if (!st.isDynamicDim(i))
      return idx(st.getDimSize(i));
    if (isa<MemRefType>(st))
      return memref::DimOp::create(b, loc, v, i);
    return tensor::DimOp::create(b, loc, v, i);
  }

  /// Loads as f32 (f16 and bf16 widen).
  Value load(Value mem, ValueRange indices) {
    Value v = memref::LoadOp::create(b, loc, mem, indices);
    return isa<FloatType>(v.getType()) ? seqmix::toF32(b, loc, v) : v;
  }
  /// Reads an integer element (i32/i64) of a memref or tensor as an index.
  Value loadIndex(Value v, ValueRange indices) {
    if (isa<MemRefType>(v.getType()))
      return toIndex(memref::LoadOp::create(b, loc, v, indices));
    return toIndex(tensor::ExtractOp::create(b, loc, v, indices));
  }

  /// Stops with `msg` at run time unless `cond` holds.
  void check(Value cond, const Twine &msg) {
    cf::AssertOp::create(b, loc, cond, b.getStringAttr(msg.str()));
  }

  /// Stops unless `offs` (count + 1 offsets, i32/i64) starts at 0, never
  /// decreases and ends at `total`; `what` names the op and operand.
  void checkOffsets(Value offs, Value total, const Twine &what,
                    StringRef totalName) {
    std::string w = what.str();
    Value count = subi(dim(offs, 0), idx(1));
    check(cmpi(arith::CmpIPredicate::sge, count, idx(0)),
          w + " must hold at least one offset");
    check(cmpi(arith::CmpIPredicate::eq, loadIndex(offs, idx(0)), idx(0)),
          w + " must start at 0");
    loop(count, [&](Value n) {
      Value lo = loadIndex(offs, n), hi = loadIndex(offs, addi(n, idx(1)));
      check(cmpi(arith::CmpIPredicate::sle, lo, hi),
            w + " must be non-decreasing");
    });
    check(cmpi(arith::CmpIPredicate::eq, loadIndex(offs, count), total),
          w + " must end at " + totalName);
  }
  /// Stores an f32 (or index/integer) value, narrowing floats as needed.
  void store(Value mem, Value v, ValueRange indices) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    if (isa<FloatType>(elt))
      v = seqmix::fromF32(b, loc, v, elt);
    else if (v.getType().isIndex() && !elt.isIndex())
      v = fromIndex(v, elt);
    memref::StoreOp::create(b, loc, v, mem, indices);
  }

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
  /// acc = init; for (iv = lb; iv < ub; ++iv) acc = body(iv, acc); acc
  Value fold(Value lb, Value ub, Value init,
             function_ref<Value(Value, Value)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, idx(1), ValueRange{init},
        [&](OpBuilder &, Location, Value iv, ValueRange acc) {
          scf::YieldOp::create(b, loc, body(iv, acc[0]));
        });
    return forOp.getResult(0);
  }
  Value fold(Value ub, Value init, function_ref<Value(Value, Value)> body) {
    return fold(idx(0), ub, init, body);
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
  /// An f32 scratch buffer of `rows` elements (a 0-d one without `shaped`),
  /// where `rows` is dimension `dim` of `shaped`, allocated once on the
  /// stack of the enclosing function or thread region, outside every loop:
  /// an alloca inside a loop would grow the stack every iteration.
  Value scratch(Value shaped = Value(), int64_t dim = 0) {
    OpBuilder hb = scratchBuilder(shaped);
    if (!shaped)
      return memref::AllocaOp::create(hb, loc,
                                      MemRefType::get({}, hb.getF32Type()));
    ScalarEmitter he{hb, loc};
    auto type = cast<ShapedType>(shaped.getType());
    if (!type.isDynamicDim(dim))
      return memref::AllocaOp::create(
          hb, loc, MemRefType::get({type.getDimSize(dim)}, hb.getF32Type()));
    return memref::AllocaOp::create(
        hb, loc, MemRefType::get({ShapedType::kDynamic}, hb.getF32Type()),
        ValueRange{he.dim(shaped, dim)});
  }
  /// An f32 scratch buffer of a static `shape`, placed as above.
  Value scratch(ArrayRef<int64_t> shape) {
    OpBuilder hb = scratchBuilder(Value());
    return memref::AllocaOp::create(hb, loc,
                                    MemRefType::get(shape, hb.getF32Type()));
  }
  /// Where a scratch buffer goes: the start of the enclosing function or
  /// thread region (after `shaped`'s definition when that is there).
  OpBuilder scratchBuilder(Value shaped) {
    Operation *anchor = b.getInsertionBlock()->getParentOp();
    while (anchor &&
           !isa<FunctionOpInterface, scf::ForallOp, scf::ParallelOp>(anchor))
      anchor = anchor->getParentOp();
    OpBuilder hb(b.getContext());
    if (!anchor) {
      hb.setInsertionPoint(b.getInsertionBlock(), b.getInsertionPoint());
      return hb;
    }
    Block &block = anchor->getRegion(0).front();
    Operation *def = shaped ? shaped.getDefiningOp() : nullptr;
    if (def && def->getBlock() == &block)
      hb.setInsertionPointAfter(def);
    else if (!def || !anchor->isProperAncestor(def))
      hb.setInsertionPointToStart(&block);
    else // Defined in a nested block: allocate where we are.
      hb.setInsertionPoint(b.getInsertionBlock(), b.getInsertionPoint());
    return hb;
  }

  /// The sequence that token `t` belongs to: the number of offsets
  /// `cu[1..N-1]` that are <= t (empty sequences are skipped over).
  Value sequenceOf(Value cu, Value t) {
    Value n = subi(dim(cu, 0), idx(1));
    return fold(idx(1), n, idx(0), [&](Value i, Value acc) {
      Value le = cmpi(arith::CmpIPredicate::sle, loadIndex(cu, i), t);
      return select(le, addi(acc, idx(1)), acc);
    });
  }
  /// The state row of batch row `bi` at token `t`: the sequence of `t` when
  /// sequences are packed (`cu` set), else the batch row.
  Value stateRow(Value cu, Value bi, Value t) {
    return cu ? sequenceOf(cu, t) : bi;
  }
};

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_UTILS_SCALAREMITTER_H
