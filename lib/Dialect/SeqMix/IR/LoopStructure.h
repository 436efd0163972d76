//===- LoopStructure.h - helpers for the loop structure of ops --*- C++ -*-===//
//
// Shared by the per-family files that describe each op's iteration domain
// (LoopStructureOpInterface) and write its scalar body.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_DIALECT_SEQMIX_IR_LOOPSTRUCTURE_H
#define SEQMIX_LIB_DIALECT_SEQMIX_IR_LOOPSTRUCTURE_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::seqmix::detail {

/// Size of dimension `d` of a tensor or memref, as an attribute when static.
inline OpFoldResult sizeOf(OpBuilder &b, Value v, int64_t d) {
  auto st = cast<ShapedType>(v.getType());
  if (!st.isDynamicDim(d))
    return b.getIndexAttr(st.getDimSize(d));
  Location loc = v.getLoc();
  if (isa<MemRefType>(st))
    return memref::DimOp::create(b, loc, v, d).getResult();
  return tensor::DimOp::create(b, loc, v, d).getResult();
}

inline int64_t rankOf(Value v) {
  return cast<ShapedType>(v.getType()).getRank();
}

/// Loop dims of an operand that is always taken whole.
inline SmallVector<LoopDim, 4> whole(Value v) {
  return SmallVector<LoopDim, 4>(rankOf(v), LoopDim::whole());
}

/// Appends the loop dims of an optional operand, when present.
inline void addIfPresent(OperandLoopDims &dims, Value v,
                         SmallVector<LoopDim, 4> d) {
  if (v)
    dims.push_back(std::move(d));
}

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_DIALECT_SEQMIX_IR_LOOPSTRUCTURE_H
