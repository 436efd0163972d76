//===- seqmix-compile.cpp - compile an entry ahead of time ----------------===//
//
//   seqmix-compile model.mlir --entry=NAME --pipeline=cpu -o model.o
//                  --header=model.h
//
// Writes an object file for the host CPU and a C header that declares the
// entry with plain pointers and sizes (lib/Runtime/AheadOfTime.cpp). The
// program that links them needs no JIT and no MLIR at run time.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/Runtime.h"

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace mlir::seqmix::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory category("seqmix-compile options");
static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<module.mlir>"),
                                          cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Entry function (default: @main, else the only public "
                       "func.func)"),
              cl::value_desc("name"), cl::cat(category));
static cl::opt<std::string> pipelineName(
    "pipeline",
    cl::desc("reference, cpu (default) or gpu-emulated (the GPU pipeline's "
             "kernels run on the CPU); gpu is refused"),
    cl::value_desc("reference|cpu|gpu-emulated"), cl::init("cpu"),
    cl::cat(category));
static cl::opt<std::string> outputFilename("o", cl::desc("Object file"),
                                           cl::value_desc("file.o"),
                                           cl::Required, cl::cat(category));
static cl::opt<std::string>
    headerFilename("header", cl::desc("C header declaring the entry"),
                   cl::value_desc("file.h"), cl::cat(category));
static cl::opt<unsigned> compileThreads(
    "compile-threads",
    cl::desc("Threads the CPU pipeline tiles for (default: the host's)"),
    cl::init(0), cl::cat(category));

static int fail(llvm::Error error) {
  llvm::WithColor::error(llvm::errs(), "seqmix-compile")
      << llvm::toString(std::move(error)) << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "seqmix-compile: an entry function as an object file for the host CPU "
      "and a C header\n");

  DialectRegistry registry;
  registerRuntimeDialects(registry);
  MLIRContext context(registry);

  auto pipeline = parsePipeline(pipelineName);
  if (!pipeline)
    return fail(pipeline.takeError());

  std::string openError;
  auto file = openInputFile(inputFilename, &openError);
  if (!file)
    return fail(llvm::createStringError(openError));
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  AsmParserState parserState;
  auto parsed =
      parseSourceModule(sourceMgr, &context, &parserState, inputFilename);
  if (!parsed)
    return fail(parsed.takeError());
  OwningOpRef<ModuleOp> module = std::move(*parsed);

  EntryOptions entryOptions;
  entryOptions.name = entryName;
  entryOptions.sourceName = inputFilename;
  entryOptions.parserState = &parserState;
  auto entry = findEntry(*module, entryOptions);
  if (!entry)
    return fail(entry.takeError());

  CompileOptions options;
  options.pipeline = *pipeline;
  options.threads = compileThreads;
  AheadOfTimeOptions aot;
  aot.objectPath = outputFilename;
  aot.headerPath = headerFilename;
  aot.sourceName = llvm::sys::path::filename(inputFilename).str();
  if (llvm::Error e = compileAheadOfTime(*module, *entry, options, aot))
    return fail(std::move(e));
  return 0;
}
