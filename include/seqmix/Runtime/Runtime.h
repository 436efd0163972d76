//===- Runtime.h - compile and call seqmix entries on the host --*- C++ -*-===//
//
// The library behind seqmix-run: pick an entry function of a module, make
// its inputs (.npy files or deterministic random values), compile the module
// with a named pipeline, call the entry on host tensors, time it and compare
// its results with another run.
//
// Everything the runtime needs comes in through options structs; it keeps
// no global state besides the thread-local record of the call in progress
// that turns a failed run-time check into an error value (see
// docs/Running.md).
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_RUNTIME_H
#define SEQMIX_RUNTIME_RUNTIME_H

#include "seqmix/Runtime/HostTensor.h"
#include "seqmix/Tuning/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class AsmParserState;
class DialectRegistry;
} // namespace mlir

namespace mlir::seqmix::runtime {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// A call stopped by a failed run-time check of the compiled code (a
/// `cf.assert`: bad cu_seqlens, routing indices or offsets). The message is
/// the check's own, which names the op and the operand, e.g.
/// "seqmix.causal_conv1d: operand 'cu_seqlens' must start at 0". The
/// process and the compiled module stay usable.
class RuntimeCheckError : public llvm::ErrorInfo<RuntimeCheckError> {
public:
  static char ID;
  explicit RuntimeCheckError(std::string message)
      : message(std::move(message)) {}
  const std::string &getCheckMessage() const { return message; }
  /// "run-time check failed: <message>".
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string message;
};

/// Compiling for the GPU pipeline on a machine where no CUDA device can be
/// used; the message says why ("no CUDA driver: ...").
class NoGpuError : public llvm::ErrorInfo<NoGpuError> {
public:
  static char ID;
  explicit NoGpuError(std::string reason) : reason(std::move(reason)) {}
  /// "no GPU: <reason>".
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  std::string reason;
};

//===----------------------------------------------------------------------===//
// Entry functions
//===----------------------------------------------------------------------===//

/// A boundary type of an entry: the tensor type and its element kind.
struct TensorSignature {
  RankedTensorType type;
  ElementKind elem;
};

/// The function to call and its boundary types.
struct EntryPoint {
  func::FuncOp func;
  std::string name;
  llvm::SmallVector<TensorSignature> args, results;
  /// Source spelling of each argument ("%x"), "%argN" when unknown.
  llvm::SmallVector<std::string> argNames;
  /// Arguments marked `{bufferization.writable = true}`: the compiled code
  /// may write into them (donated states).
  llvm::SmallVector<bool> writableArgs;

