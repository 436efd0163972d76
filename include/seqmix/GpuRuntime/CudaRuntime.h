/*===- CudaRuntime.h - the host runtime of GPU-compiled code ------*- C -*-===*\
|*                                                                            *|
|* libseqmix_cuda_runtime.so: the mgpu* functions that code lowered by        *|
|* seqmix-gpu-pipeline calls (module load, kernel lookup and launch,          *|
|* streams), over the CUDA driver API, plus what seqmix's runtime needs       *|
|* around a call: whether a GPU is there, managed memory, the last error.     *|
|* libcuda is opened at run time, so the library builds, links and loads on  *|
|* machines without a GPU or driver; there every call fails with a message.   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SEQMIX_GPURUNTIME_CUDARUNTIME_H
#define SEQMIX_GPURUNTIME_CUDARUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when a CUDA device can be used; else 0 and, when `why` is not NULL, a
   one-line reason ("no CUDA driver: libcuda.so.1 cannot be loaded"). */
int seqmixGpuAvailable(char *why, size_t whySize);

/* The compute capability of the device as a chip name ("sm_90") in
   `chip`; 0 when no GPU can be used. */
int seqmixGpuChip(char *chip, size_t chipSize);

/* Memory the host and the device both address (cuMemAllocManaged), which
   seqmix's runtime gives compiled code for every buffer; NULL on failure. */
void *seqmixGpuAllocManaged(size_t bytes);
void seqmixGpuFree(void *ptr);

/* The first failure since the last call (a failed launch, load or
   allocation), or NULL; clears it. The mgpu* functions cannot return one. */
const char *seqmixGpuTakeError(void);

/* The entry points gpu-to-llvm lowers gpu.launch_func into. */
void *mgpuModuleLoad(void *data, size_t size);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_GPURUNTIME_CUDARUNTIME_H */
