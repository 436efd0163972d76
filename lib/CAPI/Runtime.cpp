//===- Runtime.cpp - compile and call seqmix entries from C ---------------===//
//
// A thin layer over lib/Runtime: C structs in, llvm::Error turned into the
// thread's last error out. No C++ exception or abort crosses the boundary.
//
//===----------------------------------------------------------------------===//

#include "seqmix-c/Runtime.h"

#include "seqmix/Runtime/Runtime.h"

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/SourceMgr.h"

#include <cstring>

using namespace mlir;
using namespace mlir::seqmix::runtime;

namespace {
thread_local std::string lastError;

MlirLogicalResult fail(const llvm::Twine &message) {
  lastError = message.str();
  return mlirLogicalResultFailure();
}

MlirLogicalResult fail(llvm::Error error) {
  return fail(llvm::toString(std::move(error)));
}

MlirLogicalResult succeed() {
  lastError.clear();
  return mlirLogicalResultSuccess();
}

/// A compiled entry and the sizes its type queries point into.
struct CExecutable {
  std::unique_ptr<Executable> exe;
  std::vector<std::vector<int64_t>> inputSizes, resultSizes;
};

struct CResults {
  llvm::SmallVector<HostTensor> tensors;
};

CExecutable *unwrapExe(SeqMixExecutable e) {
  return static_cast<CExecutable *>(e.ptr);
}
CResults *unwrapResults(SeqMixResults r) {
  return static_cast<CResults *>(r.ptr);
}

SeqMixElementType wrapKind(ElementKind k) {
  switch (k) {
  case ElementKind::F32:
    return SEQMIX_F32;
  case ElementKind::F16:
    return SEQMIX_F16;
  case ElementKind::BF16:
    return SEQMIX_BF16;
  case ElementKind::I8:
    return SEQMIX_I8;
  case ElementKind::I32:
    return SEQMIX_I32;
  case ElementKind::I64:
    return SEQMIX_I64;
  }
  return SEQMIX_F32;
}

std::optional<ElementKind> unwrapKind(SeqMixElementType t) {
  switch (t) {
  case SEQMIX_F32:
    return ElementKind::F32;
  case SEQMIX_F16:
    return ElementKind::F16;
  case SEQMIX_BF16:
    return ElementKind::BF16;
  case SEQMIX_I8:
    return ElementKind::I8;
  case SEQMIX_I32:
    return ElementKind::I32;
  case SEQMIX_I64:
    return ElementKind::I64;
  }
  return std::nullopt;
}

const char *kindName(ElementKind k) {
  static const char *names[] = {"f32", "f16", "bf16", "i8", "i32", "i64"};
  return names[static_cast<int>(k)];
}

/// Visits every element offset (in elements) of a strided view, row-major.
template <typename Fn>
void forEachOffset(llvm::ArrayRef<int64_t> sizes,
                   llvm::ArrayRef<int64_t> strides, Fn fn) {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  llvm::SmallVector<int64_t> index(sizes.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t at = 0;
    for (size_t d = 0; d < sizes.size(); ++d)
      at += index[d] * strides[d];
    fn(k, at);
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/// Checks a caller's view; `what` names it in messages.
llvm::Error checkView(const SeqMixBuffer &b, const std::string &what,
                      ElementKind &kind) {
  auto k = unwrapKind(b.elementType);
  if (!k)
    return llvm::createStringError(what + ": unknown element type " +
                                   std::to_string(int(b.elementType)));
  kind = *k;
  if (b.rank < 0 || (b.rank > 0 && !b.sizes))
    return llvm::createStringError(what + ": rank " + std::to_string(b.rank) +
                                   " with no sizes");
  for (intptr_t d = 0; d < b.rank; ++d)
    if (b.sizes[d] < 0)
      return llvm::createStringError(what + ": size " + std::to_string(d) +
                                     " is negative");
  llvm::ArrayRef<int64_t> sizes(b.sizes, b.rank);
  std::optional<size_t> bytes = getByteSize(sizes, kind);
  if (!bytes)
    return llvm::createStringError(what + ": its sizes overflow");
  if (*bytes && !b.data)
    return llvm::createStringError(what + ": null data pointer");
  return llvm::Error::success();
}

bool isRowMajor(const SeqMixBuffer &b) {
  if (!b.strides)
    return true;
  int64_t expect = 1;
  for (intptr_t d = b.rank - 1; d >= 0; --d) {
    if (b.sizes[d] != 1 && b.strides[d] != expect)
      return false;
    expect *= b.sizes[d];
  }
  return true;
}

/// Collects a context's diagnostics as text while alive ("module:1:5: msg").
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          llvm::raw_string_ostream os(text);
          if (!text.empty())
            os << "\n";
          if (auto loc = dyn_cast<FileLineColLoc>(d.getLocation()))
            os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
               << loc.getColumn() << ": ";
          os << d;
          return success();
        }) {}
  std::string text;

private:
  ScopedDiagnosticHandler handler;
};

