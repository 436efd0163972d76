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

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_H
