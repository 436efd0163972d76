//===- Passes.td - seqmix conversion passes -----------------*- tablegen -*-===//

#ifndef SEQMIX_CONVERSION_PASSES_TD
#define SEQMIX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSeqMixToLoopsPass : Pass<"convert-seqmix-to-loops"> {
  let summary = "Reference lowering of seqmix ops to scf loops";
  let description = [{
    Lowers every buffer-form seqmix op to plain `scf.for` loops over its
    iteration domain (upstream `scf::lowerToLoopsUsingSCFForOp`), whose body
    is the op's scalar implementation (`TilingInterface`'s
    `generateScalarImplementation`): f32 arithmetic straight from the
    formulas, no tiling, no vectorization. This is the in-compiler oracle
    that every optimized lowering is checked against and the baseline of
    the benchmarks.

    Before the loops, `cf.assert` checks what the verifier cannot: sizes
    that operands share when they are dynamic, `cu_seqlens` and segment
    offsets (start at 0, never decrease, end at T or R), and one state row
    per packed sequence; routing indices are checked where they are read.
    A bad input stops with a message instead of reading out of bounds.

    `seqmix.scan`, whose body is tensor IR, is lowered on tensors to an
    `scf.for` over sequences and one over time whose body is the region;
    run the pass before bufferization for it, and after for the others.
    Ops in the other form are left unchanged. The patterns of each op family
    are available on their own (`populate*ToLoopsPatterns`).
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertSeqMixToVectorPass : Pass<"convert-seqmix-to-vector"> {
  let summary = "Tiles of seqmix ops to vector code, one builder per family";
  let description = [{
    Rewrites every buffer-form seqmix op whose `seqmix.tile` config has a
    vector level into the code of its family's tile builder, on f32 vectors
    of the configured width:

    - `selective_scan`: the state-stationary scan. A block of channels
      times all N states lives in vector registers and time is the
      innermost loop; the Δ pipeline, the D skip and silu(z) are fused.
    - `causal_conv1d`: one streaming pass over the rows in memory order,
      vectorized over channels; bias and silu fused.
    - `hadamard`: fast Walsh-Hadamard butterflies, then the m x m factor;
      the vector width is the vector size of its last row loop.
    - `linalg.matmul` (f32, row-major) with a CPU tiling config: an
      MR x NR register tile (`vector = [MR, NR, 0]`), K blocks (`cache`)
      and row blocks on threads (`threads`).

    The vector level of the scan and the conv is the channel loop `d`,
    e.g. `#seqmix.cpu_tiling<vector = [0, 16, 0]>`. Run-time checks are emitted
    first unless the op is marked `seqmix.checked`. Channels left over when
    the width does not divide D take the op's scalar body. Ops without a
    vector level, or whose tile a builder does not cover (packed sequences,
    a dynamic state size), are left for `convert-seqmix-to-loops`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertSeqMixToGpuBlocksPass : Pass<"convert-seqmix-to-gpu-blocks"> {
  let summary = "Tiles of seqmix ops to block-cooperative GPU code";
  let description = [{
    Rewrites every buffer-form seqmix op whose `#seqmix.gpu_tiling` a GPU
    tile builder covers into the code of one thread block: buffers the
    block allocates outside its thread loops are its shared memory, and
    each thread loop (an `scf.parallel` over the block's threads, marked
    `seqmix.block_threads`) is a phase that all the block's threads run,
    phases separated by barriers. The block's code is one
    `scf.execute_region no_inline` marked `seqmix.block_threads`. A phase
    may hold warp-level code: a `gpu.warp_execute_on_lane_0` region
    (lane 0 of each warp) whose matrix products are 16x16 by 8x16
    `vector.contract` steps on bf16/f16 tiles of shared buffers, which
    `convert-seqmix-blocks-to-gpu` gives to all the warp's lanes as
    tensor-core instructions.

    - `linear_attention` (both rules, the delta rule in its UT form;
      every gate, GQA, both state layouts, `qk_norm`) and `ssd` (Δ, D and
      z fused) with a `chunk`: the
      chunked form, the chunk's q, k, gates, values and scores and the
      state tile in shared memory. The chunk is halved until the tiles fit
      48 KiB, the static shared memory of a block on every chip. With
      bf16 or f16 q, k and v (the additive rule, key size a multiple of
      16, value tile of 8, chunk of 16) the chunk's products are warp
      products: q k^T (unless
      the gate is a vector: its decay is inside the sum), the masked and
      decayed scores times v, q times the state and the decayed keys^T
      times v, their operands rounded to the inputs' type, sums in f32.
    - `sliding_window_attention` and `neighborhood_attention` (static head
      dims): flash-style, a block per (batch, block of queries, head) and a
      thread per query; the box of keys any query of the block sees, in
      tiles of up to 64 k and v rows staged in shared memory, folded into
      each thread's own accumulators by online softmax. With bf16 or f16
      q, k and v (D a multiple of 16, Dv of 8, tiles that fit) q k^T and
      P v of each key tile are warp products, the block's q rows, the
      tile's scores and probabilities and the accumulators in shared
      memory, each thread taking the online-softmax step of its row.

    On the host the form runs as written (the GPU emulation pipeline runs
    each thread loop to its end before the next);
    `convert-seqmix-blocks-to-gpu` makes it a kernel. Ops a builder does
    not cover (packed sequences, the scans, routing) are
    left for `convert-seqmix-to-loops`.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertSeqMixBlocksToGpuPass : Pass<"convert-seqmix-blocks-to-gpu"> {
  let summary = "Block-cooperative code to gpu.launch with shared memory";
  let description = [{
    Makes each block region of `convert-seqmix-to-gpu-blocks` a
    `gpu.launch`: the outermost `scf.parallel` around it is the grid (a
    grid of one block where there is none), with as many threads per block
    as `seqmix.block_threads` says. Buffers the region allocates outside
    its thread loops become workgroup attributions (shared memory), except
    those marked `seqmix.thread_private` (`[threads, ...]`, every access at
    the thread's own index), which become each thread's own `[...]`; each
    thread loop becomes the thread's own points of it followed by
    `gpu.barrier`. Warp-level matrix products (in
    `gpu.warp_execute_on_lane_0`) become each lane's share: its fragments
    of the tiles, `nvvm.mma.sync` m16n8k16 (bf16 or f16, f32
    accumulation), its fragment of the result stored; other warp-level
    vector code (rows with a `vector.reduction`) goes through upstream's
    vector distribution, a reduction becoming butterfly shuffles. Code in
    such a region that does not distribute is an error. Run it after buffer deallocation, which knows no
    barriers, and before `convert-parallel-loops-to-gpu`, which allows side
    effects in the innermost loop only. A region whose block-level code
    writes memory, or a grid loop that computes more than views and indices
    around it, is an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // SEQMIX_CONVERSION_PASSES_TD
