//===- Pipelines.h - seqmix compilation pipelines ---------------*- C++ -*-===//
//
// Each pipeline is a sequence of typed pass constructors with an options
// struct, registered with PassPipelineRegistration<Options> (as upstream's
// gpu-lower-to-nvvm-pipeline): no pipeline text is parsed at run time.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_PIPELINES_PIPELINES_H
#define SEQMIX_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::seqmix {

/// Options of seqmix-reference-pipeline.
struct ReferencePipelineOptions
    : public PassPipelineOptions<ReferencePipelineOptions> {
  PassOptions::Option<bool> decompose{
      *this, "decompose",
      llvm::cl::desc("Rewrite composite ops (ssd) into primitive ones first"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> readOnlyArguments{
      *this, "read-only-arguments",
      llvm::cl::desc("Never write into a caller's tensors (arguments that "
                     "carry bufferization.writable = true stay writable)"),
      llvm::cl::init(true)};
};

/// seqmix ops on tensors to LLVM through each op's scalar implementation:
/// quant lowering, scan on tensors, one-shot bufferization (in place for
/// donated states), reference loops, then the LLVM lowering.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options = {});

/// buildReferencePipeline up to, not including, its final buildLowerToLLVM:
/// seqmix ops as loops on buffers, every run-time check still a `cf.assert`.
/// A runner adds its own passes here (seqmix's runtime turns failed checks
/// into error values), then buildLowerToLLVM.
void buildReferencePipelineToLoops(
    OpPassManager &pm, const ReferencePipelineOptions &options = {});

/// Options of seqmix-cpu-pipeline.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads the tiling spreads work over (0: the host's "
                     "hardware threads)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("The target CPU as key=value pairs over the detected "
                     "host (see seqmix-select-tile-config)"),
      llvm::cl::init("")};
};

/// The CPU pipeline up to loops on buffers, every run-time check still a
/// `cf.assert` emitted before any tiling: lint, quant lowering, run-time
/// checks, tiling configs (a user's wins), tiling into scf.forall (threads)
/// and scf.for (chunks), bufferization, each tile's vector builder (or its
/// scalar body), the thread loops as scf.parallel (OpenMP threads in
/// buildLowerToLLVM) and inline polynomial transcendentals.
void buildCpuPipelineToLoops(OpPassManager &pm,
                             const CpuPipelineOptions &options = {});

/// The whole CPU pipeline: buildCpuPipelineToLoops, then buildLowerToLLVM.
void buildCpuPipeline(OpPassManager &pm,
                      const CpuPipelineOptions &options = {});

/// One-shot bufferization of a module whose functions take and return
/// identity-layout buffers; shared by every pipeline.
void buildBufferize(OpPassManager &pm);

/// Buffer deallocation and the lowering of buffers, loops and math to LLVM
/// (libm for the transcendentals), once no seqmix op is left: scf.forall
/// runs in order, scf.parallel on OpenMP threads.
void buildLowerToLLVM(OpPassManager &pm);

/// Options of seqmix-gpu-pipeline.
struct GpuPipelineOptions : public PassPipelineOptions<GpuPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The GPU: sm_80 or sm_90"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (the PTX ISA version)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary leaves in each gpu.binary: "
                     "isa (PTX text), bin (a cubin, through ptxas) or "
                     "fatbin"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<int> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level of the device code (0-3)"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit (ptxas, libdevice); default: "
                     "CUDA_HOME, CUDA_ROOT or CUDA_PATH, else the directory "
                     "above the ptxas on PATH"),
      llvm::cl::init("")};
};

/// The GPU pipeline up to kernels on buffers: tiling configs for the chip
/// (a user's wins), seqmix-tile into a grid of blocks whose tiles spread
/// over their threads, bufferization, each tile's scalar body, linalg ops as
/// parallel loops, and every parallel loop nest mapped to a gpu.launch and
/// outlined into a kernel; small buffers of a kernel live on its stack.
void buildGpuPipelineToKernels(OpPassManager &pm,
                               const GpuPipelineOptions &options = {});

/// The whole GPU pipeline: buildGpuPipelineToKernels, then the NVVM
/// lowering of kernels and host code (upstream's passes, as
/// gpu-lower-to-nvvm-pipeline, with the toolkit found), down to a
/// gpu.binary per kernel module (PTX, cubin or fatbin) and LLVM host code
/// that launches them through the mgpu* runtime functions.
void buildGpuPipeline(OpPassManager &pm,
                      const GpuPipelineOptions &options = {});

/// The GPU pipeline's kernels on the CPU, to check them where no GPU is:
/// buildGpuPipelineToKernels up to the mapping to the grid (the same
/// configs, tiles, thread bodies and buffers), then the grid and every
/// block's threads run one after another on the calling thread, last to
/// first (code whose result depends on the order of its threads then
/// differs from the reference), down to LLVM as buildLowerToLLVM.
void buildGpuEmulationPipeline(OpPassManager &pm,
                               const GpuPipelineOptions &options = {});

void registerSeqMixPipelines();

} // namespace mlir::seqmix

#endif // SEQMIX_PIPELINES_PIPELINES_H
