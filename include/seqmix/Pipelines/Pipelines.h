//===- Pipelines.h - seqmix compilation pipelines ---------------*- C++ -*-===//
//
// Pipelines from seqmix ops on tensors down to the LLVM dialect, ready for
// MLIR's ExecutionEngine. Each is registered as a pass pipeline for
// seqmix-opt and used by seqmix-run.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_PIPELINES_PIPELINES_H
#define SEQMIX_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mlir::seqmix {

/// seqmix-reference-pipeline: the naive convert-seqmix-to-loops lowering
/// (every op straight from its formula, seqmix.ssd included, so running
/// seqmix-decompose first is a cross-check), seqmix-lower-quant,
/// bufferization and the LLVM lowering. The in-compiler oracle and the
/// benchmark baseline. Functions keep tensor-shaped memref arguments
/// (identity layouts); quantized boundaries carry their int8 storage.
void buildReferencePipeline(OpPassManager &pm);

/// Registers every seqmix pipeline with the pass registry.
void registerSeqMixPipelines();

} // namespace mlir::seqmix

#endif // SEQMIX_PIPELINES_PIPELINES_H