/// Parses `source` as a module (wrapping top-level ops in one), keeping
/// the parser state for argument names when `state` is given.
OwningOpRef<ModuleOp> parseModule(MLIRContext *ctx, llvm::StringRef source,
                                  AsmParserState *state, std::string &errors) {
  DiagnosticCollector diagnostics(ctx);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(source, "module",
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  auto module = parseSourceModule(sourceMgr, ctx, state, "the module");
  if (!module) {
    errors = llvm::toString(module.takeError()) + ":\n" + diagnostics.text;
    return nullptr;
  }
  return std::move(*module);
}

SeqMixTensorType describe(const TensorSignature &sig,
                          std::vector<int64_t> &sizes, llvm::StringRef name) {
  sizes.clear();
  for (int64_t s : sig.type.getShape())
    sizes.push_back(ShapedType::isDynamic(s) ? -1 : s);
  return {wrapKind(sig.elem), intptr_t(sizes.size()), sizes.data(),
          mlirStringRefCreate(name.data(), name.size())};
}
} // namespace

intptr_t seqmixElementTypeGetSize(SeqMixElementType type) {
  auto k = unwrapKind(type);
  return k ? intptr_t(getElementSize(*k)) : 0;
}

const char *seqmixGetLastError(void) { return lastError.c_str(); }

MlirLogicalResult seqmixParseModule(MlirContext context, MlirStringRef source,
                                    MlirModule *module) {
  *module = MlirModule{nullptr};
  std::string errors;
  OwningOpRef<ModuleOp> parsed =
      parseModule(unwrap(context), unwrap(source), nullptr, errors);
  if (!parsed)
    return fail(errors);
  *module = wrap(parsed.release());
  return succeed();
}

void seqmixCompileOptionsInit(SeqMixCompileOptions *options) {
  *options = SeqMixCompileOptions{};
  options->optLevel = 3;
}

