//===- AheadOfTime.cpp - an entry as an object file and a C header --------===//
//
// seqmix-compile's work: the entry lowered as for the JIT, but with its C
// interface (`_mlir_ciface_<entry>`, memref descriptors passed by pointer)
// and written as a relocatable object for the host CPU. The header declares
// that function and a static inline wrapper taking plain row-major pointers
// and sizes, which checks the sizes against the entry's static shape, copies
// each result into the caller's buffer and frees what the code allocated.
// Nothing of MLIR is needed at run time; the CPU pipeline's threads need
// the OpenMP runtime (-lomp).
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"
#include "seqmix/Runtime/Runtime.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

#include <cctype>
#include <set>

using namespace mlir;
using namespace mlir::seqmix::runtime;
using llvm::Error;
using mlir::seqmix::runtime::detail::makeError;

static const char *cTypeOf(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "float";
  case ElementKind::F16:
  case ElementKind::BF16:
    return "uint16_t"; // IEEE half / bfloat16 bits
  case ElementKind::I8:
    return "int8_t";
  case ElementKind::I32:
    return "int32_t";
  case ElementKind::I64:
    return "int64_t";
  }
  return "void";
}

/// A C identifier from an entry or argument name.
static std::string identifier(llvm::StringRef name) {
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "_" + id;
  return id;
}

/// The wrapper's parameter for an argument ("%q" -> "q"), kept clear of
/// the wrapper's own names (sx_*, out<N>, error, error_size) and of C
/// keywords a tensor may be named after.
static std::string paramName(llvm::StringRef argName) {
  std::string id = identifier(argName.ltrim('%'));
  static const char *reserved[] = {
      "error",  "error_size", "int",    "float",    "char",    "double",
      "long",   "short",      "signed", "unsigned", "void",    "const",
      "static", "return",     "if",     "else",     "for",     "while",
      "do",     "switch",     "case",   "default",  "break",   "continue",
      "goto",   "struct",     "union",  "enum",     "typedef", "sizeof",
      "auto",   "register",   "extern", "volatile", "inline",  "restrict",
      "bool",   "true",       "false"};
  bool clash = llvm::StringRef(id).starts_with("sx_") ||
               (llvm::StringRef(id).starts_with("out") &&
                llvm::all_of(llvm::StringRef(id).drop_front(3), ::isdigit));
  for (const char *r : reserved)
    clash |= id == r;
  return clash ? id + "_arg" : id;
}

/// Text for a C string literal that snprintf prints as is.
static std::string formatLiteral(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%%";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
}

