//===- Entry.cpp - entry functions and their inputs -----------------------===//

#include "seqmix/Runtime/Runtime.h"

#include "RuntimeInternal.h"

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/Tuning/CostModel.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::seqmix::runtime;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;
using mlir::seqmix::runtime::detail::makeError;
using mlir::seqmix::runtime::detail::typeString;

Expected<OwningOpRef<ModuleOp>> mlir::seqmix::runtime::parseSourceModule(
    llvm::SourceMgr &sourceMgr, MLIRContext *context, AsmParserState *state,
    llvm::StringRef sourceName) {
  Block parsed;
  ParserConfig config(context);
  if (failed(parseAsmSourceFile(sourceMgr, &parsed, config, state)))
    return makeError("cannot parse " + sourceName);
  OwningOpRef<ModuleOp> module;
  if (llvm::hasSingleElement(parsed) && isa<ModuleOp>(parsed.front())) {
    module = cast<ModuleOp>(parsed.front());
    module->getOperation()->remove();
  } else {
    module = ModuleOp::create(UnknownLoc::get(context));
    module->getBody()->getOperations().splice(module->getBody()->begin(),
                                              parsed.getOperations());
  }
  if (failed(verify(*module)))
    return makeError(sourceName + " is not valid IR");
  return std::move(module);
}

std::string EntryPoint::describeArg(unsigned i) const {
  return "argument #" + std::to_string(i) + " ('" + argNames[i] + "' of @" +
         name + ")";
}

