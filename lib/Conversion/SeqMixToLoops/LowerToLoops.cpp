//===- LowerToLoops.cpp - buffer-form seqmix ops to scalar loops ----------===//

#include "LowerToLoops.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void mlir::seqmix::detail::emitRuntimeChecks(OpBuilder &b, Operation *op,
                                             ExtraChecks extra) {
  auto ls = cast<LoopStructureOpInterface>(op);
  Location loc = op->getLoc();
  ScalarEmitter e{b, loc};
  SmallVector<OpFoldResult> sizes = ls.getLoopSizes(b);
  SmallVector<StringRef> names = ls.getLoopNames();
  OperandLoopDims dims = ls.getOperandLoopDims();
  std::string opName = op->getName().getStringRef().str();
  // Every dimension that follows a loop has the loop's size, or divides it
  // for a shared (grouped) dimension. Static pairs were verified already.
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    auto st = cast<ShapedType>(operand.getType());
    for (auto [d, ld] : llvm::enumerate(dims[i])) {
      if (ld.loop < 0)
        continue;
      OpFoldResult loopSize = sizes[ld.loop];
      if (!st.isDynamicDim(d) && getConstantIntValue(loopSize))
        continue;
      Value have = e.dim(operand, d);
      Value want = getValueOrCreateConstantIndexOp(b, loc, loopSize);
      if (want == have)
        continue;
      std::string what = opName + ": operand #" + std::to_string(i) +
                         " dimension " + std::to_string(d);
      Value ok =
          ld.grouped
              ? e.andi(e.cmpi(arith::CmpIPredicate::sgt, have, e.idx(0)),
                       e.cmpi(arith::CmpIPredicate::eq, e.remi(want, have),
                              e.idx(0)))
              : e.cmpi(arith::CmpIPredicate::eq, have, want);
      std::string msg =
          what + (ld.grouped ? " must divide " : " must equal ") + "the " +
          names[ld.loop].str() + " size of the other operands";
      cf::AssertOp::create(b, loc, ok, b.getStringAttr(msg));
    }
  }
  if (extra)
    extra(b, op);
}

LogicalResult mlir::seqmix::detail::lowerToLoops(RewriterBase &rewriter,
                                                 Operation *op,
                                                 ExtraChecks extra) {
  rewriter.setInsertionPoint(op);
  emitRuntimeChecks(rewriter, op, extra);
  if (failed(scf::lowerToLoopsUsingSCFForOp(rewriter,
                                            cast<TilingInterface>(op))))
    return failure();
  rewriter.eraseOp(op);
  return success();
}
