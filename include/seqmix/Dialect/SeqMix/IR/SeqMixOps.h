//===- SeqMixOps.h - seqmix operations --------------------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h"

#define GET_OP_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h.inc"

namespace mlir::seqmix {
/// hadamard's sizes: N = m * 2^p with m in {1, 12, 20, 28}; returns
/// {m, 2^p}.
std::pair<int64_t, int64_t> hadamardFactors(int64_t n);
/// The m x m base matrix of hadamard (docs/Ops.md), row-major, entries ±1.
SmallVector<int8_t> hadamardBase(int64_t m);
} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_H
