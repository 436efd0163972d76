//===- seqmix-run.cpp - JIT-compile and run a seqmix module ---------------===//
//
// Lowers a module with one of the seqmix pipelines, JIT-compiles it with
// MLIR's ExecutionEngine and calls its entry function on .npy or random
// inputs. Bad inputs are reported with exit code 2, never a crash.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"

#include "seqmix/Tuning/CostModel.h"
#include "seqmix/Tuning/TargetInfo.h"

#include <algorithm>
#include <csignal>
#include <unistd.h>

static void onRuntimeCheckFailed(int);
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace mlir;
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
             "optimized CPU pipeline, for now the same as reference; gpu: "
             "not available in this build"),
    cl::value_desc("reference|cpu|gpu"), cl::init("cpu"), cl::cat(runCategory));
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
// --threads=N is taken out of argv by hand: libLLVM already registers a
// global cl option named "threads".
static unsigned numThreads = 0;

static constexpr const char *kOverview =
    R"(seqmix-run: JIT-compile a module and call its entry function on the CPU

Usage: seqmix-run FILE.mlir [--entry=NAME] [--pipeline=reference|cpu|gpu]
           (--input=FILE.npy ... | --random-inputs=SEED [--dim=N])
           [--output-dir=DIR] [--check=reference [--rtol=X] [--atol=Y]]
           [--bench=N] [--threads=N]

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
  cpu (default)  for now the same lowering as reference
  reference      seqmix-reference-pipeline (naive loops)
  gpu            not available in this build

Output
  One line per result on stdout: `outK: TYPE min=.. max=.. mean=..`;
  --output-dir writes outK.npy (f16 '<f2', bf16 '<u2', i8 '|i1');
  --save-inputs=DIR writes the inputs used as inK.npy.
  --check=reference prints per result
  `check: max_abs_err=.. max_rel_err=.. (rtol=.., atol=..) PASS|FAIL`,
  passing when |x - ref| <= atol + rtol * |ref| everywhere (NaN only
  matches NaN).
  --bench=N prints `bench: median_ms=.. min_ms=.. GFLOP/s=.. GB/s=..
  roofline=..%`: FLOPs from seqmix's cost model over the entry (n/a when a
  size is dynamic), bytes as all input plus output bytes, and the share of
  this machine's roofline (min(peak, intensity x DRAM bandwidth); peak and
  bandwidth scale with --threads up to 2 cores).

Other
  --threads=N    threads for parallel code: sets OMP_NUM_THREADS=N before
                 running

Exit codes: 0 success, 1 a --check failed, 2 any error (bad module, entry,
option or input file; compilation failure).
)";

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

namespace {
/// Every user-facing error ends up as one "seqmix-run: ..." line and exit 2.
Error makeError(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

int reportError(Error e) {
  llvm::handleAllErrors(std::move(e), [](const llvm::ErrorInfoBase &info) {
    llvm::errs() << "seqmix-run: " << info.message() << "\n";
  });
  return 2;
}
} // namespace

//===----------------------------------------------------------------------===//
// Element types and host tensors
//===----------------------------------------------------------------------===//

namespace {
enum class Elem { F32, F16, BF16, I8, I32, I64 };

size_t elemSize(Elem e) {
  switch (e) {
  case Elem::F32:
  case Elem::I32:
    return 4;
  case Elem::F16:
  case Elem::BF16:
    return 2;
  case Elem::I8:
    return 1;
  case Elem::I64:
    return 8;
  }
  llvm_unreachable("unknown element kind");
}

bool isFloat(Elem e) {
  return e == Elem::F32 || e == Elem::F16 || e == Elem::BF16;
}

/// The dtype written for each kind; the first one accepted on input.
const char *npyDescr(Elem e) {
  switch (e) {
  case Elem::F32:
    return "<f4";
  case Elem::F16:
    return "<f2";
  case Elem::BF16:
    return "<u2";
  case Elem::I8:
    return "|i1";
  case Elem::I32:
    return "<i4";
  case Elem::I64:
    return "<i8";
  }
  llvm_unreachable("unknown element kind");
}

bool acceptsDescr(Elem e, llvm::StringRef descr) {
  switch (e) {
  case Elem::BF16: // NumPy has no bf16: raw 16-bit words.
    return descr == "<u2" || descr == "<V2" || descr == "|V2";
  case Elem::I8:
    return descr == "|i1" || descr == "<i1";
  default:
    return descr == npyDescr(e);
  }
}

std::optional<Elem> classify(Type t) {
  if (t.isF32())
    return Elem::F32;
  if (t.isF16())
    return Elem::F16;
  if (t.isBF16())
    return Elem::BF16;
  if (auto it = dyn_cast<IntegerType>(t)) {
    if (it.isUnsigned())
      return std::nullopt;
    switch (it.getWidth()) {
    case 8:
      return Elem::I8;
    case 32:
      return Elem::I32;
    case 64:
      return Elem::I64;
    default:
      return std::nullopt;
    }
  }
  // The lowering passes quantized tensors as their i8 storage.
  if (auto q = dyn_cast<quant::UniformQuantizedType>(t)) {
    if (q.isSigned() && q.getStorageTypeIntegralWidth() == 8 &&
        q.getExpressedType().isF32())
      return Elem::I8;
  }
  return std::nullopt;
}

/// A declared boundary type: the tensor type and its element kind.
struct TensorSig {
  RankedTensorType type;
  Elem elem;
};

/// A dense row-major array owned by seqmix-run.
struct HostTensor {
  Elem elem = Elem::F32;
  llvm::SmallVector<int64_t> shape;
  npy::Buffer data;
  size_t numBytes = 0;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// Shape product or nullopt on overflow of the byte size.
std::optional<size_t> byteSize(llvm::ArrayRef<int64_t> shape, Elem elem) {
  uint64_t total = elemSize(elem);
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && total > UINT64_MAX / uint64_t(d)))
      return std::nullopt;
    total *= uint64_t(d);
  }
  return total;
}

