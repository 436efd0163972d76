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
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

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

struct ExpApproximation : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &b) const override {
    if (!getElementTypeOrSelf(op.getType()).isF32())
      return b.notifyMatchFailure(op, "f32 only");
    b.replaceOp(op, seqmix::inlineExp(b, op.getLoc(), op.getOperand()));
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
