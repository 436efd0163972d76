//===- Pipelines.cpp - seqmix compilation pipelines -----------------------===//

#include "seqmix/Pipelines/Pipelines.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

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

/// Buffer deallocation makes a public function return buffers it owns, so
/// it clones an argument the function returns: for a decode step that is a
/// copy of its whole donated state (megabytes) after updating it in place.
/// Every caller of compiled code (the runtime, the C API, the
/// ahead-of-time wrapper) already takes results that alias an argument and
/// never frees an argument, so the argument itself is returned.
struct ReturnArgumentsUnclonedPass
    : PassWrapper<ReturnArgumentsUnclonedPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReturnArgumentsUnclonedPass)
  StringRef getArgument() const override {
    return "seqmix-return-arguments-uncloned";
  }
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      Block *entry = &ret->getParentOfType<func::FuncOp>().getBody().front();
      for (OpOperand &operand : ret->getOpOperands()) {
        auto clone = operand.get().getDefiningOp<bufferization::CloneOp>();
        auto arg = clone ? dyn_cast<BlockArgument>(clone.getInput()) : nullptr;
        if (!arg || arg.getOwner() != entry || !clone->hasOneUse())
          continue;
        operand.set(arg);
        clone->erase();
      }
    });
  }
};

/// Buffer deallocation for both pipelines: frees, the returned arguments
/// left uncloned, then the clones and deallocs as memref ops.
static void addBufferDeallocation(OpPassManager &pm) {
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(std::make_unique<ReturnArgumentsUnclonedPass>());
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// The bytes of a static buffer of integers or floats, else none.
static std::optional<int64_t> staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  return type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
}

/// `target` = `source`, element by element, as the thread's own loop nest.
static void emitCopyLoops(OpBuilder &b, Location loc, Value source,
                          Value target) {
  auto type = cast<MemRefType>(source.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(type.getRank(), zero), steps(type.getRank(), one), ubs;
  for (int64_t d = 0; d < type.getRank(); ++d)
    ubs.push_back(memref::DimOp::create(b, loc, source, d));
  scf::buildLoopNest(b, loc, lbs, ubs, steps,
                     [&](OpBuilder &nb, Location l, ValueRange ivs) {
                       Value v = memref::LoadOp::create(nb, l, source, ivs);
                       memref::StoreOp::create(nb, l, v, target, ivs);
                     });
}

/// Whether a copy writes every element onto itself: views of one buffer at
/// the same offsets and strides (bufferization leaves such copies where a
/// tile was computed in place and CSE could not prove the views' sizes
/// equal).
static bool copiesOntoItself(memref::CopyOp copy) {
  if (copy.getSource() == copy.getTarget())
    return true;
  auto from = copy.getSource().getDefiningOp<memref::SubViewOp>();
  auto to = copy.getTarget().getDefiningOp<memref::SubViewOp>();
  return from && to && from.getSource() == to.getSource() &&
         isEqualConstantIntOrValueArray(from.getMixedOffsets(),
                                        to.getMixedOffsets()) &&
         isEqualConstantIntOrValueArray(from.getMixedStrides(),
                                        to.getMixedStrides());
}

/// A thread's small tile of a buffer, which its loops load or store at
/// every step (a recurrence's state column, a scan's state row, a row of A),
/// lives in the thread's local memory (registers, once the loops are
/// unrolled) for the whole body: copied in once (elements the body does not
/// write keep their value), out once where it is written, instead of a
/// global load and store per step. The
/// tiles a thread writes are its own (one tile per thread of a
/// destination), so the copies race with no other thread.
static void promoteThreadTiles(Operation *root, RewriterBase &rewriter) {
  constexpr int64_t kMaxTileBytes = 1024;
  SmallVector<memref::SubViewOp> tiles;
  root->walk([&](memref::SubViewOp view) {
    auto threads = dyn_cast<scf::ParallelOp>(view->getParentOp());
    std::optional<int64_t> bytes = staticBytes(view.getType());
    if (!threads || !threads->getParentOfType<scf::ParallelOp>() || !bytes ||
        *bytes > kMaxTileBytes)
      return;
    bool inLoop = false;
    for (Operation *user : view->getUsers()) {
      if (!isa<memref::LoadOp, memref::StoreOp>(user))
        return;
      inLoop |= user->getParentOp() != threads.getOperation();
    }
    if (inLoop)
      tiles.push_back(view);
  });
  for (memref::SubViewOp view : tiles) {
    Location loc = view.getLoc();
    auto threads = cast<scf::ParallelOp>(view->getParentOp());
    SmallVector<Operation *> users(view->getUsers());
    bool written = llvm::any_of(
        users, [](Operation *user) { return isa<memref::StoreOp>(user); });
    rewriter.setInsertionPointAfter(view);
    MemRefType type = view.getType();
    Value local = memref::AllocaOp::create(
        rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()));
    emitCopyLoops(rewriter, loc, view, local);
    for (Operation *user : users)
      rewriter.modifyOpInPlace(
          user, [&] { user->replaceUsesOfWith(view.getResult(), local); });
    if (written) {
      rewriter.setInsertionPoint(threads.getBody()->getTerminator());
      emitCopyLoops(rewriter, loc, local, view);
    }
  }
}