static std::string shapeText(RankedTensorType t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "(";
  llvm::interleaveComma(t.getShape(), os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << ")";
  return s;
}

/// The header: descriptor structs, the C interface, the plain wrapper.
static std::string makeHeader(const EntryPoint &entry,
                              const CompileOptions &options,
                              llvm::StringRef sourceName) {
  std::string name = identifier(entry.name);
  std::string guard = "SEQMIX_AOT_" + llvm::StringRef(name).upper() + "_H";
  std::string h;
  llvm::raw_string_ostream os(h);
  os << "/* " << name << ".h: @" << entry.name << " of " << sourceName
     << ", compiled ahead of time by seqmix-compile\n"
     << "   (pipeline " << getPipelineName(options.pipeline)
     << ") for the host CPU. Link the object file it came with\n"
     << "   (and -lomp for the cpu pipeline's threads). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
     << "#include <string.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  // One descriptor type per rank used.
  std::set<int64_t> ranks;
  for (const TensorSignature &s : entry.args)
    ranks.insert(s.type.getRank());
  for (const TensorSignature &s : entry.results)
    ranks.insert(s.type.getRank());
  os << "/* A strided memref descriptor, as the compiled code passes it. */\n";
  for (int64_t r : ranks) {
    os << "typedef struct {\n  void *allocated;\n  void *aligned;\n"
       << "  int64_t offset;\n";
    if (r > 0)
      os << "  int64_t sizes[" << r << "];\n  int64_t strides[" << r << "];\n";
    os << "} " << name << "_memref" << r << ";\n";
  }
  os << "\n";
  size_t numResults = entry.results.size();
  if (numResults > 0) {
    os << "typedef struct {\n";
    for (auto [i, s] : llvm::enumerate(entry.results))
      os << "  " << name << "_memref" << s.type.getRank() << " r" << i << ";\n";
    os << "} " << name << "_results;\n\n";
  }
  os << "/* The entry's C interface: descriptors by pointer. */\n"
     << "void _mlir_ciface_" << entry.name << "(";
  llvm::SmallVector<std::string> params;
  if (numResults > 0)
    params.push_back(name + "_results *results");
  for (auto [i, s] : llvm::enumerate(entry.args))
    params.push_back(name + "_memref" + std::to_string(s.type.getRank()) +
                     " *a" + std::to_string(i));
  os << llvm::join(params, ", ") << ");\n\n";

  // The plain wrapper.
  os << "/* @" << entry.name << " on dense row-major arrays:\n";
  for (auto [i, s] : llvm::enumerate(entry.args))
    os << " *   " << paramName(entry.argNames[i]) << ": " << cTypeOf(s.elem)
       << " " << shapeText(s.type)
       << (entry.writableArgs[i] ? " (may be overwritten)" : "") << "\n";
  for (auto [i, s] : llvm::enumerate(entry.results))
    os << " *   out" << i << " (result #" << i << "): " << cTypeOf(s.elem)
       << " " << shapeText(s.type) << ", allocated by the caller\n";
  os << " * Each array comes with its sizes. Returns 0, or -1 with a message "
        "in\n"
     << " * `error` (when not NULL) if a size differs from the entry's static\n"
     << " * shape or a result's shape from the sizes given for it. */\n"
     << "static inline int " << name << "(";
  params.clear();
  for (auto [i, s] : llvm::enumerate(entry.args)) {
    std::string p = paramName(entry.argNames[i]);
    params.push_back(std::string(entry.writableArgs[i] ? "" : "const ") +
                     cTypeOf(s.elem) + " *" + p + ", const int64_t *" + p +
                     "_sizes");
  }
  for (auto [i, s] : llvm::enumerate(entry.results))
    params.push_back(std::string(cTypeOf(s.elem)) + " *out" +
                     std::to_string(i) + ", const int64_t *out" +
                     std::to_string(i) + "_sizes");
  params.push_back("char *error, size_t error_size");
  os << llvm::join(params, ",\n    ") << ") {\n";
  os << "  int64_t sx_k, sx_d, sx_n;\n  (void)sx_k; (void)sx_d; (void)sx_n;\n";

  // Static sizes.
  auto checkSizes = [&](llvm::StringRef var, RankedTensorType type,
                        llvm::StringRef what) {
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      if (ShapedType::isDynamic(size))
        continue;
      os << "  if (" << var << "_sizes[" << d << "] != " << size << ") {\n"
         << "    if (error)\n      snprintf(error, error_size, \""
         << formatLiteral(what) << ": size " << d << " is %lld, expected "
         << size << "\", (long long)" << var << "_sizes[" << d
         << "]);\n    return -1;\n  }\n";
    }
  };
  for (auto [i, s] : llvm::enumerate(entry.args)) {
    std::string p = paramName(entry.argNames[i]);
    checkSizes(p, s.type, entry.describeArg(i));
  }
  for (auto [i, s] : llvm::enumerate(entry.results))
    checkSizes("out" + std::to_string(i), s.type,
               "result #" + std::to_string(i) + " of @" + entry.name);

  // Descriptors of the inputs. The wrapper's locals are sx_*: argument
  // names never are (paramName).
  for (auto [i, s] : llvm::enumerate(entry.args)) {
    std::string p = paramName(entry.argNames[i]);
    std::string a = "sx_a" + std::to_string(i);
    int64_t r = s.type.getRank();
    os << "  " << name << "_memref" << r << " " << a << ";\n"
       << "  " << a << ".allocated = " << a << ".aligned = (void *)" << p
       << ";\n  " << a << ".offset = 0;\n";
    if (r > 0)
      os << "  for (sx_n = 1, sx_d = " << r - 1 << "; sx_d >= 0; --sx_d) {\n"
         << "    " << a << ".sizes[sx_d] = " << p << "_sizes[sx_d];\n"
         << "    " << a << ".strides[sx_d] = sx_n;\n    sx_n *= " << p
         << "_sizes[sx_d];\n  }\n";
  }
  if (numResults > 0)
    os << "  " << name << "_results sx_results;\n";
  os << "  _mlir_ciface_" << entry.name << "(";
  llvm::SmallVector<std::string> callArgs;
  if (numResults > 0)
    callArgs.push_back("&sx_results");
  for (size_t i = 0; i < entry.args.size(); ++i)
    callArgs.push_back("&sx_a" + std::to_string(i));
  os << llvm::join(callArgs, ", ") << ");\n";

  // Results: check, copy (through their strides), free once each.
  os << "  int sx_status = 0;\n";
  for (auto [i, s] : llvm::enumerate(entry.results)) {
    int64_t r = s.type.getRank();
    std::string res = "sx_results.r" + std::to_string(i);
    std::string out = "out" + std::to_string(i);
    os << "  {\n";
    for (int64_t d = 0; d < r; ++d)
      os << "    if (!sx_status && " << res << ".sizes[" << d << "] != " << out
         << "_sizes[" << d << "]) {\n      if (error)\n"
         << "        snprintf(error, error_size, \"result #" << i << " of @"
         << formatLiteral(entry.name) << ": size " << d
         << " is %lld, but %lld was given\", (long long)" << res << ".sizes["
         << d << "], (long long)" << out << "_sizes[" << d
         << "]);\n      sx_status = -1;\n    }\n";
    os << "    const " << cTypeOf(s.elem) << " *sx_src = (const "
       << cTypeOf(s.elem) << " *)" << res << ".aligned + " << res
       << ".offset;\n";
    if (r == 0) {
      os << "    if (!sx_status)\n      " << out << "[0] = sx_src[0];\n";
    } else {
      // Row-major results (the usual case) are one memcpy; others are
      // gathered through their strides.
      os << "    int64_t sx_idx[" << r << "] = {0};\n"
         << "    int sx_dense = 1;\n"
         << "    for (sx_n = 1, sx_d = " << r - 1 << "; sx_d >= 0; --sx_d) {\n"
         << "      if (" << res << ".sizes[sx_d] != 1 && " << res
         << ".strides[sx_d] != sx_n)\n        sx_dense = 0;\n"
         << "      sx_n *= " << res << ".sizes[sx_d];\n    }\n"
         << "    if (!sx_status && sx_dense) {\n"
         << "      memcpy(" << out << ", sx_src, (size_t)sx_n * sizeof(*"
         << out << "));\n      sx_n = 0;\n    }\n"
         << "    for (sx_k = 0; !sx_status && sx_k < sx_n; ++sx_k) {\n"
         << "      int64_t sx_at = 0;\n      for (sx_d = 0; sx_d < " << r
         << "; ++sx_d)\n        sx_at += sx_idx[sx_d] * " << res
         << ".strides[sx_d];\n"
         << "      " << out << "[sx_k] = sx_src[sx_at];\n"
         << "      for (sx_d = " << r - 1 << "; sx_d >= 0; --sx_d) {\n"
         << "        if (++sx_idx[sx_d] < " << res
         << ".sizes[sx_d])\n          break;\n"
         << "        sx_idx[sx_d] = 0;\n      }\n    }\n";
    }
    os << "  }\n";
  }
  // Free a result block unless it is an input, a constant (0xdeadbeef, as
  // MLIR marks globals) or an earlier result.
  for (auto [i, s] : llvm::enumerate(entry.results)) {
    std::string res = "sx_results.r" + std::to_string(i);
    os << "  if (" << res << ".allocated != (void *)(uintptr_t)0xdeadbeef";
    for (size_t a = 0; a < entry.args.size(); ++a)
      os << " && " << res << ".allocated != sx_a" << a << ".allocated";
    for (size_t j = 0; j < i; ++j)
      os << " && " << res << ".allocated != sx_results.r" << j << ".allocated";
    os << ")\n    free(" << res << ".allocated);\n";
  }
  os << "  return sx_status;\n}\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* "
     << guard << " */\n";
  return h;
}

