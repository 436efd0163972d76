//===- Passes.h - seqmix dialect passes -------------------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

namespace mlir::seqmix {

#define GEN_PASS_DECL
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
