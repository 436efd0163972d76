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
      if (auto user =
              op->getAttrOfType<CpuTilingAttr>(SeqMixDialect::kTileAttrName))
        return warnIfNoRegisterTile(op, user, info, cores);
      if (op->hasAttr(SeqMixDialect::kTileAttrName))
        return;
      if (Attribute config = selectCpuTiling(op, info, cores))
        op->setAttr(SeqMixDialect::kTileAttrName, config);
    });
  }

  /// `chunk` and `query` are read by the register-tile builders alone,
  /// which run only with a vector level: a user config that sets them
  /// without one (`#seqmix.cpu_tiling<chunk = 4>`) runs the scalar body,
  /// almost surely not what was meant. Says so, with the level the cost
  /// model would pick.
  void warnIfNoRegisterTile(LoopStructureOpInterface op, CpuTilingAttr user,
                            const CpuTargetInfo &info, unsigned cores) {
    if (!user.getVector().empty() ||
        (!user.getChunk() && user.getQuery().empty()))
      return;
    auto chosen =
        dyn_cast_if_present<CpuTilingAttr>(selectCpuTiling(op, info, cores));
    if (!chosen || chosen.getVector().empty())
      return;
    StringRef part = user.getChunk() ? "chunk" : "query";
    op->emitWarning() << "'" << SeqMixDialect::kTileAttrName << "' sets '"
                      << part << "' but has no 'vector' level: only the "
                      << "register-tile builders read '" << part
                      << "', so the op runs its scalar body; the cost model "
                         "would give it vector = ["
                      << chosen.getVector() << "]";
  }
};
} // namespace
