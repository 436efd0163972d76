//===- runtime-test.cpp - drives lib/Runtime directly ---------------------===//
//
// seqmix-runtime-test FILE.mlir: compiles @conv (seqmix.causal_conv1d with
// cu_seqlens) and @donated (returns its donated state twice) from FILE with
// the reference pipeline and calls them through seqmix's runtime library:
// a good call, failed run-time checks that come back as error values, good
// calls again in the same process, result ownership when results alias each
// other and a donated input. Prints one line per step for FileCheck; exits
// 1 on the first unexpected outcome.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/Runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <initializer_list>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace mlir;
using namespace mlir::seqmix::runtime;

namespace {
[[noreturn]] void fail(const llvm::Twine &msg) {
  llvm::outs().flush();
  llvm::errs() << "runtime-test: FAIL: " << msg << "\n";
  std::exit(1);
}

template <typename T> T check(llvm::Expected<T> value, llvm::StringRef what) {
  if (!value)
    fail(what + ": " + llvm::toString(value.takeError()));
  return std::move(*value);
}

HostTensor tensor(ElementKind elem, llvm::ArrayRef<int64_t> shape,
                  std::initializer_list<double> values = {}) {
  HostTensor t = check(HostTensor::allocate(elem, shape), "allocate");
  int64_t n = t.getNumElements();
  if (values.size() != 0 && int64_t(values.size()) != n)
    fail("wrong number of values");
  for (int64_t k = 0; k < n; ++k) {
    double v = values.size() ? values.begin()[k] : 1.0;
    if (isFloatKind(elem))
      t.storeFloat(k, float(v));
    else
      t.storeInt(k, int64_t(v));
  }
  return t;
}

llvm::SmallVector<HostTensor>
copies(std::initializer_list<const HostTensor *> tensors) {
  llvm::SmallVector<HostTensor> out;
  for (const HostTensor *t : tensors)
    out.push_back(check(t->clone(), "clone"));
  return out;
}

double sum(const HostTensor &t) {
  double s = 0;
  for (int64_t k = 0, n = t.getNumElements(); k < n; ++k)
    s += t.loadAsDouble(k);
  return s;
}

/// "ok sum=S" or "RuntimeCheckError: MSG" (or another error, which fails).
std::string outcome(Executable &exe, llvm::ArrayRef<HostTensor> inputs) {
  auto results = exe.call(inputs);
  if (results) {
    std::string s = "ok";
    for (const HostTensor &t : *results)
      s += " sum=" + std::to_string(int64_t(sum(t)));
    return s;
  }
  std::string text;
  llvm::handleAllErrors(
      results.takeError(),
      [&](const RuntimeCheckError &e) {
        text = "RuntimeCheckError: " + e.getCheckMessage();
      },
      [&](const llvm::ErrorInfoBase &e) {
        fail("expected a RuntimeCheckError, got: " + e.message());
      });
  return text;
}

size_t heapInUse() {
#ifdef __GLIBC__
  return mallinfo2().uordblks;
#else
  return 0;
#endif
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: seqmix-runtime-test FILE.mlir\n";
    return 2;
  }
  DialectRegistry registry;
  registerRuntimeDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(argv[1], &context);
  if (!module)
    fail("cannot parse the module");

  CompileOptions compileOptions;
  compileOptions.pipeline = check(parsePipeline("reference"), "pipeline");

  // --- Run-time checks come back as error values. -------------------------
  EntryOptions convOptions;
  convOptions.name = "conv";
  EntryPoint conv = check(findEntry(*module, convOptions), "@conv");
  auto convExe = check(Executable::compile(*module, conv, compileOptions),
                       "compile @conv");
  // The module is not needed any more once compiled.
  HostTensor x = tensor(ElementKind::F32, {1, 8, 4});
  HostTensor w = tensor(ElementKind::F32, {4, 3});
  HostTensor good = tensor(ElementKind::I32, {3}, {0, 4, 8});
  HostTensor badStart = tensor(ElementKind::I32, {3}, {1, 4, 8});
  HostTensor badOrder = tensor(ElementKind::I32, {3}, {0, 9, 8});
  HostTensor badEnd = tensor(ElementKind::I32, {3}, {0, 4, 9});

