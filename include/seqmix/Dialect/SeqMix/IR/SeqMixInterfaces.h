//===- SeqMixInterfaces.h - seqmix op interfaces ----------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::seqmix {

/// One legal key of a `#seqmix.tile` configuration.
/// How one operand dimension follows the iteration domain.
struct LoopDim {
  /// The loop index, or -1 when the dimension is always taken whole.
  int64_t loop = -1;
  /// The dimension is shared by `loopSize / dimSize` consecutive loop
  /// iterations (GQA heads, Mamba groups): a tile along the loop takes
  /// offset / ratio and size / ratio of it, and must be a multiple of ratio.
  bool grouped = false;

  static LoopDim whole() { return {}; }
  static LoopDim of(int64_t loop) { return {loop, false}; }
  static LoopDim groupOf(int64_t loop) { return {loop, true}; }
};
using OperandLoopDims = llvm::SmallVector<llvm::SmallVector<LoopDim, 4>>;

/// Whether a tile of `size` iterations of a loop whose grouped operand
/// dimension is shared by `ratio` consecutive iterations keeps whole groups
/// (a multiple of the group) or stays inside one (a divisor; tiles start at
/// multiples of their size).
inline bool tileFitsGroups(int64_t ratio, int64_t size) {
  return ratio >= 1 && size >= 1 && (size % ratio == 0 || ratio % size == 0);
}

/// The arithmetic of one op (WorkloadOpInterface::getWork).
struct OpWork {
  double flops = 0;
  double transcendentals = 0;
};

/// How to draw a realistic value for one operand.
struct OperandHint {
  enum class Kind {
    /// Uniform in [lo, hi).
    Uniform,
    /// Integers uniform in [0, bound).
    IndexBelow,
    /// Sequence or segment offsets (the runner draws valid ones).
    Offsets,
  };
  Kind kind = Kind::Uniform;
  double lo = -1, hi = 1;
  int64_t bound = 0;

  static OperandHint uniform(double lo, double hi) {
    return {Kind::Uniform, lo, hi, 0};
  }
  static OperandHint indexBelow(int64_t bound) {
    return {Kind::IndexBelow, 0, 0, bound};
  }
  static OperandHint offsets() { return {Kind::Offsets, 0, 0, 0}; }
};

} // namespace mlir::seqmix

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrInterfaces.h.inc"
#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h.inc"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H
