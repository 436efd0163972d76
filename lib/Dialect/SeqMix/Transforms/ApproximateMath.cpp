//===- ApproximateMath.cpp - inline polynomial transcendentals ------------===//
//
// The exp count is the Mamba-1 kernel: a libm call per element would cost
// more than the rest of the scan. exp gets our own form, a few operations
// shorter than upstream's (no special-case selects: the clamps make every
// input land in range), which matters when there is one exp per state per
// token:
//
//   k = round(x log2 e),  r = x - k ln2 (ln2 in two parts),
//   exp(x) = 2^(k-1) * 2 p(r),  p a degree-6 polynomial fitted to e^r on
//   [-ln2/2, ln2/2] for relative error.
//
// x is clamped to [-87.33, 88.73] first, so that k - 1 + 127 stays in
// [0, 254]: results below e^-87 flush to 0 and those above FLT_MAX become
// inf, as libm's do. Scaling by 2^(k-1) rather than 2^k keeps e^88.7 finite.
// k is rounded by adding a large constant, not by a round instruction, and
// 2^(k-1) is built with one shift: on x86 both of those would otherwise
// compete for the one port that also does half of the FMAs.
//
// log, log1p, expm1, tanh and erf use upstream's polynomial approximations.
// All of them apply to f32 scalars and vectors (f16/bf16 through f32). The
// measured error against libm is in docs/Transcendentals.md.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXAPPROXIMATEMATHPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;

namespace {

/// Coefficients c1..c6 of p(r) ~ e^r on [-ln2/2, ln2/2] (c0 = 1), fitted
/// for relative error in f32 Horner evaluation (1.1e-7 on the interval).
constexpr float kExpPoly[] = {1.0f,         0.49999994f,   0.16666432f,
                              0.041668002f, 0.0083741555f, 0.0013843653f};

struct ExpApproximation : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &b) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return b.notifyMatchFailure(op, "f32 only");
    Location loc = op.getLoc();
    Type i32 = b.getI32Type();
    Type intType =
        isa<VectorType>(type) ? Type(cast<VectorType>(type).clone(i32)) : i32;
    auto cst = [&](float v) -> Value {
      TypedAttr a = b.getF32FloatAttr(v);
      if (auto vt = dyn_cast<VectorType>(type))
        a = SplatElementsAttr::get(vt, a);
      return arith::ConstantOp::create(b, loc, a);
    };
    auto icst = [&](int32_t v) -> Value {
      TypedAttr a = b.getI32IntegerAttr(v);
      if (auto vt = dyn_cast<VectorType>(intType))
        a = SplatElementsAttr::get(cast<ShapedType>(vt), a);
      return arith::ConstantOp::create(b, loc, a);
    };
    auto fma = [&](Value x, Value y, Value z) -> Value {
      return math::FmaOp::create(b, loc, x, y, z);
    };
    Value x = arith::MaximumFOp::create(b, loc, op.getOperand(), cst(-87.33f));
    x = arith::MinimumFOp::create(b, loc, x, cst(88.73f));
    // Rounding by addition: in [2^23, 2^24) the float grid is the integers,
    // so t = x log2e + S holds k = round(x log2e) in its low mantissa bits;
    // S = 1.5 * 2^23 + 126 also adds the exponent bias of 2^(k-1).
    constexpr float kShifter = 12582912.0f + 126.0f;
    Value t = fma(x, cst(1.44269504f), cst(kShifter));
    Value k = arith::SubFOp::create(b, loc, t, cst(kShifter));
    // ln2 = 0.693359375 - 2.12194440e-4, the first part exact in 9 bits.
    Value r = fma(k, cst(-0.693359375f), x);
    r = fma(k, cst(2.12194440e-4f), r);
    // 2 p(r), Horner; doubling the coefficients is exact.
    Value p = cst(2 * kExpPoly[5]);
    for (int i = 4; i >= 0; --i)
      p = fma(p, r, cst(2 * kExpPoly[i]));
    p = fma(p, r, cst(2.0f));
    // 2^(k-1): k - 1 + 127 moved from t's low bits to the exponent field.
    Value bits = arith::BitcastOp::create(b, loc, intType, t);
    bits = arith::ShLIOp::create(b, loc, bits, icst(23));
    Value scale = arith::BitcastOp::create(b, loc, type, bits);
    b.replaceOpWithNewOp<arith::MulFOp>(op, p, scale);
    return success();
  }
};

struct SeqMixApproximateMathPass
    : seqmix::impl::SeqMixApproximateMathPassBase<SeqMixApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    auto upstream = [](StringRef name) {
      return llvm::is_contained(
          {"expm1", "log", "log1p", "log2", "tanh", "erf"},
          name.drop_front(strlen("math.")));
    };
    // f16/bf16 exp goes through f32 too.
    populateMathF32ExpansionPatterns(patterns, [&](StringRef name) {
      return upstream(name) || name == "math.exp";
    });
    populateMathPolynomialApproximationPatterns(patterns, upstream);
    // Before upstream's own exp, which the expm1 and tanh forms emit.
    patterns.add<ExpApproximation>(&getContext(), /*benefit=*/2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
