//===- TileSelection.cpp - tiling configs for a target --------------------===//
//
// The first CPU choice: spread the widest parallel loop over the cores.
// Per-head and per-channel work is independent and, at batch 1, plentiful
// (heads, value columns, channels), so one tile per core balances the load
// without splitting a reduction. A loop whose operands share a dimension by
// groups (GQA heads, Mamba groups) is split only by a size that is a
// multiple or a divisor of the group.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Tuning/TileSelection.h"

using namespace mlir;
using namespace mlir::seqmix;

/// Whether a tile of `size` along `loop` keeps every grouped operand
/// dimension whole-grouped.
static bool respectsGroups(LoopStructureOpInterface op, unsigned loop,
                           int64_t size, int64_t extent) {
  for (auto [v, dims] :
       llvm::zip_equal(op->getOperands(), op.getOperandLoopDims()))
    for (auto [d, ld] : llvm::enumerate(dims)) {
      if (ld.loop != int64_t(loop) || !ld.grouped)
        continue;
      int64_t n = cast<ShapedType>(v.getType()).getDimSize(d);
      if (ShapedType::isDynamic(n) || n <= 0)
        return false;
      if (!tileFitsGroups(extent / n, size))
        return false;
    }
  return true;
}

Attribute mlir::seqmix::selectCpuTiling(LoopStructureOpInterface op,
                                        unsigned cores) {
  if (cores < 2 || isa<DispatchOp, CombineOp>(op))
    return {};
  // An empty operand (a W = 1 conv's [N, 0, D] state) cannot be sliced:
  // upstream rejects any offset into a dimension of size 0.
  for (Value v : op->getOperands())
    if (llvm::is_contained(cast<ShapedType>(v.getType()).getShape(), 0))
      return {};
  OpBuilder b(op->getContext());
  SmallVector<utils::IteratorType> kinds = op.getLoopKinds();
  SmallVector<int64_t> threads(kinds.size(), 0);
  int64_t best = -1, bestExtent = 1;
  for (auto [l, size] : llvm::enumerate(op.getLoopSizes(b))) {
    std::optional<int64_t> extent = getConstantIntValue(size);
    if (!extent || *extent < 2 || kinds[l] != utils::IteratorType::parallel ||
        !op.isLoopTileable(l))
      continue;
    int64_t tile = (*extent + cores - 1) / cores;
    if (*extent > bestExtent && respectsGroups(op, l, tile, *extent)) {
      best = l;
      bestExtent = *extent;
    }
  }
  if (best < 0)
    return {};
  threads[best] = (bestExtent + cores - 1) / cores;
  return CpuTilingAttr::get(op->getContext(), threads, {}, {}, std::nullopt);
}