/// Source spelling of each entry argument ("%v"); "%argN" when unknown.
static llvm::SmallVector<std::string> argNamesOf(func::FuncOp f,
                                                 const AsmParserState *state) {
  llvm::SmallVector<std::string> names;
  const AsmParserState::BlockDefinition *def =
      f.isExternal() || !state ? nullptr : state->getBlockDef(&f.front());
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

Expected<EntryPoint>
mlir::seqmix::runtime::findEntry(ModuleOp module, const EntryOptions &options) {
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

  EntryPoint entry;
  if (!options.name.empty()) {
    entry.func = module.lookupSymbol<func::FuncOp>(options.name);
    if (!entry.func)
      return makeError("no func.func @" + options.name + " in " +
                       options.sourceName +
                       " (public functions: " + listNames() + ")");
    if (entry.func.isExternal())
      return makeError("@" + options.name + " is a declaration without a body");
  } else {
    for (auto f : candidates)
      if (f.getSymName() == "main")
        entry.func = f;
    if (!entry.func && candidates.size() == 1)
      entry.func = candidates.front();
    if (!entry.func) {
      if (candidates.empty())
        return makeError(options.sourceName +
                         " has no public func.func with a body to run");
      return makeError(options.sourceName + " has several public functions (" +
                       listNames() + "); choose one with --entry=NAME");
    }
  }

  entry.name = entry.func.getSymName().str();
  entry.argNames = argNamesOf(entry.func, options.parserState);
  FunctionType fnType = entry.func.getFunctionType();
  const char *supported = "entry functions take and return ranked tensors of "
                          "f32, f16, bf16, i8, i32, i64 or "
                          "!quant.uniform<i8:f32, scale>";
  for (auto [i, t] : llvm::enumerate(fnType.getInputs())) {
    auto tt = dyn_cast<RankedTensorType>(t);
    std::optional<ElementKind> elem =
        tt ? classifyElementType(tt.getElementType()) : std::nullopt;
    if (!elem)
      return makeError(entry.describeArg(i) + " has unsupported type " +
                       typeString(t) + ": " + supported);
    entry.args.push_back({tt, *elem});
    auto writable = entry.func.getArgAttrOfType<BoolAttr>(
        i, bufferization::BufferizationDialect::kWritableAttrName);
    entry.writableArgs.push_back(writable && writable.getValue());
  }
  for (auto [i, t] : llvm::enumerate(fnType.getResults())) {
    auto tt = dyn_cast<RankedTensorType>(t);
    std::optional<ElementKind> elem =
        tt ? classifyElementType(tt.getElementType()) : std::nullopt;
    if (!elem)
      return makeError("result #" + Twine(i) + " of @" + entry.name +
                       " has unsupported type " + typeString(t) + ": " +
                       supported);
    entry.results.push_back({tt, *elem});
  }
  return std::move(entry);
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Why `shape` of `elem` does not fit `sig`, or "" when it does.
static std::string shapeMismatch(const TensorSignature &sig,
                                 llvm::ArrayRef<int64_t> shape) {
  if (int64_t(shape.size()) != sig.type.getRank())
    return "rank " + std::to_string(shape.size()) + " does not match rank " +
           std::to_string(sig.type.getRank());
  for (auto [d, want] : llvm::enumerate(sig.type.getShape()))
    if (!ShapedType::isDynamic(want) && want != shape[d])
      return "dimension " + std::to_string(d) + " is " +
             std::to_string(shape[d]) + ", expected " + std::to_string(want);
  return "";
}

Expected<HostTensor>
mlir::seqmix::runtime::loadNpyInput(const EntryPoint &entry, unsigned i,
                                    llvm::StringRef path) {
  const TensorSignature &sig = entry.args[i];
  Expected<npy::Array> array = npy::readFile(path);
  if (!array)
    return makeError(entry.describeArg(i) + ": " + path + ": " +
                     llvm::toString(array.takeError()));

  std::string problem;
  if (!acceptsNpyDescr(sig.elem, array->descr))
    problem = "the dtype does not match " +
              typeString(sig.type.getElementType()) + " (expected " +
              describeExpectedDtype(sig.elem) + ")";
  else
    problem = shapeMismatch(sig, array->shape);
  if (!problem.empty())
    return makeError(entry.describeArg(i) + ": expected " +
                     typeString(sig.type) + ", but " + path + " has shape " +
                     npy::formatShape(array->shape) + " and dtype " +
                     npy::describeDtype(array->descr) + ": " + problem);

  HostTensor t;
  t.elem = sig.elem;
  t.shape.assign(array->shape.begin(), array->shape.end());
  t.numBytes = array->numBytes;
  t.data = std::move(array->data);
  return std::move(t);
}

Error mlir::seqmix::runtime::checkInputs(const EntryPoint &entry,
                                         llvm::ArrayRef<TensorRef> inputs) {
  if (inputs.size() != entry.args.size())
    return makeError("@" + entry.name + " takes " + Twine(entry.args.size()) +
                     " argument(s) but " + Twine(inputs.size()) +
                     " input(s) were given");
  for (auto [i, t] : llvm::enumerate(inputs)) {
    const TensorSignature &sig = entry.args[i];
    std::string problem;
    if (t.elem != sig.elem)
      problem = "the element kind does not match " +
                typeString(sig.type.getElementType());
    else
      problem = shapeMismatch(sig, t.shape);
    std::optional<size_t> bytes = getByteSize(t.shape, t.elem);
    if (problem.empty() &&
        (!bytes || *bytes != t.numBytes || (t.numBytes && !t.data)))
      problem = "its byte size does not match its shape";
    if (!problem.empty())
      return makeError(entry.describeArg(i) + ": expected " +
                       typeString(sig.type) + ", got shape " +
                       npy::formatShape(t.shape) + ": " + problem);
  }
  return Error::success();
}

/// Entry arguments that hold sequence offsets, mapped to the length they
/// split: cu_seqlens (split T) and segment_matmul offsets (split R).
static llvm::DenseMap<unsigned, int64_t> findOffsetArgs(func::FuncOp f,
                                                        int64_t dynamicDim) {
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
    int64_t length = dynamicDim;
    if (auto dim = seqmix::findLoopDimension(op, seqmix::getOffsetsLoop(op))) {
      int64_t size =
          cast<ShapedType>(dim->first.getType()).getDimSize(dim->second);
      if (!ShapedType::isDynamic(size))
        length = size;
    }
    note(op.getSequenceOffsets(), length);
  });
  return found;
}