  llvm::outs() << "good: " << outcome(*convExe, copies({&x, &w, &good}))
               << "\n";
  llvm::outs() << "bad start: "
               << outcome(*convExe, copies({&x, &w, &badStart})) << "\n";
  llvm::outs() << "bad order: "
               << outcome(*convExe, copies({&x, &w, &badOrder})) << "\n";
  llvm::outs() << "bad end: " << outcome(*convExe, copies({&x, &w, &badEnd}))
               << "\n";
  llvm::outs() << "good again: " << outcome(*convExe, copies({&x, &w, &good}))
               << "\n";

  // Many failed calls: the process stays up and nothing the compiled code
  // allocated before a check stopped it is left behind.
  llvm::SmallVector<HostTensor> badInputs;
  badInputs.push_back(check(x.clone(), "clone"));
  badInputs.push_back(check(w.clone(), "clone"));
  badInputs.push_back(check(badEnd.clone(), "clone"));
  (void)outcome(*convExe, badInputs); // Warm up.
  size_t before = heapInUse();
  int failures = 0;
  for (int i = 0; i < 2000; ++i)
    failures += llvm::StringRef(outcome(*convExe, badInputs))
                    .starts_with("RuntimeCheckError");
  size_t after = heapInUse();
  llvm::outs() << "repeated: " << failures << " of 2000 failed\n";
  // Each call's results and state are > 100 bytes: a leak would show.
  if (after > before + 64 * 1024)
    fail("the heap grew by " + llvm::Twine(after - before) +
         " bytes over 2000 failed calls");
  llvm::outs() << "heap: no growth\n";

  // --- Ownership: results alias each other and a donated input. ----------
  EntryOptions donatedOptions;
  donatedOptions.name = "donated";
  EntryPoint donated = check(findEntry(*module, donatedOptions), "@donated");
  llvm::outs() << "donated writable: " << donated.writableArgs[0] << " "
               << donated.writableArgs[1] << "\n";
  auto donatedExe = check(Executable::compile(*module, donated, compileOptions),
                          "compile @donated");
  module = nullptr; // The executables do not need it.
  llvm::SmallVector<HostTensor> stateInputs;
  stateInputs.push_back(tensor(ElementKind::F32, {4}, {1, 2, 3, 4}));
  stateInputs.push_back(tensor(ElementKind::F32, {4}, {10, 20, 30, 40}));
  for (int i = 0; i < 3; ++i) {
    auto results = check(donatedExe->call(stateInputs), "call @donated");
    llvm::outs() << "donated call " << i << ": " << results.size()
                 << " results, sums " << int64_t(sum(results[0])) << " "
                 << int64_t(sum(results[1])) << " " << int64_t(sum(results[2]))
                 << " " << int64_t(sum(results[3])) << "; state input sum "
                 << int64_t(sum(stateInputs[0])) << "\n";
  }

  // Inputs that do not match the signature are an error, not a call.
  llvm::SmallVector<HostTensor> wrong;
  wrong.push_back(tensor(ElementKind::F32, {1, 8, 4}));
  wrong.push_back(tensor(ElementKind::F32, {4, 2}));
  wrong.push_back(tensor(ElementKind::I32, {3}, {0, 4, 8}));
  auto rejected = convExe->call(wrong);
  if (rejected)
    fail("a wrong shape was accepted");
  llvm::outs() << "wrong shape: " << llvm::toString(rejected.takeError())
               << "\n";
  llvm::outs() << "last: " << outcome(*convExe, copies({&x, &w, &good}))
               << "\n";
  llvm::outs() << "done\n";
  return 0;
}
