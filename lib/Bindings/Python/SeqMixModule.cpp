//===- SeqMixModule.cpp - seqmix._seqmix, the Python extension ------------===//
//
// Python bindings over the seqmix C API alone (Debian's MLIR ships no Python
// bindings). The module is deliberately small: compile a module's entry into
// an Executable and call it on arrays. Everything users see (dtype handling,
// ml_dtypes, DLPack, the functional API) is Python, in python/seqmix/.
//
//===----------------------------------------------------------------------===//

#include "seqmix-c/Dialects.h"
#include "seqmix-c/Passes.h"
#include "seqmix-c/Runtime.h"

#include "mlir-c/IR.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nb = nanobind;

namespace {

/// The process's context, with every dialect a seqmix module may use.
/// MLIR contexts are thread-safe for parsing and compiling.
MlirContext sharedContext() {
  static MlirContext ctx = [] {
    MlirContext c = mlirContextCreate();
    MlirDialectRegistry registry = mlirDialectRegistryCreate();
    seqmixRegisterAllDialects(registry);
    mlirContextAppendDialectRegistry(c, registry);
    mlirDialectRegistryDestroy(registry);
    seqmixRegisterPasses();
    return c;
  }();
  return ctx;
}

/// seqmix.Error: compilation failed, or a call was refused or stopped by a
/// run-time check of the compiled code.
nb::object &errorType() {
  static nb::object type;
  return type;
}

[[noreturn]] void raiseLastError() {
  std::string message = seqmixGetLastError();
  PyErr_SetString(errorType().ptr(), message.c_str());
  throw nb::python_error();
}

using TypeInfo = std::tuple<std::string, int, std::vector<int64_t>>;

TypeInfo describe(SeqMixTensorType t) {
  return {std::string(t.name.data, t.name.length), int(t.elementType),
          std::vector<int64_t>(t.sizes, t.sizes + t.rank)};
}

/// Owns the results of one call; numpy arrays over them keep it alive.
struct Results {
  SeqMixResults results{nullptr};
  ~Results() {
    if (results.ptr)
      seqmixResultsDestroy(results);
  }
};

/// numpy dtype of a result's raw storage (bf16 as uint16 words).
nb::dlpack::dtype storageDtype(SeqMixElementType t) {
  switch (t) {
  case SEQMIX_F32:
    return nb::dtype<float>();
  case SEQMIX_F16:
    return {uint8_t(nb::dlpack::dtype_code::Float), 16, 1};
  case SEQMIX_BF16:
    return nb::dtype<uint16_t>();
  case SEQMIX_I8:
    return nb::dtype<int8_t>();
  case SEQMIX_I32:
    return nb::dtype<int32_t>();
  case SEQMIX_I64:
    return nb::dtype<int64_t>();
  }
  return nb::dtype<float>();
}

class Executable {
public:
  explicit Executable(SeqMixExecutable exe) : exe(exe) {}
  ~Executable() { seqmixExecutableDestroy(exe); }
  Executable(const Executable &) = delete;

  std::string entry() const {
    MlirStringRef n = seqmixExecutableGetEntryName(exe);
    return std::string(n.data, n.length);
  }

  std::vector<TypeInfo> inputs() const {
    std::vector<TypeInfo> out;
    for (intptr_t i = 0, e = seqmixExecutableGetNumInputs(exe); i < e; ++i)
      out.push_back(describe(seqmixExecutableGetInputType(exe, i)));
    return out;
  }

  std::vector<TypeInfo> results() const {
    std::vector<TypeInfo> out;
    for (intptr_t i = 0, e = seqmixExecutableGetNumResults(exe); i < e; ++i)
      out.push_back(describe(seqmixExecutableGetResultType(exe, i)));
    return out;
  }

