//===- Executable.cpp - compile an entry and call it on host tensors ------===//

#include "RuntimeInternal.h"
#include "seqmix/Runtime/Runtime.h"

#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/GpuRuntime/CudaRuntime.h"
#include "seqmix/Pipelines/Pipelines.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/ADT/ScopeExit.h"

#include <algorithm>
#include <chrono>
#include <cstring>

using namespace mlir;
using namespace mlir::seqmix::runtime;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;
using mlir::seqmix::runtime::detail::makeError;
using mlir::seqmix::runtime::detail::typeString;

char RuntimeCheckError::ID = 0;
char NoGpuError::ID = 0;

void NoGpuError::log(llvm::raw_ostream &os) const {
  os << "no GPU: " << reason;
}

std::error_code NoGpuError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

void RuntimeCheckError::log(llvm::raw_ostream &os) const {
  os << "run-time check failed: " << message;
}

std::error_code RuntimeCheckError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

void mlir::seqmix::runtime::registerRuntimeDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  seqmix::registerSeqMixDialectAndExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerAllToLLVMIRTranslations(registry);
}

Expected<Pipeline> mlir::seqmix::runtime::parsePipeline(llvm::StringRef name) {
  if (name == "reference")
    return Pipeline::Reference;
  if (name == "cpu")
    return Pipeline::Cpu;
  if (name == "gpu")
    return Pipeline::Gpu;
  if (name == "gpu-emulated")
    return Pipeline::GpuEmulated;
  return makeError("unknown --pipeline '" + name +
                   "' (expected reference, cpu, gpu or gpu-emulated)");
}

llvm::StringRef mlir::seqmix::runtime::getPipelineName(Pipeline pipeline) {
  switch (pipeline) {
  case Pipeline::Reference:
    return "reference";
  case Pipeline::Cpu:
    return "cpu";
  case Pipeline::Gpu:
    return "gpu";
  case Pipeline::GpuEmulated:
    return "gpu-emulated";
  }
  llvm_unreachable("unknown pipeline");
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

void mlir::seqmix::runtime::detail::prepareHostCompilation(
    MLIRContext *context) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  context->appendDialectRegistry(registry);
  // Idempotent; LLVM keeps its target registry process-wide.
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
}

Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::seqmix::runtime::detail::createHostTargetMachine(
    bool positionIndependent) {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return makeError("cannot target the host: " +
                     llvm::toString(builder.takeError()));
  if (positionIndependent)
    builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = builder->createTargetMachine();
  if (!tm)
    return makeError("cannot create a target machine for the host: " +
                     llvm::toString(tm.takeError()));
  return std::move(*tm);
}

Error mlir::seqmix::runtime::applyTileOverrides(
    ModuleOp module,
    llvm::ArrayRef<std::pair<std::string, std::string>> overrides) {
  MLIRContext *ctx = module.getContext();
  StringRef attrName = seqmix::SeqMixDialect::kTileAttrName;
  for (const auto &override : overrides) {
    const std::string &opName = override.first, &text = override.second;
    Attribute config = parseAttribute(text, ctx);
    if (!config || !isa<seqmix::TilingConfigAttrInterface>(config))
      return makeError("tile override for '" + opName + "': '" + text +
                       "' is not a #seqmix.cpu_tiling or #seqmix.gpu_tiling "
                       "attribute");
    bool all = opName == "*";
    module.walk([&](Operation *op) {
      StringRef name = op->getName().getStringRef();
      bool matches =
          all ? op->getDialect() && op->getDialect()->getNamespace() == "seqmix"
              : name == opName;
      if (matches && !op->hasAttr(attrName))
        op->setAttr(attrName, config);
    });
  }
  return Error::success();
}

struct Executable::Impl {
  std::vector<std::string> libPaths;
  std::vector<llvm::StringRef> libPathRefs;
  /// The engine refers to the transformer: it lives as long.
  std::function<Error(llvm::Module *)> transformer;
  std::unique_ptr<ExecutionEngine> engine;
  void (*packed)(void **) = nullptr;
  std::vector<ProfileEntry> profile;
  std::vector<std::chrono::steady_clock::time_point> profileStarts;
};

Executable::Executable(EntryPoint entry, Pipeline pipeline)
    : entry(std::move(entry)), pipeline(pipeline),
      impl(std::make_unique<Impl>()) {}

