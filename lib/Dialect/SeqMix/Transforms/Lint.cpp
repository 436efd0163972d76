//===- Lint.cpp - checks of constant operand values -----------------------===//
//
// Verifiers read types and attributes only, so that constant folding can
// never turn valid IR invalid in the middle of a pipeline. Values known at
// compile time (constant cu_seqlens and segment offsets) are checked here
// instead, with the same rules the run-time checks apply, so a mistake in a
// constant is reported before the module runs.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXLINTPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// The static size that the offsets of `op` split (T or R), with its name.
std::pair<int64_t, StringRef> splitSize(LoopStructureOpInterface op) {
  StringRef loop = getOffsetsLoop(op);
  StringRef name = loop == "t" ? "T" : "R";
  auto dim = findLoopDimension(op, loop);
  if (!dim)
    return {ShapedType::kDynamic, name};
  return {cast<ShapedType>(dim->first.getType()).getDimSize(dim->second),
          name};
}

LogicalResult lintOffsets(LoopStructureOpInterface op) {
  Value offsets = op.getSequenceOffsets();
  DenseIntElementsAttr cst;
  if (!offsets || !matchPattern(offsets, m_Constant(&cst)))
    return success();
  StringRef name = isa<SegmentMatmulOp>(op) ? "offsets" : "cu_seqlens";
  SmallVector<int64_t> vals;
  for (const APInt &v : cst.getValues<APInt>())
    vals.push_back(v.getSExtValue());
  if (vals.empty())
    return success();
  if (vals.front() != 0)
    return op->emitOpError() << "operand '" << name
                             << "' must start at 0, but starts at "
                             << vals.front();
  for (size_t i = 1; i < vals.size(); ++i)
    if (vals[i] < vals[i - 1])
      return op->emitOpError()
             << "operand '" << name << "' must be non-decreasing, but element "
             << i << " (" << vals[i] << ") is less than element " << i - 1
             << " (" << vals[i - 1] << ")";
  auto [total, totalName] = splitSize(op);
  if (!ShapedType::isDynamic(total) && vals.back() != total)
    return op->emitOpError() << "operand '" << name << "' must end at "
                             << totalName << " = " << total
                             << ", but ends at " << vals.back();
  return success();
}

struct SeqMixLintPass : seqmix::impl::SeqMixLintPassBase<SeqMixLintPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation()->walk([&](LoopStructureOpInterface op) {
      failed |= mlir::failed(lintOffsets(op));
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
