//===- TileSelection.h - tiling configs for a target ------------*- C++ -*-===//

#ifndef SEQMIX_TUNING_TILESELECTION_H
#define SEQMIX_TUNING_TILESELECTION_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

namespace mlir::seqmix {

/// A #seqmix.cpu_tiling for `op` on `cores` threads, or null when it gains
/// nothing (one core, no parallel loop worth splitting). The parallel level
/// splits the widest parallel loop that may be tiled, into one tile per
/// core; ops whose scalar body checks values it reads (dispatch, combine)
/// stay on one thread so that a failed check never happens on a worker.
Attribute selectCpuTiling(LoopStructureOpInterface op, unsigned cores);

} // namespace mlir::seqmix

#endif // SEQMIX_TUNING_TILESELECTION_H
