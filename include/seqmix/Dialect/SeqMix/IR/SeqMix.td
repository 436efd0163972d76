//===- SeqMix.td - seqmix dialect umbrella ------------------*- tablegen -*-===//
//
// One file to run mlir-tblgen on: it pulls in the dialect, its attributes,
// interfaces and ops.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_TD

include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixOps.td"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_TD
