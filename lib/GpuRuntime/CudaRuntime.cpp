//===- CudaRuntime.cpp - mgpu* over the CUDA driver API -------------------===//
//
// Debian's MLIR ships no CUDA runtime wrappers, so this is ours. The driver
// API is reached through dlopen("libcuda.so.1") on first use, with the few
// types it needs declared here: nothing of CUDA is needed to build or link.
// One primary context of device 0 is made current on every thread that
// calls in. Failures are kept (seqmixGpuTakeError) and reported once on
// stderr; a failed call leaves its outputs null.
//
//===----------------------------------------------------------------------===//

#include "seqmix/GpuRuntime/CudaRuntime.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

namespace {

// The driver API types and entry points used (cuda.h, CUDA 12 ABI).
using CUresult = int;
using CUdevice = int;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUdeviceptr = unsigned long long;
constexpr unsigned kMemAttachGlobal = 1;
constexpr int kJitOptimizationLevel = 7; // CU_JIT_OPTIMIZATION_LEVEL

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);

  CUdevice device = 0;
  bool ready = false;
  std::string problem; // why not ready
  CUcontext context = nullptr;
};

Driver &driver() {
  static Driver d;
  static std::once_flag once;
  std::call_once(once, [] {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      d.problem = "no CUDA driver: libcuda.so.1 cannot be loaded";
      return;
    }
    bool all = true;
    auto load = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(lib, name));
      all &= fn != nullptr;
    };
    load(d.cuInit, "cuInit");
    load(d.cuDeviceGetCount, "cuDeviceGetCount");
    load(d.cuDeviceGet, "cuDeviceGet");
    load(d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    load(d.cuCtxSetCurrent, "cuCtxSetCurrent");
    load(d.cuModuleLoadData, "cuModuleLoadData");
    load(d.cuModuleLoadDataEx, "cuModuleLoadDataEx");
    load(d.cuModuleUnload, "cuModuleUnload");
    load(d.cuModuleGetFunction, "cuModuleGetFunction");
    load(d.cuLaunchKernel, "cuLaunchKernel");
    load(d.cuStreamCreate, "cuStreamCreate");
    load(d.cuStreamDestroy, "cuStreamDestroy_v2");
    load(d.cuStreamSynchronize, "cuStreamSynchronize");
    load(d.cuMemAllocManaged, "cuMemAllocManaged");
    load(d.cuMemFree, "cuMemFree_v2");
    load(d.cuGetErrorString, "cuGetErrorString");
    load(d.cuDeviceGetAttribute, "cuDeviceGetAttribute");
    if (!all) {
      d.problem = "the CUDA driver lacks an entry point seqmix needs";
      return;
    }
    int count = 0;
    CUdevice device = 0;
    if (d.cuInit(0) != 0 || d.cuDeviceGetCount(&count) != 0 || count == 0) {
      d.problem = "no CUDA device";
      return;
    }
    if (d.cuDeviceGet(&device, 0) != 0 ||
        d.cuDevicePrimaryCtxRetain(&d.context, device) != 0) {
      d.problem = "cannot open CUDA device 0";
      return;
    }
    d.device = device;
    d.ready = true;
  });
  return d;
}

thread_local std::string firstError;

void fail(const char *what, CUresult code) {
  if (!firstError.empty())
    return;
  Driver &d = driver();
  const char *text = nullptr;
  if (code && d.cuGetErrorString)
    d.cuGetErrorString(code, &text);
  firstError =
      std::string(what) + ": " +
      (code ? (text ? text : "CUDA error " + std::to_string(code)) : d.problem);
  std::fprintf(stderr, "seqmix: %s\n", firstError.c_str());
}

/// The driver, with the context current on this thread; null after
/// recording why not.
Driver *current(const char *what) {
  Driver &d = driver();
  if (!d.ready) {
    fail(what, 0);
    return nullptr;
  }
  if (CUresult r = d.cuCtxSetCurrent(d.context)) {
    fail(what, r);
    return nullptr;
  }
  return &d;
}

} // namespace

