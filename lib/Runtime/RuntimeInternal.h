//===- RuntimeInternal.h - pieces shared inside lib/Runtime -----*- C++ -*-===//

#ifndef SEQMIX_LIB_RUNTIME_RUNTIMEINTERNAL_H
#define SEQMIX_LIB_RUNTIME_RUNTIMEINTERNAL_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include "mlir/Pass/Pass.h"

#include <chrono>
#include <string>
#include <vector>

namespace mlir::seqmix::runtime {
struct ProfileEntry;
} // namespace mlir::seqmix::runtime

namespace mlir::seqmix::runtime::detail {

/// The C function compiled code calls when a run-time check fails.
inline constexpr llvm::StringLiteral kCheckFailedSymbol =
    "seqmix_runtime_check_failed";

/// What the JIT resolves to the runtime rather than the process:
/// seqmix_runtime_check_failed, and malloc / aligned_alloc / free, which
/// record the blocks the compiled code allocates during a guarded call.
llvm::orc::SymbolMap getRuntimeSymbols(llvm::orc::MangleAndInterner interner);

enum class CallOutcome {
  Returned,
  CheckFailed, ///< a run-time check failed; see `checkMessage`
  Nested,      ///< refused: this thread is already in a guarded call
};

/// Calls `fn(args)`, catching failed run-time checks. `liveAllocations`
/// ends up holding every block the call allocated and did not free
/// (results, or what a failed call left behind); with `managed`, blocks
/// are CUDA managed memory (free them with seqmixGpuFree).
CallOutcome guardedCall(void (*fn)(void **), void **args,
                        llvm::DenseSet<void *> &liveAllocations,
                        std::string &checkMessage, bool managed = false);

/// Frees a block the compiled code allocated on the host during a guarded
/// call (a result, or what a failed call left): a large one is kept for the
/// next call that asks for the same size (see CallGuard.cpp).
void releaseHostBlock(void *p);

/// Brackets every seqmix op and linalg.matmul with calls of the profile
/// clock, appending one entry per op to `table` (ids are table indices).
std::unique_ptr<Pass>
createInsertProfilingPass(std::vector<ProfileEntry> &table);
/// The clock's entry points, for the JIT.
void addProfileSymbols(llvm::orc::SymbolMap &map,
                       llvm::orc::MangleAndInterner &interner);
/// While alive, profiled code on this thread adds its times to `table`.
class ProfileScope {
public:
  ProfileScope(std::vector<ProfileEntry> &table,
               std::vector<std::chrono::steady_clock::time_point> &starts);
  ~ProfileScope();

private:
  std::vector<ProfileEntry> *savedTable;
  std::vector<std::chrono::steady_clock::time_point> *savedStarts;
};

/// Readies a context and LLVM for compiling to the host: the LLVM IR
/// translations (a no-op for contexts made from registerRuntimeDialects)
/// and the native target, once per process.
void prepareHostCompilation(mlir::MLIRContext *context);

/// A target machine for the host CPU; `positionIndependent` for objects
/// that are linked into other programs.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(bool positionIndependent);

/// An error value carrying `msg`.
inline llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// How a type prints in messages.
inline std::string typeString(mlir::Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

} // namespace mlir::seqmix::runtime::detail

#endif // SEQMIX_LIB_RUNTIME_RUNTIMEINTERNAL_H
