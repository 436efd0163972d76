//===- InsertRuntimeChecks.cpp - run-time checks before tiling ------------===//
//
// Tiling moves an op into loops, and threads run the tiles of an
// scf.forall: a check emitted there would fail on a worker thread, where
// the runtime cannot hand the error back. This pass emits each op's
// run-time checks once, on the whole op and before anything else, and marks
// the op `seqmix.checked` so that the loop lowering does not repeat them
// for every tile.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXINSERTRUNTIMECHECKSPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {
struct SeqMixInsertRuntimeChecksPass
    : seqmix::impl::SeqMixInsertRuntimeChecksPassBase<
          SeqMixInsertRuntimeChecksPass> {
  void runOnOperation() override {
    SmallVector<LoopStructureOpInterface> ops;
    getOperation()->walk([&](LoopStructureOpInterface op) {
      // A scan is lowered on tensors with its own checks; others once.
      if (!isa<ScanOp>(op) && !op->hasAttr(SeqMixDialect::kCheckedAttrName))
        ops.push_back(op);
    });
    for (LoopStructureOpInterface op : ops) {
      OpBuilder b(op);
      emitRuntimeChecks(b, op);
      op->setAttr(SeqMixDialect::kCheckedAttrName, b.getUnitAttr());
    }
  }
};
} // namespace