  /// "argument #1 ('%w' of @main)".
  std::string describeArg(unsigned i) const;
};

struct EntryOptions {
  /// The function to run; empty: @main, else the only public function.
  std::string name;
  /// How messages name the module ("model.mlir").
  std::string sourceName = "the module";
  /// When given, arguments are named as written in the source.
  const AsmParserState *parserState = nullptr;
};

/// Parses the main buffer of `sourceMgr` as a module (top-level ops outside
/// one are wrapped in one) and verifies it. With `state`, the parser state
/// (source names of arguments) is kept there. Diagnostics go to the
/// context's handlers; the error says only which step failed.
llvm::Expected<OwningOpRef<ModuleOp>>
parseSourceModule(llvm::SourceMgr &sourceMgr, MLIRContext *context,
                  AsmParserState *state, llvm::StringRef sourceName);

/// Finds the entry and checks that it takes and returns ranked tensors of
/// supported element types.
llvm::Expected<EntryPoint> findEntry(ModuleOp module,
                                     const EntryOptions &options);

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Reads argument `i` from a .npy file, checking its dtype, rank and static
/// sizes against the entry's signature.
llvm::Expected<HostTensor> loadNpyInput(const EntryPoint &entry, unsigned i,
                                        llvm::StringRef path);

struct RandomInputOptions {
  uint64_t seed = 0;
  /// The size of every dynamic dimension.
  int64_t dynamicDim = 64;
};

/// Deterministic inputs from std::mt19937_64(seed): floats uniform in
/// [-1, 1), i8 in [-127, 127], other integers zero, except an argument used
/// as cu_seqlens or segment_matmul offsets, which splits its length evenly.
llvm::Expected<llvm::SmallVector<HostTensor>>
makeRandomInputs(const EntryPoint &entry, const RandomInputOptions &options);

/// Checks that `inputs` match the entry's arguments (count, element kind,
/// rank, static sizes, byte size).
/// The work of `func` (seqmix ops and contractions, from the cost model) at
/// the shapes of `inputs`: dynamic sizes take the inputs' sizes, on a copy
/// of the function whose static shapes are propagated by canonicalization.
/// std::nullopt when a size stays unknown.
std::optional<Cost> estimateCostForInputs(func::FuncOp func,
                                          llvm::ArrayRef<HostTensor> inputs);

llvm::Error checkInputs(const EntryPoint &entry,
                        llvm::ArrayRef<TensorRef> inputs);

//===----------------------------------------------------------------------===//
// Compilation and calls
//===----------------------------------------------------------------------===//

enum class Pipeline {
  Reference, ///< seqmix-reference-pipeline: naive loops
  Cpu,       ///< seqmix-cpu-pipeline: tiled by configs, OpenMP threads
  Gpu,       ///< seqmix-gpu-pipeline: kernels on the CUDA device
  /// seqmix-gpu-emulation-pipeline: the GPU pipeline's blocks and threads
  /// one after another on the CPU (a check of its kernels without a GPU)
  GpuEmulated,
};

/// "reference", "cpu", "gpu" or "gpu-emulated"; anything else is an error.
/// Whether a GPU is there is checked when compiling (NoGpuError).
llvm::Expected<Pipeline> parsePipeline(llvm::StringRef name);
llvm::StringRef getPipelineName(Pipeline pipeline);

struct CompileOptions {
  Pipeline pipeline = Pipeline::Cpu;
  /// LLVM optimization level of the JIT (0-3).
  unsigned optLevel = 3;
  /// Threads the CPU pipeline tiles for (0: the host's hardware threads).
  unsigned threads = 0;
  /// Shared libraries the compiled code may call into, besides MLIR's C
  /// runner utilities (memrefCopy), which are always loaded.
  std::vector<std::string> sharedLibPaths;
  /// Time every seqmix op and linalg.matmul of the entry (Executable::
  /// getProfile); the brackets cost well under a microsecond per op.
  bool profile = false;
  /// Tiling configs to set before compiling: (op name, `seqmix.tile`
  /// attribute text). The op name "*" means every seqmix op. An op that
  /// already carries a config in the module keeps it.
  std::vector<std::pair<std::string, std::string>> tileOverrides;
};

/// Sets the tile overrides on every matching op of `module` that has no
/// `seqmix.tile` yet; an error names an override that does not parse.
llvm::Error applyTileOverrides(
    ModuleOp module,
    llvm::ArrayRef<std::pair<std::string, std::string>> overrides);

/// The time spent in one op of a profiled entry, over the calls since the
/// last resetProfile().
struct ProfileEntry {
  std::string name; ///< "seqmix.selective_scan#0", "linalg.matmul#2", ...
  double totalMs = 0;
  int64_t calls = 0;
};

/// Registers what compiling and calling needs in a context: every upstream
/// dialect and extension, seqmix, and the LLVM IR translations.
void registerRuntimeDialects(DialectRegistry &registry);

/// Rewrites every `cf.assert %ok, "msg"` into
/// `scf.if !%ok { call @seqmix_runtime_check_failed(msg) }`, the message an
/// LLVM global string. Runs on loops and buffers, before the LLVM lowering.
std::unique_ptr<Pass> createRecoverableChecksPass();

/// Lowers a clone of `module` (only the entry and what it calls) with the
/// chosen pipeline to the LLVM dialect. With `recoverableChecks`, failed
/// run-time checks call seqmix_runtime_check_failed (the runtime's guarded
/// calls catch it); without, they print and abort, as cf.assert does. With
/// `profile`, seqmix ops are bracketed by profile clock calls.
llvm::Expected<OwningOpRef<ModuleOp>>
lowerEntryToLLVM(ModuleOp module, const EntryPoint &entry,
                 const CompileOptions &options, bool recoverableChecks,
                 std::vector<ProfileEntry> *profile = nullptr);

/// What seqmix-compile writes: an object file for the host CPU holding the
/// entry (C interface `_mlir_ciface_<entry>`), and a C header declaring it
/// and a wrapper that takes plain pointers and sizes (docs/Integration.md).
struct AheadOfTimeOptions {
  std::string objectPath;
  std::string headerPath; ///< empty: no header
  std::string sourceName = "the module";
};

llvm::Error compileAheadOfTime(ModuleOp module, const EntryPoint &entry,
                               const CompileOptions &options,
                               const AheadOfTimeOptions &aot);

/// Timing of repeated calls.
struct BenchResult {
  std::vector<double> callMs; // sorted
  double medianMs = 0, minMs = 0;
};

/// One JIT-compiled entry. Calls on one Executable must not overlap; the
/// module it was compiled from may be destroyed.
class Executable {
public:
  /// Lowers a clone of `module` (only the entry and what it calls) with the
  /// chosen pipeline and JIT-compiles it.
  static llvm::Expected<std::unique_ptr<Executable>>
  compile(ModuleOp module, const EntryPoint &entry,
          const CompileOptions &options);

  ~Executable();
  Executable(const Executable &) = delete;
  Executable &operator=(const Executable &) = delete;

  /// Calls the entry once on `inputs`, which are never written (arguments
  /// the code may write into are passed as copies). Results come back as
  /// owned copies; every buffer the compiled code allocated is freed, once.
  /// A failed run-time check comes back as a RuntimeCheckError. The time of
  /// the call alone goes to `callMs`.
  llvm::Expected<llvm::SmallVector<HostTensor>>
  call(llvm::ArrayRef<TensorRef> inputs, double *callMs = nullptr);
  llvm::Expected<llvm::SmallVector<HostTensor>>
  call(llvm::ArrayRef<HostTensor> inputs, double *callMs = nullptr);

  /// `iterations` timed calls (after none: warm up with call() first).
  llvm::Expected<BenchResult> bench(llvm::ArrayRef<HostTensor> inputs,
                                    unsigned iterations);

  /// Per-op times of a profiled entry (empty without
  /// CompileOptions::profile), in program order.
  llvm::ArrayRef<ProfileEntry> getProfile() const;
  void resetProfile();

  const EntryPoint &getEntry() const { return entry; }
  Pipeline getPipeline() const { return pipeline; }

  struct Impl;

private:
  Executable(EntryPoint entry, Pipeline pipeline);
  EntryPoint entry; // func is null: the module may be gone
  Pipeline pipeline;
  std::unique_ptr<Impl> impl;
};

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

struct CompareOptions {
  double rtol = 1e-5;
  double atol = 1e-6;
};

struct Comparison {
  bool shapesMatch = true;
  double maxAbsError = 0, maxRelError = 0;
  /// |got - want| <= atol + rtol * |want| everywhere; NaN only matches NaN.
  bool pass = true;
};

Comparison compare(const HostTensor &got, const HostTensor &want,
                   const CompareOptions &options);

} // namespace mlir::seqmix::runtime

#endif // SEQMIX_RUNTIME_RUNTIME_H
