//===- Scan.cpp - loop structure of the generic scan ----------------------===//
//
// seqmix.scan is parallel over batch rows and a `reduction` over time whose
// accumulators are the states: a tile along t is a chunk that carries them.
// Its body is IR on tensors, so it has no scalar body on buffers: the
// reference lowering turns it into scf.for loops on tensors before
// bufferization (convert-seqmix-to-loops).
//
//===----------------------------------------------------------------------===//

#include "LoopStructure.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

using IT = utils::IteratorType;

SmallVector<StringRef> ScanOp::getLoopNames() { return {"b", "t"}; }
SmallVector<IT> ScanOp::getLoopKinds() {
  return {IT::parallel, IT::reduction};
}
SmallVector<OpFoldResult> ScanOp::getLoopSizes(OpBuilder &b) {
  Value first = getInputs().empty() ? Value() : getInputs()[0];
  if (!first && !getOutputs().empty())
    first = getOutputs()[0];
  if (first)
    return {sizeOf(b, first, 0), sizeOf(b, first, 1)};
  // States only: no time axis to walk.
  return {sizeOf(b, getInits()[0], 0), b.getIndexAttr(0)};
}
OperandLoopDims ScanOp::getOperandLoopDims() {
  OperandLoopDims dims;
  auto perStep = [&](Value v) {
    SmallVector<LoopDim, 4> d = whole(v);
    d[0] = LoopDim::of(0);
    d[1] = LoopDim::of(1);
    return d;
  };
  for (Value x : getInputs())
    dims.push_back(perStep(x));
  if (Value cu = getCuSeqlens())
    dims.push_back(whole(cu));
  for (Value s : getInits()) {
    SmallVector<LoopDim, 4> d = whole(s);
    if (!getCuSeqlens())
      d[0] = LoopDim::of(0);
    dims.push_back(d);
  }
  for (Value y : getOutputs())
    dims.push_back(perStep(y));
  return dims;
}
bool ScanOp::isLoopTileable(unsigned) { return !getCuSeqlens(); }
Value ScanOp::getSequenceOffsets() { return getCuSeqlens(); }