/// Readies the bodies of parallel loops (future GPU kernels) for device
/// code: small buffers of static size become stack buffers (a thread's
/// local memory, not a device malloc), memref.copy, which would lower to a
/// host library call, becomes the thread's own loop nest, checks of values
/// read (cf.assert) go, and a thread's small tiles that its loops walk live
/// in its local memory (promoteThreadTiles).
/// Runs before buffer deallocation, which then leaves the stack alone.
struct PrepareParallelLoopsForDevicePass
    : PassWrapper<PrepareParallelLoopsForDevicePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(
      PrepareParallelLoopsForDevicePass)
  StringRef getArgument() const override {
    return "seqmix-prepare-parallel-loops-for-device";
  }
  static constexpr int64_t kMaxBytes = 16 << 10;
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp op) {
      std::optional<int64_t> bytes = staticBytes(op.getType());
      if (op->getParentOfType<scf::ParallelOp>() && bytes &&
          *bytes <= kMaxBytes)
        allocs.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocOp op : allocs) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(
          op, op.getType(), op.getDynamicSizes(), op.getSymbolOperands(),
          op.getAlignmentAttr());
    }
    // A scalar body's checks of values it reads (cu_seqlens) would keep
    // its loop from becoming a kernel; the GPU path has no run-time checks.
    SmallVector<cf::AssertOp> asserts;
    getOperation().walk([&](cf::AssertOp op) {
      if (op->getParentOfType<scf::ParallelOp>())
        asserts.push_back(op);
    });
    for (cf::AssertOp op : asserts)
      rewriter.eraseOp(op);
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) {
      if (op->getParentOfType<scf::ParallelOp>())
        copies.push_back(op);
    });
    for (memref::CopyOp op : copies) {
      if (copiesOntoItself(op)) {
        rewriter.eraseOp(op);
        continue;
      }
      rewriter.setInsertionPoint(op);
      emitCopyLoops(rewriter, op.getLoc(), op.getSource(), op.getTarget());
      rewriter.eraseOp(op);
    }
    promoteThreadTiles(getOperation(), rewriter);
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

