//===- SeqMixToVector.cpp - tiles to vector code --------------------------===//
//
// A buffer-form op whose tile config has a vector level becomes the code of
// its family's tile builder: the state-stationary scan (selective_scan),
// the recurrent linear attention, the streaming convolution (causal_conv1d)
// or the butterflies (hadamard), on vectors of the configured width. Ops with
// no vector level, or that a builder does not cover yet, are left to
// convert-seqmix-to-loops.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Conversion/SeqMixToVector/SeqMixToVector.h"
#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_CONVERTSEQMIXTOVECTORPASS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

namespace {

/// The vector width of loop `loop` in `op`'s tile config, or 0.
int64_t vectorWidth(Operation *op, unsigned loop) {
  auto config = op->getAttrOfType<TilingConfigAttrInterface>(
      SeqMixDialect::kTileAttrName);
  if (!config)
    return 0;
  ArrayRef<int64_t> sizes = config.getVectorTileSizes();
  return loop < sizes.size() ? sizes[loop] : 0;
}

template <typename OpTy> struct VectorizePattern : OpRewritePattern<OpTy> {
  using Builder = LogicalResult (*)(RewriterBase &, OpTy, int64_t);
  using LoopOf = unsigned (*)(Operation *);
  VectorizePattern(MLIRContext *ctx, LoopOf loop, Builder build)
      : OpRewritePattern<OpTy>(ctx), loop(loop), build(build) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    int64_t width = vectorWidth(op, loop(op));
    if (!op.hasPureBufferSemantics() || width <= 1)
      return rewriter.notifyMatchFailure(op, "no vector level on buffers");
    // A builder emits before the op, or fails having emitted nothing; the
    // run-time checks then go before the first thing it emitted.
    Block::iterator start = op->getIterator();
    bool first = start == op->getBlock()->begin();
    Block::iterator before = first ? start : std::prev(start);
    rewriter.setInsertionPoint(op);
    if (failed(build(rewriter, op, width)))
      return failure();
    if (!op->hasAttr(SeqMixDialect::kCheckedAttrName)) {
      rewriter.setInsertionPoint(
          &*(first ? op->getBlock()->begin() : std::next(before)));
      emitRuntimeChecks(rewriter, cast<LoopStructureOpInterface>(*op));
    }
    rewriter.eraseOp(op);
    return success();
  }

  LoopOf loop; // the loop whose vector size is the width
  Builder build;
};

/// A linalg.matmul with a CPU tiling config: the register-blocked kernel.
struct MatmulPattern : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto config =
        op->getAttrOfType<CpuTilingAttr>(SeqMixDialect::kTileAttrName);
    if (!config)
      return rewriter.notifyMatchFailure(op, "no tiling config");
    rewriter.setInsertionPoint(op);
    if (failed(buildRegisterBlockedMatmul(rewriter, op, config)))
      return failure();
    rewriter.eraseOp(op);
    return success();
  }
};

/// dispatch has no loop to tile (its rows and offsets are global), so it
/// needs no config: the CPU pipeline always sorts, then copies on threads.
struct DispatchPattern : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DispatchOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "buffers only");
    rewriter.setInsertionPoint(op);
    if (!op->hasAttr(SeqMixDialect::kCheckedAttrName))
      emitRuntimeChecks(rewriter, cast<LoopStructureOpInterface>(*op));
    buildThreadedDispatch(rewriter, op);
    rewriter.eraseOp(op);
    return success();
  }
};

struct ConvertSeqMixToVectorPass
    : seqmix::impl::ConvertSeqMixToVectorPassBase<ConvertSeqMixToVectorPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSeqMixToVectorPatterns(patterns);
    // The greedy driver: a builder may also erase a consumer it absorbed.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void mlir::seqmix::detail::emitScalarChannels(OpBuilder &b, Location loc,
                                              LoopStructureOpInterface op,
                                              Value bi, Value lo, Value hi,
                                              Value T) {
  ScalarEmitter e{b, loc};
  e.loop(lo, hi, [&](Value d) {
    e.loop(T, [&](Value t) { (void)op.emitScalarBody(b, loc, {bi, d, t}); });
  });
}

void mlir::seqmix::populateSeqMixToVectorPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  // The scan and the conv vectorize their channel loop d, loop 1 of
  // (b, d, t).
  auto channels = [](Operation *) -> unsigned { return 1; };
  patterns.add<VectorizePattern<SelectiveScanOp>>(ctx, channels,
                                                  buildStateStationaryScan);
  patterns.add<VectorizePattern<CausalConv1dOp>>(ctx, channels,
                                                 buildStreamingConv);
  // linear_attention vectorizes its value columns, loop 2 of (b, h, v, t).
  patterns.add<VectorizePattern<LinearAttentionOp>>(
      ctx, [](Operation *) -> unsigned { return 2; },
      buildRecurrentLinearAttention);
  // ssd, through the same builder: loop 2 of (b, h, p, t).
  patterns.add<VectorizePattern<SSDOp>>(
      ctx, [](Operation *) -> unsigned { return 2; }, buildRecurrentSSD);
  // sliding_window_attention's lanes run over keys, which no loop of
  // (b, i, h) walks: the width sits on its last loop, as hadamard's.
  patterns.add<VectorizePattern<SlidingWindowAttentionOp>>(
      ctx, [](Operation *) -> unsigned { return 2; },
      buildSlidingWindowAttention);
  // neighborhood_attention likewise: (b, x1.., h), the width on h.
  patterns.add<VectorizePattern<NeighborhoodAttentionOp>>(
      ctx,
      [](Operation *op) -> unsigned {
        return cast<NeighborhoodAttentionOp>(op).getNumSpatialDims() + 1;
      },
      buildNeighborhoodAttention);
  // route vectorizes its tokens, loop 1 of (b, t).
  patterns.add<VectorizePattern<RouteOp>>(ctx, channels, buildTokenRoute);
  // combine vectorizes its last feature loop, the last of (r, f1..).
  patterns.add<VectorizePattern<CombineOp>>(
      ctx,
      [](Operation *op) -> unsigned {
        return cast<ShapedType>(op->getOperand(0).getType()).getRank() - 1;
      },
      buildRowCombine);
  // segment_matmul's NR sits on its column loop c, loop 1 of (r, c).
  patterns.add<VectorizePattern<SegmentMatmulOp>>(ctx, channels,
                                                  buildSegmentMatmul);
  // hadamard's vector width sits on its last row loop.
  patterns.add<VectorizePattern<HadamardOp>>(
      ctx,
      [](Operation *op) -> unsigned {
        return cast<ShapedType>(op->getOperand(0).getType()).getRank() - 2;
      },
      buildButterfly);
  patterns.add<MatmulPattern, DispatchPattern>(ctx);
}
