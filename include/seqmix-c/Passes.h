/*===- seqmix-c/Passes.h - seqmix passes and pipelines from C -----*- C -*-===*\
|*                                                                            *|
|* Registers the seqmix passes, conversions and pipelines with the global     *|
|* pass registry, so that mlirParsePassPipeline and                           *|
|* mlirOpPassManagerAddPipeline know them by name                             *|
|* ("seqmix-decompose", "seqmix-cpu-pipeline", ...).                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SEQMIX_C_PASSES_H
#define SEQMIX_C_PASSES_H

#include "mlir-c/Pass.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers every seqmix pass, conversion pass and pipeline. Idempotent.
MLIR_CAPI_EXPORTED void seqmixRegisterPasses(void);

/// Registers the upstream passes too (what seqmix-opt offers). Idempotent.
MLIR_CAPI_EXPORTED void seqmixRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_C_PASSES_H */