/// Loops, buffers and math of host code to LLVM (libm for the
/// transcendentals): the end of the CPU pipelines and of the GPU emulation.
static void addHostLoopsToLLVM(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::seqmix::buildLowerToLLVM(OpPassManager &pm) {
  // Tiled IR keeps its scf.forall loops up to here; the reference path runs
  // them in order.
  pm.addPass(createForallToForLoopPass());
  addBufferDeallocation(pm);
  // After deallocation, which must not place its ops inside OpenMP loops;
  // the alloca scopes it wraps loop bodies in go when they hold no alloca
  // (the control-flow lowering needs single-block scopes).
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(std::make_unique<InlineAllocaScopesPass>());
  addHostLoopsToLLVM(pm);
}

/// Tiling configs (a user's wins), the tile loops, seqmix.scan as loops
/// (its body is on tensors), read-only arguments, then one-shot
/// bufferization: what the CPU and GPU pipelines share.
static void addTilingAndBufferization(
    OpPassManager &pm,
    const seqmix::SeqMixSelectTileConfigPassOptions &select) {
  pm.addPass(seqmix::createSeqMixSelectTileConfigPass(select));
  pm.addPass(seqmix::createSeqMixTilePass());
  pm.addNestedPass<func::FuncOp>(seqmix::createConvertSeqMixToLoopsPass());
  pm.addPass(seqmix::createSeqMixReadOnlyArgumentsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  seqmix::buildBufferize(pm);
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
  addTilingAndBufferization(pm, select);
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

namespace {
/// The grid and each block's threads (scf.parallel) as an emulation on the
/// host: every loop runs from its last iteration to its first, the order
/// least like a GPU's, so that code whose result depends on the order of
/// its threads differs from the reference; and every thread's stack
/// buffers are the same ones, at the function's start (one thread runs at
/// a time, and a stack buffer per iteration would overflow the stack).
/// Warp-level code (gpu.warp_execute_on_lane_0) is lane 0's.
struct EmulateGridOnHostPass
    : PassWrapper<EmulateGridOnHostPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmulateGridOnHostPass)
  StringRef getArgument() const override {
    return "seqmix-emulate-grid-on-host";
  }
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Warp-level code is what lane 0 runs.
    SmallVector<gpu::WarpExecuteOnLane0Op> warps;
    getOperation().walk(
        [&](gpu::WarpExecuteOnLane0Op w) { warps.push_back(w); });
    for (gpu::WarpExecuteOnLane0Op warp : warps) {
      rewriter.setInsertionPoint(warp);
      Location loc = warp.getLoc();
      Value first = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::eq, warp.getLaneid(),
          arith::ConstantIndexOp::create(rewriter, loc, 0));
      auto lane0 = scf::IfOp::create(rewriter, loc, first);
      Block &body = warp.getWarpRegion().front();
      rewriter.eraseOp(body.getTerminator());
      rewriter.inlineBlockBefore(&body,
                                 lane0.getThenRegion().front().getTerminator());
      rewriter.eraseOp(warp);
    }
    getOperation().walk([&](scf::ParallelOp loop) {
      rewriter.setInsertionPointToStart(loop.getBody());
      Location loc = loop.getLoc();
      for (auto [iv, lb, ub, step] :
           llvm::zip_equal(loop.getInductionVars(), loop.getLowerBound(),
                           loop.getUpperBound(), loop.getStep())) {
        // lb + last - (iv - lb), last = (ub - lb - 1) / step * step.
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        Value span = arith::SubIOp::create(
            rewriter, loc, arith::SubIOp::create(rewriter, loc, ub, lb), one);
        Value last = arith::MulIOp::create(
            rewriter, loc, arith::DivUIOp::create(rewriter, loc, span, step),
            step);
        Value from = arith::SubIOp::create(rewriter, loc, iv, lb);
        Value reversed = arith::SubIOp::create(
            rewriter, loc, arith::AddIOp::create(rewriter, loc, lb, last),
            from);
        rewriter.replaceAllUsesExcept(iv, reversed, from.getDefiningOp());
      }
    });
    getOperation().walk([&](memref::AllocaOp alloca) {
      auto fn = alloca->getParentOfType<func::FuncOp>();
      if (fn && alloca->getParentOfType<scf::ParallelOp>() &&
          alloca->getNumOperands() == 0)
        alloca->moveBefore(&fn.getBody().front().front());
    });
  }
};

/// A kernel's workgroup (shared) buffers aligned to 16 bytes: the lanes of
/// a warp matrix product load bf16/f16 pairs as 32-bit words, which the
/// element type's own alignment (2 bytes) would split into halves.
struct AlignWorkgroupBuffersPass
    : PassWrapper<AlignWorkgroupBuffersPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(AlignWorkgroupBuffersPass)
  StringRef getArgument() const override {
    return "seqmix-align-workgroup-buffers";
  }
  void runOnOperation() override {
    StringRef align = LLVM::LLVMDialect::getAlignAttrName();
    getOperation().walk([&](gpu::GPUFuncOp fn) {
      for (unsigned i = 0, e = fn.getNumWorkgroupAttributions(); i < e; ++i)
        if (!fn.getWorkgroupAttributionAttr(i, align))
          fn.setWorkgroupAttributionAttr(
              i, align,
              IntegerAttr::get(IntegerType::get(&getContext(), 64), 16));
    });
  }
};
} // namespace

