//===- Routing.cpp - reference lowering of the routing ops ----------------===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void mlir::seqmix::populateRoutingToLoopsPatterns(RewritePatternSet &patterns) {
  addLowerToLoops<RouteOp, DispatchOp, SegmentMatmulOp, CombineOp>(patterns);
}
