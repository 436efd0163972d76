//===- SelectTileConfig.cpp - a tiling config for every op lacking one -----===//
//
// Chooses each op's CPU tiling from its loop structure and the target's
// cores (lib/Tuning); a config the user wrote wins.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Tuning/TileSelection.h"

#include <thread>

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXSELECTTILECONFIGPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {
struct SeqMixSelectTileConfigPass
    : seqmix::impl::SeqMixSelectTileConfigPassBase<SeqMixSelectTileConfigPass> {
  using Base::Base;
  void runOnOperation() override {
    unsigned cores = threads ? unsigned(threads)
                             : std::max(1u, std::thread::hardware_concurrency());
    getOperation()->walk([&](LoopStructureOpInterface op) {
      if (op->hasAttr(SeqMixDialect::kTileAttrName))
        return;
      if (Attribute config = selectCpuTiling(op, cores))
        op->setAttr(SeqMixDialect::kTileAttrName, config);
    });
  }
};
} // namespace
