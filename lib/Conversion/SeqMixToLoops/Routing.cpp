//===- Routing.cpp - reference lowering of the routing ops ----------------===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Segment offsets from 0 to R, before a row looks up its segment.
static void checkSegmentOffsets(OpBuilder &b, Operation *op) {
  auto mm = cast<SegmentMatmulOp>(op);
  ScalarEmitter e{b, op->getLoc()};
  e.checkOffsets(mm.getOffsets(), e.dim(mm.getPacked(), 0),
                 "seqmix.segment_matmul: operand 'offsets'", "R");
}

void mlir::seqmix::populateRoutingToLoopsPatterns(RewritePatternSet &patterns) {
  addLowerToLoops<RouteOp, DispatchOp, CombineOp>(patterns);
  addLowerToLoops<SegmentMatmulOp>(patterns, checkSegmentOffsets);
}
