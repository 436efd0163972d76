//===- LowerToLoops.cpp - buffer-form seqmix ops to scalar loops ----------===//

#include "LowerToLoops.h"

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqmix;

/// A GPU grid of blocks over the loops with a block size, around each
/// block's threads: one point of every loop the block takes more than one
/// of per thread (up to the loop's end). Both levels are linearized (the
/// grid mapping takes three dimensions at most). Sets the ivs of the
/// loops with a block size and leaves the insertion point where the
/// remaining loops and the body go.
static void spreadOverGridAndThreads(RewriterBase &b, Location loc,
                                     ArrayRef<Range> domain,
                                     ArrayRef<int64_t> blocks,
                                     SmallVectorImpl<Value> &ivs) {
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value zero = cst(0), one = cst(1), grid = one;
  SmallVector<Value> sizes(domain.size()), counts(domain.size());
  int64_t threads = 1;
  assert(blocks.size() == domain.size() && "one block size per loop");
  for (auto [l, n] : llvm::enumerate(blocks)) {
    if (n <= 0)
      continue;
    sizes[l] = getValueOrCreateConstantIndexOp(b, loc, domain[l].size);
    counts[l] = arith::CeilDivUIOp::create(b, loc, sizes[l], cst(n));
    grid = arith::MulIOp::create(b, loc, grid, counts[l]);
    threads *= n;
  }
  // Splits a linear index into one index per loop, innermost loop fastest.
  auto split = [&](Value linear, function_ref<Value(unsigned)> extentOf) {
    SmallVector<Value> parts(domain.size());
    for (unsigned l = domain.size(); l-- > 0;) {
      Value extent = extentOf(l);
      if (!extent)
        continue;
      parts[l] = arith::RemUIOp::create(b, loc, linear, extent);
      linear = arith::DivUIOp::create(b, loc, linear, extent);
    }
    return parts;
  };
  auto gridLoop = scf::ParallelOp::create(b, loc, zero, grid, one);
  b.setInsertionPointToStart(gridLoop.getBody());
  SmallVector<Value> block = split(gridLoop.getInductionVars()[0],
                                   [&](unsigned l) { return counts[l]; });
  auto threadLoop = scf::ParallelOp::create(b, loc, zero, cst(threads), one);
  b.setInsertionPointToStart(threadLoop.getBody());
  SmallVector<Value> thread =
      split(threadLoop.getInductionVars()[0], [&](unsigned l) {
        return blocks[l] > 1 ? cst(blocks[l]) : Value();
      });
  Value inside;
  for (unsigned l = 0; l < domain.size(); ++l) {
    if (!block[l])
      continue;
    ivs[l] = block[l];
    if (!thread[l])
      continue;
    ivs[l] = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, block[l], cst(blocks[l])),
        thread[l]);
    Value in = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, ivs[l],
                                     sizes[l]);
    inside = inside ? arith::AndIOp::create(b, loc, inside, in) : in;
  }
  if (inside) {
    auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
}

LogicalResult mlir::seqmix::detail::lowerToLoops(RewriterBase &rewriter,
                                                 Operation *op) {
  rewriter.setInsertionPoint(op);
  // Upstream's lowerToLoopsUsingSCFForOp, with the loops nested in the
  // op's reference order rather than the domain order.
  auto tiling = cast<TilingInterface>(op);
  auto loops = cast<LoopStructureOpInterface>(op);
  Location loc = op->getLoc();
  SmallVector<Range> domain = tiling.getIterationDomain(rewriter);
  SmallVector<int64_t> order = loops.getReferenceLoopOrder();
  // The innermost loops the body walks itself get a null iv.
  order.resize(order.size() -
               std::min<size_t>(order.size(), loops.getScalarBodyLoops()));
  SmallVector<Value> ivs(domain.size());
  auto gpu = dyn_cast_if_present<GpuTilingAttr>(
      op->getAttr(SeqMixDialect::kTileAttrName));
  if (gpu && gpu.spreadsUnsliceableLoop(loops)) {
    // Only loops that get an iv (not those the body walks itself).
    SmallVector<int64_t> blocks(domain.size(), 0);
    for (int64_t l : order)
      if (size_t(l) < gpu.getBlocks().size())
        blocks[l] = gpu.getBlocks()[l];
    spreadOverGridAndThreads(rewriter, loc, domain, blocks, ivs);
    llvm::erase_if(order, [&](int64_t l) { return ivs[l] != nullptr; });
  }
  // Inside a thread's point, as for a tiled op: the GPU pipeline drops the
  // checks there (the host does not read device buffers).
  if (!op->hasAttr(SeqMixDialect::kCheckedAttrName))
    emitRuntimeChecks(rewriter, loops);
  for (int64_t l : order) {
    Range r = domain[l];
    auto forOp = scf::ForOp::create(
        rewriter, loc,
        getValueOrCreateConstantIndexOp(rewriter, loc, r.offset),
        getValueOrCreateConstantIndexOp(rewriter, loc, r.size),
        getValueOrCreateConstantIndexOp(rewriter, loc, r.stride));
    ivs[l] = forOp.getInductionVar();
    rewriter.setInsertionPoint(forOp.getBody()->getTerminator());
  }
  if (failed(loops.emitScalarBody(rewriter, loc, ivs)))
    return failure();
  rewriter.eraseOp(op);
  return success();
}
