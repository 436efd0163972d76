//===- Recurrences.cpp - reference lowering of the linear recurrences -----===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Packed sequences: a batch of 1, offsets from 0 to T, and one state row
/// per sequence, checked before the loops read through them.
static void checkPackedSequences(OpBuilder &b, Operation *op) {
  auto ls = cast<LoopStructureOpInterface>(op);
  Value cu = ls.getSequenceOffsets();
  if (!cu)
    return;
  Location loc = op->getLoc();
  ScalarEmitter e{b, loc};
  std::string name = op->getName().getStringRef().str();
  Value x = op->getOperand(0);
  Value state = cast<DestinationStyleOpInterface>(op).getDpsInits()[1];
  cf::AssertOp::create(
      b, loc, e.cmpi(arith::CmpIPredicate::eq, e.dim(x, 0), e.idx(1)),
      b.getStringAttr(name + ": operand 'cu_seqlens' packs sequences into a "
                             "batch of 1"));
  checkOffsets(b, loc, cu, e.dim(x, 1), name + ": operand 'cu_seqlens'", "T");
  cf::AssertOp::create(
      b, loc,
      e.cmpi(arith::CmpIPredicate::eq, e.dim(state, 0),
             e.subi(e.dim(cu, 0), e.idx(1))),
      b.getStringAttr(name + ": init 'state' must have one row per sequence "
                             "(the length of 'cu_seqlens' minus 1)"));
}

void mlir::seqmix::populateRecurrenceToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp>(
      patterns, checkPackedSequences);
}