Executable::~Executable() = default;

/// A library the JIT loads by path: where the build found it, else the file
/// of that name beside the running tool's libraries (bin/../lib), where a
/// relocated copy of the tools keeps it (scripts/gpu-bundle.sh).
static std::string jitLibrary(llvm::StringRef built) {
  if (llvm::sys::fs::exists(built))
    return built.str();
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib", llvm::sys::path::filename(built));
  return llvm::sys::fs::exists(path) ? std::string(path) : built.str();
}

/// Words (8-byte fields) of a lowered memref descriptor: allocated and
/// aligned pointers, offset, sizes, strides.
static int64_t descriptorWords(int64_t rank) { return 3 + 2 * rank; }

/// Number of 8-byte scalar fields in an LLVM type, or -1 when it holds
/// anything else (the descriptor layout would not be what we pass).
static int64_t countWords(Type t) {
  if (isa<LLVM::LLVMPointerType>(t) || t.isInteger(64))
    return 1;
  if (auto arr = dyn_cast<LLVM::LLVMArrayType>(t)) {
    int64_t inner = countWords(arr.getElementType());
    return inner < 0 ? -1 : inner * int64_t(arr.getNumElements());
  }
  if (auto st = dyn_cast<LLVM::LLVMStructType>(t)) {
    int64_t sum = 0;
    for (Type e : st.getBody()) {
      int64_t w = countWords(e);
      if (w < 0)
        return -1;
      sum += w;
    }
    return sum;
  }
  return -1;
}

/// The lowered entry must take expanded descriptors and return one
/// descriptor or a struct of them; anything else would be misread.
static Error checkLoweredSignature(ModuleOp lowered, const EntryPoint &entry) {
  auto fn = lowered.lookupSymbol<LLVM::LLVMFuncOp>(entry.name);
  if (!fn || fn.isExternal())
    return makeError("lowering did not produce llvm.func @" + entry.name);
  int64_t wantArgs = 0, wantResults = 0;
  for (const TensorSignature &s : entry.args)
    wantArgs += descriptorWords(s.type.getRank());
  for (const TensorSignature &s : entry.results)
    wantResults += descriptorWords(s.type.getRank());
  LLVM::LLVMFunctionType type = fn.getFunctionType();
  int64_t haveArgs = 0;
  for (Type t : type.getParams()) {
    if (countWords(t) != 1) {
      haveArgs = -1;
      break;
    }
    ++haveArgs;
  }
  Type ret = type.getReturnType();
  int64_t haveResults = isa<LLVM::LLVMVoidType>(ret) ? 0 : countWords(ret);
  if (haveArgs != wantArgs || haveResults != wantResults) {
    func::FuncOp source = entry.func; // Accessors are not const.
    return makeError("lowered @" + entry.name + " has signature " +
                     typeString(type) +
                     ", not the expanded memref descriptors expected for " +
                     typeString(source.getFunctionType()));
  }
  return Error::success();
}

