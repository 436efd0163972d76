//===- ScalarMath.cpp - scalar formulas shared by every lowering ----------===//

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

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

Value mlir::seqmix::inlineExp(OpBuilder &b, Location loc, Value x) {
  auto fma = [&](Value p, Value q, Value r) -> Value {
    return math::FmaOp::create(b, loc, p, q, r);
  };
  auto cst = [&](double v) { return constF32(b, loc, v, x); };
  x = arith::MaximumFOp::create(b, loc, x, cst(-87.33));
  x = arith::MinimumFOp::create(b, loc, x, cst(88.73));
  // Rounding by addition: in [2^23, 2^24) the float grid is the integers,
  // so t = x log2e + S holds k = round(x log2e) in its low mantissa bits;
  // S = 1.5 * 2^23 + 126 also adds the exponent bias of 2^(k-1).
  constexpr double kShifter = 12582912.0 + 126.0;
  Value t = fma(x, cst(1.44269504), cst(kShifter));
  Value k = arith::SubFOp::create(b, loc, t, cst(kShifter));
  // ln2 = 0.693359375 - 2.12194440e-4, the first part exact in 9 bits.
  Value r = fma(k, cst(-0.693359375), x);
  r = fma(k, cst(2.12194440e-4), r);
  // 2 p(r), Horner; doubling the coefficients is exact.
  Value p = cst(2 * kExpPoly[5]);
  for (int c = 4; c >= 0; --c)
    p = fma(p, r, cst(2 * kExpPoly[c]));
  p = fma(p, r, cst(2.0));
  // 2^(k-1): k - 1 + 127 moved from t's low bits to the exponent field.
  Type i32 = b.getI32Type();
  Type it = isa<VectorType>(x.getType())
                ? Type(cast<VectorType>(x.getType()).clone(i32))
                : i32;
  TypedAttr shift = b.getI32IntegerAttr(23);
  if (auto vt = dyn_cast<VectorType>(it))
    shift = SplatElementsAttr::get(vt, shift);
  Value bits = arith::BitcastOp::create(b, loc, it, t);
  bits = arith::ShLIOp::create(b, loc, bits,
                               arith::ConstantOp::create(b, loc, shift));
  return arith::MulFOp::create(
      b, loc, p, arith::BitcastOp::create(b, loc, x.getType(), bits));
}
