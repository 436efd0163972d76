/*===- seqmix-c/Dialects.h - the seqmix dialect from C ------------*- C -*-===*\
|*                                                                            *|
|* The dialect handle, in the style of the upstream MLIR C API, and one call  *|
|* that registers everything a seqmix module may use.                         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SEQMIX_C_DIALECTS_H
#define SEQMIX_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// mlirGetDialectHandle__seqmix__(): the seqmix dialect alone (with its
/// tiling and bufferization interfaces on load).
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(SeqMix, seqmix);

/// Inserts every dialect and extension a seqmix module and its lowerings may
/// use: the upstream dialects, seqmix with its external models, and the
/// LLVM IR translations that compilation needs.
MLIR_CAPI_EXPORTED void seqmixRegisterAllDialects(MlirDialectRegistry registry);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_C_DIALECTS_H */
