//===- BlocksToLaunch.cpp - block-cooperative code to gpu.launch ----------===//
//
// The GPU tile builders leave a block's code in an `scf.execute_region`
// marked `seqmix.block_threads`, inside the grid's parallel loop (or alone,
// where canonicalization removed a grid of one block). Upstream's
// convert-parallel-loops-to-gpu cannot take it: it allows side effects in
// the innermost loop only. Here the grid loop becomes a gpu.launch of that
// many threads per block; buffers the region allocates outside its thread
// loops become workgroup (shared) memory, except thread-private ones
// ([threads, ...], each thread at its own index), which become each
// thread's own; each thread loop becomes the thread's strided share of it,
// then a barrier. Warp-level code in a thread loop (warpMatmul's products,
// warpRows' vector code) first becomes each lane's share of it.
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "seqmix/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_CONVERTSEQMIXBLOCKSTOGPUPASS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

/// The thread loops of a block region (not those of a nested region).
static SmallVector<scf::ParallelOp> threadLoops(Operation *block) {
  SmallVector<scf::ParallelOp> loops;
  block->walk([&](scf::ParallelOp loop) {
    if (loop->hasAttr(SeqMixDialect::kBlockThreadsAttrName))
      loops.push_back(loop);
  });
  return loops;
}

/// Whether `op` is inside one of the region's thread loops.
static bool inThreadLoop(Operation *op, Operation *block) {
  for (Operation *p = op->getParentOp(); p && p != block; p = p->getParentOp())
    if (p->hasAttr(SeqMixDialect::kBlockThreadsAttrName) &&
        isa<scf::ParallelOp>(p))
      return true;
  return false;
}

