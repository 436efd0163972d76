//===- RuntimeChecks.h - run-time checks every lowering emits ---*- C++ -*-===//
//
// What the verifier cannot check because it depends on run-time values:
// every lowering (the reference loops, seqmix-split-varlen, and the
// optimized pipelines) emits these `cf.assert`s before the first access that
// relies on them, on tensors or on buffers alike.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_RUNTIMECHECKS_H
#define SEQMIX_DIALECT_SEQMIX_IR_RUNTIMECHECKS_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

namespace mlir::seqmix {

/// An operand dimension that follows loop `loopName` one to one (not a
/// shared group), a static one when there is one: the pair (operand,
/// dimension), or std::nullopt when no operand follows that loop.
std::optional<std::pair<Value, int64_t>>
findLoopDimension(LoopStructureOpInterface op, StringRef loopName);

/// The loop that the op's run-time offsets split: "t" for cu_seqlens, "r"
/// for segment offsets (their last value is its size); empty without
/// offsets.
StringRef getOffsetsLoop(LoopStructureOpInterface op);

/// For an op that packs sequences (cu_seqlens): a batch of 1, offsets that
/// start at 0, never decrease and end at T, and one row per sequence in
/// every state destination. Nothing for other ops.
void emitPackedSequenceChecks(OpBuilder &b, LoopStructureOpInterface op);

/// Every run-time check of `op`, before any access that relies on them:
/// sizes its operands share (dynamic ones), packed sequences, segment
/// offsets, windows that fit. On tensors or buffers alike. An op marked
/// `seqmix.checked` (seqmix-insert-runtime-checks) had them emitted already,
/// before it was tiled, so its tiles are not checked again.
void emitRuntimeChecks(OpBuilder &b, LoopStructureOpInterface op);

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_IR_RUNTIMECHECKS_H