// IEEE half and bfloat16 conversions, round to nearest even.
float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float f;
  if (exp == 0) {
    f = std::ldexp(float(mant), -24);
    return sign ? -f : f;
  }
  uint32_t bits = exp == 31 ? sign | 0x7f800000 | (mant << 13)
                            : sign | ((exp + 112) << 23) | (mant << 13);
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  uint32_t exp = absx >> 23;
  if (absx > 0x7f800000) // NaN: keep it quiet and non-zero.
    return sign | 0x7e00 | ((absx >> 13) & 0x3ff);
  if (exp >= 143) // Too large, or inf.
    return sign | 0x7c00;
  if (exp >= 113) { // Normal half; a carry may round up to inf.
    uint32_t h = (absx >> 13) - (112u << 10);
    uint32_t rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
      ++h;
    return sign | h;
  }
  if (exp < 102) // Below half the smallest subnormal.
    return sign;
  uint32_t mant = (absx & 0x7fffff) | 0x800000;
  uint32_t shift = 126 - exp;
  uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1);
  uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (h & 1)))
    ++h;
  return sign | h;
}

float bf16ToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000)
    return (x >> 16) | 0x40;
  return (x + 0x7fff + ((x >> 16) & 1)) >> 16;
}

double loadElement(Elem e, const uint8_t *base, int64_t i) {
  const uint8_t *p = base + i * elemSize(e);
  switch (e) {
  case Elem::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case Elem::F16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
  }
  case Elem::BF16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return bf16ToFloat(v);
  }
  case Elem::I8:
    return static_cast<int8_t>(*p);
  case Elem::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case Elem::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return double(v);
  }
  }
  llvm_unreachable("unknown element kind");
}

void storeFloat(Elem e, uint8_t *base, int64_t i, float v) {
  uint8_t *p = base + i * elemSize(e);
  if (e == Elem::F32) {
    std::memcpy(p, &v, 4);
  } else {
    uint16_t bits = e == Elem::F16 ? floatToHalf(v) : floatToBf16(v);
    std::memcpy(p, &bits, 2);
  }
}

