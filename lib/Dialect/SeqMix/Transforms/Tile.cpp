//===- Tile.cpp - tile every op by its tiling config ----------------------===//
//
// Reads the `seqmix.tile` config of each op and applies it with upstream
// scf::tileUsingSCF: the parallel level becomes an scf.forall (threads, or
// GPU blocks, whose tiles a second scf.forall spreads over the block's
// threads), then the serial level an scf.for inside it (cache blocks; on
// the time loop of a recurrence the chunks that carry the state). The tiled
// op keeps the levels still to come (vector, chunk). Sizes come from the
// config only: an op without one is left alone.
//
// Elementwise linalg producers (A = -exp(A_log), a fill of the initial
// state) are fused into the thread loop by upstream tile-and-fuse, each
// thread computing the slice its tile reads, and elementwise consumers of
// the results (an activation on the output) are fused after it: no
// intermediate tensor of the whole op reaches memory.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/SeqMixToGPU/SeqMixToGPU.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXTILEPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// Tiles `op` by `sizes` with loops of `type`; returns the tiled op, or
/// `op` itself when every size is 0.
FailureOr<Operation *> tileLevel(RewriterBase &rewriter, Operation *op,
                                 ArrayRef<int64_t> sizes,
                                 scf::SCFTilingOptions::LoopType type) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setLoopType(type);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

/// Elementwise linalg ops (fills included) are worth computing per tile.
bool isFusibleElementwise(Operation *op) {
  auto linalgOp = dyn_cast_if_present<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.hasPureTensorSemantics() &&
         (isa<linalg::FillOp>(op) || linalg::isElementwise(linalgOp));
}

/// The parallel level: `op` tiled by `sizes` into an scf.forall, with its
/// elementwise producers fused into the loop, then its elementwise
/// consumers. Returns the tiled op, or `op` itself when every size is 0.
FailureOr<Operation *> tileAndFuseParallel(RewriterBase &rewriter,
                                           Operation *op,
                                           ArrayRef<int64_t> sizes) {
  if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
    return op;
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (!isFusibleElementwise(producer.getOwner()))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op), options);
  if (failed(fused))
    return failure();
  for (OpResult r : op->getResults())
    rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
  Operation *tiled = fused->tiledAndFusedOps.front();
  rewriter.eraseOp(op);
  // Consumers next: each elementwise user of the loop's results whose other
  // operands are available before the loop (a tensor.empty made after it
  // moves up).
  SmallVector<LoopLikeOpInterface> loops = fused->loops;
  auto availableBefore = [&](Operation *loop, Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || def == loop || def->getBlock() != loop->getBlock() ||
        def->isBeforeInBlock(loop))
      return true;
    if (def->getNumOperands() == 0 && isMemoryEffectFree(def)) {
      rewriter.moveOpBefore(def, loop);
      return true;
    }
    return false;
  };
  llvm::SmallPtrSet<Operation *, 4> tried;
  for (bool changed = true; changed && !loops.empty();) {
    changed = false;
    Operation *loop = loops.front();
    for (Operation *user : llvm::to_vector(loop->getUsers())) {
      if (!tried.insert(user).second || !isFusibleElementwise(user) ||
          !llvm::all_of(user->getOperands(),
                        [&](Value v) { return availableBefore(loop, v); }))
        continue;
      if (succeeded(scf::tileAndFuseConsumer(rewriter, user, loops))) {
        if (user->use_empty())
          rewriter.eraseOp(user);
        changed = true;
        break;
      }
    }
  }
  // A result only the fused consumers read (the f32 output an int8
  // quantization consumed) need not be assembled: the tile writes into a
  // slice of its empty init instead, and the loop drops the result.
  if (auto forall = dyn_cast_if_present<scf::ForallOp>(
          loops.empty() ? nullptr : loops.front().getOperation())) {
    for (auto [result, out] :
         llvm::zip_equal(forall.getResults(), forall.getRegionIterArgs())) {
      Value init = forall.getTiedOpOperand(out)->get();
      if (!result.use_empty() || !init.getDefiningOp<tensor::EmptyOp>())
        continue;
      for (Operation *insert : forall.getCombiningOps(out))
        rewriter.eraseOp(insert);
      rewriter.replaceAllUsesWith(out, init);
    }
  }
  return tiled;
}

struct SeqMixTilePass : seqmix::impl::SeqMixTilePassBase<SeqMixTilePass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](LoopStructureOpInterface op) {
      auto dps = dyn_cast<DestinationStyleOpInterface>(op.getOperation());
      if (op->hasAttr(SeqMixDialect::kTileAttrName) && dps &&
          dps.hasPureTensorSemantics())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      auto config = cast<TilingConfigAttrInterface>(
          op->getAttr(SeqMixDialect::kTileAttrName));
      // On a GPU, producers stay outside (their own kernels): fused into a
      // block, every thread of it would compute the whole block's slice.
      bool gpu = isa<GpuTilingAttr>(config);
      // Blocks along a loop the op cannot be sliced along (the query
      // positions of windowed attention): the scalar lowering makes the
      // grid and the threads of the whole op (convert-seqmix-to-loops).
      if (gpu && cast<GpuTilingAttr>(config).spreadsUnsliceableLoop(
                     cast<LoopStructureOpInterface>(op)))
        continue;
      // Read before tiling replaces the op. A GPU block's tile is spread
      // over its threads: one point of each parallel loop the block takes
      // more than one of, per thread (the GPU pipeline maps the outer
      // scf.forall to the grid, this one to the block's threads). With a
      // chunk on an op a block builder takes, the block's threads work
      // together on each chunk: the builder spreads them
      // (convert-seqmix-to-gpu-blocks).
      SmallVector<utils::IteratorType> kinds =
          cast<LoopStructureOpInterface>(op).getLoopKinds();
      bool blockBuilder = gpu && cast<GpuTilingAttr>(config).getChunk() &&
                          hasGpuBlockBuilder(op);
      FailureOr<Operation *> tiled =
          gpu ? tileLevel(rewriter, op, config.getParallelTileSizes(),
                          scf::SCFTilingOptions::LoopType::ForallOp)
              : tileAndFuseParallel(rewriter, op,
                                    config.getParallelTileSizes());
      if (succeeded(tiled) && gpu && !blockBuilder) {
        SmallVector<int64_t> perThread;
        for (auto [size, kind] :
             llvm::zip_equal(config.getParallelTileSizes(), kinds))
          perThread.push_back(
              size > 1 && kind == utils::IteratorType::parallel ? 1 : 0);
        tiled = tileLevel(rewriter, *tiled, perThread,
                          scf::SCFTilingOptions::LoopType::ForallOp);
      }
      if (succeeded(tiled))
        tiled = tileLevel(rewriter, *tiled, config.getSerialTileSizes(),
                          scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(tiled))
        return signalPassFailure();
      if (Attribute rest = config.withoutLoopLevels())
        (*tiled)->setAttr(SeqMixDialect::kTileAttrName, rest);
      else
        (*tiled)->removeAttr(SeqMixDialect::kTileAttrName);
    }
  }
};

} // namespace
