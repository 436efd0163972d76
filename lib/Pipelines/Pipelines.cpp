//===- Pipelines.cpp - seqmix compilation pipelines -----------------------===//

#include "seqmix/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

/// Bufferization and the lowering to LLVM shared by every CPU pipeline once
/// the seqmix ops are gone. libm provides the transcendentals of the
/// reference path, so its results do not depend on approximations.
static constexpr llvm::StringLiteral kToLLVM =
    "func.func(convert-elementwise-to-linalg),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "allow-return-allocs-from-loops},"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "convert-linalg-to-loops,expand-strided-metadata,lower-affine,"
    "convert-scf-to-cf,convert-math-to-libm,convert-to-llvm,"
    "reconcile-unrealized-casts";

static void parseInto(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("seqmix: malformed built-in pass pipeline");
}

void mlir::seqmix::buildReferencePipeline(OpPassManager &pm) {
  parseInto(pm, "func.func(convert-seqmix-to-loops),seqmix-lower-quant,"
                "seqmix-read-only-arguments,canonicalize,cse");
  parseInto(pm, kToLLVM);
}

void mlir::seqmix::registerSeqMixPipelines() {
  PassPipelineRegistration<>(
      "seqmix-reference-pipeline",
      "Naive reference lowering of seqmix ops (plain loops) down to LLVM",
      [](OpPassManager &pm) { buildReferencePipeline(pm); });
}
