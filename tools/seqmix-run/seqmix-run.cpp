//===- seqmix-run.cpp - JIT-compile and run a seqmix module ---------------===//
//
// The command line over seqmix's runtime library (lib/Runtime): parse a
// module, pick its entry, read or make inputs, compile with a named pipeline,
// call, print, write, compare with the reference pipeline, time. Bad inputs
// and failed run-time checks are reported with exit code 2, never a crash.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"
#include "seqmix/Runtime/Runtime.h"
#include "seqmix/Tuning/CostModel.h"
#include "seqmix/Tuning/TargetInfo.h"

#include <malloc.h>

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::seqmix::runtime;
namespace cl = llvm::cl;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

static cl::OptionCategory runCategory("seqmix-run options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<module.mlir>"),
                                          cl::init("-"), cl::cat(runCategory));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Entry function (default: @main, else the only public "
                       "func.func)"),
              cl::value_desc("name"), cl::cat(runCategory));
static cl::opt<std::string> pipelineName(
    "pipeline",
    cl::desc("reference: naive loops (seqmix-reference-pipeline); cpu: the "
             "optimized CPU pipeline (seqmix-cpu-pipeline); gpu: "
             "seqmix-gpu-pipeline on CUDA device 0; gpu-emulated: the GPU "
             "pipeline's blocks and threads one after another on the CPU"),
    cl::value_desc("reference|cpu|gpu|gpu-emulated"), cl::init("cpu"),
    cl::cat(runCategory));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("A .npy file per entry argument, in argument order"),
               cl::value_desc("file.npy"), cl::cat(runCategory));
static cl::opt<uint64_t> randomSeed(
    "random-inputs",
    cl::desc("Deterministic random inputs from this seed instead of --input"),
    cl::value_desc("seed"), cl::cat(runCategory));
static cl::opt<int64_t>
    dynamicDim("dim",
               cl::desc("Size of every dynamic dimension with --random-inputs "
                        "(default 64)"),
               cl::value_desc("N"), cl::init(64), cl::cat(runCategory));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write out0.npy, out1.npy, ... (one per result) here"),
              cl::value_desc("dir"), cl::cat(runCategory));
static cl::opt<std::string>
    saveInputsDir("save-inputs",
                  cl::desc("Write the inputs used as in0.npy, in1.npy, ... "
                           "here (handy with --random-inputs)"),
                  cl::value_desc("dir"), cl::cat(runCategory));
static cl::opt<std::string>
    checkMode("check",
              cl::desc("'reference': also run the reference pipeline on the "
                       "same inputs and compare every result"),
              cl::value_desc("reference"), cl::cat(runCategory));
static cl::opt<double> relTol("rtol",
                              cl::desc("Relative tolerance of --check (1e-5)"),
                              cl::init(1e-5), cl::cat(runCategory));
static cl::opt<double> absTol("atol",
                              cl::desc("Absolute tolerance of --check (1e-6)"),
                              cl::init(1e-6), cl::cat(runCategory));
static cl::opt<unsigned>
    benchIters("bench",
               cl::desc("Time N calls after one warm-up call and print the "
                        "median and minimum"),
               cl::value_desc("N"), cl::init(0), cl::cat(runCategory));
static cl::opt<bool> profileOps(
    "profile",
    cl::desc("With --bench: also print the time of each seqmix op and "
             "linalg.matmul, and of the rest of the call"),
    cl::init(false), cl::cat(runCategory));
static cl::list<std::string> tileOverrides(
    "tile",
    cl::desc("A tiling config for the ops that have none: OP=CONFIG, e.g. "
             "seqmix.linear_attention='#seqmix.cpu_tiling<chunk = 4>' (OP "
             "'*': every seqmix op); repeatable"),
    cl::value_desc("op=config"), cl::cat(runCategory));
static cl::opt<std::string> machineSpec(
    "machine",
    cl::desc("The machine --bench measures the roofline share against, as "
             "key=value pairs over the detected host (peak-gflops, dram-gbs, "
             "exp-gps per core; cores; see bench/machine.py)"),
    cl::value_desc("spec"), cl::cat(runCategory));
// --threads=N is taken out of argv by hand: libLLVM already registers a
// global cl option named "threads".
static unsigned numThreads = 0;

static constexpr const char *kOverview =
    R"(seqmix-run: JIT-compile a module and call its entry function on the CPU

