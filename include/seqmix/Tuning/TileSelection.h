//===- TileSelection.h - tiling configs for a target ------------*- C++ -*-===//

#ifndef SEQMIX_TUNING_TILESELECTION_H
#define SEQMIX_TUNING_TILESELECTION_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Tuning/TargetInfo.h"

namespace mlir::seqmix {

/// A #seqmix.cpu_tiling for `op` on `cores` threads, or null when it gains
/// nothing (one core, no parallel loop worth splitting). The parallel level
/// splits the widest parallel loop that may be tiled, into one tile per
/// core; ops whose scalar body checks values it reads (dispatch, combine)
/// stay on one thread so that a failed check never happens on a worker.
/// The register tile of a family with a vector tile builder: the vector
/// width and the time chunk (0: none) predicted fastest for a thread tile
/// of `channels` channels (time chunks only if `chunkable`), and the
/// prediction (ns per token). Width 0 when the op has no builder or a size
/// it needs is dynamic.
struct RegisterTileChoice {
  int64_t width = 0;
  int64_t chunk = 0;
  double nsPerToken = 0;
};
RegisterTileChoice selectRegisterTile(LoopStructureOpInterface op,
                                      const CpuTargetInfo &target,
                                      int64_t channels, bool chunkable);

/// The CPU tiling config of `op` on `target` with `cores` threads, or null
/// when it would tile nothing.
Attribute selectCpuTiling(LoopStructureOpInterface op,
                          const CpuTargetInfo &target, unsigned cores);

/// The CPU tiling config of an f32 linalg.matmul (loops m, n, k): row
/// blocks per thread, a K block and the register tile MR x NR of the CPU
/// pipeline's matmul kernel. Null for other element types.
Attribute selectCpuMatmulTiling(Operation *matmul, const CpuTargetInfo &target,
                                unsigned cores);

/// The GPU tiling config of `op`: a grid over its parallel loops that may
/// be tiled, one point of each per block except on the thread loop (the
/// loop the CPU builders vectorize, else the innermost such loop), where a
/// block takes up to 128 points, one per thread (seqmix-tile spreads a
/// block's tile over its threads). Time and reduction loops stay whole:
/// each thread walks them, its state in its own registers. Null when no
/// loop may be tiled.
Attribute selectGpuTiling(LoopStructureOpInterface op,
                          const GpuTargetInfo &target);

} // namespace mlir::seqmix

#endif // SEQMIX_TUNING_TILESELECTION_H
