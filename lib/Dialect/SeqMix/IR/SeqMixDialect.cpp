//===- SeqMixDialect.cpp - seqmix dialect ---------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqmix;

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.cpp.inc"

void SeqMixDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"
      >();
  registerAttributes();
}

/// Checks the discardable `seqmix.*` attributes: `seqmix.tile` is a tiling
/// config with one size per loop of the op it sits on, at every level it
/// sets, and tiles only the loops that may be tiled.
LogicalResult SeqMixDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() == kCheckedAttrName) {
    if (!isa<UnitAttr>(attr.getValue()) || !isa<LoopStructureOpInterface>(op))
      return op->emitError() << "'" << kCheckedAttrName
                             << "' is a unit attribute of seqmix ops";
    return success();
  }
  if (attr.getName() == kBuilderAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitError()
             << "'" << kBuilderAttrName << "' is a string attribute";
    return success();
  }
  if (attr.getName() == kBlockThreadsAttrName) {
    auto count = dyn_cast<IntegerAttr>(attr.getValue());
    if (!count || count.getInt() < 1 ||
        !isa<scf::ParallelOp, scf::ExecuteRegionOp>(op))
      return op->emitError()
             << "'" << kBlockThreadsAttrName
             << "' is a thread count >= 1 on a block region "
                "(scf.execute_region) or its thread loops (scf.parallel)";
    return success();
  }
  if (attr.getName() == kThreadPrivateAttrName) {
    auto alloca = dyn_cast<memref::AllocaOp>(op);
    if (!isa<UnitAttr>(attr.getValue()) || !alloca ||
        alloca.getType().getRank() < 1)
      return op->emitError() << "'" << kThreadPrivateAttrName
                             << "' is a unit attribute of a memref.alloca "
                                "whose first dimension is the thread";
    return success();
  }
  if (attr.getName() != kTileAttrName)
    return op->emitError() << "unknown seqmix attribute '"
                           << attr.getName().getValue() << "'";
  auto config = dyn_cast<TilingConfigAttrInterface>(attr.getValue());
  if (!config)
    return op->emitError() << "'" << kTileAttrName
                           << "' must be a tiling config (#seqmix.cpu_tiling "
                              "or #seqmix.gpu_tiling), but got "
                           << attr.getValue();
  // seqmix ops, and the projections around them: linalg.matmul, loops
  // (m, n, k), which the CPU pipeline's register-blocked kernel reads.
  auto loops = dyn_cast<LoopStructureOpInterface>(op);
  bool matmul = op->getName().getStringRef() == "linalg.matmul";
  if (!loops && !matmul)
    return op->emitError() << "'" << kTileAttrName
                           << "' is only valid on seqmix ops and "
                              "linalg.matmul, not on '"
                           << op->getName() << "'";
  SmallVector<StringRef> names =
      loops ? loops.getLoopNames() : SmallVector<StringRef>{"m", "n", "k"};
  SmallVector<utils::IteratorType> kinds =
      loops ? loops.getLoopKinds()
            : SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                               utils::IteratorType::parallel,
                                               utils::IteratorType::reduction};
  std::string list = "(" + llvm::join(names, ", ") + ")";
  // GPU blocks may also spread a loop whose points the scalar body computes
  // on its own (isLoopSpreadable): the scalar lowering makes the grid.
  bool gpu = isa<GpuTilingAttr>(config);
  auto level = [&](StringRef name, ArrayRef<int64_t> sizes,
                   bool parallel) -> LogicalResult {
    if (sizes.empty())
      return success();
    if (sizes.size() != names.size())
      return op->emitOpError()
             << "tiling level '" << name << "' must give one size per loop "
             << list << ", but gives " << sizes.size();
    for (auto [i, s] : llvm::enumerate(sizes)) {
      if (s == 0)
        continue;
      if (loops && !loops.isLoopTileable(i) &&
          !(gpu && parallel && loops.isLoopSpreadable(i)))
        return op->emitOpError()
               << "tiling level '" << name << "' cannot tile loop '" << names[i]
               << "' (it is taken whole; see the op's docs)";
      if (parallel && kinds[i] == utils::IteratorType::reduction)
        return op->emitOpError()
               << "tiling level '" << name << "' cannot spread the "
               << "reduction loop '" << names[i] << "' over threads";
    }
    return success();
  };
  if (failed(level("parallel", config.getParallelTileSizes(), true)) ||
      failed(level("serial", config.getSerialTileSizes(), false)) ||
      failed(level("vector", config.getVectorTileSizes(), false)))
    return failure();
  if (auto cpu = dyn_cast<CpuTilingAttr>(config);
      cpu && !cpu.getQuery().empty()) {
    // The query tile of windowed attention: one size per spatial axis.
    int64_t spatial = -1;
    if (isa<SlidingWindowAttentionOp>(op))
      spatial = 1;
    else if (auto na = dyn_cast<NeighborhoodAttentionOp>(op))
      spatial = na.getNumSpatialDims();
    if (spatial < 0)
      return op->emitOpError() << "'query' applies to windowed attention only";
    ArrayRef<int64_t> tile = cpu.getQuery();
    if (int64_t(tile.size()) != spatial)
      return op->emitOpError()
             << "'query' must give one size per spatial axis (" << spatial
             << "), but gives " << tile.size();
    // Lanes over queries (a neighborhood whose last-axis kernel fits the
    // vector): a vector of queries along the last axis, on up to 4 rows of
    // the axis before it (undilated). Lanes over keys: up to 8 queries
    // along the last axis.
    int64_t width = cpu.getVector().empty() ? 0 : cpu.getVector().back();
    auto na = dyn_cast<NeighborhoodAttentionOp>(op);
    bool queryLanes = na && width > 0 && na.getKernelSize().back() <= width;
    for (int64_t a = 0; a + 1 < spatial; ++a) {
      bool rows =
          queryLanes && a == spatial - 2 && na.getDilationOrDefault()[a] == 1;
      if (tile[a] > (rows ? 4 : 1))
        return op->emitOpError()
               << "'query' size " << tile[a] << " on spatial axis " << a
               << " is not supported: "
               << (rows ? "at most 4 rows"
                        : "only the axis before the last, undilated, of a "
                          "neighborhood with lanes over queries takes more "
                          "than 1");
    }
    if (queryLanes && tile.back() != width)
      return op->emitOpError()
             << "'query' on the last axis must be the vector width " << width
             << " (lanes over queries), but is " << tile.back();
    if (!queryLanes && tile.back() > 8)
      return op->emitOpError() << "'query' on the last axis must be at most 8 "
                                  "(query rows with lanes over keys), but is "
                               << tile.back();
  }
  if (std::optional<int64_t> chunk = config.getChunkSize()) {
    if (!llvm::is_contained(kinds, utils::IteratorType::reduction) ||
        !llvm::is_contained(names, "t"))
      return op->emitOpError() << "'chunk' applies to recurrences only";
    if (!llvm::isPowerOf2_64(*chunk))
      return op->emitOpError()
             << "'chunk' must be a power of two, but is " << *chunk;
  }
  return success();
}
