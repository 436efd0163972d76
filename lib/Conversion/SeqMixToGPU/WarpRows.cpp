//===- WarpRows.cpp - row-wise warp code and its lanes --------------------===//
//
// A block builder's per-row work with a sum over the row (an l2 norm) as
// warp-level code: a warp per row, the row a vector<N> read from shared
// memory, its sum a vector.reduction. On the host it is lane 0's code; on
// a GPU upstream's vector distribution spreads it over the lanes (N / 32
// elements each) and the sum becomes a lane's partial sum then five
// butterfly shuffles (gpu.shuffle xor), so a row costs N / 32 steps
// instead of N on one thread.
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorDistribution.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void BlockEmitter::warpRows(Value rows, function_ref<void(Value)> body) {
  assert(threads % 32 == 0);
  phase(idx(threads), [&](Value, Value tid) {
    Value lane = remi(tid, idx(32));
    auto each =
        scf::ForOp::create(b, loc, divi(tid, idx(32)), rows, idx(threads / 32));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(each.getBody()->getTerminator());
    auto region =
        gpu::WarpExecuteOnLane0Op::create(b, loc, TypeRange{}, lane, 32);
    b.setInsertionPointToEnd(&region.getWarpRegion().front());
    b.setInsertionPoint(gpu::YieldOp::create(b, loc));
    body(each.getInductionVar());
  });
}

/// A vector's innermost dimension goes over the lanes.
static AffineMap overLanes(Value value) {
  auto type = dyn_cast<VectorType>(value.getType());
  if (!type || type.getRank() == 0)
    return AffineMap::get(value.getContext());
  return AffineMap::get(
      type.getRank(), 0,
      getAffineDimExpr(type.getRank() - 1, value.getContext()));
}

/// Lane `from`'s value (32-bit on the shuffle; 16-bit floats widened).
static Value fromLane(Location loc, OpBuilder &b, Value value, Value from,
                      int64_t width) {
  Type type = value.getType();
  bool narrow = type.isF16() || type.isBF16();
  if (narrow)
    value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  Value lane =
      arith::IndexCastOp::create(b, loc, b.getI32Type(), from).getResult();
  Value lanes = arith::ConstantIntOp::create(b, loc, width, 32);
  Value got =
      gpu::ShuffleOp::create(b, loc, value, lane, lanes, gpu::ShuffleMode::IDX)
          .getShuffleResult();
  return narrow ? arith::TruncFOp::create(b, loc, type, got).getResult() : got;
}

/// The lane's part reduced, then combined across `lanes` lanes by xor
/// shuffles at distances 1, 2, 4, ...: every lane ends with the total.
static Value acrossLanes(Location loc, OpBuilder &b, Value part,
                         vector::CombiningKind kind, uint32_t lanes) {
  Value acc = vector::ReductionOp::create(b, loc, kind, part);
  for (uint32_t distance = 1; distance < lanes; distance *= 2) {
    Value other = gpu::ShuffleOp::create(b, loc, acc, distance, lanes,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    acc = vector::makeArithReduction(b, loc, kind, acc, other);
  }
  return acc;
}

LogicalResult
mlir::seqmix::detail::distributeWarpVectors(RewriterBase &rewriter,
                                            Operation *root) {
  SmallVector<gpu::WarpExecuteOnLane0Op> warps;
  root->walk([&](gpu::WarpExecuteOnLane0Op w) { warps.push_back(w); });
  if (warps.empty())
    return success();
  for (gpu::WarpExecuteOnLane0Op w : warps) {
    if (w.getNumResults() || w.getWarpSize() != 32)
      return w.emitError("a warp region of a block yields nothing and "
                         "spans 32 lanes");
    vector::moveScalarUniformCode(w);
  }
  RewritePatternSet patterns(root->getContext());
  // Writes first, reads last (upstream's advice): a row is read before it
  // is written back.
  vector::populateDistributeTransferWriteOpPatterns(
      patterns, overLanes, /*maxNumElementsToExtract=*/1, /*benefit=*/2);
  vector::populatePropagateWarpVectorDistributionPatterns(
      patterns, overLanes, fromLane, /*benefit=*/1, /*readBenefit=*/0);
  vector::populateDistributeReduction(patterns, acrossLanes);
  if (failed(applyPatternsGreedily(root, std::move(patterns))))
    return root->emitError("warp-level vector code did not settle");
  // What is left of each region is empty, or code that does not spread.
  warps.clear();
  root->walk([&](gpu::WarpExecuteOnLane0Op w) { warps.push_back(w); });
  for (gpu::WarpExecuteOnLane0Op w : warps) {
    Block &body = w.getWarpRegion().front();
    if (w.getNumResults() || !llvm::hasSingleElement(body))
      return w.emitError("warp-level code that does not spread over the "
                         "lanes: '")
             << body.front().getName() << "'";
    rewriter.eraseOp(w);
  }
  // The lanes' transfers (in bounds, rows of the buffer) as plain vector
  // loads and stores, which the NVVM lowering takes on shared memory.
  RewritePatternSet loads(root->getContext());
  vector::populateVectorTransferLoweringPatterns(loads, /*maxTransferRank=*/1);
  if (failed(applyPatternsGreedily(root, std::move(loads))))
    return root->emitError("warp-level vector code did not settle");
  return success();
}