Expected<llvm::SmallVector<HostTensor>>
mlir::seqmix::runtime::makeRandomInputs(const EntryPoint &entry,
                                        const RandomInputOptions &options) {
  if (options.dynamicDim < 0)
    return makeError("--dim must not be negative");
  if (!entry.func)
    return makeError("random inputs need the entry's function");
  std::mt19937_64 rng(options.seed);
  llvm::DenseMap<unsigned, int64_t> offsetArgs =
      findOffsetArgs(entry.func, options.dynamicDim);
  // Model-like values: what each argument feeds decides its range (decays
  // <= 0, A < 0, small Δ, weights 1/sqrt(fan-in), indices in range).
  SmallVector<seqmix::OperandHint> hints =
      seqmix::suggestArgumentHints(entry.func);
  llvm::SmallVector<HostTensor> inputs;
  for (auto [i, sig] : llvm::enumerate(entry.args)) {
    llvm::SmallVector<int64_t> shape;
    for (int64_t d : sig.type.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? options.dynamicDim : d);
    if (!getByteSize(shape, sig.elem))
      return makeError(entry.describeArg(i) + " is too large");
    Expected<HostTensor> made = HostTensor::allocate(sig.elem, shape);
    if (!made)
      return makeError(entry.describeArg(i) + ": " +
                       llvm::toString(made.takeError()));
    HostTensor &t = *made;
    int64_t n = t.getNumElements();
    seqmix::OperandHint hint =
        i < hints.size() ? hints[i] : seqmix::OperandHint::uniform(-1, 1);
    if (isFloatKind(t.elem)) {
      // 24 random bits: exact in f32 and strictly below 1.
      float lo = hint.kind == seqmix::OperandHint::Kind::Uniform ? hint.lo : -1;
      float hi = hint.kind == seqmix::OperandHint::Kind::Uniform ? hint.hi : 1;
      for (int64_t k = 0; k < n; ++k)
        t.storeFloat(k, lo + (hi - lo) * std::ldexp(float(rng() >> 40), -24));
    } else if (hint.kind == seqmix::OperandHint::Kind::IndexBelow &&
               t.elem != ElementKind::I8 && hint.bound > 0) {
      for (int64_t k = 0; k < n; ++k)
        t.storeInt(k, int64_t(rng() % uint64_t(hint.bound)));
    } else if (auto it = offsetArgs.find(i); it != offsetArgs.end() &&
                                             t.elem != ElementKind::I8 &&
                                             t.shape.size() == 1 && n >= 2) {
      // Offsets 0 = o_0 <= ... <= o_{n-1} = length, evenly spaced.
      int64_t length = it->second;
      for (int64_t k = 0; k < n; ++k)
        t.storeInt(k, k * length / (n - 1));
    } else if (t.elem == ElementKind::I8) {
      for (int64_t k = 0; k < n; ++k)
        t.storeInt(k, int64_t(rng() % 255) - 127);
    } // Other integers stay zero: any index they hold must be valid.
    inputs.push_back(std::move(t));
  }
  return std::move(inputs);
}

std::optional<mlir::seqmix::Cost> mlir::seqmix::runtime::estimateCostForInputs(
    func::FuncOp func, llvm::ArrayRef<HostTensor> inputs) {
  if (std::optional<Cost> cost = estimateCost(func))
    return cost;
  // Give each dynamic argument its input's static shape, cast back to the
  // declared type, and let canonicalization carry the sizes through.
  OwningOpRef<ModuleOp> module = ModuleOp::create(func.getLoc());
  auto copy = cast<func::FuncOp>(func->clone());
  module->push_back(copy);
  Block &body = copy.front();
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    auto declared = dyn_cast<RankedTensorType>(arg.getType());
    if (!declared || declared.hasStaticShape() || i >= inputs.size() ||
        int64_t(inputs[i].shape.size()) != declared.getRank())
      continue;
    auto fixed =
        RankedTensorType::get(inputs[i].shape, declared.getElementType());
    arg.setType(fixed);
    auto cast = tensor::CastOp::create(b, copy.getLoc(), declared, arg);
    arg.replaceAllUsesExcept(cast, cast);
  }
  copy.setType(FunctionType::get(func.getContext(), body.getArgumentTypes(),
                                 copy.getResultTypes()));
  PassManager pm(func.getContext());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return std::nullopt;
  return estimateCost(copy);
}
