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

void registerSeqMixPipelines();

} // namespace mlir::seqmix

#endif // SEQMIX_PIPELINES_PIPELINES_H