/// Compiles the entry of `mod`; with `state`, messages name arguments as
/// the source wrote them.
static MlirLogicalResult compileModule(ModuleOp mod,
                                       const AsmParserState *state,
                                       const SeqMixCompileOptions *options,
                                       SeqMixExecutable *executable) {
  *executable = SeqMixExecutable{nullptr};
  SeqMixCompileOptions defaults;
  seqmixCompileOptionsInit(&defaults);
  const SeqMixCompileOptions &o = options ? *options : defaults;
  DiagnosticCollector diagnostics(mod.getContext());
  if (failed(verify(mod)))
    return fail("the module is not valid IR:\n" + diagnostics.text);

  CompileOptions compile;
  auto pipeline = parsePipeline(o.pipeline ? o.pipeline : "cpu");
  if (!pipeline)
    return fail(pipeline.takeError());
  compile.pipeline = *pipeline;
  compile.optLevel = o.optLevel;
  compile.threads = o.threads;
  if (o.numTiles < 0 || (o.numTiles > 0 && (!o.tileOps || !o.tileConfigs)))
    return fail("seqmixCompile: tile overrides without ops or configs");
  for (intptr_t i = 0; i < o.numTiles; ++i) {
    if (!o.tileOps[i] || !o.tileConfigs[i])
      return fail("seqmixCompile: tile override #" + llvm::Twine(i) +
                  " is null");
    compile.tileOverrides.emplace_back(o.tileOps[i], o.tileConfigs[i]);
  }

  EntryOptions entryOptions;
  entryOptions.name = o.entry ? o.entry : "";
  entryOptions.parserState = state;
  auto entry = findEntry(mod, entryOptions);
  if (!entry)
    return fail(entry.takeError());
  auto exe = Executable::compile(mod, *entry, compile);
  if (!exe)
    return fail(llvm::toString(exe.takeError()) +
                (diagnostics.text.empty() ? "" : ":\n" + diagnostics.text));

  auto *c = new CExecutable;
  c->exe = std::move(*exe);
  const EntryPoint &e = c->exe->getEntry();
  c->inputSizes.resize(e.args.size());
  c->resultSizes.resize(e.results.size());
  *executable = SeqMixExecutable{c};
  return succeed();
}

MlirLogicalResult seqmixCompile(MlirModule module,
                                const SeqMixCompileOptions *options,
                                SeqMixExecutable *executable) {
  *executable = SeqMixExecutable{nullptr};
  if (mlirModuleIsNull(module))
    return fail("seqmixCompile: null module");
  return compileModule(unwrap(module), nullptr, options, executable);
}

MlirLogicalResult seqmixCompileSource(MlirContext context, MlirStringRef source,
                                      const SeqMixCompileOptions *options,
                                      SeqMixExecutable *executable) {
  *executable = SeqMixExecutable{nullptr};
  AsmParserState state;
  std::string errors;
  OwningOpRef<ModuleOp> module =
      parseModule(unwrap(context), unwrap(source), &state, errors);
  if (!module)
    return fail(errors);
  return compileModule(*module, &state, options, executable);
}

void seqmixExecutableDestroy(SeqMixExecutable executable) {
  delete unwrapExe(executable);
}

MlirStringRef seqmixExecutableGetEntryName(SeqMixExecutable executable) {
  const std::string &name = unwrapExe(executable)->exe->getEntry().name;
  return mlirStringRefCreate(name.data(), name.size());
}

intptr_t seqmixExecutableGetNumInputs(SeqMixExecutable executable) {
  return unwrapExe(executable)->exe->getEntry().args.size();
}

intptr_t seqmixExecutableGetNumResults(SeqMixExecutable executable) {
  return unwrapExe(executable)->exe->getEntry().results.size();
}

SeqMixTensorType seqmixExecutableGetInputType(SeqMixExecutable executable,
                                              intptr_t pos) {
  CExecutable *c = unwrapExe(executable);
  const EntryPoint &e = c->exe->getEntry();
  return describe(e.args[pos], c->inputSizes[pos], e.argNames[pos]);
}

SeqMixTensorType seqmixExecutableGetResultType(SeqMixExecutable executable,
                                               intptr_t pos) {
  CExecutable *c = unwrapExe(executable);
  return describe(c->exe->getEntry().results[pos], c->resultSizes[pos], "");
}