Usage: seqmix-run FILE.mlir [--entry=NAME]
           [--pipeline=reference|cpu|gpu|gpu-emulated]
           (--input=FILE.npy ... | --random-inputs=SEED [--dim=N])
           [--output-dir=DIR] [--check=reference [--rtol=X] [--atol=Y]]
           [--bench=N] [--threads=N] [--tile=OP=CONFIG ...]

The entry function takes and returns ranked tensors (static or dynamic dims)
of f32, f16, bf16, i8, i32, i64 or !quant.uniform<i8:f32, s> (passed as its
i8 storage).

Inputs
  --input        one C-order little-endian .npy file per argument, in order
                 (versions 1.0-3.0): f32 '<f4', f16 '<f2', bf16 '<u2' or
                 '<V2' (raw bits), i8 '|i1', i32 '<i4', i64 '<i8'. dtype,
                 rank and static dims must match; dynamic dims take the
                 file's size.
  --random-inputs
                 std::mt19937_64 from SEED, arguments in order: floats
                 uniform in [-1, 1), i8 uniform in [-127, 127], other
                 integers zero, except an argument used as the cu_seqlens
                 of a seqmix op or the offsets of seqmix.segment_matmul,
                 which gets offsets splitting that op's T (R rows) evenly.
                 Dynamic dims are 64, or --dim=N.

Pipelines
  cpu (default)  seqmix-cpu-pipeline: tiles chosen for the host, vector
                 tile builders, OpenMP threads, inline transcendentals
  reference      seqmix-reference-pipeline (naive loops)
  gpu            seqmix-gpu-pipeline for the chip of CUDA device 0, every
                 buffer in managed memory; without a device one line
                 "no GPU: ..." and exit code 2
  gpu-emulated   seqmix-gpu-emulation-pipeline: the GPU pipeline's tiles,
                 blocks and threads, run one after another (last to first)
                 on the calling thread: a check of its kernels without a
                 GPU (slow; no run-time checks, as on the GPU)

Output
  One line per result on stdout: `outK: TYPE min=.. max=.. mean=..`;
  --output-dir writes outK.npy (f16 '<f2', bf16 '<u2', i8 '|i1');
  --save-inputs=DIR writes the inputs used as inK.npy.
  --check=reference prints per result
  `check: max_abs_err=.. max_rel_err=.. (rtol=.., atol=..) PASS|FAIL`,
  passing when |x - ref| <= atol + rtol * |ref| everywhere (NaN only
  matches NaN).
  --bench=N prints `bench: median_ms=.. min_ms=.. flop=.. bytes=.. exp=..
  GFLOP/s=.. GB/s=.. roofline=..% limit=fma|exp|dram bound_ms=..`. Work
  comes from seqmix's cost model at the input sizes (exp counts the
  transcendentals), bytes are all input plus output bytes. bound_ms is the
  least time this machine allows: max(FMA work / peak + exps / vector exp
  rate, bytes / DRAM bandwidth), for the threads the code runs on (1 on the
  reference pipeline); roofline is bound_ms / median_ms and limit says which
  term bounds it. The rates are the host's estimates unless --machine gives
  measured ones. Results are allocated by the compiled code; freed blocks
  stay in the heap, so the timed calls after the warm-up reuse warm pages.
  --profile adds `profile: OP#k ms=.. share=..%` for every seqmix op and
  linalg.matmul (mean per call, threads and fused producers included) and
  `profile: rest ms=..` for the remainder of the call.

Other
  --threads=N    threads for parallel code: sets OMP_NUM_THREADS=N before
                 running

Errors go to stderr as one `seqmix-run: ...` line. A run-time check of the
compiled code that fails on the inputs (cu_seqlens, routing indices and
offsets) is reported as `seqmix-run: run-time check failed: OP: operand
'NAME' ...`.

Exit codes: 0 success, 1 a --check failed, 2 any error (bad module, entry,
option or input file; compilation failure; a failed run-time check).
)";

//===----------------------------------------------------------------------===//
// Errors and reporting
//===----------------------------------------------------------------------===//

