//===- LowerToLoops.cpp - buffer-form seqmix ops to scalar loops ----------===//

#include "LowerToLoops.h"

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqmix;

LogicalResult mlir::seqmix::detail::lowerToLoops(RewriterBase &rewriter,
                                                 Operation *op) {
  rewriter.setInsertionPoint(op);
  if (!op->hasAttr(SeqMixDialect::kCheckedAttrName))
    emitRuntimeChecks(rewriter, cast<LoopStructureOpInterface>(op));
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
