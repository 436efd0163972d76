//===- Tile.cpp - tile every op by its tiling config -----------------------===//
//
// Reads the `seqmix.tile` config of each op and applies it with upstream
// scf::tileUsingSCF: the parallel level becomes an scf.forall (threads, or
// GPU blocks), then the serial level an scf.for inside it (cache blocks; on
// the time loop of a recurrence the chunks that carry the state). The tiled
// op keeps the levels still to come (vector, chunk). Sizes come from the
// config only: an op without one is left alone.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
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
      FailureOr<Operation *> tiled =
          tileLevel(rewriter, op, config.getParallelTileSizes(),
                    scf::SCFTilingOptions::LoopType::ForallOp);
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