MlirLogicalResult seqmixExecutableCall(SeqMixExecutable executable,
                                       const SeqMixBuffer *inputs,
                                       intptr_t numInputs,
                                       SeqMixResults *results) {
  *results = SeqMixResults{nullptr};
  CExecutable *c = unwrapExe(executable);
  if (!c)
    return fail("seqmixExecutableCall: null executable");
  const EntryPoint &entry = c->exe->getEntry();
  if (numInputs < 0 || (numInputs > 0 && !inputs))
    return fail("seqmixExecutableCall: no inputs given");
  if (size_t(numInputs) != entry.args.size())
    return fail("@" + entry.name + " takes " + llvm::Twine(entry.args.size()) +
                " argument(s) but " + llvm::Twine(numInputs) +
                " input(s) were given");

  // Row-major views go in as they are; strided ones are packed first.
  llvm::SmallVector<TensorRef> refs;
  llvm::SmallVector<HostTensor> packed;
  packed.reserve(numInputs);
  for (intptr_t i = 0; i < numInputs; ++i) {
    const SeqMixBuffer &b = inputs[i];
    ElementKind kind;
    if (llvm::Error e = checkView(b, entry.describeArg(i), kind))
      return fail(std::move(e));
    llvm::ArrayRef<int64_t> sizes(b.sizes, b.rank);
    if (kind != entry.args[i].elem)
      return fail(entry.describeArg(i) + ": expected element type " +
                  kindName(entry.args[i].elem) + ", got " + kindName(kind));
    size_t bytes = *getByteSize(sizes, kind);
    if (isRowMajor(b)) {
      refs.push_back({kind, sizes, b.data, bytes});
      continue;
    }
    auto dense = HostTensor::allocate(kind, sizes);
    if (!dense)
      return fail(entry.describeArg(i) + ": " +
                  llvm::toString(dense.takeError()));
    size_t es = getElementSize(kind);
    const auto *src = static_cast<const uint8_t *>(b.data);
    forEachOffset(sizes, llvm::ArrayRef<int64_t>(b.strides, b.rank),
                  [&](int64_t k, int64_t at) {
                    std::memcpy(dense->data.get() + k * es, src + at * es, es);
                  });
    packed.push_back(std::move(*dense));
    refs.push_back(packed.back().ref());
  }
  auto outs = c->exe->call(refs);
  if (!outs)
    return fail(outs.takeError());
  auto *r = new CResults;
  r->tensors = std::move(*outs);
  *results = SeqMixResults{r};
  return succeed();
}

intptr_t seqmixResultsGetNum(SeqMixResults results) {
  return unwrapResults(results)->tensors.size();
}

SeqMixBuffer seqmixResultsGet(SeqMixResults results, intptr_t pos) {
  HostTensor &t = unwrapResults(results)->tensors[pos];
  return {t.data.get(), intptr_t(t.shape.size()), t.shape.data(), nullptr,
          wrapKind(t.elem)};
}

MlirLogicalResult seqmixResultsCopyTo(SeqMixResults results, intptr_t pos,
                                      const SeqMixBuffer *destination) {
  CResults *r = unwrapResults(results);
  if (!r || pos < 0 || size_t(pos) >= r->tensors.size())
    return fail("seqmixResultsCopyTo: no result #" + llvm::Twine(pos));
  const HostTensor &t = r->tensors[pos];
  std::string what = "destination of result #" + std::to_string(pos);
  ElementKind kind;
  if (llvm::Error e = checkView(*destination, what, kind))
    return fail(std::move(e));
  llvm::ArrayRef<int64_t> sizes(destination->sizes, destination->rank);
  if (kind != t.elem || sizes != llvm::ArrayRef<int64_t>(t.shape))
    return fail(what + ": expected " + kindName(t.elem) + " of shape " +
                npy::formatShape(t.shape) + ", got " + kindName(kind) +
                " of shape " + npy::formatShape(sizes));
  size_t es = getElementSize(kind);
  auto *dst = static_cast<uint8_t *>(destination->data);
  if (isRowMajor(*destination)) {
    std::memcpy(dst, t.data.get(), t.numBytes);
    return succeed();
  }
  forEachOffset(sizes,
                llvm::ArrayRef<int64_t>(destination->strides, sizes.size()),
                [&](int64_t k, int64_t at) {
                  std::memcpy(dst + at * es, t.data.get() + k * es, es);
                });
  return succeed();
}

void seqmixResultsDestroy(SeqMixResults results) {
  delete unwrapResults(results);
}
