//===- TilingInterfaceImpl.cpp - TilingInterface for every seqmix op ------===//
//
// One implementation for all ops, driven by LoopStructureOpInterface: a tile
// of the iteration domain slices every operand along the loops it follows
// (whole where it follows none), and the tiled op is the same op on the
// slices. Because the state of a recurrence is a destination that follows
// no time loop, tiling the time loop with scf.for carries the state from
// chunk to chunk.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// Whether two sizes are the same: equal constants, the same value, or the
/// same dimension of the same tensor or buffer (each query of a dynamic size
/// makes a new tensor.dim / memref.dim).
bool sameSize(OpFoldResult a, OpFoldResult b) {
  if (isEqualConstantIntOrValue(a, b))
    return true;
  auto va = dyn_cast<Value>(a), vb = dyn_cast<Value>(b);
  if (!va || !vb)
    return false;
  auto dimOf = [](Value v) -> std::optional<std::pair<Value, int64_t>> {
    if (auto d = v.getDefiningOp<tensor::DimOp>())
      if (std::optional<int64_t> i = getConstantIntValue(d.getIndex()))
        return std::make_pair(d.getSource(), *i);
    if (auto d = v.getDefiningOp<memref::DimOp>())
      if (std::optional<int64_t> i = getConstantIntValue(d.getIndex()))
        return std::make_pair(d.getSource(), *i);
    return std::nullopt;
  };
  auto da = dimOf(va), db = dimOf(vb);
  return da && db && *da == *db;
}

/// Whether the tile [offset, offset + size) covers all of [0, full).
bool coversAll(OpFoldResult offset, OpFoldResult size, OpFoldResult full) {
  return isZeroInteger(offset) && sameSize(size, full);
}

/// The slice of operand `v` (dims `dims`) that a tile of the domain reads
/// or writes.
FailureOr<std::pair<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>>>
operandTile(OpBuilder &b, Location loc, Value v, ArrayRef<LoopDim> dims,
            ArrayRef<OpFoldResult> loopSizes, ArrayRef<OpFoldResult> offsets,
            ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> offs, szs;
  auto st = cast<ShapedType>(v.getType());
  for (auto [d, ld] : llvm::enumerate(dims)) {
    OpFoldResult full =
        st.isDynamicDim(d)
            ? (isa<MemRefType>(st)
                   ? OpFoldResult(memref::DimOp::create(b, loc, v, d))
                   : OpFoldResult(tensor::DimOp::create(b, loc, v, d)))
            : OpFoldResult(b.getIndexAttr(st.getDimSize(d)));
    if (ld.loop < 0 ||
        coversAll(offsets[ld.loop], sizes[ld.loop], loopSizes[ld.loop])) {
      // Upstream rejects a static offset into an empty dimension (a
      // convolution's state when the kernel is 1 wide), even 0 of size 0.
      if (!st.isDynamicDim(d) && st.getDimSize(d) == 0)
        offs.push_back(OpFoldResult(arith::ConstantIndexOp::create(b, loc, 0)));
      else
        offs.push_back(b.getIndexAttr(0));
      szs.push_back(full);
      continue;
    }
    if (!ld.grouped) {
      offs.push_back(offsets[ld.loop]);
      szs.push_back(sizes[ld.loop]);
      continue;
    }
    // Shared dimension (GQA heads, Mamba groups): loop / ratio.
    std::optional<int64_t> loopSize = getConstantIntValue(loopSizes[ld.loop]);
    std::optional<int64_t> size = getConstantIntValue(sizes[ld.loop]);
    if (!loopSize || st.isDynamicDim(d) || !size || st.getDimSize(d) == 0)
      return failure();
    int64_t ratio = *loopSize / st.getDimSize(d);
    if (!tileFitsGroups(ratio, *size))
      return failure();
    AffineExpr d0 = b.getAffineDimExpr(0);
    offs.push_back(affine::makeComposedFoldedAffineApply(
        b, loc, d0.floorDiv(ratio), {offsets[ld.loop]}));
    szs.push_back(b.getIndexAttr(std::max<int64_t>(*size / ratio, 1)));
  }
  return std::make_pair(offs, szs);
}

Value slice(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> offs,
            ArrayRef<OpFoldResult> sizes, SmallVector<Operation *> &slices) {
  SmallVector<OpFoldResult> strides(offs.size(), b.getIndexAttr(1));
  Operation *s;
  if (isa<MemRefType>(v.getType()))
    s = memref::SubViewOp::create(b, loc, v, offs, sizes, strides);
  else
    s = tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides);
  slices.push_back(s);
  return s->getResult(0);
}

