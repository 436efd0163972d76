//===- Recurrences.cpp - reference lowering of the linear recurrences -----===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void mlir::seqmix::populateRecurrenceToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp>(
      patterns);
}
