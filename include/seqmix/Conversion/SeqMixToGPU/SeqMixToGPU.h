//===- SeqMixToGPU.h - block-cooperative GPU tile builders ------*- C++ -*-===//
//
// The GPU tile builders write a thread block's tile as block-level code
// around thread loops: buffers allocated at block level are the block's
// shared memory, each thread loop (an scf.parallel over the block's threads
// marked `seqmix.block_threads`) is one phase that every thread runs, and
// phases are ordered (a barrier between any two). On the host this form
// runs as written (the GPU emulation); convert-seqmix-blocks-to-gpu makes
// each block loop a gpu.launch.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_CONVERSION_SEQMIXTOGPU_SEQMIXTOGPU_H
#define SEQMIX_CONVERSION_SEQMIXTOGPU_SEQMIXTOGPU_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Utils/RecurrenceView.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::seqmix {

/// The largest static shared memory a kernel may declare (bytes): what a
/// block gets without the dynamic opt-in, on every chip.
inline constexpr int64_t kStaticSharedMemoryBytes = 48 << 10;

/// The shared-memory bytes of a chunked recurrence's tile: chunk rows of
/// q, k and cumulative gates (`gateColumns` of them: K, 1 or 0; each a pair
/// of floats), the chunk's values, scores and Δ (ssd), and the state tile;
/// for the delta rule also the chunk's k k^T and β.
/// With `mmaBytes` (the tensor-core path, 2: bf16 or f16) q, k and the
/// values are staged in that type, and the scores, the state and the
/// chunk's outputs (f32) also have copies in it as matmul operands.
inline int64_t chunkedRecurrenceSharedBytes(int64_t chunk, int64_t keyDim,
                                            int64_t valueTile,
                                            int64_t gateColumns,
                                            int64_t mmaBytes = 0,
                                            bool delta = false) {
  int64_t floats = chunk * (2 * gateColumns + chunk + 1) + keyDim * valueTile;
  if (delta)
    floats += chunk * (chunk + 1);
  int64_t staged = chunk * (2 * keyDim + valueTile);
  if (!mmaBytes)
    return 4 * (floats + staged);
  return 4 * (floats + chunk * valueTile) +
         mmaBytes * (staged + chunk * chunk + keyDim * valueTile);
}

/// The element bytes of a chunked recurrence's tensor-core path (2 where
/// q, k and v are all bf16 or all f16, the key size is a multiple of 16
/// and the rule is additive), else 0; the path also needs chunks and M
/// dims of 16 and value tiles of 8.
inline int64_t chunkedRecurrenceMmaBytes(const RecurrenceView &view) {
  Type e = getElementTypeOrSelf(view.q.getType());
  auto keys = cast<ShapedType>(view.q.getType());
  if (view.beta || !(e.isBF16() || e.isF16()) ||
      getElementTypeOrSelf(view.k.getType()) != e ||
      getElementTypeOrSelf(view.v.getType()) != e ||
      keys.isDynamicDim(keys.getRank() - 1) ||
      keys.getDimSize(keys.getRank() - 1) % 16)
    return 0;
  return 2;
}

/// The shared-memory bytes of the windowed-attention block on tensor
/// cores: `rows` query rows (the block's threads) of q (16-bit) and of the
/// f32 output accumulators, a tile of `keyTile` k and v rows (16-bit) with
/// their `axes` coordinates, and the tile's scores (f32) and
/// probabilities (16-bit).
inline int64_t windowedAttentionMmaSharedBytes(int64_t rows, int64_t keyTile,
                                               int64_t D, int64_t Dv,
                                               int64_t axes) {
  return 2 * (rows * D + keyTile * (D + Dv) + rows * keyTile) +
         4 * rows * (keyTile + Dv) + 8 * keyTile * axes;
}

/// The key tile (64, 32 or 16: the largest that fits 48 KiB) of windowed
/// attention on tensor cores with `rows` query rows, where q, k and v are
/// all bf16 or all f16 with D a multiple of 16 and Dv of 8; nullopt where
/// the op takes the f32 form (a thread per query, f32 tiles).
inline std::optional<int64_t> windowedAttentionMmaKeyTile(Value q, Value k,
                                                          Value v, int64_t axes,
                                                          int64_t rows) {
  auto qt = cast<ShapedType>(q.getType()), vt = cast<ShapedType>(v.getType());
  Type e = qt.getElementType();
  int64_t D = qt.getDimSize(qt.getRank() - 1);
  int64_t Dv = vt.getDimSize(vt.getRank() - 1);
  if (!(e.isBF16() || e.isF16()) || getElementTypeOrSelf(k.getType()) != e ||
      vt.getElementType() != e || ShapedType::isDynamic(D) ||
      ShapedType::isDynamic(Dv) || D % 16 || Dv % 8 || rows % 32)
    return std::nullopt;
  for (int64_t kt = 64; kt >= 16; kt /= 2)
    if (windowedAttentionMmaSharedBytes(rows, kt, D, Dv, axes) <=
        kStaticSharedMemoryBytes)
      return kt;
  return std::nullopt;
}

/// Whether a block builder takes `op` (with a #seqmix.gpu_tiling):
/// linear_attention (both rules) and ssd, with no packed
/// sequences and a static key (state) size, when the config has a `chunk`
/// (seqmix-tile then leaves the block's threads to the builder);
/// sliding_window_attention and neighborhood_attention with static head
/// dims.
inline bool hasGpuBlockBuilder(Operation *op) {
  if (isa<SlidingWindowAttentionOp, NeighborhoodAttentionOp>(op)) {
    auto q = cast<ShapedType>(op->getOperand(0).getType());
    auto v = cast<ShapedType>(op->getOperand(2).getType());
    return !q.isDynamicDim(q.getRank() - 1) && !v.isDynamicDim(v.getRank() - 1);
  }
  if (auto la = dyn_cast<LinearAttentionOp>(op))
    return !la.getCuSeqlens() &&
           !cast<ShapedType>(la.getQ().getType()).isDynamicDim(3);
  if (auto ssd = dyn_cast<SSDOp>(op))
    return !ssd.getCuSeqlens() &&
           !cast<ShapedType>(ssd.getC().getType()).isDynamicDim(3);
  return false;
}

/// Buffer-form linear_attention (both rules) and ssd that hasGpuBlockBuilder
/// takes, with a `chunk` in their #seqmix.gpu_tiling: the chunked form in one
/// block, tiles staged in shared memory.
void populateChunkedRecurrenceToGpuPatterns(RewritePatternSet &patterns);

/// Buffer-form sliding_window_attention and neighborhood_attention that
/// hasGpuBlockBuilder takes, with a #seqmix.gpu_tiling (`blocks`: 1, the
/// queries per block along each query axis, 1): flash-style, a thread per
/// query, key tiles staged in shared memory, online softmax.
void populateWindowedAttentionToGpuPatterns(RewritePatternSet &patterns);

} // namespace mlir::seqmix

#endif // SEQMIX_CONVERSION_SEQMIXTOGPU_SEQMIXTOGPU_H