template <typename OpTy>
struct TilingModel
    : public TilingInterface::ExternalModel<TilingModel<OpTy>, OpTy> {
  static LoopStructureOpInterface loops(Operation *op) {
    return cast<LoopStructureOpInterface>(op);
  }

  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return loops(op).getLoopKinds();
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    SmallVector<Range> domain;
    for (OpFoldResult size : loops(op).getLoopSizes(b))
      domain.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
    return domain;
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    LoopStructureOpInterface ls = loops(op);
    Location loc = op->getLoc();
    SmallVector<OpFoldResult> loopSizes = ls.getLoopSizes(b);
    for (unsigned l = 0; l < loopSizes.size(); ++l)
      if (!ls.isLoopTileable(l) &&
          !coversAll(offsets[l], sizes[l], loopSizes[l]))
        return op->emitOpError()
               << "cannot be tiled along loop '" << ls.getLoopNames()[l]
               << "' (it is indexed through run-time offsets or a "
                  "position-dependent window); tile the other loops";
    OperandLoopDims dims = ls.getOperandLoopDims();
    assert(dims.size() == op->getNumOperands() && "one entry per operand");
    TilingResult result;
    SmallVector<Value> operands;
    for (auto [v, d] : llvm::zip_equal(op->getOperands(), dims)) {
      auto tile = operandTile(b, loc, v, d, loopSizes, offsets, sizes);
      if (failed(tile))
        return op->emitOpError()
               << "cannot tile a shared (grouped) dimension: the tile size "
                  "must be static and a multiple or a divisor of the group";
      bool isWhole = llvm::all_of(d, [](LoopDim x) { return x.loop < 0; });
      operands.push_back(isWhole ? v
                                 : slice(b, loc, v, tile->first, tile->second,
                                         result.generatedSlices));
    }
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Type> resultTypes;
    if (dps.hasPureTensorSemantics())
      for (OpOperand &init : dps.getDpsInitsMutable())
        resultTypes.push_back(operands[init.getOperandNumber()].getType());
    Operation *tiled = mlir::clone(b, op, resultTypes, operands);
    result.tiledOps.push_back(tiled);
    llvm::append_range(result.tiledValues, tiled->getResults());
    return result;
  }

  LogicalResult getResultTilePosition(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVector<OpFoldResult> &resultOffsets,
      SmallVector<OpFoldResult> &resultSizes) const {
    LoopStructureOpInterface ls = loops(op);
    auto dps = cast<DestinationStyleOpInterface>(op);
    OpOperand *init = dps.getDpsInitOperand(resultNumber);
    OperandLoopDims dims = ls.getOperandLoopDims();
    auto tile = operandTile(b, op->getLoc(), init->get(),
                            dims[init->getOperandNumber()], ls.getLoopSizes(b),
                            offsets, sizes);
    if (failed(tile))
      return failure();
    resultOffsets = tile->first;
    resultSizes = tile->second;
    return success();
  }

  LogicalResult generateScalarImplementation(Operation *op, OpBuilder &b,
                                             Location loc,
                                             ValueRange ivs) const {
    return loops(op).emitScalarBody(b, loc, ivs);
  }
};

template <typename OpTy>
struct ReifyModel
    : public ReifyRankedShapedTypeOpInterface::ExternalModel<ReifyModel<OpTy>,
                                                             OpTy> {
  LogicalResult
  reifyResultShapes(Operation *op, OpBuilder &b,
                    ReifiedRankedShapedTypeDims &shapes) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    for (OpOperand &init : dps.getDpsInitsMutable())
      shapes.push_back(tensor::getMixedSizes(b, op->getLoc(), init.get()));
    return success();
  }
};

template <typename... OpTys>
void attachAll(MLIRContext *ctx) {
  (OpTys::template attachInterface<TilingModel<OpTys>>(*ctx), ...);
  (OpTys::template attachInterface<ReifyModel<OpTys>>(*ctx), ...);
}

} // namespace

void mlir::seqmix::registerTilingInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SeqMixDialect *) {
    ctx->loadDialect<affine::AffineDialect, memref::MemRefDialect,
                     tensor::TensorDialect>();
    attachAll<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp,
              RouteOp, DispatchOp, SegmentMatmulOp, CombineOp,
              NeighborhoodAttentionOp, SlidingWindowAttentionOp, HadamardOp,
              ScanOp>(ctx);
  });
}
