//===- RuntimeChecks.cpp - run-time checks every lowering emits -----------===//

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::seqmix;

std::optional<std::pair<Value, int64_t>>
mlir::seqmix::findLoopDimension(LoopStructureOpInterface op,
                                StringRef loopName) {
  SmallVector<StringRef> loops = op.getLoopNames();
  const auto *it = llvm::find(loops, loopName);
  if (it == loops.end())
    return std::nullopt;
  int64_t loop = it - loops.begin();
  std::optional<std::pair<Value, int64_t>> found;
  for (auto [v, dims] :
       llvm::zip_equal(op->getOperands(), op.getOperandLoopDims()))
    for (auto [d, ld] : llvm::enumerate(dims)) {
      if (ld.loop != loop || ld.grouped)
        continue;
      if (!cast<ShapedType>(v.getType()).isDynamicDim(d))
        return std::make_pair(v, int64_t(d));
      if (!found)
        found = std::make_pair(v, int64_t(d));
    }
  return found;
}

StringRef mlir::seqmix::getOffsetsLoop(LoopStructureOpInterface op) {
  if (!op.getSequenceOffsets())
    return "";
  SmallVector<StringRef> loops = op.getLoopNames();
  return llvm::is_contained(loops, "t") ? "t" : "r";
}

void mlir::seqmix::emitPackedSequenceChecks(OpBuilder &b,
                                            LoopStructureOpInterface op) {
  Value cu = op.getSequenceOffsets();
  if (!cu || isa<SegmentMatmulOp>(op))
    return;
  ScalarEmitter e{b, op.getLoc()};
  std::string name = op->getName().getStringRef().str();
  // The batch and time sizes, from operands that follow those loops.
  Value batch, time;
  if (auto d = findLoopDimension(op, "b"))
    batch = e.dim(d->first, d->second);
  if (auto d = findLoopDimension(op, "t"))
    time = e.dim(d->first, d->second);
  if (batch)
    e.check(e.cmpi(arith::CmpIPredicate::eq, batch, e.idx(1)),
            name + ": operand 'cu_seqlens' packs sequences into a batch of 1");
  if (time)
    e.checkOffsets(cu, time, name + ": operand 'cu_seqlens'", "T");
  // States: destinations whose leading dimension follows no loop.
  Value count = e.subi(e.dim(cu, 0), e.idx(1));
  OperandLoopDims dims = op.getOperandLoopDims();
  auto dps = cast<DestinationStyleOpInterface>(op.getOperation());
  for (OpOperand &init : dps.getDpsInitsMutable()) {
    const auto &d = dims[init.getOperandNumber()];
    if (d.empty() || d[0].loop >= 0)
      continue;
    e.check(
        e.cmpi(arith::CmpIPredicate::eq, e.dim(init.get(), 0), count),
        name + ": init #" +
            std::to_string(init.getOperandNumber() - dps.getNumDpsInputs()) +
            " (a state) must have one row per sequence (the length of "
            "'cu_seqlens' minus 1)");
  }
}

/// Every dimension that follows a loop has the loop's size, or divides it
/// for a shared (grouped) dimension. Static pairs were verified already.
static void emitSharedSizeChecks(OpBuilder &b, LoopStructureOpInterface ls) {
  Operation *op = ls.getOperation();
  Location loc = op->getLoc();
  ScalarEmitter e{b, loc};
  SmallVector<OpFoldResult> sizes = ls.getLoopSizes(b);
  SmallVector<StringRef> names = ls.getLoopNames();
  OperandLoopDims dims = ls.getOperandLoopDims();
  std::string opName = op->getName().getStringRef().str();
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
      Value ok = ld.grouped
                     ? e.andi(e.cmpi(arith::CmpIPredicate::sgt, have, e.idx(0)),
                              e.cmpi(arith::CmpIPredicate::eq,
                                     e.remi(want, have), e.idx(0)))
                     : e.cmpi(arith::CmpIPredicate::eq, have, want);
      e.check(ok, what + (ld.grouped ? " must divide " : " must equal ") +
                      "the " + names[ld.loop] + " size of the other operands");
    }
  }
}

void mlir::seqmix::emitRuntimeChecks(OpBuilder &b,
                                     LoopStructureOpInterface op) {
  emitSharedSizeChecks(b, op);
  emitPackedSequenceChecks(b, op);
  ScalarEmitter e{b, op.getLoc()};
  if (auto mm = dyn_cast<SegmentMatmulOp>(op.getOperation())) {
    // Segment offsets from 0 to R, before a row looks up its segment.
    e.checkOffsets(mm.getOffsets(), e.dim(mm.getPacked(), 0),
                   "seqmix.segment_matmul: operand 'offsets'", "R");
  } else if (auto combine = dyn_cast<CombineOp>(op.getOperation())) {
    // Every slot a packed row names exists (the vector builder scatters
    // from thread tiles, where no check can stop the call).
    Value w = combine.getWeights();
    Value slots = e.muli(e.muli(e.dim(w, 0), e.dim(w, 1)), e.dim(w, 2));
    e.loop(e.dim(combine.getRows(), 0), [&](Value r) {
      e.check(e.cmpi(arith::CmpIPredicate::ult,
                     e.loadIndex(combine.getRows(), {r}), slots),
              "seqmix.combine: operand 'rows' holds a slot outside "
              "[0, B*T*k)");
    });
  } else if (auto na = dyn_cast<NeighborhoodAttentionOp>(op.getOperation())) {
    // A neighbourhood fits its axis (kernel_size x dilation <= extent); the
    // verifier checked static extents.
    ArrayRef<int64_t> ks = na.getKernelSize();
    SmallVector<int64_t> dil = na.getDilationOrDefault();
    for (int64_t a = 0, r = na.getNumSpatialDims(); a < r; ++a) {
      if (!cast<ShapedType>(na.getQ().getType()).isDynamicDim(1 + a))
        continue;
      e.check(e.cmpi(arith::CmpIPredicate::sge, e.dim(na.getQ(), 1 + a),
                     e.idx(ks[a] * dil[a])),
              "seqmix.neighborhood_attention: spatial axis " + Twine(a) +
                  " of operand 'q' must be at least kernel_size x dilation = " +
                  Twine(ks[a] * dil[a]));
    }
  } else if (auto swa = dyn_cast<SlidingWindowAttentionOp>(op.getOperation())) {
    // k and v share their key positions.
    e.check(e.cmpi(arith::CmpIPredicate::eq, e.dim(swa.getK(), 1),
                   e.dim(swa.getV(), 1)),
            "seqmix.sliding_window_attention: operands 'k' and 'v' must have "
            "the same Tk");
  }
}
