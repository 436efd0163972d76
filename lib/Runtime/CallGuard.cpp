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
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include "seqmix/GpuRuntime/CudaRuntime.h"

#include "llvm/ExecutionEngine/JITSymbol.h"

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

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
} // namespace

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
  void *p =
      g.active && g.managed ? seqmixGpuAllocManaged(size) : std::malloc(size);
  if (p && g.active)
    g.allocations->insert(p);
  return p;
}

static void *seqmix_runtime_aligned_alloc(size_t alignment, size_t size) {
  GuardState &g = guard;
  // Managed blocks are aligned to at least 256 bytes.
  void *p = g.active && g.managed ? seqmixGpuAllocManaged(size)
                                  : std::aligned_alloc(alignment, size);
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
    std::free(p);
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