void storeInt(Elem e, uint8_t *base, int64_t i, int64_t v) {
  uint8_t *p = base + i * elemSize(e);
  if (e == Elem::I8) {
    *p = static_cast<uint8_t>(static_cast<int8_t>(v));
  } else if (e == Elem::I32) {
    int32_t w = static_cast<int32_t>(v);
    std::memcpy(p, &w, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

std::string formatNumber(double v, int digits = 6) {
  if (std::isnan(v)) // printf may say "-nan".
    return "nan";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}
} // namespace

//===----------------------------------------------------------------------===//
// Module, entry and signature
//===----------------------------------------------------------------------===//

namespace {
struct Entry {
  mutable func::FuncOp func; // Op accessors are not const.
  llvm::SmallVector<TensorSig> args, results;
  llvm::SmallVector<std::string> argNames; // "%v", as written in the source
};

/// Source spelling of each entry argument ("%v"); "%argN" when unknown.
llvm::SmallVector<std::string> argNamesOf(func::FuncOp f,
                                          const AsmParserState &state) {
  llvm::SmallVector<std::string> names;
  const AsmParserState::BlockDefinition *def =
      f.isExternal() ? nullptr : state.getBlockDef(&f.front());
  for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i) {
    std::string name;
    if (def && i < def->arguments.size()) {
      llvm::SMRange r = def->arguments[i].loc;
      if (r.Start.isValid() && r.End.isValid() &&
          r.End.getPointer() > r.Start.getPointer())
        name = std::string(r.Start.getPointer(), r.End.getPointer());
    }
    if (name.empty() || name[0] != '%')
      name = "%arg" + std::to_string(i);
    names.push_back(name);
  }
  return names;
}

std::string describeArg(const Entry &entry, unsigned i) {
  return "argument #" + std::to_string(i) + " ('" + entry.argNames[i] +
         "' of @" + entry.func.getSymName().str() + ")";
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

Expected<Entry> findEntry(ModuleOp module, const AsmParserState &state) {
  llvm::SmallVector<func::FuncOp> candidates;
  for (auto f : module.getOps<func::FuncOp>())
    if (f.isPublic() && !f.isExternal())
      candidates.push_back(f);
  auto listNames = [&]() {
    std::string s;
    for (auto f : candidates)
      s += (s.empty() ? "@" : ", @") + f.getSymName().str();
    return s.empty() ? std::string("none") : s;
  };

  Entry entry;
  if (!entryName.empty()) {
    entry.func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!entry.func)
      return makeError("no func.func @" + entryName + " in " + inputFilename +
                       " (public functions: " + listNames() + ")");
    if (entry.func.isExternal())
      return makeError("@" + entryName + " is a declaration without a body");
  } else {
    for (auto f : candidates)
      if (f.getSymName() == "main")
        entry.func = f;
    if (!entry.func && candidates.size() == 1)
      entry.func = candidates.front();
    if (!entry.func) {
      if (candidates.empty())
        return makeError(inputFilename +
                         " has no public func.func with a body to run");
      return makeError(inputFilename + " has several public functions (" +
                       listNames() + "); choose one with --entry=NAME");
    }
  }

  entry.argNames = argNamesOf(entry.func, state);
  FunctionType fnType = entry.func.getFunctionType();
  const char *supported = "entry functions take and return ranked tensors of "
                          "f32, f16, bf16, i8, i32, i64 or "
                          "!quant.uniform<i8:f32, scale>";
  for (auto [i, t] : llvm::enumerate(fnType.getInputs())) {
    auto tt = dyn_cast<RankedTensorType>(t);
    std::optional<Elem> elem =
        tt ? classify(tt.getElementType()) : std::nullopt;
    if (!elem)
      return makeError(describeArg(entry, i) + " has unsupported type " +
                       typeString(t) + ": " + supported);
    entry.args.push_back({tt, *elem});
  }
  for (auto [i, t] : llvm::enumerate(fnType.getResults())) {
    auto tt = dyn_cast<RankedTensorType>(t);
    std::optional<Elem> elem =
        tt ? classify(tt.getElementType()) : std::nullopt;
    if (!elem)
      return makeError("result #" + Twine(i) + " of @" +
                       entry.func.getSymName() + " has unsupported type " +
                       typeString(t) + ": " + supported);
    entry.results.push_back({tt, *elem});
  }
  return std::move(entry);
}
} // namespace

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

namespace {
Expected<HostTensor> loadInput(const Entry &entry, unsigned i,
                               llvm::StringRef path) {
  const TensorSig &sig = entry.args[i];
  Expected<npy::Array> array = npy::readFile(path);
  if (!array)
    return makeError(describeArg(entry, i) + ": " + path + ": " +
                     llvm::toString(array.takeError()));

  std::string problem;
  if (!acceptsDescr(sig.elem, array->descr)) {
    problem = "dtype " + array->descr + " does not match " +
              typeString(sig.type.getElementType()) + " (expected " +
              npyDescr(sig.elem) + ")";
  } else if (int64_t(array->shape.size()) != sig.type.getRank()) {
    problem = "rank " + std::to_string(array->shape.size()) +
              " does not match rank " + std::to_string(sig.type.getRank());
  } else {
    for (auto [d, want] : llvm::enumerate(sig.type.getShape())) {
      if (!ShapedType::isDynamic(want) && want != array->shape[d]) {
        problem = "dimension " + std::to_string(d) + " is " +
                  std::to_string(array->shape[d]) + ", expected " +
                  std::to_string(want);
        break;
      }
    }
  }
  if (!problem.empty())
    return makeError(describeArg(entry, i) + ": expected " +
                     typeString(sig.type) + ", but " + path + " has shape " +
                     npy::formatShape(array->shape) + " and dtype " +
                     array->descr + ": " + problem);

  HostTensor t;
  t.elem = sig.elem;
  t.shape.assign(array->shape.begin(), array->shape.end());
  t.numBytes = array->numBytes;
  t.data = std::move(array->data);
  return std::move(t);
}

/// T of an op reading packed sequences: dim `d` of `v`, --dim if dynamic.
int64_t lengthOf(Value v, unsigned d) {
  auto t = dyn_cast_or_null<ShapedType>(v ? v.getType() : Type());
  if (!t || t.getRank() <= d || t.isDynamicDim(d))
    return dynamicDim;
  return t.getDimSize(d);
}

/// Entry arguments that hold sequence offsets, mapped to the length they
/// split: cu_seqlens (split T) and segment_matmul offsets (split R).
llvm::DenseMap<unsigned, int64_t> findOffsetArgs(func::FuncOp f) {
  llvm::DenseMap<unsigned, int64_t> found;
  auto note = [&](Value offsets, int64_t length) {
    if (!offsets)
      return;
    while (auto cast = offsets.getDefiningOp<tensor::CastOp>())
      offsets = cast.getSource();
    auto arg = dyn_cast<BlockArgument>(offsets);
    if (arg && arg.getOwner() == &f.front())
      found[arg.getArgNumber()] = length;
  };
  // The offsets split the op's time loop ("t") or packed-row loop ("r"):
  // their last value is the size of an operand dimension that follows it.
  f.walk([&](seqmix::LoopStructureOpInterface op) {
    Value offsets = op.getSequenceOffsets();
    if (!offsets)
      return;
    SmallVector<StringRef> loops = op.getLoopNames();
    const auto *split = llvm::find_if(
        loops, [](StringRef n) { return n == "t" || n == "r"; });
    int64_t loop = split - loops.begin();
    int64_t length = dynamicDim;
    for (auto [v, dims] :
         llvm::zip_equal(op->getOperands(), op.getOperandLoopDims()))
      for (auto [d, ld] : llvm::enumerate(dims))
        if (ld.loop == loop && !ld.grouped && length == dynamicDim)
          length = lengthOf(v, d);
    note(offsets, length);
  });
  return found;
}

Expected<llvm::SmallVector<HostTensor>> makeRandomInputs(const Entry &entry) {
  if (dynamicDim < 0)
    return makeError("--dim must not be negative");
  std::mt19937_64 rng(randomSeed);
  llvm::DenseMap<unsigned, int64_t> offsetArgs = findOffsetArgs(entry.func);
  llvm::SmallVector<HostTensor> inputs;
  for (auto [i, sig] : llvm::enumerate(entry.args)) {
    HostTensor t;
    t.elem = sig.elem;
    for (int64_t d : sig.type.getShape())
      t.shape.push_back(ShapedType::isDynamic(d) ? int64_t(dynamicDim) : d);
    std::optional<size_t> bytes = byteSize(t.shape, t.elem);
    if (!bytes)
      return makeError(describeArg(entry, i) + " is too large");
    t.numBytes = *bytes;
    t.data = npy::allocateBuffer(t.numBytes);
    if (!t.data)
      return makeError(describeArg(entry, i) + ": out of memory allocating " +
                       Twine(t.numBytes) + " bytes");
    int64_t n = t.numElements();
    uint8_t *p = t.data.get();
    if (isFloat(t.elem)) {
      // 24 random bits: exact in f32 and strictly below 1.
      for (int64_t k = 0; k < n; ++k)
        storeFloat(t.elem, p, k,
                   -1.0f + 2.0f * std::ldexp(float(rng() >> 40), -24));
    } else if (auto it = offsetArgs.find(i); it != offsetArgs.end() &&
                                             t.elem != Elem::I8 &&
                                             t.shape.size() == 1 && n >= 2) {
      // Offsets 0 = o_0 <= ... <= o_{n-1} = length, evenly spaced.
      int64_t length = it->second;
      for (int64_t k = 0; k < n; ++k)
        storeInt(t.elem, p, k, k * length / (n - 1));
    } else if (t.elem == Elem::I8) {
      for (int64_t k = 0; k < n; ++k)
        storeInt(t.elem, p, k, int64_t(rng() % 255) - 127);
    } // Other integers stay zero: any index they hold must be valid.
    inputs.push_back(std::move(t));
  }
  return std::move(inputs);
}
} // namespace

//===----------------------------------------------------------------------===//
// Compilation and calls
//===----------------------------------------------------------------------===//

namespace {
/// A JIT-compiled module. Heap-allocated so the transformer, which the
/// engine refers to, never moves.
struct Compiled {
  std::function<Error(llvm::Module *)> transformer;
  std::unique_ptr<ExecutionEngine> engine;
};

/// Words (8-byte fields) of a lowered memref descriptor: allocated and
/// aligned pointers, offset, sizes, strides.
int64_t descriptorWords(int64_t rank) { return 3 + 2 * rank; }

/// Number of 8-byte scalar fields in an LLVM type, or -1 when it holds
/// anything else (the descriptor layout would not be what we pass).
int64_t countWords(Type t) {
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
Error checkLoweredSignature(ModuleOp lowered, const Entry &entry) {
  StringRef name = entry.func.getSymName();
  auto fn = lowered.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (!fn || fn.isExternal())
    return makeError("lowering did not produce llvm.func @" + name);
  int64_t wantArgs = 0, wantResults = 0;
  for (const TensorSig &s : entry.args)
    wantArgs += descriptorWords(s.type.getRank());
  for (const TensorSig &s : entry.results)
    wantResults += descriptorWords(s.type.getRank());
  LLVM::LLVMFunctionType type = fn.getFunctionType();
  int64_t haveArgs = 0;
  for (Type t : type.getParams()) {
    int64_t w = countWords(t);
    if (w != 1) {
      haveArgs = -1;
      break;
    }
    ++haveArgs;
  }
  Type ret = type.getReturnType();
  int64_t haveResults = isa<LLVM::LLVMVoidType>(ret) ? 0 : countWords(ret);
  if (haveArgs != wantArgs || haveResults != wantResults)
    return makeError("lowered @" + name + " has signature " + typeString(type) +
                     ", not the expanded memref descriptors expected for " +
                     typeString(entry.func.getFunctionType()));
  return Error::success();
}

Expected<std::unique_ptr<Compiled>>
compile(ModuleOp original, const Entry &entry, llvm::StringRef pipeline) {
  OwningOpRef<ModuleOp> module(original.clone());
  // Only the entry and what it calls are compiled: other public functions
  // become private and symbol-dce drops them.
  for (auto fn : module->getOps<func::FuncOp>()) {
    if (fn.getSymName() == entry.func.getSymName())
      fn.setPublic();
    else if (!fn.isExternal())
      fn.setPrivate();
  }

  PassManager pm(module->getContext(), ModuleOp::getOperationName());
  pm.addPass(createSymbolDCEPass());
  seqmix::buildReferencePipeline(pm); // "cpu" is the reference path for now.
  if (failed(pm.run(*module)))
    return makeError("lowering @" + entry.func.getSymName() + " with the " +
                     pipeline + " pipeline failed");
  if (Error e = checkLoweredSignature(*module, entry))
    return std::move(e);

  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return makeError("cannot target the host: " +
                     llvm::toString(tmBuilder.takeError()));
  auto tm = tmBuilder->createTargetMachine();
  if (!tm)
    return makeError("cannot create a target machine for the host: " +
                     llvm::toString(tm.takeError()));

  auto compiled = std::make_unique<Compiled>();
  compiled->transformer = makeOptimizingTransformer(3, 0, tm->get());
  ExecutionEngineOptions options;
  options.transformer = compiled->transformer;
  // Runtime helpers the lowered code may call (memrefCopy).
  static const llvm::StringRef runtimeLibs[] = {SEQMIX_C_RUNNER_UTILS};
  options.sharedLibPaths = runtimeLibs;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(*module, options, std::move(*tm));
  if (!engine)
    return makeError("JIT compilation failed: " +
                     llvm::toString(engine.takeError()));
  compiled->engine = std::move(*engine);
  compiled->engine->initialize();
  return std::move(compiled);
}

/// Calls the entry once and copies its results into host tensors; the time
/// of the call alone goes to `callMs`.
Expected<llvm::SmallVector<HostTensor>>
invoke(Compiled &compiled, const Entry &entry,
       llvm::ArrayRef<HostTensor> inputs, double *callMs = nullptr) {
  // One 8-byte slot per scalar of each expanded descriptor; the packed
  // argument list points at each slot.
  std::vector<int64_t> argWords;
  for (const HostTensor &t : inputs)
    argWords.resize(argWords.size() +
                    size_t(descriptorWords(int64_t(t.shape.size()))));
  size_t w = 0;
  llvm::DenseSet<void *> inputAllocs;
  for (const HostTensor &t : inputs) {
    auto ptr = reinterpret_cast<intptr_t>(t.data.get());
    inputAllocs.insert(t.data.get());
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
  llvm::SmallVector<void *> packed;
  for (int64_t &word : argWords)
    packed.push_back(&word);

  size_t resultWordCount = 0;
  for (const TensorSig &s : entry.results)
    resultWordCount += descriptorWords(s.type.getRank());
  std::vector<int64_t> resultWords(std::max<size_t>(resultWordCount, 1), 0);
  packed.push_back(resultWords.data());

  auto start = std::chrono::steady_clock::now();
  Error callError =
      compiled.engine->invokePacked(entry.func.getSymName(), packed);
  auto stop = std::chrono::steady_clock::now();
  if (callError)
    return makeError("calling @" + entry.func.getSymName() +
                     " failed: " + llvm::toString(std::move(callError)));
  if (callMs)
    *callMs = std::chrono::duration<double, std::milli>(stop - start).count();

  llvm::SmallVector<HostTensor> outputs;
  llvm::DenseSet<void *> freed;
  std::string failure; // Reported after every result has been freed.
  size_t r = 0;
  for (auto [i, sig] : llvm::enumerate(entry.results)) {
    int64_t rank = sig.type.getRank();
    void *alloc = reinterpret_cast<void *>(resultWords[r]);
    auto *aligned = reinterpret_cast<uint8_t *>(resultWords[r + 1]);
    int64_t offset = resultWords[r + 2];
    llvm::ArrayRef<int64_t> sizes(&resultWords[r + 3], rank);
    llvm::ArrayRef<int64_t> strides(&resultWords[r + 3 + rank], rank);
    r += descriptorWords(rank);

    HostTensor out;
    out.elem = sig.elem;
    out.shape.assign(sizes.begin(), sizes.end());
    std::optional<size_t> bytes = byteSize(out.shape, out.elem);
    if (!bytes && failure.empty())
      failure = "result #" + std::to_string(i) + " has invalid sizes";
    if (bytes && failure.empty()) {
      out.numBytes = *bytes;
      out.data = npy::allocateBuffer(out.numBytes);
      if (!out.data)
        failure = "out of memory copying result #" + std::to_string(i);
    }
    if (out.data && out.numBytes) {
      // Gather through the descriptor's strides (normally row-major).
      size_t es = elemSize(out.elem);
      int64_t n = out.numElements();
      llvm::SmallVector<int64_t> index(rank, 0);
      for (int64_t k = 0; k < n; ++k) {
        int64_t at = offset;
        for (int64_t d = 0; d < rank; ++d)
          at += index[d] * strides[d];
        std::memcpy(out.data.get() + k * es, aligned + at * es, es);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
      }
    }
    // Results are owned by the caller unless they alias an input.
    if (alloc && !inputAllocs.count(alloc) && freed.insert(alloc).second)
      std::free(alloc);
    outputs.push_back(std::move(out));
  }
  if (!failure.empty())
    return makeError(failure);
  return std::move(outputs);
}
} // namespace

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

namespace {
void printSummary(unsigned i, const TensorSig &sig, const HostTensor &t) {
  auto type = RankedTensorType::get(t.shape, sig.type.getElementType());
  llvm::outs() << "out" << i << ": " << type;
  int64_t n = t.numElements();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nans = 0;
  for (int64_t k = 0; k < n; ++k) {
    double v = loadElement(t.elem, t.data.get(), k);
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
bool compareResult(const HostTensor &got, const HostTensor &want) {
  bool pass = got.shape == want.shape;
  double maxAbs = 0, maxRel = 0;
  if (pass) {
    for (int64_t k = 0, n = got.numElements(); k < n; ++k) {
      double a = loadElement(got.elem, got.data.get(), k);
      double b = loadElement(want.elem, want.data.get(), k);
      if (std::isnan(a) || std::isnan(b)) {
        if (std::isnan(a) != std::isnan(b)) {
          pass = false;
          maxAbs = maxRel = INFINITY;
        }
        continue;
      }
      if (a == b) // Also equal infinities.
        continue;
      double diff = std::fabs(a - b);
      maxAbs = std::max(maxAbs, diff);
      if (b != 0)
        maxRel = std::max(maxRel, diff / std::fabs(b));
      if (!(diff <= absTol + relTol * std::fabs(b)))
        pass = false;
    }
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "check: max_abs_err=%s max_rel_err=%s (rtol=%g, atol=%g) ",
                formatNumber(maxAbs, 3).c_str(),
                formatNumber(maxRel, 3).c_str(), double(relTol),
                double(absTol));
  llvm::outs() << buf;
  if (got.shape != want.shape) {
    llvm::outs() << "FAIL (shape " << npy::formatShape(got.shape)
                 << " vs reference " << npy::formatShape(want.shape) << ")\n";
    return false;
  }
  llvm::outs() << (pass ? "PASS" : "FAIL") << "\n";
  return pass;
}
} // namespace

/// Writes DIR/<prefix>0.npy, DIR/<prefix>1.npy, ...
static Error writeAll(llvm::StringRef dir, llvm::StringRef prefix,
                      llvm::ArrayRef<HostTensor> tensors) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return makeError("cannot create " + dir + ": " + ec.message());
  for (auto [i, t] : llvm::enumerate(tensors)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, prefix + Twine(i) + ".npy");
    if (Error e = npy::writeFile(path, npyDescr(t.elem), t.shape, t.data.get(),
                                 t.numBytes))
      return e;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static int runTool(MLIRContext &context) {
  if (pipelineName == "gpu")
    return reportError(makeError("no GPU pipeline in this build"));
  if (pipelineName != "cpu" && pipelineName != "reference")
    return reportError(makeError("unknown --pipeline '" + pipelineName +
                                 "' (expected reference, cpu or gpu)"));
  if (!checkMode.empty() && checkMode != "reference")
    return reportError(
        makeError("unknown --check '" + checkMode + "' (expected reference)"));
  if (!(relTol >= 0) || !(absTol >= 0))
    return reportError(makeError("--rtol and --atol must be non-negative"));
  bool randomMode = randomSeed.getNumOccurrences() > 0;
  if (randomMode && !inputFiles.empty())
    return reportError(
        makeError("give either --input files or --random-inputs, not both"));
  if (numThreads > 0) // Before the JIT'd code starts any thread pool.
    ::setenv("OMP_NUM_THREADS", std::to_string(numThreads).c_str(), 1);

  // Parse, keeping the parser state for the source names of arguments.
  std::string openError;
  auto file = openInputFile(inputFilename, &openError);
  if (!file)
    return reportError(makeError(openError));
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  AsmParserState parserState;
  Block parsed;
  ParserConfig config(&context);
  if (failed(parseAsmSourceFile(sourceMgr, &parsed, config, &parserState)))
    return reportError(
        makeError("cannot parse " + inputFilename + " (see the errors above)"));
  OwningOpRef<ModuleOp> module;
  if (llvm::hasSingleElement(parsed) && isa<ModuleOp>(parsed.front())) {
    module = cast<ModuleOp>(parsed.front());
    module->getOperation()->remove();
  } else {
    module = ModuleOp::create(UnknownLoc::get(&context));
    module->getBody()->getOperations().splice(module->getBody()->begin(),
                                              parsed.getOperations());
  }
  if (failed(verify(*module)))
    return reportError(makeError(inputFilename + " is not valid IR"));

  Expected<Entry> entry = findEntry(*module, parserState);
  if (!entry)
    return reportError(entry.takeError());
  unsigned numArgs = entry->args.size();

  llvm::SmallVector<HostTensor> inputs;
  if (randomMode) {
    auto made = makeRandomInputs(*entry);
    if (!made)
      return reportError(made.takeError());
    inputs = std::move(*made);
  } else {
    if (inputFiles.size() != numArgs) {
      if (inputFiles.empty())
        return reportError(makeError(
            "@" + entry->func.getSymName() + " takes " + Twine(numArgs) +
            " argument(s): give --input=FILE.npy once per argument, or "
            "--random-inputs=SEED"));
      return reportError(makeError("@" + entry->func.getSymName() + " takes " +
                                   Twine(numArgs) + " argument(s) but " +
                                   Twine(inputFiles.size()) +
                                   " --input file(s) were given"));
    }
    for (unsigned i = 0; i < numArgs; ++i) {
      auto t = loadInput(*entry, i, inputFiles[i]);
      if (!t)
        return reportError(t.takeError());
      inputs.push_back(std::move(*t));
    }
  }

  if (!saveInputsDir.empty())
    if (Error e = writeAll(saveInputsDir, "in", inputs))
      return reportError(std::move(e));

  auto compiled = compile(*module, *entry, pipelineName);
  if (!compiled)
    return reportError(compiled.takeError());
  // Installed after LLVM's own handlers, for the compiled code only.
  std::signal(SIGABRT, onRuntimeCheckFailed);
  auto outputs = invoke(**compiled, *entry, inputs);
  if (!outputs)
    return reportError(outputs.takeError());

  for (auto [i, t] : llvm::enumerate(*outputs))
    printSummary(i, entry->results[i], t);

  if (!outputDir.empty())
    if (Error e = writeAll(outputDir, "out", *outputs))
      return reportError(std::move(e));

  bool checkFailed = false;
  if (!checkMode.empty()) {
    auto reference = compile(*module, *entry, "reference");
    if (!reference)
      return reportError(reference.takeError());
    auto expected = invoke(**reference, *entry, inputs);
    if (!expected)
      return reportError(expected.takeError());
    for (auto [got, want] : llvm::zip_equal(*outputs, *expected))
      checkFailed |= !compareResult(got, want);
  }

  if (benchIters > 0) {
    // The call above was the warm-up (it also paid for JIT compilation).
    std::vector<double> ms;
    for (unsigned k = 0; k < benchIters; ++k) {
      double callMs = 0;
      auto outs = invoke(**compiled, *entry, inputs, &callMs);
      if (!outs)
        return reportError(outs.takeError());
      ms.push_back(callMs);
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2
                        ? ms[ms.size() / 2]
                        : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    double bytes = 0;
    for (const HostTensor &t : inputs)
      bytes += double(t.numBytes);
    for (const HostTensor &t : *outputs)
      bytes += double(t.numBytes);
    char buf[160];
    std::snprintf(buf, sizeof(buf), "bench: median_ms=%.4g min_ms=%.4g", median,
                  ms.front());
    llvm::outs() << buf;
    // Work from the cost model (seqmix ops and contractions of the source),
    // traffic as the entry's inputs and outputs; the roofline of this
    // machine turns both into a share of what is attainable.
    std::optional<seqmix::Cost> cost = seqmix::estimateCost(entry->func);
    seqmix::CpuTargetInfo cpu;
    unsigned threads = numThreads > 0 ? numThreads : 1;
    if (median > 0) {
      double seconds = median * 1e-3;
      if (cost && cost->flops > 0) {
        double gflops = cost->flops / seconds * 1e-9;
        double roof = cpu.attainableGflops(cost->flops, bytes, threads);
        llvm::outs() << " GFLOP/s=" << formatNumber(gflops);
        llvm::outs() << " GB/s=" << formatNumber(bytes / seconds * 1e-9);
        llvm::outs() << " roofline=" << formatNumber(100 * gflops / roof)
                     << "%";
      } else {
        llvm::outs() << " GFLOP/s=n/a GB/s="
                     << formatNumber(bytes / seconds * 1e-9);
      }
    }
    if (numThreads > 0)
      llvm::outs() << " threads=" << numThreads;
    llvm::outs() << "\n";
  }
  llvm::outs().flush();
  return checkFailed ? 1 : 0;
}

/// Compiled code stops on a failed runtime check (cf.assert: bad cu_seqlens
/// or routing offsets) by printing the check's message and calling abort().
/// That is bad input, not a crash: say so and exit with 2.
static void onRuntimeCheckFailed(int) {
  // cf.assert printed its message through stdio; _exit would drop it.
  std::fflush(stdout);
  static const char msg[] =
      "seqmix-run: the compiled code stopped on a failed runtime check "
      "(message above): the inputs are invalid\n";
  ssize_t ignored = ::write(2, msg, sizeof(msg) - 1);
  (void)ignored;
  ::_exit(2);
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  // The pipelines are built from pass names: register every pass.
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
  registerAllDialects(registry);
  registerAllExtensions(registry);
  seqmix::registerSeqMixDialectAndExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);

  return runTool(context);
}
