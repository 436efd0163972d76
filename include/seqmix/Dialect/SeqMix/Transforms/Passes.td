//===- Passes.td - seqmix dialect passes --------------------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMixDecomposePass : Pass<"seqmix-decompose"> {
  let summary = "Rewrite composite seqmix ops into primitive ones";
  let description = [{
    Rewrites `seqmix.ssd` into `seqmix.linear_attention` plus elementwise
    `linalg.generic` ops, exactly as docs/Ops.md defines the composite:

    * `Δ = dt + dt_bias`, softplus (`x` when `x > 20`) if `dt_softplus`,
      clamp to `dt_limit`, then `Δ := 0` where `Δ < delta_threshold`;
    * `g = Δ · A[h]` (scalar gate per step and head), `v = Δ · x`;
    * `linear_attention(q = C, k = B, v, log_decay = g)` with scale 1 and
      `state_layout = vk` (groups become query/key heads);
    * `y = o + D · x`, times `silu(z)` when z is given.

    Every intermediate is f32; the result is cast to the declared type.
    The state destination and `cu_seqlens` pass through unchanged.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixLowerQuantPass : Pass<"seqmix-lower-quant", "::mlir::ModuleOp"> {
  let summary = "Lower quant dialect casts and quantized function boundaries";
  let description = [{
    Makes quantized tensors plain int8 for code generation:

    * `quant.qcast` (f32 -> per-tensor `!quant.uniform<i8:f32, s>`) becomes
      `clamp(round_half_even(x / s), -128, 127)` in a `linalg.generic`.
      Upstream `lower-quant-ops` truncates toward zero and does not clamp;
      this pass does both, as docs/Ops.md requires.
    * `quant.dcast` becomes `s * q`.
    * seqmix ops compute in f32: quantized operands are dequantized first,
      and a quantized destination (hadamard's) becomes an f32 one whose
      result is quantized.
    * Function arguments and results of quantized tensor type take their
      i8 storage type (a caller passes and receives int8 data), at
      definitions, `func.call` sites and returns alike (a type converter
      with the func conversion patterns), with `quant.scast` at the
      boundary; `quant.scast` pairs that cancel are removed.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixLintPass : Pass<"seqmix-lint"> {
  let summary = "Check constant offsets that the verifiers leave alone";
  let description = [{
    Verifiers read types and attributes only, so that folding constants can
    never make valid IR invalid halfway through a pipeline. This pass checks
    the values known at compile time with the rules the run-time checks
    apply: a constant `cu_seqlens` or segment `offsets` must start at 0,
    never decrease and end at T (or R, the packed rows). The reference
    pipeline runs it first.
  }];
}

def SeqMixTilePass : Pass<"seqmix-tile"> {
  let summary = "Tile every seqmix op by its `seqmix.tile` config";
  let description = [{
    Applies each op's tiling config (`#seqmix.cpu_tiling`,
    `#seqmix.gpu_tiling`) with upstream `scf::tileUsingSCF`: the parallel
    level (`threads` / `blocks`) becomes an `scf.forall`, then the serial
    level (`cache` / `serial`) an `scf.for` inside it. On the time loop of
    a recurrence the serial tiles are chunks that carry the state. The tiled
    op keeps the levels still to come (`vector`, `chunk`); ops without a
    config are left alone, since sizes come from the config only.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixSelectTileConfigPass : Pass<"seqmix-select-tile-config"> {
  let summary = "Choose a tiling config for every op that lacks one";
  let description = [{
    Gives every seqmix op without a `seqmix.tile` a `#seqmix.cpu_tiling`
    from its loop structure and the target: its widest parallel loop that
    may be tiled (heads, value columns, channels, tokens), split into one
    tile per thread, and for the families with a vector tile builder
    (selective_scan, causal_conv1d) a register tile of the target's vector
    width on the loop the builder vectorizes. A config the user wrote wins.

    The target is the host (vector width from LLVM's host CPU features,
    caches from sysfs, cores from the OS) unless `cpu` overrides parts of
    it, e.g. `cpu="vector-bits=256,cores=8"`.

    With `target=gpu`, ops get a `#seqmix.gpu_tiling` for the GPU `chip`
    instead: a grid of one block per point of their parallel loops, except
    on the thread loop (the loop the CPU builders vectorize, else the
    innermost parallel one), where a block takes up to 128 points, one per
    thread; time and reduction loops stay whole, walked by each thread.
    linalg ops get none (the GPU pipeline maps their parallel loops).
  }];
  // The configs are seqmix attributes, also on modules with only matmuls.
  let dependentDialects = ["::mlir::seqmix::SeqMixDialect"];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "The kind of target (cpu or gpu)">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "With target=gpu: the GPU (sm_80 or sm_90)">,
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "Threads to spread over (0: the target's cores)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "The CPU, as comma-separated key=value over the detected host: "
           "vector-bits (128|256|512), cores, l1, l2, l3 (bytes, K/M "
           "suffix), peak-gflops, dram-gbs, exp-gps (per core)">,
  ];
}

def SeqMixApproximateMathPass : Pass<"seqmix-approximate-math"> {
  let summary = "Inline polynomial exp, log, log1p, expm1 and tanh";
  let description = [{
    Replaces `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh` and `erf`
    on f32 scalars and vectors (f16/bf16 through f32) with upstream's
    polynomial approximations: inline arithmetic that vectorizes, instead of
    a libm call per element. softplus, silu and sigmoid are built from exp
    and log1p, so they follow. The CPU pipeline runs it; the reference
    pipeline keeps libm. The error against libm over the f32 range is
    stated in docs/Transcendentals.md.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SeqMixInsertRuntimeChecksPass : Pass<"seqmix-insert-runtime-checks"> {
  let summary = "Emit every op's run-time checks before it is tiled";
  let description = [{
    Emits the run-time checks of each seqmix op (sizes its operands share,
    packed sequences, segment offsets, windows that fit) right before the
    whole op, and marks it `seqmix.checked`, so that tiling and threads come
    after them and the loop lowering does not repeat them per tile. A check
    that fails on a worker thread could not be returned as an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixSplitVarlenPass : Pass<"seqmix-split-varlen"> {
  let summary = "Rewrite packed sequences into a loop over sequences";
  let description = [{
    An op with `cu_seqlens` packs N sequences into a batch of 1; the state
    row of each token is its sequence, so no tile may cut its batch or time
    loop. This pass rewrites every such op on tensors (`linear_attention`,
    `selective_scan`, `ssd`, `causal_conv1d`, `scan`) into an `scf.forall`
    over the sequences whose body is the same op without `cu_seqlens`, on
    sequence n's tokens `cu_seqlens[n]..cu_seqlens[n+1]` (a dynamic slice of
    the time axis) and its state row. The inner op is a plain op that every
    tiling applies to; empty sequences keep their state. Sequences write
    disjoint slices, so the loop is parallel.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixBlockScanPass : Pass<"seqmix-block-scan"> {
  let summary = "Run a seqmix.scan as independent scans over channel blocks";
  let description = [{
    A `seqmix.scan` whose body treats one dimension of its states as a
    parallel loop (every op touching tensors is a linalg op whose loop over
    that dimension is parallel, an elementwise op, or a static
    `tensor.empty`) is independent along it. This pass rewrites such a scan
    into an `scf.forall` over blocks of that dimension whose body is the
    same scan on the blocks' slices of the states, the per-step inputs and
    outputs and the tensors the body captures, with the body retyped to
    the block. The block is the largest divisor of the dimension whose
    states fit 16 KiB (a part of L1) while leaving a block per thread.
    Scans with `cu_seqlens` (split them first), dynamic state shapes or a
    body that mixes the dimension (a reduction over it, a slice, a
    `tensor.dim`) are left as they are.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"0",
           "the threads the blocks are spread over, at least a block each "
           "(0: the host's hardware threads)">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqMixReadOnlyArgumentsPass
    : Pass<"seqmix-read-only-arguments", "::mlir::ModuleOp"> {
  let summary = "Keep compiled code from writing into its callers' tensors";
  let description = [{
    Marks every tensor argument of every function with
    `bufferization.writable = false`. One-Shot Bufferize then copies instead
    of updating an argument's buffer in place (it would otherwise write, for
    example, an elementwise result into the buffer of its first operand),
    so the caller's inputs survive a call. Arguments that already carry the
    attribute keep it: a decode step can still opt into in-place updates.
  }];
}

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