namespace {
/// Every user-facing error ends up as one "seqmix-run: ..." line and exit 2.
Error makeError(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

int reportError(Error e) {
  llvm::outs().flush(); // Whatever was printed comes first.
  llvm::handleAllErrors(std::move(e), [](const llvm::ErrorInfoBase &info) {
    llvm::errs() << "seqmix-run: " << info.message() << "\n";
  });
  return 2;
}

std::string formatNumber(double v, int digits = 6) {
  if (std::isnan(v)) // printf may say "-nan".
    return "nan";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

void printSummary(unsigned i, const TensorSignature &sig, const HostTensor &t) {
  auto type = RankedTensorType::get(t.shape, sig.type.getElementType());
  llvm::outs() << "out" << i << ": " << type;
  int64_t n = t.getNumElements();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nans = 0;
  for (int64_t k = 0; k < n; ++k) {
    double v = t.loadAsDouble(k);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  if (n == nans) {
    llvm::outs() << (n ? " all nan" : " empty") << "\n";
    return;
  }
  llvm::outs() << " min=" << formatNumber(lo) << " max=" << formatNumber(hi)
               << " mean=" << formatNumber(sum / double(n - nans));
  if (nans)
    llvm::outs() << " nan=" << nans;
  llvm::outs() << "\n";
}

/// Prints one check line; returns whether the result passed.
bool printComparison(const HostTensor &got, const HostTensor &want,
                     const CompareOptions &options) {
  Comparison c = compare(got, want, options);
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "check: max_abs_err=%s max_rel_err=%s (rtol=%g, atol=%g) ",
                formatNumber(c.maxAbsError, 3).c_str(),
                formatNumber(c.maxRelError, 3).c_str(), options.rtol,
                options.atol);
  llvm::outs() << buf;
  if (!c.shapesMatch) {
    llvm::outs() << "FAIL (shape " << npy::formatShape(got.shape)
                 << " vs reference " << npy::formatShape(want.shape) << ")\n";
    return false;
  }
  llvm::outs() << (c.pass ? "PASS" : "FAIL") << "\n";
  return c.pass;
}

/// Writes DIR/<prefix>0.npy, DIR/<prefix>1.npy, ...
Error writeAll(llvm::StringRef dir, llvm::StringRef prefix,
               llvm::ArrayRef<HostTensor> tensors) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return makeError("cannot create " + dir + ": " + ec.message());
  for (auto [i, t] : llvm::enumerate(tensors)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, prefix + Twine(i) + ".npy");
    if (Error e = writeNpy(path, t))
      return e;
  }
  return Error::success();
}

/// A failed run-time check means the inputs were invalid: say so.
Error explainCall(Error e) {
  return llvm::handleErrors(
      std::move(e), [](std::unique_ptr<RuntimeCheckError> check) -> Error {
        return makeError("run-time check failed: " + check->getCheckMessage() +
                         " (the inputs are invalid)");
      });
}

void printBench(const BenchResult &bench, const EntryPoint &entry,
                func::FuncOp func, llvm::ArrayRef<HostTensor> inputs,
                llvm::ArrayRef<HostTensor> outputs,
                const seqmix::CpuTargetInfo &machine, bool singleThreaded) {
  double median = bench.medianMs;
  double bytes = 0;
  for (const HostTensor &t : inputs)
    bytes += double(t.numBytes);
  for (const HostTensor &t : outputs)
    bytes += double(t.numBytes);
  char buf[160];
  std::snprintf(buf, sizeof(buf), "bench: median_ms=%.4g min_ms=%.4g", median,
                bench.minMs);
  llvm::outs() << buf;
  // Work from the cost model (seqmix ops and contractions of the source),
  // traffic as the entry's inputs and outputs; the roofline of this
  // machine turns both into the least time it allows.
  std::optional<seqmix::Cost> cost = estimateCostForInputs(func, inputs);
  unsigned threads = numThreads > 0 ? numThreads : 1;
  if (singleThreaded)
    threads = 1;
  if (median > 0) {
    double seconds = median * 1e-3;
    if (cost && cost->flops > 0) {
      double exps = cost->transcendentals;
      double fmaSeconds =
          (cost->flops - exps) / (machine.peakGflops(threads) * 1e9);
      double expSeconds = exps / (machine.expGPerSec(threads) * 1e9);
      double dramSeconds = bytes / (machine.dramGBs(threads) * 1e9);
      double computeSeconds = fmaSeconds + expSeconds;
      double bound = std::max(computeSeconds, dramSeconds);
      const char *limit = dramSeconds >= computeSeconds ? "dram"
                          : expSeconds >= fmaSeconds    ? "exp"
                                                        : "fma";
      llvm::outs() << " flop=" << formatNumber(cost->flops)
                   << " bytes=" << formatNumber(bytes)
                   << " exp=" << formatNumber(exps);
      llvm::outs() << " GFLOP/s=" << formatNumber(cost->flops / seconds * 1e-9);
      llvm::outs() << " GB/s=" << formatNumber(bytes / seconds * 1e-9);
      llvm::outs() << " roofline=" << formatNumber(100 * bound / seconds)
                   << "% limit=" << limit
                   << " bound_ms=" << formatNumber(bound * 1e3);
    } else {
      llvm::outs() << " GFLOP/s=n/a GB/s="
                   << formatNumber(bytes / seconds * 1e-9);
    }
  }
  if (numThreads > 0)
    llvm::outs() << " threads=" << numThreads;
  llvm::outs() << "\n";
}
/// `profile: NAME ms=.. share=..%` per op (mean over the timed calls), then
/// the rest of the call.
void printProfile(llvm::ArrayRef<ProfileEntry> profile,
                  const BenchResult &bench) {
  double callMs = 0;
  for (double ms : bench.callMs)
    callMs += ms;
  if (bench.callMs.empty() || callMs <= 0)
    return;
  double meanCall = callMs / bench.callMs.size(), ops = 0;
  auto line = [&](llvm::StringRef name, double ms) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), " ms=%.4g share=%.1f%%", ms,
                  100 * ms / meanCall);
    llvm::outs() << "profile: " << name << buf << "\n";
  };
  for (const ProfileEntry &e : profile) {
    double ms = e.calls ? e.totalMs / bench.callMs.size() : 0;
    ops += ms;
    line(e.name, ms);
  }
  line("rest", std::max(0.0, meanCall - ops));
}
} // namespace

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static int runTool(MLIRContext &context) {
  Expected<Pipeline> pipeline = parsePipeline(pipelineName);
  if (!pipeline)
    return reportError(pipeline.takeError());
  if (!checkMode.empty() && checkMode != "reference")
    return reportError(
        makeError("unknown --check '" + checkMode + "' (expected reference)"));
  CompareOptions compareOptions;
  compareOptions.rtol = relTol;
  compareOptions.atol = absTol;
  if (!(compareOptions.rtol >= 0) || !(compareOptions.atol >= 0))
    return reportError(makeError("--rtol and --atol must be non-negative"));
  bool randomMode = randomSeed.getNumOccurrences() > 0;
  if (randomMode && !inputFiles.empty())
    return reportError(
        makeError("give either --input files or --random-inputs, not both"));
  if (numThreads > 0) // Before the JIT'd code starts any thread pool.
    ::setenv("OMP_NUM_THREADS", std::to_string(numThreads).c_str(), 1);
  seqmix::CpuTargetInfo machine = seqmix::CpuTargetInfo::detectHost();
  if (!machineSpec.empty()) {
    auto parsed = seqmix::CpuTargetInfo::parse(machineSpec, machine);
    if (!parsed)
      return reportError(
          makeError("--machine: " + llvm::toString(parsed.takeError())));
    machine = *parsed;
  }
  // Result blocks freed after a call stay in the heap for the next one:
  // fresh pages would fault in every timed call.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 30);
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);

  // Parse, keeping the parser state for the source names of arguments.
  std::string openError;
  auto file = openInputFile(inputFilename, &openError);
  if (!file)
    return reportError(makeError(openError));
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  AsmParserState parserState;
  auto parsed =
      parseSourceModule(sourceMgr, &context, &parserState, inputFilename);
  if (!parsed)
    return reportError(parsed.takeError());
  OwningOpRef<ModuleOp> module = std::move(*parsed);

  EntryOptions entryOptions;
  entryOptions.name = entryName;
  entryOptions.sourceName = inputFilename;
  entryOptions.parserState = &parserState;
  Expected<EntryPoint> entry = findEntry(*module, entryOptions);
  if (!entry)
    return reportError(entry.takeError());
  unsigned numArgs = entry->args.size();

  llvm::SmallVector<HostTensor> inputs;
  if (randomMode) {
    RandomInputOptions randomOptions;
    randomOptions.seed = randomSeed;
    randomOptions.dynamicDim = dynamicDim;
    auto made = makeRandomInputs(*entry, randomOptions);
    if (!made)
      return reportError(made.takeError());
    inputs = std::move(*made);
  } else {
    if (inputFiles.size() != numArgs) {
      if (inputFiles.empty())
        return reportError(makeError(
            "@" + entry->name + " takes " + Twine(numArgs) +
            " argument(s): give --input=FILE.npy once per argument, or "
            "--random-inputs=SEED"));
      return reportError(makeError(
          "@" + entry->name + " takes " + Twine(numArgs) + " argument(s) but " +
          Twine(inputFiles.size()) + " --input file(s) were given"));
    }
    for (unsigned i = 0; i < numArgs; ++i) {
      auto t = loadNpyInput(*entry, i, inputFiles[i]);
      if (!t)
        return reportError(t.takeError());
      inputs.push_back(std::move(*t));
    }
  }

  if (!saveInputsDir.empty())
    if (Error e = writeAll(saveInputsDir, "in", inputs))
      return reportError(std::move(e));

  CompileOptions compileOptions;
  compileOptions.pipeline = *pipeline;
  compileOptions.threads = numThreads;
  compileOptions.profile = profileOps && benchIters > 0;
  for (const std::string &t : tileOverrides) {
    auto [opName, config] = llvm::StringRef(t).split('=');
    if (opName.empty() || config.empty())
      return reportError(makeError("--tile='" + t +
                                   "': expected OP=CONFIG, e.g. "
                                   "seqmix.linear_attention='#seqmix.cpu_"
                                   "tiling<chunk = 4>'"));
    compileOptions.tileOverrides.emplace_back(opName.trim().str(),
                                              config.trim().str());
  }
  auto compiled = Executable::compile(*module, *entry, compileOptions);
  if (!compiled)
    return reportError(compiled.takeError());
  auto outputs = (*compiled)->call(inputs);
  if (!outputs)
    return reportError(explainCall(outputs.takeError()));

  for (auto [i, t] : llvm::enumerate(*outputs))
    printSummary(i, entry->results[i], t);

  if (!outputDir.empty())
    if (Error e = writeAll(outputDir, "out", *outputs))
      return reportError(std::move(e));

  bool checkFailed = false;
  if (!checkMode.empty()) {
    CompileOptions referenceOptions;
    referenceOptions.pipeline = Pipeline::Reference;
    auto reference = Executable::compile(*module, *entry, referenceOptions);
    if (!reference)
      return reportError(reference.takeError());
    auto expected = (*reference)->call(inputs);
    if (!expected)
      return reportError(explainCall(expected.takeError()));
    for (auto [got, want] : llvm::zip_equal(*outputs, *expected))
      checkFailed |= !printComparison(got, want, compareOptions);
  }

  if (benchIters > 0) {
    // The call above was the warm-up (it also paid for JIT compilation).
    (*compiled)->resetProfile(); // Not the warm-up call.
    auto bench = (*compiled)->bench(inputs, benchIters);
    if (!bench)
      return reportError(explainCall(bench.takeError()));
    printBench(*bench, *entry, entry->func, inputs, *outputs, machine,
               *pipeline == Pipeline::Reference);
    if (profileOps)
      printProfile((*compiled)->getProfile(), *bench);
  }
  llvm::outs().flush();
  return checkFailed ? 1 : 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  // Pass options of the pipelines are cl options: register every pass.
  registerAllPasses();
  seqmix::registerSeqMixPasses();
  seqmix::registerSeqMixConversionPasses();
  seqmix::registerSeqMixPipelines();

  llvm::SmallVector<const char *> args;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (i > 0 &&
        (arg.consume_front("--threads") || arg.consume_front("-threads"))) {
      if (arg.empty() && i + 1 < argc)
        arg = argv[++i];
      else if (!arg.consume_front("="))
        arg = "?"; // e.g. --threadsX
      if (arg.getAsInteger(10, numThreads) || numThreads == 0) {
        llvm::errs() << "seqmix-run: --threads expects a positive integer\n";
        return 2;
      }
      continue;
    }
    args.push_back(argv[i]);
  }

  cl::HideUnrelatedOptions(runCategory);
  // With an error stream cl reports bad options instead of exiting with 1.
  std::string clErrors;
  llvm::raw_string_ostream clErrorStream(clErrors);
  if (!cl::ParseCommandLineOptions(args.size(), args.data(), kOverview,
                                   &clErrorStream)) {
    llvm::errs() << clErrors; // Already "seqmix-run: ...".
    return 2;
  }

  DialectRegistry registry;
  registerRuntimeDialects(registry);
  MLIRContext context(registry);

  return runTool(context);
}