extern "C" {

int seqmixGpuAvailable(char *why, size_t whySize) {
  Driver &d = driver();
  if (!d.ready && why && whySize)
    std::snprintf(why, whySize, "%s", d.problem.c_str());
  return d.ready ? 1 : 0;
}

int seqmixGpuChip(char *chip, size_t chipSize) {
  Driver &d = driver();
  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR
  int major = 0, minor = 0;
  if (!d.ready || d.cuDeviceGetAttribute(&major, 75, d.device) ||
      d.cuDeviceGetAttribute(&minor, 76, d.device))
    return 0;
  std::snprintf(chip, chipSize, "sm_%d%d", major, minor);
  return 1;
}

void *seqmixGpuAllocManaged(size_t bytes) {
  Driver *d = current("managed allocation");
  CUdeviceptr p = 0;
  if (!d)
    return nullptr;
  if (CUresult r =
          d->cuMemAllocManaged(&p, bytes ? bytes : 1, kMemAttachGlobal)) {
    fail("managed allocation", r);
    return nullptr;
  }
  return reinterpret_cast<void *>(p);
}

void seqmixGpuFree(void *ptr) {
  if (!ptr)
    return;
  if (Driver *d = current("free"))
    if (CUresult r = d->cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)))
      fail("free", r);
}

const char *seqmixGpuTakeError(void) {
  static thread_local std::string taken;
  if (firstError.empty())
    return nullptr;
  taken = std::move(firstError);
  firstError.clear();
  return taken.c_str();
}

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Driver *d = current("loading a kernel module");
  CUmodule module = nullptr;
  if (d)
    if (CUresult r = d->cuModuleLoadData(&module, data))
      fail("loading a kernel module", r);
  return module;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  Driver *d = current("compiling PTX");
  CUmodule module = nullptr;
  if (!d)
    return nullptr;
  int options[] = {kJitOptimizationLevel};
  void *values[] = {reinterpret_cast<void *>(intptr_t(optLevel))};
  if (CUresult r = d->cuModuleLoadDataEx(&module, data, 1, options, values))
    fail("compiling PTX", r);
  return module;
}

void mgpuModuleUnload(void *module) {
  if (Driver *d = current("unloading a kernel module"); d && module)
    if (CUresult r = d->cuModuleUnload(static_cast<CUmodule>(module)))
      fail("unloading a kernel module", r);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  Driver *d = current("finding a kernel");
  CUfunction function = nullptr;
  if (d && module)
    if (CUresult r = d->cuModuleGetFunction(
            &function, static_cast<CUmodule>(module), name))
      fail("finding a kernel", r);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  Driver *d = current("launching a kernel");
  if (!d || !function)
    return;
  // An empty grid (a dimension of size 0) launches nothing.
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockY <= 0 ||
      blockZ <= 0)
    return;
  if (CUresult r = d->cuLaunchKernel(
          static_cast<CUfunction>(function), unsigned(gridX), unsigned(gridY),
          unsigned(gridZ), unsigned(blockX), unsigned(blockY), unsigned(blockZ),
          unsigned(smem), static_cast<CUstream>(stream), params, extra))
    fail("launching a kernel", r);
}

void *mgpuStreamCreate(void) {
  Driver *d = current("creating a stream");
  CUstream stream = nullptr;
  if (d)
    if (CUresult r = d->cuStreamCreate(&stream, 0))
      fail("creating a stream", r);
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (Driver *d = current("destroying a stream"); d && stream)
    if (CUresult r = d->cuStreamDestroy(static_cast<CUstream>(stream)))
      fail("destroying a stream", r);
}

void mgpuStreamSynchronize(void *stream) {
  if (Driver *d = current("waiting for a kernel"))
    if (CUresult r = d->cuStreamSynchronize(static_cast<CUstream>(stream)))
      fail("waiting for a kernel", r);
}

} // extern "C"