/// The GPU pipeline up to parallel loops on buffers (a grid of blocks
/// around each block's threads): what the kernels and their emulation on
/// the CPU share.
static void
buildGpuPipelineToParallelLoops(OpPassManager &pm,
                                const seqmix::GpuPipelineOptions &options) {
  using namespace mlir::seqmix;
  pm.addPass(createSeqMixLintPass());
  pm.addPass(createSeqMixLowerQuantPass());
  // No run-time checks: the host cannot read device buffers before a
  // launch. Packed sequences stay one op: its tiles leave the time loop
  // whole.
  SeqMixSelectTileConfigPassOptions select;
  select.target = "gpu";
  select.chip = options.chip;
  addTilingAndBufferization(pm, select);
  // The copies bufferization leaves where a tile was computed in place are
  // copies of a view onto itself once equal views are merged; they must go
  // (every thread would copy its whole block's tile).
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Tiles a block builder covers become block-cooperative code (shared
  // memory, phases over the block's threads); the rest each thread's loops.
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToGpuBlocksPass());
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixToLoopsPass());
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createCanonicalizerPass());
  // Before deallocation, which knows no gpu.launch: a thread's small
  // buffers go on its stack, the host's are freed as on the CPU.
  pm.addPass(std::make_unique<PrepareParallelLoopsForDevicePass>());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  addBufferDeallocation(pm);
}

void mlir::seqmix::buildGpuPipelineToKernels(
    OpPassManager &pm, const GpuPipelineOptions &options) {
  buildGpuPipelineToParallelLoops(pm, options);
  // Block-cooperative code to launches of its own (barriers and shared
  // memory, after deallocation, which knows neither); then the other
  // parallel loops: outer loops to the grid, the next level to a block's
  // threads.
  pm.addNestedPass<func::FuncOp>(createConvertSeqMixBlocksToGpuPass());
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(std::make_unique<AlignWorkgroupBuffersPass>());
}

/// The CUDA toolkit gpu-module-to-binary uses (ptxas, libdevice): the
/// option, else CUDA_HOME / CUDA_ROOT / CUDA_PATH, else the directory above
/// the ptxas on PATH; empty when none is found (upstream then searches).
static std::string findCudaToolkit(StringRef option) {
  if (!option.empty())
    return option.str();
  for (const char *var : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"})
    if (const char *dir = std::getenv(var); dir && *dir)
      return dir;
  if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
    return llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
        .str();
  return "";
}

void mlir::seqmix::buildGpuPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options) {
  buildGpuPipelineToKernels(pm, options);
  // Upstream's NVVM lowering (as gpu-lower-to-nvvm-pipeline), with the
  // toolkit named: kernels call libdevice for transcendentals.
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = findCudaToolkit(options.toolkit);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::seqmix::buildGpuEmulationPipeline(
    OpPassManager &pm, const GpuPipelineOptions &options) {
  buildGpuPipelineToParallelLoops(pm, options);
  // The grid and each block's threads as loops on the calling thread, last
  // to first; the rest as buildLowerToLLVM, without OpenMP.
  pm.addPass(std::make_unique<EmulateGridOnHostPass>());
  // The warp-level matrix products (2-D tiles, vector.contract).
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  addHostLoopsToLLVM(pm);
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
  PassPipelineRegistration<GpuPipelineOptions>(
      "seqmix-gpu-pipeline",
      "The GPU pipeline: seqmix ops tiled into a grid of thread blocks, "
      "NVVM kernels in a gpu.binary (PTX, cubin or fatbin) and LLVM host "
      "code that launches them",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        buildGpuPipeline(pm, options);
      });
  PassPipelineRegistration<GpuPipelineOptions>(
      "seqmix-gpu-emulation-pipeline",
      "The GPU pipeline's kernels run on the CPU: the same tiles, blocks and "
      "threads as seqmix-gpu-pipeline for the chip, each block and thread "
      "in turn (last to first) on the calling thread, down to LLVM",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        buildGpuEmulationPipeline(pm, options);
      });
}
