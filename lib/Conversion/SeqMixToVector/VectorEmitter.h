//===- VectorEmitter.h - register-tile building blocks ----------*- C++ -*-===//
//
// What every tile builder emits: f32 vectors of the tile's vector width,
// loaded from and stored to the op's buffers (f16/bf16 widen and narrow as
// in the scalar bodies, through the same ScalarMath formulas), broadcasts of
// shared scalars, and lane-wise reads of a dimension that is not contiguous
// (a state stored channel-major, read channel-vectorized).
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_VECTOREMITTER_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_VECTOREMITTER_H

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::seqmix::detail {

struct VectorEmitter : ScalarEmitter {
  int64_t width;

  VectorEmitter(OpBuilder &b, Location loc, int64_t width)
      : ScalarEmitter{b, loc}, width(width) {}

  VectorType vecType(Type elt) { return VectorType::get({width}, elt); }
  VectorType f32Vec() { return vecType(b.getF32Type()); }

  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, loc, vecType(scalar.getType()),
                                       scalar);
  }
  Value splatF32(double v) { return splat(f32(v)); }
  Value fma(Value x, Value y, Value acc) {
    return vector::FMAOp::create(b, loc, x, y, acc);
  }
  /// The sum of a vector's lanes, in a tree (log2 width shuffles and adds):
  /// without reassociation the lowering adds lane after lane, a chain of
  /// `width` dependent adds.
  Value sum(Value x) {
    return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, x,
                                       arith::FastMathFlags::reassoc);
  }
  /// `width` contiguous elements along the last dimension, as f32.
  Value load(Value mem, ValueRange indices) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    Value v = vector::LoadOp::create(b, loc, vecType(elt), mem, indices);
    return seqmix::toF32(b, loc, v);
  }
  /// Stores an f32 vector along the last dimension, narrowing as needed.
  void store(Value mem, Value v, ValueRange indices) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    vector::StoreOp::create(b, loc, seqmix::fromF32(b, loc, v, elt), mem,
                            indices);
  }
  /// Lanes along dimension `dim` (which need not be contiguous) from
  /// `indices` on, as f32: element by element, for state tiles read once
  /// per tile.
  Value loadLanes(Value mem, SmallVector<Value> indices, unsigned dim) {
    Value v = splatF32(0);
    Value base = indices[dim];
    for (int64_t l = 0; l < width; ++l) {
      indices[dim] = addi(base, idx(l));
      v = vector::InsertOp::create(b, loc, ScalarEmitter::load(mem, indices), v,
                                   l);
    }
    return v;
  }
  void storeLanes(Value mem, Value v, SmallVector<Value> indices,
                  unsigned dim) {
    Value base = indices[dim];
    for (int64_t l = 0; l < width; ++l) {
      indices[dim] = addi(base, idx(l));
      ScalarEmitter::store(mem, vector::ExtractOp::create(b, loc, v, l),
                           indices);
    }
  }
  /// A hint that `indices` of `mem` will be read (or written) soon.
  /// `locality` 3 keeps the line in every cache level (L1 too), 2 from
  /// L2 on: for lines used after more than L1 holds has gone through.
  void prefetch(Value mem, ValueRange indices, bool write = false,
                int64_t locality = 3) {
    memref::PrefetchOp::create(b, loc, mem, indices, write, locality,
                               /*isDataCache=*/true);
  }
  /// for (iv = lb; iv < ub; iv += step) body(iv, carried) -> carried
  SmallVector<Value>
  foldMany(Value lb, Value ub, Value step, ValueRange init,
           function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, step, init,
        [&](OpBuilder &, Location, Value iv, ValueRange acc) {
          scf::YieldOp::create(b, loc, body(iv, acc));
        });
    return SmallVector<Value>(forOp.getResults());
  }
  /// for (iv = lb; iv < ub; iv += step) body(iv)
  void loopStep(Value lb, Value ub, Value step,
                function_ref<void(Value)> body) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, step);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    body(forOp.getInductionVar());
  }
};

/// The static size of dimension `d` of `v`, or std::nullopt.
inline std::optional<int64_t> staticDim(Value v, int64_t d) {
  auto st = cast<ShapedType>(v.getType());
  if (st.isDynamicDim(d))
    return std::nullopt;
  return st.getDimSize(d);
}

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_VECTOREMITTER_H
