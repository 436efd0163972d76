//===- LowerToLoops.cpp - buffer-form seqmix ops to scalar loops ----------===//

#include "LowerToLoops.h"

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqmix;

LogicalResult mlir::seqmix::detail::lowerToLoops(RewriterBase &rewriter,
                                                 Operation *op) {
  rewriter.setInsertionPoint(op);
  if (!op->hasAttr(SeqMixDialect::kCheckedAttrName))
    emitRuntimeChecks(rewriter, cast<LoopStructureOpInterface>(op));
  if (failed(scf::lowerToLoopsUsingSCFForOp(rewriter,
                                            cast<TilingInterface>(op))))
    return failure();
  rewriter.eraseOp(op);
  return success();
}
