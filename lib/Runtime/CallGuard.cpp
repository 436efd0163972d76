//===- CallGuard.cpp - failed checks and allocations of compiled code -----===//
//
// A failed `cf.assert` of compiled code (rewritten by RecoverableChecks.cpp)
// calls seqmix_runtime_check_failed, which longjmps back to the setjmp in
// guardedCall. Between the two there are only JIT frames (no C++ objects, no
// destructors to skip) and guardedCall itself, which keeps nothing in locals
// across the jump. The state is per thread, so separate threads may call
// separate executables at once.
//
// The compiled code's malloc / aligned_alloc / free are resolved here too:
// each guarded call records the blocks it allocates, so that the runtime
// frees exactly those (results included, once each) and never a caller's
// buffer, and a call stopped by a failed check leaks nothing. In a call of
// GPU-compiled code every block is CUDA managed memory, which the kernels
// and the host both address.
//
// Large host blocks (1 MiB and up: a layer's intermediates, a state) are
// kept after they are freed and handed out again for the same size, as
// the caching allocators of ML frameworks do. Without that, each call maps
// fresh pages for every intermediate and the kernel zero-fills them on
// first touch: for a MoM layer at T = 8192 (six 16-32 MiB buffers) that was
// a tenth of the call.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include "seqmix/GpuRuntime/CudaRuntime.h"

#include "llvm/ExecutionEngine/JITSymbol.h"

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

using namespace mlir::seqmix::runtime;

namespace {
struct GuardState {
  /// Set while a guarded call runs on this thread.
  bool active = false;
  std::jmp_buf env;
  llvm::DenseSet<void *> *allocations = nullptr;
  std::string *message = nullptr;
  /// Blocks come from CUDA managed memory (GPU-compiled code).
  bool managed = false;
};
thread_local GuardState guard;

/// Freed large host blocks, by size, shared by all threads and executables.
/// Blocks are 64-byte aligned, so they serve malloc and aligned_alloc alike.
class BlockCache {
public:
  static constexpr size_t kMinBytes = size_t(1) << 20;
  static constexpr size_t kMaxCachedBytes = size_t(1) << 30;

  /// A block of `size` bytes (a cached one when there is one), or null
  /// when it is too small to cache (the caller allocates it).
  void *take(size_t size, size_t alignment) {
    if (size < kMinBytes || alignment > kAlignment)
      return nullptr;
    size = roundUp(size);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = kept.find(size);
      if (it != kept.end()) {
        void *p = it->second;
        kept.erase(it);
        cachedBytes -= size;
        return p;
      }
    }
    void *p = std::aligned_alloc(kAlignment, size);
    if (p) {
      std::lock_guard<std::mutex> lock(mutex);
      sizes[p] = size;
    }
    return p;
  }

  /// Keeps `p` for a later take if it is a cache block and the cache has
  /// room (else frees it); false if `p` is not a cache block.
  bool give(void *p) {
    std::unique_lock<std::mutex> lock(mutex);
    auto it = sizes.find(p);
    if (it == sizes.end())
      return false;
    size_t size = it->second;
    if (cachedBytes + size <= kMaxCachedBytes) {
      kept.emplace(size, p);
      cachedBytes += size;
      return true;
    }
    sizes.erase(it);
    lock.unlock();
    std::free(p);
    return true;
  }

private:
  static constexpr size_t kAlignment = 64;
  static size_t roundUp(size_t n) { return (n + 4095) & ~size_t(4095); }

  std::mutex mutex;
  std::multimap<size_t, void *> kept; ///< freed blocks, by size
  std::map<void *, size_t> sizes;     ///< every cache block, live or kept
  size_t cachedBytes = 0;
};

BlockCache &blockCache() {
  static BlockCache *cache = new BlockCache; // Never destroyed: no exit order.
  return *cache;
}

void *allocateHost(size_t alignment, size_t size) {
  if (void *p = blockCache().take(size, alignment))
    return p;
  return alignment ? std::aligned_alloc(alignment, size) : std::malloc(size);
}

void freeHost(void *p) {
  if (p && !blockCache().give(p))
    std::free(p);
}
} // namespace

void detail::releaseHostBlock(void *p) { freeHost(p); }

extern "C" {
/// Called by compiled code on a failed check; does not return. With
/// `hasValues`, `msg` is a printf format holding the two compared values
/// (`lhs`, `rhs`), so the message shows what was found.
[[noreturn]] void seqmix_runtime_check_failed(const char *msg, int64_t lhs,
                                              int64_t rhs, int32_t hasValues) {
  char text[1024];
  if (!msg)
    msg = "(no message)";
  if (hasValues)
    std::snprintf(text, sizeof(text), msg, static_cast<long long>(lhs),
                  static_cast<long long>(rhs));
  else
    std::snprintf(text, sizeof(text), "%s", msg);
  GuardState &g = guard;
  if (!g.active) {
    // Compiled code called outside the runtime: nowhere to go back to.
    std::fprintf(stderr, "seqmix: run-time check failed: %s\n", text);
    std::abort();
  }
  g.message->assign(text);
  std::longjmp(g.env, 1);
}

static void *seqmix_runtime_malloc(size_t size) {
  GuardState &g = guard;
  void *p = g.active && g.managed ? seqmixGpuAllocManaged(size)
                                  : allocateHost(0, size);
  if (p && g.active)
    g.allocations->insert(p);
  return p;
}

static void *seqmix_runtime_aligned_alloc(size_t alignment, size_t size) {
  GuardState &g = guard;
  // Managed blocks are aligned to at least 256 bytes.
  void *p = g.active && g.managed ? seqmixGpuAllocManaged(size)
                                  : allocateHost(alignment, size);
  if (p && g.active)
    g.allocations->insert(p);
  return p;
}

static void seqmix_runtime_free(void *p) {
  GuardState &g = guard;
  if (p && g.active)
    g.allocations->erase(p);
  if (g.active && g.managed)
    seqmixGpuFree(p);
  else
    freeHost(p);
}
} // extern "C"

llvm::orc::SymbolMap
detail::getRuntimeSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap map;
  auto add = [&](llvm::StringRef name, auto *fn) {
    map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                           llvm::JITSymbolFlags::Exported};
  };
  add(kCheckFailedSymbol, &seqmix_runtime_check_failed);
  add("malloc", &seqmix_runtime_malloc);
  add("aligned_alloc", &seqmix_runtime_aligned_alloc);
  add("free", &seqmix_runtime_free);
  addProfileSymbols(map, interner);
  return map;
}

// noinline: setjmp's caller must stay a frame of its own that outlives the
// jump.
[[gnu::noinline]] detail::CallOutcome
detail::guardedCall(void (*fn)(void **), void **args,
                    llvm::DenseSet<void *> &liveAllocations,
                    std::string &checkMessage, bool managed) {
  GuardState &g = guard;
  if (g.active) {
    // A nested call (compiled code calling back into the runtime) would
    // overwrite the outer jump target.
    return CallOutcome::Nested;
  }
  g.allocations = &liveAllocations;
  g.message = &checkMessage;
  g.managed = managed;
  g.active = true;
  if (setjmp(g.env) != 0) {
    GuardState &after = guard; // Re-read: nothing cached across the jump.
    after.active = false;
    after.allocations = nullptr;
    after.message = nullptr;
    return CallOutcome::CheckFailed;
  }
  fn(args);
  g.active = false;
  g.allocations = nullptr;
  g.message = nullptr;
  return CallOutcome::Returned;
}
