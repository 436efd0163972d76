//===- WindowedAttention.cpp - reference lowering of windowed attention ---===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void mlir::seqmix::populateWindowedAttentionToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<NeighborhoodAttentionOp, SlidingWindowAttentionOp>(patterns);
}