Error mlir::seqmix::runtime::compileAheadOfTime(ModuleOp module,
                                                const EntryPoint &entry,
                                                const CompileOptions &options,
                                                const AheadOfTimeOptions &aot) {
  if (!entry.func)
    return makeError("no entry function to compile");
  // GPU kernels read the runtime's managed memory, which a caller's plain
  // buffers are not: the object would fault on the device.
  if (options.pipeline == Pipeline::Gpu)
    return makeError("the gpu pipeline cannot be compiled ahead of time (its "
                     "buffers are the runtime's CUDA managed memory); use "
                     "seqmix-run or seqmix.compile, or gpu-emulated for its "
                     "kernels on the CPU");
  MLIRContext *ctx = module.getContext();
  runtime::detail::prepareHostCompilation(ctx);

  // The C interface is generated from the function's attribute; set it on
  // the caller's module for the lowering's clone, then take it off again.
  func::FuncOp fn = entry.func;
  bool hadAttr = fn->hasAttr("llvm.emit_c_interface");
  fn->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  auto lowered = lowerEntryToLLVM(module, entry, options,
                                  /*recoverableChecks=*/false);
  if (!hadAttr)
    fn->removeAttr("llvm.emit_c_interface");
  if (!lowered)
    return lowered.takeError();

  // Position-independent, to link into executables and shared libraries.
  auto tm =
      runtime::detail::createHostTargetMachine(/*positionIndependent=*/true);
  if (!tm)
    return tm.takeError();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(**lowered, llvmContext, entry.name);
  if (!llvmModule)
    return makeError("translating @" + entry.name + " to LLVM IR failed");
  llvmModule->setDataLayout((*tm)->createDataLayout());
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  if (Error e = makeOptimizingTransformer(options.optLevel, 0,
                                          tm->get())(llvmModule.get()))
    return e;

  std::error_code ec;
  llvm::ToolOutputFile object(aot.objectPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write " + aot.objectPath + ": " + ec.message());
  llvm::legacy::PassManager codegen;
  if ((*tm)->addPassesToEmitFile(codegen, object.os(), nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return makeError("the host target cannot emit object files");
  codegen.run(*llvmModule);
  object.keep();

  if (!aot.headerPath.empty()) {
    llvm::ToolOutputFile header(aot.headerPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return makeError("cannot write " + aot.headerPath + ": " + ec.message());
    header.os() << makeHeader(entry, options, aot.sourceName);
    header.keep();
  }
  return Error::success();
}