Expected<OwningOpRef<ModuleOp>> mlir::seqmix::runtime::lowerEntryToLLVM(
    ModuleOp original, const EntryPoint &entry, const CompileOptions &options,
    bool recoverableChecks, std::vector<ProfileEntry> *profile) {
  OwningOpRef<ModuleOp> module(original.clone());
  if (Error e = applyTileOverrides(*module, options.tileOverrides))
    return std::move(e);
  // Only the entry and what it calls are compiled: other public functions
  // become private and symbol-dce drops them.
  for (auto fn : module->getOps<func::FuncOp>()) {
    if (fn.getSymName() == entry.name)
      fn.setPublic();
    else if (!fn.isExternal())
      fn.setPrivate();
  }

  MLIRContext *ctx = original.getContext();
  PassManager pm(ctx, ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  if (profile)
    pm.addPass(detail::createInsertProfilingPass(*profile));
  if (options.pipeline == Pipeline::Gpu) {
    // Kernels for the device that is there, in a fatbin; the host code
    // launches them through libseqmix_cuda_runtime. The GPU path has no
    // run-time checks (the host cannot read device buffers up front).
    char chip[16] = "sm_90";
    seqmixGpuChip(chip, sizeof(chip));
    seqmix::GpuPipelineOptions gpu;
    gpu.chip = chip;
    gpu.format = "fatbin";
    seqmix::buildGpuPipeline(pm, gpu);
  } else if (options.pipeline == Pipeline::GpuEmulated) {
    // The kernels seqmix-gpu-pipeline makes for an H100/H200, without
    // run-time checks as there, run on the calling thread.
    seqmix::buildGpuEmulationPipeline(pm);
  } else {
    if (options.pipeline == Pipeline::Cpu) {
      seqmix::CpuPipelineOptions cpu;
      cpu.threads = options.threads;
      seqmix::buildCpuPipelineToLoops(pm, cpu);
    } else {
      seqmix::buildReferencePipelineToLoops(pm);
    }
    // Failed checks become error values: the rewrite sits between the
    // loops and the LLVM lowering, where cf.assert would turn into abort().
    if (recoverableChecks)
      pm.addPass(createRecoverableChecksPass());
    seqmix::buildLowerToLLVM(pm);
  }
  if (failed(pm.run(*module)))
    return makeError("lowering @" + entry.name + " with the " +
                     getPipelineName(options.pipeline) + " pipeline failed");
  return std::move(module);
}

Expected<std::unique_ptr<Executable>>
Executable::compile(ModuleOp original, const EntryPoint &entry,
                    const CompileOptions &options) {
  if (!entry.func)
    return makeError("no entry function to compile");
  if (options.optLevel > 3)
    return makeError("the optimization level must be 0 to 3");
  runtime::detail::prepareHostCompilation(original.getContext());
  if (options.pipeline == Pipeline::Gpu) {
    char why[256] = "";
    if (!seqmixGpuAvailable(why, sizeof(why)))
      return llvm::make_error<NoGpuError>(why);
  }

  std::vector<ProfileEntry> profile;
  auto lowered = lowerEntryToLLVM(original, entry, options,
                                  /*recoverableChecks=*/true,
                                  options.profile ? &profile : nullptr);
  if (!lowered)
    return lowered.takeError();
  OwningOpRef<ModuleOp> module = std::move(*lowered);
  Pipeline pipeline = options.pipeline;
  if (Error e = checkLoweredSignature(*module, entry))
    return std::move(e);

  auto tm =
      runtime::detail::createHostTargetMachine(/*positionIndependent=*/false);
  if (!tm)
    return tm.takeError();

  EntryPoint kept = entry;
  kept.func = nullptr; // The caller's module may go away.
  std::unique_ptr<Executable> exe(new Executable(std::move(kept), pipeline));
  Impl &impl = *exe->impl;
  impl.profile = std::move(profile);
  // memref.copy of strided buffers lowers to a call of memrefCopy, which
  // lives in MLIR's C runner utilities; the JIT loads that library by path.
  impl.libPaths.push_back(jitLibrary(SEQMIX_C_RUNNER_UTILS));
  // The CPU pipeline's thread loops call the OpenMP runtime.
  impl.libPaths.push_back(jitLibrary(SEQMIX_OMP_LIBRARY));
  impl.libPaths.insert(impl.libPaths.end(), options.sharedLibPaths.begin(),
                       options.sharedLibPaths.end());
  for (const std::string &p : impl.libPaths)
    impl.libPathRefs.push_back(p);
  impl.transformer = makeOptimizingTransformer(options.optLevel, 0, tm->get());

  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = impl.transformer;
  engineOptions.sharedLibPaths = impl.libPathRefs;
  static const llvm::CodeGenOptLevel levels[] = {
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default, llvm::CodeGenOptLevel::Aggressive};
  engineOptions.jitCodeGenOptLevel = levels[options.optLevel];
  auto engine = ExecutionEngine::create(*module, engineOptions, std::move(*tm));
  if (!engine)
    return makeError("JIT compilation failed: " +
                     llvm::toString(engine.takeError()));
  impl.engine = std::move(*engine);
  // Before anything is materialized: these take precedence over the
  // process's own symbols.
  impl.engine->registerSymbols(detail::getRuntimeSymbols);
  impl.engine->initialize();
  auto packed = impl.engine->lookupPacked(entry.name);
  if (!packed)
    return makeError("JIT compilation failed: " +
                     llvm::toString(packed.takeError()));
  impl.packed = *packed;
  return std::move(exe);
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

Expected<llvm::SmallVector<HostTensor>>
Executable::call(llvm::ArrayRef<HostTensor> inputs, double *callMs) {
  llvm::SmallVector<TensorRef> refs;
  for (const HostTensor &t : inputs)
    refs.push_back(t.ref());
  return call(refs, callMs);
}

Expected<llvm::SmallVector<HostTensor>>
Executable::call(llvm::ArrayRef<TensorRef> inputs, double *callMs) {
  if (Error e = checkInputs(entry, inputs))
    return std::move(e);

  // The code may write into donated arguments: give it copies, so that the
  // caller's tensors stay as they are (and repeated calls see the same
  // inputs).
  llvm::SmallVector<HostTensor> scratch;
  scratch.reserve(inputs.size()); // Pointers into it stay valid.
  llvm::SmallVector<TensorRef> passed;
  // GPU-compiled code reads every input from managed memory (copies the
  // kernels and the host both address), freed when the call returns.
  const bool gpu = pipeline == Pipeline::Gpu;
  std::vector<void *> deviceInputs;
  llvm::scope_exit freeDeviceInputs([&] {
    for (void *p : deviceInputs)
      seqmixGpuFree(p);
  });
  for (auto [i, t] : llvm::enumerate(inputs)) {
    if (gpu) {
      void *p = seqmixGpuAllocManaged(t.numBytes);
      if (!p) {
        const char *why = seqmixGpuTakeError();
        return makeError(entry.describeArg(i) + ": " +
                         (why ? why : "no managed memory"));
      }
      deviceInputs.push_back(p);
      if (t.numBytes)
        std::memcpy(p, t.data, t.numBytes);
      passed.push_back({t.elem, t.shape, p, t.numBytes});
      continue;
    }
    if (!entry.writableArgs[i]) {
      passed.push_back(t);
      continue;
    }
    Expected<HostTensor> copy = HostTensor::copyOf(t);
    if (!copy)
      return makeError(entry.describeArg(i) + ": " +
                       llvm::toString(copy.takeError()));
    scratch.push_back(std::move(*copy));
    passed.push_back(scratch.back().ref());
  }

  // One 8-byte slot per scalar of each expanded descriptor; the packed
  // argument list points at each slot.
  std::vector<int64_t> argWords;
  for (const TensorRef &t : passed)
    argWords.resize(argWords.size() +
                    size_t(descriptorWords(int64_t(t.shape.size()))));
  size_t w = 0;
  for (const TensorRef &t : passed) {
    auto ptr = reinterpret_cast<intptr_t>(t.data);
    argWords[w++] = ptr;
    argWords[w++] = ptr;
    argWords[w++] = 0;
    int64_t rank = t.shape.size();
    for (int64_t d = 0; d < rank; ++d)
      argWords[w + d] = t.shape[d];
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      argWords[w + rank + d] = stride;
      stride *= t.shape[d];
    }
    w += 2 * rank;
  }
  llvm::SmallVector<void *> packedArgs;
  for (int64_t &word : argWords)
    packedArgs.push_back(&word);

  size_t resultWordCount = 0;
  for (const TensorSignature &s : entry.results)
    resultWordCount += descriptorWords(s.type.getRank());
  std::vector<int64_t> resultWords(std::max<size_t>(resultWordCount, 1), 0);
  packedArgs.push_back(resultWords.data());

  // Every block the code allocates and does not free is ours to free, once:
  // results (which may alias each other) and whatever a failed call left.
  // Blocks the code did not allocate (inputs, their copies, constants) are
  // never freed here.
  llvm::DenseSet<void *> allocations;
  auto freeAllocations = [&]() {
    for (void *p : allocations)
      gpu ? seqmixGpuFree(p) : detail::releaseHostBlock(p);
    allocations.clear();
  };
  std::string checkMessage;
  detail::ProfileScope profiling(impl->profile, impl->profileStarts);
  auto start = std::chrono::steady_clock::now();
  detail::CallOutcome outcome = detail::guardedCall(
      impl->packed, packedArgs.data(), allocations, checkMessage, gpu);
  auto stop = std::chrono::steady_clock::now();
  // A launch that failed (the mgpu* functions cannot return errors).
  if (const char *error = gpu ? seqmixGpuTakeError() : nullptr) {
    freeAllocations();
    return makeError(error);
  }
  if (outcome == detail::CallOutcome::Nested)
    return makeError("@" + entry.name +
                     " called while this thread runs compiled code");
  if (outcome == detail::CallOutcome::CheckFailed) {
    freeAllocations();
    return llvm::make_error<RuntimeCheckError>(std::move(checkMessage));
  }
  if (callMs)
    *callMs = std::chrono::duration<double, std::milli>(stop - start).count();

  llvm::SmallVector<HostTensor> outputs;
  std::string failure; // Reported after every block has been freed.
  size_t r = 0;
  for (auto [i, sig] : llvm::enumerate(entry.results)) {
    int64_t rank = sig.type.getRank();
    auto *aligned = reinterpret_cast<uint8_t *>(resultWords[r + 1]);
    int64_t offset = resultWords[r + 2];
    llvm::ArrayRef<int64_t> sizes(&resultWords[r + 3], rank);
    llvm::ArrayRef<int64_t> strides(&resultWords[r + 3 + rank], rank);
    r += descriptorWords(rank);
    if (!failure.empty())
      continue;

    Expected<HostTensor> out = HostTensor::allocate(sig.elem, sizes);
    if (!out) {
      failure = "result #" + std::to_string(i) + ": " +
                llvm::toString(out.takeError());
      continue;
    }
    size_t es = getElementSize(out->elem);
    bool rowMajor = true;
    for (int64_t d = rank - 1, expected = 1; d >= 0; --d) {
      rowMajor &= sizes[d] == 1 || strides[d] == expected;
      expected *= sizes[d];
    }
    if (out->numBytes && rowMajor) {
      // The usual case: one block copy (a large state is megabytes).
      std::memcpy(out->data.get(), aligned + offset * es, out->numBytes);
    } else if (out->numBytes) {
      // Gather through the descriptor's strides.
      int64_t n = out->getNumElements();
      llvm::SmallVector<int64_t> index(rank, 0);
      for (int64_t k = 0; k < n; ++k) {
        int64_t at = offset;
        for (int64_t d = 0; d < rank; ++d)
          at += index[d] * strides[d];
        std::memcpy(out->data.get() + k * es, aligned + at * es, es);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
      }
    }
    outputs.push_back(std::move(*out));
  }
  freeAllocations();
  if (!failure.empty())
    return makeError(failure);
  return std::move(outputs);
}

llvm::ArrayRef<ProfileEntry> Executable::getProfile() const {
  return impl->profile;
}

void Executable::resetProfile() {
  for (ProfileEntry &e : impl->profile) {
    e.totalMs = 0;
    e.calls = 0;
  }
}

Expected<BenchResult> Executable::bench(llvm::ArrayRef<HostTensor> inputs,
                                        unsigned iterations) {
  BenchResult result;
  for (unsigned k = 0; k < iterations; ++k) {
    double ms = 0;
    auto outs = call(inputs, &ms);
    if (!outs)
      return outs.takeError();
    result.callMs.push_back(ms);
  }
  std::vector<double> &ms = result.callMs;
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    result.minMs = ms.front();
    result.medianMs = ms.size() % 2
                          ? ms[ms.size() / 2]
                          : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
  }
  return std::move(result);
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

Comparison mlir::seqmix::runtime::compare(const HostTensor &got,
                                          const HostTensor &want,
                                          const CompareOptions &options) {
  Comparison c;
  c.shapesMatch = got.shape == want.shape;
  c.pass = c.shapesMatch;
  if (!c.shapesMatch)
    return c;
  for (int64_t k = 0, n = got.getNumElements(); k < n; ++k) {
    double a = got.loadAsDouble(k);
    double b = want.loadAsDouble(k);
    if (std::isnan(a) || std::isnan(b)) {
      if (std::isnan(a) != std::isnan(b)) {
        c.pass = false;
        c.maxAbsError = c.maxRelError = INFINITY;
      }
      continue;
    }
    if (a == b) // Also equal infinities.
      continue;
    double diff = std::fabs(a - b);
    c.maxAbsError = std::max(c.maxAbsError, diff);
    if (b != 0)
      c.maxRelError = std::max(c.maxRelError, diff / std::fabs(b));
    if (!(diff <= options.atol + options.rtol * std::fabs(b)))
      c.pass = false;
  }
  return c;
}
