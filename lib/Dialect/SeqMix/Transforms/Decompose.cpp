//===- Decompose.cpp - composite seqmix ops into primitive ones ----------===//
//
// seqmix.ssd is defined as a composite of seqmix.linear_attention (Ops.md):
// this pass spells that definition out so that every later lowering of the
// recurrence serves Mamba-2 too.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXDECOMPOSEPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// An f32 tensor.empty shaped like the leading `rank` dims of `like`.
Value emptyLike(OpBuilder &b, Location loc, Value like, int64_t rank,
                Type elt) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  sizes.resize(rank);
  return tensor::EmptyOp::create(b, loc, sizes, elt);
}

/// Projection map of `rank` loops onto the listed loop dimensions.
AffineMap proj(MLIRContext *ctx, unsigned rank, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

struct DecomposeSSD : OpRewritePattern<SSDOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SSDOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "decomposes on tensors only");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = rewriter.getF32Type();
    auto par = utils::IteratorType::parallel;

    // 1. Δ and g = Δ·A over [B, T, H] (loops b, t, h).
    SmallVector<Value> ins = {op.getDt(), op.getA()};
    SmallVector<AffineMap> maps = {proj(ctx, 3, {0, 1, 2}), proj(ctx, 3, {2})};
    Value bias = op.getDtBias(), thr = op.getDeltaThreshold();
    if (bias) {
      ins.push_back(bias);
      maps.push_back(proj(ctx, 3, {2}));
    }
    if (thr) {
      ins.push_back(thr);
      maps.push_back(proj(ctx, 3, {2}));
    }
    Value emptyBTH = emptyLike(rewriter, loc, op.getDt(), 3, f32);
    maps.append(2, proj(ctx, 3, {0, 1, 2}));
    bool softplus = op.getDtSoftplus();
    std::optional<ArrayRef<float>> limit = op.getDtLimit();
    auto gates = linalg::GenericOp::create(
        rewriter, loc, TypeRange{emptyBTH.getType(), emptyBTH.getType()}, ins,
        ValueRange{emptyBTH, emptyBTH}, maps, SmallVector<utils::IteratorType>(3, par),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = toF32(b, l, args[1]);
          unsigned next = 2;
          Value bv = bias ? toF32(b, l, args[next++]) : Value();
          Value tv = thr ? toF32(b, l, args[next++]) : Value();
          Value d = mambaDelta(b, l, toF32(b, l, args[0]), bv, tv, softplus,
                               limit);
          Value g = arith::MulFOp::create(b, l, d, a);
          linalg::YieldOp::create(b, l, ValueRange{d, g});
        });
    Value delta = gates.getResult(0), logDecay = gates.getResult(1);

    // 2. v = Δ·x over [B, T, H, P].
    Value x = op.getX();
    Value emptyX = emptyLike(rewriter, loc, x, 4, f32);
    Value v = linalg::GenericOp::create(
                  rewriter, loc, emptyX.getType(), ValueRange{delta, x}, emptyX,
                  ArrayRef<AffineMap>{proj(ctx, 4, {0, 1, 2}),
                                      proj(ctx, 4, {0, 1, 2, 3}),
                                      proj(ctx, 4, {0, 1, 2, 3})},
                  SmallVector<utils::IteratorType>(4, par),
                  [&](OpBuilder &b, Location l, ValueRange args) {
                    Value p = arith::MulFOp::create(b, l, args[0],
                                                    toF32(b, l, args[1]));
                    linalg::YieldOp::create(b, l, p);
                  })
                  .getResult(0);

    // 3. The recurrence itself: q = C, k = B, scale 1, Mamba-2's [.., P, N].
    // The state destination carries over unchanged.
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    Value emptyO = emptyLike(rewriter, loc, x, 4, f32);
    Value stateInit = op.getStateInit();
    auto la = LinearAttentionOp::create(
        rewriter, loc, TypeRange{emptyO.getType(), stateInit.getType()},
        op.getC(), op.getB(), v, logDecay, /*beta=*/Value(), op.getCuSeqlens(),
        ValueRange{emptyO, stateInit}, rewriter.getF32FloatAttr(1.0f),
        StateLayoutAttr::get(ctx, StateLayout::vk),
        QKNormAttr::get(ctx, QKNorm::none));
    // ssd's loops (b, h, p, t) are linear_attention's (b, h, v, t): P is the
    // value axis, so a tiling config carries over as it is.
    if (Attribute tile = op->getAttr(SeqMixDialect::kTileAttrName))
      la->setAttr(SeqMixDialect::kTileAttrName, tile);

    // 4. Epilogue: y = o + D·x, times silu(z); cast to the declared type.
    Value o = la.getOutput();
    Value d = op.getD(), z = op.getZ();
    Value result = o;
    if (d || z || yType.getElementType() != f32) {
      SmallVector<Value> eIns = {o};
      SmallVector<AffineMap> eMaps = {proj(ctx, 4, {0, 1, 2, 3})};
      if (d) {
        eIns.append({x, d});
        eMaps.push_back(proj(ctx, 4, {0, 1, 2, 3}));
        bool perHead = cast<RankedTensorType>(d.getType()).getRank() == 1;
        eMaps.push_back(perHead ? proj(ctx, 4, {2}) : proj(ctx, 4, {2, 3}));
      }
      if (z) {
        eIns.push_back(z);
        eMaps.push_back(proj(ctx, 4, {0, 1, 2, 3}));
      }
      eMaps.push_back(proj(ctx, 4, {0, 1, 2, 3}));
      Value emptyY = emptyLike(rewriter, loc, x, 4, yType.getElementType());
      Type yElt = yType.getElementType();
      result = linalg::GenericOp::create(
                   rewriter, loc, yType, eIns, emptyY, eMaps,
                   SmallVector<utils::IteratorType>(4, par),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     Value y = args[0];
                     unsigned next = 1;
                     if (d) {
                       Value xs = toF32(b, l, args[next]);
                       Value ds = toF32(b, l, args[next + 1]);
                       next += 2;
                       y = arith::AddFOp::create(
                           b, l, y, arith::MulFOp::create(b, l, ds, xs));
                     }
                     if (z)
                       y = arith::MulFOp::create(
                           b, l, y, silu(b, l, toF32(b, l, args[next++])));
                     linalg::YieldOp::create(b, l, fromF32(b, l, y, yElt));
                   })
                   .getResult(0);
    }

    rewriter.replaceOp(op, ValueRange{result, la.getFinalState()});
    return success();
  }

};

struct SeqMixDecomposePass
    : seqmix::impl::SeqMixDecomposePassBase<SeqMixDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeSSD>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
