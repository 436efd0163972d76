//===- SeqMixToVectorInternal.h - the tile builders -------------*- C++ -*-===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTORINTERNAL_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTORINTERNAL_H

#include "VectorEmitter.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqmix::detail {

/// Each builder replaces nothing: it emits the tile's code before `op` and
/// leaves erasing it to the caller. It fails, emitting nothing, on a tile it
/// does not cover. `width` is the vector width of the loop it vectorizes.
/// The channels [lo, hi) of batch row `bi` that a channel-vectorized
/// builder leaves over (D not a multiple of the width), through the op's
/// scalar body at every token; channels are independent, so each is walked
/// through time on its own. `op`'s loops are (b, d, t).
void emitScalarChannels(OpBuilder &b, Location loc, LoopStructureOpInterface op,
                        Value bi, Value lo, Value hi, Value T);

LogicalResult buildStateStationaryScan(RewriterBase &rewriter,
                                       SelectiveScanOp op, int64_t width);
LogicalResult buildStreamingConv(RewriterBase &rewriter, CausalConv1dOp op,
                                 int64_t width);
LogicalResult buildButterfly(RewriterBase &rewriter, HadamardOp op,
                             int64_t width);
LogicalResult buildRecurrentLinearAttention(RewriterBase &rewriter,
                                            LinearAttentionOp op,
                                            int64_t width);
LogicalResult buildRecurrentSSD(RewriterBase &rewriter, SSDOp op,
                                int64_t width);
LogicalResult buildSlidingWindowAttention(RewriterBase &rewriter,
                                          SlidingWindowAttentionOp op,
                                          int64_t width);
LogicalResult buildNeighborhoodAttention(RewriterBase &rewriter,
                                         NeighborhoodAttentionOp op,
                                         int64_t width);
LogicalResult buildTokenRoute(RewriterBase &rewriter, RouteOp op,
                              int64_t width);
LogicalResult buildRowCombine(RewriterBase &rewriter, CombineOp op,
                              int64_t width);
void buildThreadedDispatch(RewriterBase &rewriter, DispatchOp op);
LogicalResult buildSegmentMatmul(RewriterBase &rewriter, SegmentMatmulOp op,
                                 int64_t nr);
LogicalResult buildRegisterBlockedMatmul(RewriterBase &rewriter,
                                         linalg::MatmulOp op,
                                         CpuTilingAttr config);

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTORINTERNAL_H
