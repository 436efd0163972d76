//===- Passes.h - seqmix conversion passes ----------------------*- C++ -*-===//

#ifndef SEQMIX_CONVERSION_PASSES_H
#define SEQMIX_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::seqmix {

#define GEN_PASS_DECL
#include "seqmix/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqmix/Conversion/Passes.h.inc"

} // namespace mlir::seqmix

#endif // SEQMIX_CONVERSION_PASSES_H
