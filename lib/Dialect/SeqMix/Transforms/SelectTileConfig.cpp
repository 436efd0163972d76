//===- SelectTileConfig.cpp - a tiling config for every op lacking one -----===//
//
// Chooses each op's CPU tiling from its loop structure and the target's
// cores and vector width (lib/Tuning), for the host or the target the
// options describe, or its GPU tiling for a chip; a config the user wrote
// wins.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Tuning/TileSelection.h"

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
    if (target == "gpu") {
      auto info = GpuTargetInfo::forChip(chip);
      if (!info) {
        getOperation()->emitError()
            << "seqmix-select-tile-config: " << toString(info.takeError());
        return signalPassFailure();
      }
      getOperation()->walk([&](LoopStructureOpInterface op) {
        if (op->hasAttr(SeqMixDialect::kTileAttrName))
          return;
        if (Attribute config = selectGpuTiling(op, *info))
          op->setAttr(SeqMixDialect::kTileAttrName, config);
      });
      return;
    }
    if (target != "cpu") {
      getOperation()->emitError()
          << "seqmix-select-tile-config: unknown target '" << target
          << "' (expected cpu or gpu)";
      return signalPassFailure();
    }
    CpuTargetInfo info = CpuTargetInfo::detectHost();
    if (!cpu.empty()) {
      auto parsed = CpuTargetInfo::parse(cpu, info);
      if (!parsed) {
        getOperation()->emitError()
            << "seqmix-select-tile-config: " << toString(parsed.takeError());
        return signalPassFailure();
      }
      info = *parsed;
    }
    unsigned cores = threads ? unsigned(threads) : info.cores;
    getOperation()->walk([&](Operation *op) {
      if (op->getName().getStringRef() != "linalg.matmul" ||
          op->hasAttr(SeqMixDialect::kTileAttrName))
        return;
      if (Attribute config = selectCpuMatmulTiling(op, info, cores))
        op->setAttr(SeqMixDialect::kTileAttrName, config);
    });
    getOperation()->walk([&](LoopStructureOpInterface op) {
      if (op->hasAttr(SeqMixDialect::kTileAttrName))
        return;
      if (Attribute config = selectCpuTiling(op, info, cores))
        op->setAttr(SeqMixDialect::kTileAttrName, config);
    });
  }
};
} // namespace
