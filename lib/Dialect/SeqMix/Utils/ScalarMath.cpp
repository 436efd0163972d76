//===- ScalarMath.cpp - scalar formulas shared by every lowering ----------===//

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

/// The f32 constant `v`, splat to the shape of `like` when that is a vector.
static Value constF32(OpBuilder &b, Location loc, double v, Value like) {
  if (auto vt = dyn_cast<VectorType>(like.getType()))
    return arith::ConstantOp::create(
        b, loc,
        SplatElementsAttr::get(vt.clone(b.getF32Type()), b.getF32FloatAttr(v)));
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// `t` with its element type replaced by `elt` (vectors keep their shape).
static Type withElement(Type t, Type elt) {
  if (auto vt = dyn_cast<VectorType>(t))
    return vt.clone(elt);
  return elt;
}

Value mlir::seqmix::toF32(OpBuilder &b, Location loc, Value v, double scale) {
  Type f32 = withElement(v.getType(), b.getF32Type());
  if (v.getType() == f32)
    return v;
  if (isa<FloatType>(getElementTypeOrSelf(v.getType())))
    return arith::ExtFOp::create(b, loc, f32, v);
  Value f = arith::SIToFPOp::create(b, loc, f32, v);
  return scale ? arith::MulFOp::create(b, loc, f, constF32(b, loc, scale, f))
               : f;
}

Value mlir::seqmix::fromF32(OpBuilder &b, Location loc, Value v, Type type,
                            double scale) {
  type = withElement(v.getType(), getElementTypeOrSelf(type));
  if (type == v.getType())
    return v;
  if (isa<FloatType>(getElementTypeOrSelf(type)))
    return arith::TruncFOp::create(b, loc, type, v);
  if (scale)
    v = arith::DivFOp::create(b, loc, v, constF32(b, loc, scale, v));
  v = math::RoundEvenOp::create(b, loc, v);
  v = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, v, constF32(b, loc, -128, v)),
      constF32(b, loc, 127, v));
  return arith::FPToSIOp::create(b, loc, type, v);
}

Value mlir::seqmix::sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constF32(b, loc, 1, x);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, e, one));
}

Value mlir::seqmix::silu(OpBuilder &b, Location loc, Value x) {
  Value one = constF32(b, loc, 1, x);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, x,
                               arith::AddFOp::create(b, loc, e, one));
}

Value mlir::seqmix::softplus(OpBuilder &b, Location loc, Value x) {
  Value big = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                    constF32(b, loc, 20, x));
  Value soft = math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
  return arith::SelectOp::create(b, loc, big, x, soft);
}

Value mlir::seqmix::mambaDelta(OpBuilder &b, Location loc, Value raw,
                               Value bias, Value threshold, bool useSoftplus,
                               std::optional<ArrayRef<float>> limit) {
  Value d = raw;
  if (bias)
    d = arith::AddFOp::create(b, loc, d, bias);
  if (useSoftplus)
    d = softplus(b, loc, d);
  if (limit)
    d = arith::MinimumFOp::create(
        b, loc,
        arith::MaximumFOp::create(b, loc, d, constF32(b, loc, (*limit)[0], d)),
        constF32(b, loc, (*limit)[1], d));
  if (threshold) {
    Value skip =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, d, threshold);
    d = arith::SelectOp::create(b, loc, skip, constF32(b, loc, 0, d), d);
  }
  return d;
}

/// Coefficients c1..c6 of p(r) ~ e^r on [-ln2/2, ln2/2] (c0 = 1), fitted
/// for relative error in f32 Horner evaluation (1.1e-7 on the interval).
static constexpr float kExpPoly[] = {
    1.0f, 0.49999994f, 0.16666432f, 0.041668002f, 0.0083741555f, 0.0013843653f};

SmallVector<Value> mlir::seqmix::inlineExp(OpBuilder &b, Location loc,
                                           ValueRange xs) {
  // Every step is emitted for every input before the next step: the
  // inputs' chains interleave, so the core always has independent work.
  auto each = [&](SmallVector<Value> vs, function_ref<Value(Value, size_t)> f) {
    for (auto [i, v] : llvm::enumerate(vs))
      vs[i] = f(v, i);
    return vs;
  };
  auto intOf = [&](Type t) -> Type {
    Type i32 = b.getI32Type();
    return isa<VectorType>(t) ? Type(cast<VectorType>(t).clone(i32)) : i32;
  };
  auto fma = [&](Value x, Value y, Value z) -> Value {
    return math::FmaOp::create(b, loc, x, y, z);
  };
  SmallVector<Value> x(xs.begin(), xs.end());
  x = each(x, [&](Value v, size_t) -> Value {
    return arith::MaximumFOp::create(b, loc, v, constF32(b, loc, -87.33, v));
  });
  x = each(x, [&](Value v, size_t) -> Value {
    return arith::MinimumFOp::create(b, loc, v, constF32(b, loc, 88.73, v));
  });
  // Rounding by addition: in [2^23, 2^24) the float grid is the integers,
  // so t = x log2e + S holds k = round(x log2e) in its low mantissa bits;
  // S = 1.5 * 2^23 + 126 also adds the exponent bias of 2^(k-1).
  constexpr double kShifter = 12582912.0 + 126.0;
  SmallVector<Value> t = each(x, [&](Value v, size_t) {
    return fma(v, constF32(b, loc, 1.44269504, v),
               constF32(b, loc, kShifter, v));
  });
  SmallVector<Value> k = each(t, [&](Value v, size_t) -> Value {
    return arith::SubFOp::create(b, loc, v, constF32(b, loc, kShifter, v));
  });
  // ln2 = 0.693359375 - 2.12194440e-4, the first part exact in 9 bits.
  SmallVector<Value> r = each(k, [&](Value v, size_t i) {
    return fma(v, constF32(b, loc, -0.693359375, v), x[i]);
  });
  r = each(r, [&](Value v, size_t i) {
    return fma(k[i], constF32(b, loc, 2.12194440e-4, v), v);
  });
  // 2 p(r), Horner; doubling the coefficients is exact.
  SmallVector<Value> p = each(
      r, [&](Value v, size_t) { return constF32(b, loc, 2 * kExpPoly[5], v); });
  for (int c = 4; c >= -1; --c)
    p = each(p, [&](Value v, size_t i) {
      return fma(v, r[i], constF32(b, loc, c >= 0 ? 2 * kExpPoly[c] : 2.0, v));
    });
  // 2^(k-1): k - 1 + 127 moved from t's low bits to the exponent field.
  return each(p, [&](Value v, size_t i) -> Value {
    Type it = intOf(v.getType());
    Value bits = arith::BitcastOp::create(b, loc, it, t[i]);
    Value sh = arith::ConstantOp::create(
        b, loc,
        isa<VectorType>(it)
            ? TypedAttr(SplatElementsAttr::get(cast<ShapedType>(it),
                                               b.getI32IntegerAttr(23)))
            : TypedAttr(b.getI32IntegerAttr(23)));
    bits = arith::ShLIOp::create(b, loc, bits, sh);
    return arith::MulFOp::create(
        b, loc, v, arith::BitcastOp::create(b, loc, v.getType(), bits));
  });
}