static LogicalResult convertBlock(RewriterBase &rewriter,
                                  scf::ExecuteRegionOp region) {
  Location loc = region.getLoc();
  int64_t threads =
      cast<IntegerAttr>(region->getAttr(SeqMixDialect::kBlockThreadsAttrName))
          .getInt();
  if (!region.getRegion().hasOneBlock() || region.getNumResults() != 0)
    return region.emitError("a block region has one block and no results");
  // Warp-level code as each lane's share of it: matrix products, then
  // row-wise vector code.
  SmallVector<gpu::WarpExecuteOnLane0Op> products;
  region->walk([&](gpu::WarpExecuteOnLane0Op w) {
    if (w.getWarpRegion()
            .walk([](vector::ContractionOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      products.push_back(w);
  });
  for (gpu::WarpExecuteOnLane0Op w : products)
    if (failed(seqmix::detail::distributeWarpMatmuls(rewriter, w)))
      return failure();
  if (failed(seqmix::detail::distributeWarpVectors(rewriter, region)))
    return failure();
  // The grid: the outermost parallel loop around the region, whose body
  // must compute nothing but views and indices besides the region.
  auto grid = region->getParentOfType<scf::ParallelOp>();
  while (grid && grid->getParentOfType<scf::ParallelOp>())
    grid = grid->getParentOfType<scf::ParallelOp>();
  if (grid && grid.getNumLoops() > 3)
    return grid.emitError("a grid of more than three dimensions");
  Operation *moved = grid ? grid.getOperation() : region.getOperation();
  if (grid) {
    Operation *writer = nullptr;
    grid.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == region.getOperation())
        return WalkResult::skip();
      if (!isMemoryEffectFree(op) && !isa<scf::ForOp, scf::IfOp>(op) &&
          !op->hasTrait<OpTrait::IsTerminator>()) {
        writer = op;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (writer)
      return writer->emitError()
             << "a grid loop around a block region may compute only views "
                "and indices outside it, not '"
             << writer->getName() << "'";
  }
  // Block-level buffers are the block's shared memory.
  SmallVector<memref::AllocaOp> sharedBuffers;
  SmallVector<Type> sharedTypes;
  auto workgroup = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                              gpu::AddressSpace::Workgroup);
  WalkResult walk = region->walk([&](memref::AllocaOp alloca) {
    if (inThreadLoop(alloca, region) ||
        alloca->hasAttr(SeqMixDialect::kThreadPrivateAttrName))
      return WalkResult::advance();
    MemRefType type = alloca.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return WalkResult::interrupt();
    for (Operation *user : alloca->getUsers())
      if (!isa<memref::LoadOp, memref::StoreOp, vector::LoadOp,
               vector::StoreOp>(user))
        return WalkResult::interrupt();
    sharedBuffers.push_back(alloca);
    sharedTypes.push_back(MemRefType::get(
        type.getShape(), type.getElementType(), AffineMap(), workgroup));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return region.emitError("a block's shared buffer must have a static "
                            "shape and be only loaded and stored (by "
                            "elements or vectors)");
  // The rest of the block-level code runs on every thread: it may not
  // write memory.
  walk = region->walk([&](Operation *op) {
    if (op != region.getOperation() && !inThreadLoop(op, region) &&
        !isa<memref::AllocaOp>(op) &&
        !op->hasAttr(SeqMixDialect::kBlockThreadsAttrName) &&
        op->getNumRegions() == 0 && !isMemoryEffectFree(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return region.emitError("a block's code outside its thread loops may "
                            "not write memory");

  rewriter.setInsertionPoint(moved);
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };
  SmallVector<Value> gridSizes(3, cst(1));
  if (grid)
    for (auto [d, lb, ub, step] : llvm::enumerate(
             grid.getLowerBound(), grid.getUpperBound(), grid.getStep()))
      gridSizes[d] = arith::CeilDivUIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, ub, lb), step);
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, gridSizes[0], gridSizes[1], gridSizes[2], cst(threads),
      cst(1), cst(1), /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, sharedTypes);
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(rewriter, loc);
  rewriter.setInsertionPoint(terminator);
  // Grid loop ivs: lb + block id * step.
  if (grid) {
    Value ids[3] = {launch.getBlockIds().x, launch.getBlockIds().y,
                    launch.getBlockIds().z};
    for (auto [d, iv] : llvm::enumerate(grid.getInductionVars())) {
      Value at = arith::AddIOp::create(
          rewriter, loc, grid.getLowerBound()[d],
          arith::MulIOp::create(rewriter, loc, ids[d], grid.getStep()[d]));
      rewriter.replaceAllUsesWith(iv, at);
    }
    Block *gridBody = grid.getBody();
    rewriter.eraseOp(gridBody->getTerminator());
    rewriter.inlineBlockBefore(gridBody, terminator, {});
    rewriter.eraseOp(grid);
  } else {
    rewriter.moveOpBefore(region, terminator);
  }
  // The region's code in place of the region.
  Block &code = region.getRegion().front();
  rewriter.eraseOp(code.getTerminator());
  rewriter.inlineBlockBefore(&code, region);
  rewriter.eraseOp(region);
  for (auto [alloca, attribution] :
       llvm::zip_equal(sharedBuffers, launch.getWorkgroupAttributions())) {
    rewriter.replaceAllUsesWith(alloca.getResult(), attribution);
    rewriter.eraseOp(alloca);
  }
  // Thread loops: this thread's points, then a barrier.
  Value tid = launch.getThreadIds().x;
  SmallVector<memref::AllocaOp> privateBuffers;
  launch.walk([&](memref::AllocaOp alloca) {
    if (alloca->hasAttr(SeqMixDialect::kThreadPrivateAttrName))
      privateBuffers.push_back(alloca);
  });
  for (scf::ParallelOp loop : threadLoops(launch)) {
    rewriter.replaceAllUsesWith(loop.getInductionVars()[0], tid);
    rewriter.setInsertionPoint(loop);
    Block *loopBody = loop.getBody();
    rewriter.eraseOp(loopBody->getTerminator());
    rewriter.inlineBlockBefore(loopBody, loop, {});
    gpu::BarrierOp::create(rewriter, loop.getLoc());
    rewriter.eraseOp(loop);
  }
  // Thread-private buffers [threads, ...], indexed by the thread's id:
  // the thread's own [...] buffer.
  for (memref::AllocaOp alloca : privateBuffers) {
    MemRefType type = alloca.getType();
    for (Operation *user : alloca->getUsers()) {
      auto load = dyn_cast<memref::LoadOp>(user);
      auto store = dyn_cast<memref::StoreOp>(user);
      ValueRange indices = load    ? load.getIndices()
                           : store ? store.getIndices()
                                   : ValueRange();
      if (indices.empty() || indices.front() != tid)
        return alloca.emitError("a thread-private buffer must be only loaded "
                                "and stored, at the thread's own index");
    }
    rewriter.setInsertionPointToStart(&body);
    auto own = memref::AllocaOp::create(
        rewriter, alloca.getLoc(),
        MemRefType::get(type.getShape().drop_front(), type.getElementType()));
    for (Operation *user : llvm::to_vector(alloca->getUsers())) {
      rewriter.setInsertionPoint(user);
      if (auto load = dyn_cast<memref::LoadOp>(user))
        rewriter.replaceOpWithNewOp<memref::LoadOp>(
            load, own, load.getIndices().drop_front());
      else if (auto store = dyn_cast<memref::StoreOp>(user))
        rewriter.replaceOpWithNewOp<memref::StoreOp>(
            store, store.getValueToStore(), own,
            store.getIndices().drop_front());
    }
    rewriter.eraseOp(alloca);
  }
  return success();
}

namespace {

struct ConvertSeqMixBlocksToGpuPass
    : seqmix::impl::ConvertSeqMixBlocksToGpuPassBase<
          ConvertSeqMixBlocksToGpuPass> {
  void runOnOperation() override {
    SmallVector<scf::ExecuteRegionOp> regions;
    getOperation()->walk([&](scf::ExecuteRegionOp region) {
      if (region->hasAttr(SeqMixDialect::kBlockThreadsAttrName))
        regions.push_back(region);
    });
    IRRewriter rewriter(&getContext());
    for (scf::ExecuteRegionOp region : regions)
      if (failed(convertBlock(rewriter, region)))
        return signalPassFailure();
  }
};

} // namespace
