//===- Recurrences.cpp - reference lowering of the linear recurrences -----===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"
#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

static void checkPackedSequences(OpBuilder &b, Operation *op) {
  emitPackedSequenceChecks(b, cast<LoopStructureOpInterface>(op));
}

void mlir::seqmix::populateRecurrenceToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp>(
      patterns, checkPackedSequences);
}
