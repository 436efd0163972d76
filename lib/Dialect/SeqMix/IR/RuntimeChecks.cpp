//===- RuntimeChecks.cpp - run-time checks every lowering emits -----------===//

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;

void mlir::seqmix::emitPackedSequenceChecks(OpBuilder &b,
                                            LoopStructureOpInterface op) {
  Value cu = op.getSequenceOffsets();
  if (!cu || isa<SegmentMatmulOp>(op))
    return;
  ScalarEmitter e{b, op.getLoc()};
  std::string name = op->getName().getStringRef().str();
  // The batch and time sizes: the first operand that follows each loop.
  SmallVector<StringRef> loops = op.getLoopNames();
  int64_t bLoop = llvm::find(loops, "b") - loops.begin();
  int64_t tLoop = llvm::find(loops, "t") - loops.begin();
  Value batch, time;
  OperandLoopDims dims = op.getOperandLoopDims();
  for (auto [v, d] : llvm::zip_equal(op->getOperands(), dims))
    for (auto [i, ld] : llvm::enumerate(d)) {
      if (!batch && ld.loop == bLoop && !ld.grouped)
        batch = e.dim(v, i);
      if (!time && ld.loop == tLoop && !ld.grouped)
        time = e.dim(v, i);
    }
  if (batch)
    e.check(e.cmpi(arith::CmpIPredicate::eq, batch, e.idx(1)),
            name + ": operand 'cu_seqlens' packs sequences into a batch of 1");
  if (time)
    e.checkOffsets(cu, time, name + ": operand 'cu_seqlens'", "T");
  // States: destinations whose leading dimension follows no loop.
  Value count = e.subi(e.dim(cu, 0), e.idx(1));
  auto dps = cast<DestinationStyleOpInterface>(op.getOperation());
  for (OpOperand &init : dps.getDpsInitsMutable()) {
    const auto &d = dims[init.getOperandNumber()];
    if (d.empty() || d[0].loop >= 0)
      continue;
    e.check(e.cmpi(arith::CmpIPredicate::eq, e.dim(init.get(), 0), count),
            name + ": init #" +
                std::to_string(init.getOperandNumber() -
                               dps.getNumDpsInputs()) +
                " (a state) must have one row per sequence (the length of "
                "'cu_seqlens' minus 1)");
  }
}
