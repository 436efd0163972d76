//===- Pipelines.cpp - seqmix compilation pipelines -----------------------===//

#include "seqmix/Pipelines/Pipelines.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// convert-scf-to-openmp wraps each thread loop's body in a
/// memref.alloca_scope, which must stay one block, but the loops in it are
/// lowered to blocks next. The scratch the bodies allocate is already
/// hoisted out of every loop (once per thread tile), so the scope can go.
struct InlineAllocaScopesPass
    : PassWrapper<InlineAllocaScopesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InlineAllocaScopesPass)
  StringRef getArgument() const override {
    return "seqmix-inline-alloca-scopes";
  }
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk(
        [&](memref::AllocaScopeOp op) { scopes.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp op : llvm::reverse(scopes)) {
      Block &body = op.getBodyRegion().front();
      Operation *ret = body.getTerminator();
      SmallVector<Value> results(ret->getOperands());
      rewriter.eraseOp(ret);
      rewriter.inlineBlockBefore(&body, op);
      rewriter.replaceOp(op, results);
    }
  }
};
} // namespace

void mlir::seqmix::buildBufferize(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}

void mlir::seqmix::buildLowerToLLVM(OpPassManager &pm) {
  // Tiled IR keeps its scf.forall loops up to here; the reference path runs
  // them in order.
  pm.addPass(createForallToForLoopPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // After deallocation, which must not place its ops inside OpenMP loops;
  // the alloca scopes it wraps loop bodies in go when they hold no alloca
  // (the control-flow lowering needs single-block scopes).
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(std::make_unique<InlineAllocaScopesPass>());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::seqmix::buildReferencePipeline(
    OpPassManager &pm, const ReferencePipelineOptions &options) {
  buildReferencePipelineToLoops(pm, options);
  buildLowerToLLVM(pm);
}

void mlir::seqmix::buildReferencePipelineToLoops(
    OpPassManager &pm, const ReferencePipelineOptions &options) {
  pm.addPass(createSeqMixLintPass());
  if (options.decompose)
    pm.addPass(createSeqMixDecomposePass());
  pm.addPass(createSeqMixLowerQuantPass());
  // seqmix.scan has a tensor body: it becomes loops before bufferization.
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToLoopsPass());
  if (options.readOnlyArguments)
    pm.addPass(createSeqMixReadOnlyArgumentsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildBufferize(pm);
  // Every other op, on buffers, through its scalar implementation.
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToLoopsPass());
}

void mlir::seqmix::buildCpuPipelineToLoops(OpPassManager &pm,
                                           const CpuPipelineOptions &options) {
  pm.addPass(createSeqMixLintPass());
  pm.addPass(createSeqMixLowerQuantPass());
  // Checks first, on whole ops: a check inside a thread's tile could not
  // hand its failure back.
  pm.addPass(createSeqMixInsertRuntimeChecksPass());
  // Packed sequences become a loop over sequences (threads), each an op
  // without offsets that the tile builders cover.
  pm.addPass(createSeqMixSplitVarlenPass());
  // A scan independent along a state dimension: blocks of it on threads.
  SeqMixBlockScanPassOptions blocks;
  blocks.threads = options.threads;
  pm.addPass(createSeqMixBlockScanPass(blocks));
  SeqMixSelectTileConfigPassOptions select;
  select.threads = options.threads;
  select.cpu = options.cpu;
  pm.addPass(createSeqMixSelectTileConfigPass(select));
  pm.addPass(createSeqMixTilePass());
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToLoopsPass());
  pm.addPass(createSeqMixReadOnlyArgumentsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildBufferize(pm);
  // Tiles with a vector level go through their family's builder; the rest
  // (and what a builder does not cover) through the scalar body.
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToVectorPass());
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToLoopsPass());
  // Thread tiles become scf.parallel, which buildLowerToLLVM turns into
  // OpenMP threads (libomp; OMP_NUM_THREADS applies).
  pm.addPass(createForallToParallelLoopPass());
  pm.addNestedPass<func::FuncOp>(createSeqMixApproximateMathPass());
  // What the approximations leave (floor, fma, ...) maps to LLVM intrinsics
  // that stay vectors; the libm lowering would unroll them into calls.
  pm.addNestedPass<func::FuncOp>(createConvertMathToLLVMPass());
}

void mlir::seqmix::buildCpuPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  buildCpuPipelineToLoops(pm, options);
  buildLowerToLLVM(pm);
}

void mlir::seqmix::registerSeqMixPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "seqmix-cpu-pipeline",
      "The CPU pipeline: seqmix ops tiled by their configs (threads, chunks) "
      "down to LLVM with OpenMP threads",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildCpuPipeline(pm, options);
      });
  PassPipelineRegistration<ReferencePipelineOptions>(
      "seqmix-reference-pipeline",
      "Reference lowering of seqmix ops (each op's scalar implementation in "
      "plain loops) down to LLVM",
      [](OpPassManager &pm, const ReferencePipelineOptions &options) {
        buildReferencePipeline(pm, options);
      });
}
