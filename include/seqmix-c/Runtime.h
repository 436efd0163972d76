/*===- seqmix-c/Runtime.h - compile and call seqmix entries -------*- C -*-===*\
|*                                                                            *|
|* Compile a module's entry function with a named pipeline (reference, cpu)   *|
|* and call it on caller-owned buffers described as strided memrefs. Every    *|
|* call that can fail returns an MlirLogicalResult; the reason is then        *|
|* seqmixGetLastError() (per thread). Nothing here aborts on bad input: wrong *|
|* shapes, element types, strides or failed run-time checks of the compiled   *|
|* code (bad cu_seqlens, ...) come back as errors, and the executable stays   *|
|* usable.                                                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SEQMIX_C_RUNTIME_H
#define SEQMIX_C_RUNTIME_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Element types an entry may take or return (quantized i8 tensors travel
/// as SEQMIX_I8).
typedef enum SeqMixElementType {
  SEQMIX_F32 = 0,
  SEQMIX_F16 = 1,
  SEQMIX_BF16 = 2,
  SEQMIX_I8 = 3,
  SEQMIX_I32 = 4,
  SEQMIX_I64 = 5,
} SeqMixElementType;

/// Bytes per element of a type (0 for an unknown value).
MLIR_CAPI_EXPORTED intptr_t seqmixElementTypeGetSize(SeqMixElementType type);

/// A strided memref view of a caller-owned buffer: `data` points at element
/// (0, ..., 0); `strides` count elements (NULL: dense row-major). Row-major
/// inputs are passed to the compiled code as they are; others are packed
/// into a dense copy first.
typedef struct SeqMixBuffer {
  void *data;
  intptr_t rank;
  const int64_t *sizes;
  const int64_t *strides;
  SeqMixElementType elementType;
} SeqMixBuffer;

/// The message of the last failed call on this thread ("" if none). Valid
/// until the next seqmix call on this thread.
MLIR_CAPI_EXPORTED const char *seqmixGetLastError(void);

/// Parses a module, collecting diagnostics into the last error on failure
/// (instead of printing them). The context must know the dialects
/// (seqmixRegisterAllDialects). The caller destroys the module.
MLIR_CAPI_EXPORTED MlirLogicalResult seqmixParseModule(MlirContext context,
                                                       MlirStringRef source,
                                                       MlirModule *module);

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

typedef struct SeqMixCompileOptions {
  /// "reference" (naive loops), "cpu" (the code generator), "gpu" (a CUDA
  /// device; refused without one) or "gpu-emulated" (the GPU pipeline's
  /// blocks and threads run one after another on the CPU). NULL: "cpu".
  const char *pipeline;
  /// The function to compile; NULL or "": @main, else the only public one.
  const char *entry;
  /// LLVM optimization level of the JIT, 0-3 (default 3).
  unsigned optLevel;
  /// Threads the CPU pipeline tiles for (0: the host's hardware threads).
  unsigned threads;
  /// Tile overrides: `tileOps[i]` is an op name ("seqmix.linear_attention",
  /// "linalg.matmul") or "*" for every seqmix op; `tileConfigs[i]` the
  /// `seqmix.tile` attribute it gets, as text
  /// ("#seqmix.cpu_tiling<threads = [0, 4, 0, 0], chunk = 4>"). A config
  /// written in the module itself stays.
  const char *const *tileOps;
  const char *const *tileConfigs;
  intptr_t numTiles;
} SeqMixCompileOptions;

/// The defaults above.
MLIR_CAPI_EXPORTED void seqmixCompileOptionsInit(SeqMixCompileOptions *options);

/// One compiled entry. Calls on one executable must not overlap.
typedef struct SeqMixExecutable {
  void *ptr;
} SeqMixExecutable;

/// Compiles the entry of `module` (which stays the caller's and may be
/// destroyed afterwards). On failure *executable is null.
MLIR_CAPI_EXPORTED MlirLogicalResult
seqmixCompile(MlirModule module, const SeqMixCompileOptions *options,
              SeqMixExecutable *executable);

/// Parses `source` and compiles its entry; messages name arguments as the
/// source wrote them ("%k"). The context must know the dialects.
MLIR_CAPI_EXPORTED MlirLogicalResult seqmixCompileSource(
    MlirContext context, MlirStringRef source,
    const SeqMixCompileOptions *options, SeqMixExecutable *executable);

MLIR_CAPI_EXPORTED void seqmixExecutableDestroy(SeqMixExecutable executable);

static inline bool seqmixExecutableIsNull(SeqMixExecutable executable) {
  return !executable.ptr;
}

/// The entry's name (without '@').
MLIR_CAPI_EXPORTED MlirStringRef
seqmixExecutableGetEntryName(SeqMixExecutable executable);
MLIR_CAPI_EXPORTED intptr_t
seqmixExecutableGetNumInputs(SeqMixExecutable executable);
MLIR_CAPI_EXPORTED intptr_t
seqmixExecutableGetNumResults(SeqMixExecutable executable);

/// The boundary type of input or result `pos`: its element type, rank and
/// sizes (-1 for a dynamic size; valid while the executable lives), and the
/// argument's name as written in the source ("%q"; "" for results).
typedef struct SeqMixTensorType {
  SeqMixElementType elementType;
  intptr_t rank;
  const int64_t *sizes;
  MlirStringRef name;
} SeqMixTensorType;

MLIR_CAPI_EXPORTED SeqMixTensorType
seqmixExecutableGetInputType(SeqMixExecutable executable, intptr_t pos);
MLIR_CAPI_EXPORTED SeqMixTensorType
seqmixExecutableGetResultType(SeqMixExecutable executable, intptr_t pos);

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

/// The results of one call, owned by the runtime until destroyed.
typedef struct SeqMixResults {
  void *ptr;
} SeqMixResults;

/// Calls the entry on `inputs` (never written: arguments the compiled code
/// may write into are passed as copies). On success *results holds one
/// dense row-major buffer per result; on failure it is null and the error
/// names the argument ("argument #1 ('%k' of @main): expected
/// tensor<1x64x4x32xf32>, got shape [1, 64, 4]: ...").
MLIR_CAPI_EXPORTED MlirLogicalResult
seqmixExecutableCall(SeqMixExecutable executable, const SeqMixBuffer *inputs,
                     intptr_t numInputs, SeqMixResults *results);

MLIR_CAPI_EXPORTED intptr_t seqmixResultsGetNum(SeqMixResults results);

/// Result `pos` as a dense row-major view (strides NULL), valid until the
/// results are destroyed.
MLIR_CAPI_EXPORTED SeqMixBuffer seqmixResultsGet(SeqMixResults results,
                                                 intptr_t pos);

/// Copies result `pos` into a caller-owned strided buffer of the same
/// element type and sizes.
MLIR_CAPI_EXPORTED MlirLogicalResult seqmixResultsCopyTo(
    SeqMixResults results, intptr_t pos, const SeqMixBuffer *destination);

MLIR_CAPI_EXPORTED void seqmixResultsDestroy(SeqMixResults results);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_C_RUNTIME_H */
