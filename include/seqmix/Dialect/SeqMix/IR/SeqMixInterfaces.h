//===- SeqMixInterfaces.h - seqmix op interfaces ----------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::seqmix {

/// One legal key of a `#seqmix.tile` configuration.
struct TileKey {
  llvm::StringLiteral name;
  /// The lowering needs a power of two (masks, shuffles, shared-memory tiles).
  bool powerOfTwo;
};

} // namespace mlir::seqmix

#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h.inc"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_H