  /// Calls the entry on CPU arrays (any strides) whose element types the
  /// caller states; returns one numpy array per result, over the runtime's
  /// own buffers (no copy).
  nb::list call(std::vector<nb::ndarray<nb::ro, nb::device::cpu>> arrays,
                std::vector<int> elementTypes) {
    if (arrays.size() != elementTypes.size())
      throw nb::value_error("one element type per array is needed");
    std::vector<std::vector<int64_t>> sizes(arrays.size()),
        strides(arrays.size());
    std::vector<SeqMixBuffer> buffers;
    for (size_t i = 0; i < arrays.size(); ++i) {
      auto &a = arrays[i];
      for (size_t d = 0; d < a.ndim(); ++d) {
        sizes[i].push_back(int64_t(a.shape(d)));
        strides[i].push_back(int64_t(a.stride(d)));
      }
      auto type = SeqMixElementType(elementTypes[i]);
      if (size_t(seqmixElementTypeGetSize(type)) * 8 != a.dtype().bits)
        throw nb::type_error(("array #" + std::to_string(i) +
                              ": its item size does not match the element "
                              "type it is passed as")
                                 .c_str());
      buffers.push_back({const_cast<void *>(a.data()), intptr_t(a.ndim()),
                         sizes[i].data(), strides[i].data(), type});
    }
    auto owner = std::make_unique<Results>();
    MlirLogicalResult ok;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(callMutex);
      ok = seqmixExecutableCall(exe, buffers.data(), intptr_t(buffers.size()),
                                &owner->results);
    }
    if (mlirLogicalResultIsFailure(ok))
      raiseLastError();
    intptr_t n = seqmixResultsGetNum(owner->results);
    Results *raw = owner.release();
    nb::capsule keep(
        raw, [](void *p) noexcept { delete static_cast<Results *>(p); });
    nb::list out;
    for (intptr_t i = 0; i < n; ++i) {
      SeqMixBuffer b = seqmixResultsGet(raw->results, i);
      std::vector<size_t> shape(b.sizes, b.sizes + b.rank);
      out.append(nb::ndarray<nb::numpy>(b.data, shape.size(), shape.data(),
                                        keep, nullptr,
                                        storageDtype(b.elementType))
                     .cast());
    }
    return out;
  }

private:
  SeqMixExecutable exe;
  /// Calls on one executable must not overlap.
  std::mutex callMutex;
};

Executable *compile(const std::string &source, std::optional<std::string> entry,
                    const std::string &pipeline,
                    std::vector<std::pair<std::string, std::string>> tiles,
                    unsigned threads, unsigned optLevel) {
  SeqMixCompileOptions options;
  seqmixCompileOptionsInit(&options);
  options.pipeline = pipeline.c_str();
  options.entry = entry ? entry->c_str() : nullptr;
  options.threads = threads;
  options.optLevel = optLevel;
  std::vector<const char *> ops, configs;
  for (auto &[op, config] : tiles) {
    ops.push_back(op.c_str());
    configs.push_back(config.c_str());
  }
  options.tileOps = ops.data();
  options.tileConfigs = configs.data();
  options.numTiles = intptr_t(ops.size());
  SeqMixExecutable exe;
  MlirLogicalResult ok;
  MlirContext ctx = sharedContext();
  {
    nb::gil_scoped_release release;
    ok = seqmixCompileSource(
        ctx, mlirStringRefCreate(source.data(), source.size()), &options, &exe);
  }
  if (mlirLogicalResultIsFailure(ok))
    raiseLastError();
  return new Executable(exe);
}

} // namespace

NB_MODULE(_seqmix, m) {
  m.doc() = "seqmix's native core: compile a module's entry, call it.";
  errorType() = nb::steal(PyErr_NewExceptionWithDoc(
      "seqmix.Error",
      "A module that does not compile, or a call that the runtime refused "
      "or a run-time check of the compiled code stopped.",
      PyExc_RuntimeError, nullptr));
  m.attr("Error") = errorType();

  nb::class_<Executable>(m, "Executable")
      .def_prop_ro("entry", &Executable::entry)
      .def_prop_ro("inputs", &Executable::inputs,
                   "(name, element type code, sizes with -1 for dynamic) "
                   "per argument")
      .def_prop_ro("results", &Executable::results)
      .def("call", &Executable::call, nb::arg("arrays"),
           nb::arg("element_types"));

  m.def("compile", &compile, nb::arg("source"), nb::arg("entry").none(),
        nb::arg("pipeline"), nb::arg("tiles"), nb::arg("threads"),
        nb::arg("opt_level"), nb::rv_policy::take_ownership);

  // Element type codes, as seqmix-c/Runtime.h numbers them.
  m.attr("F32") = int(SEQMIX_F32);
  m.attr("F16") = int(SEQMIX_F16);
  m.attr("BF16") = int(SEQMIX_BF16);
  m.attr("I8") = int(SEQMIX_I8);
  m.attr("I32") = int(SEQMIX_I32);
  m.attr("I64") = int(SEQMIX_I64);
}
