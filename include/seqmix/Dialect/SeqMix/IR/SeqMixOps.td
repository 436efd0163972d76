//===- SeqMixOps.td - seqmix operations ---------------------*- tablegen -*-===//
//
// Operand types are kept loose in ODS (ranked tensors) so that the C++
// verifiers can name each operand and its expected shape in one message.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.td"

// A float attribute of any float type: the verifier asks for f32 by name,
// with the value to write, rather than failing an ODS constraint.
def SeqMix_FloatAttr : Attr<CPred<"::llvm::isa<::mlir::FloatAttr>($_self)">,
                            "float attribute"> {
  let storageType = "::mlir::FloatAttr";
  let returnType = "::llvm::APFloat";
  let convertFromStorage = "$_self.getValue()";
  let constBuilderCall = "$_builder.getF32FloatAttr(($0).convertToFloat())";
}

// The scale of the ops that take one: required by the verifier (optional in
// ODS only so that its message can spell the attribute to write).
defvar ScaleAccessor = [{
    /// `scale`, as a float (verified ops always have it).
    float getScaleValue();
}];

// Operands are tensors before bufferization and memrefs after it.
defvar Tensor = AnyTypeOf<[AnyRankedTensor, AnyMemRef]>;

// Every seqmix op is in destination-passing style: its destinations are the
// `outs` operands, and in tensor form it has one result per destination, of
// the same type. On memrefs it has no results and writes its destinations.
// The iteration domain, how each operand follows it, and the scalar body
// come from SeqMix_LoopStructureOpInterface; TilingInterface,
// BufferizableOpInterface and ReifyRankedShapedTypeOpInterface are built on
// it once for all ops (external models).
class SeqMix_TiledOp<string mnemonic, list<Trait> traits = []>
    : SeqMix_Op<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
        DestinationStyleOpInterface,
        DeclareOpInterfaceMethods<SeqMix_LoopStructureOpInterface,
                                  ["readsInit", "isLoopTileable",
                                   "getSequenceOffsets", "emitScalarBody",
                                   "getReferenceLoopOrder"]>,
        DeclareOpInterfaceMethods<SeqMix_WorkloadOpInterface>])> {
  let hasVerifier = 1;
  code dpsDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputsMutable();
    }
  }];
  let extraClassDeclaration = dpsDeclaration;
}

// Accessors shared by the recurrences: outs(%output, %state).
defvar RecurrenceAccessors = [{
    ::mlir::Value getOutputInit() { return getOutputs()[0]; }
    ::mlir::Value getStateInit() { return getOutputs()[1]; }
    /// Tensor form: the output and the final state (null on memrefs).
    ::mlir::Value getOutput() {
      return getResultTensors().empty() ? ::mlir::Value() : getResultTensors()[0];
    }
    ::mlir::Value getFinalState() {
      return getResultTensors().size() < 2 ? ::mlir::Value()
                                           : getResultTensors()[1];
    }
}];

//===----------------------------------------------------------------------===//
// Linear recurrences
//===----------------------------------------------------------------------===//

def SeqMix_LinearAttentionOp : SeqMix_TiledOp<"linear_attention",
    [AttrSizedOperandSegments, DeclareOpInterfaceMethods<
        SeqMix_LoopStructureOpInterface, ["getScalarBodyLoops"]>]> {
  let summary = "linear attention with optional decay gate and delta rule";
  let description = [{
    Computes, per head, the matrix-valued recurrence

    ```
    S_t = diag(exp(g_t)) S_{t-1} + k_t^T v_t        o_t = scale * q_t S_t
    ```

    with q, k `[B, T, Hqk, K]`, v `[B, T, H, V]` (H a multiple of Hqk; head
    h reads query/key head `h / (H / Hqk)`), o `[B, T, H, V]`.

    The shape of `log_decay` selects the gate: absent (no decay), `[H]`
    (constant per head, Lightning Attention-2 / RetNet), `[B, T, H]` (scalar
    per step, fla simple_gla / Mamba-2) or `[B, T, H, K]` (vector over K,
    GLA). Values are natural-log decays (<= 0).

    With `beta` `[B, T, H]` the update is the (gated) delta rule:
    `S' = diag(exp(g_t)) S_{t-1}`, `S_t = S' + k_t^T (beta_t (v_t - k_t S'))`.
    `qk_norm = l2` first maps q and k to `x / sqrt(sum(x^2) + 1e-6)`.
    `scale` (f32) is required: peers disagree on its default.

    The destinations are `outs(%o, %state)`. The state is f32
    `[N, H, K, V]` (`state_layout = kv`, fla) or `[N, H, V, K]` (`vk`,
    Mamba-2), N = B, or the number of sequences when `cu_seqlens`
    (`[N+1]`, i32/i64) packs N sequences into a batch of 1. Its value is
    the initial state (zeros: `linalg.fill`), and the second result the
    final state; a donated state buffer is updated in place.

    Loops: (b, h, v, t), the last a reduction carried by the state, so
    tiling t by a chunk gives the chunk loop.

    Example:

    ```mlir
    %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x4x64xf32>,
               tensor<1x64x4x64xf32>, tensor<1x64x4x64xf32>)
             log_decay(%g : tensor<1x64x4xf32>)
             outs(%o0, %s0 : tensor<1x64x4x64xf32>, tensor<1x4x64x64xf32>)
             {scale = 0.125 : f32}
             -> tensor<1x64x4x64xf32>, tensor<1x4x64x64xf32>
    ```

    Reference: fla `naive_recurrent_*`, Lightning Attention-2.
  }];
  let arguments = (ins Tensor:$q, Tensor:$k, Tensor:$v,
      Optional<Tensor>:$log_decay, Optional<Tensor>:$beta,
      Optional<Tensor>:$cu_seqlens, Variadic<Tensor>:$outputs,
      OptionalAttr<SeqMix_FloatAttr>:$scale,
      DefaultValuedAttr<SeqMix_StateLayoutAttr, "StateLayout::kv">:$state_layout,
      DefaultValuedAttr<SeqMix_QKNormAttr, "QKNorm::none">:$qk_norm);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    (`log_decay` `(` $log_decay^ `:` type($log_decay) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, RecurrenceAccessors,
                                        ScaleAccessor);
}

def SeqMix_SelectiveScanOp : SeqMix_TiledOp<"selective_scan",
    [AttrSizedOperandSegments]> {
  let summary = "Mamba-1 selective scan (optionally int8, with token filter)";
  let description = [{
    Per channel d and state n:

    ```
    Δ = delta + delta_bias, then softplus if delta_softplus (x if x > 20),
        then Δ := 0 where Δ < delta_threshold (LongMamba token filter)
    h_t[d,n] = exp(Δ_t[d] A[d,n]) h_{t-1}[d,n] + Δ_t[d] B_t[g(d),n] u_t[d]
    y_t[d]   = Σ_n C_t[g(d),n] h_t[d,n] + D[d] u_t[d]   (times silu(z_t[d]))
    ```

    u, delta, z `[B, T, D]`; A `[D, N]`; B, C `[B, T, G, N]` with G dividing
    D (channel d uses group `d / (D / G)`); D, delta_bias, delta_threshold
    `[D]`; destinations `outs(%y, %state)` with the state f32
    `[Nseq, D, N]` (initial state in, final state out). u, delta, B, C and
    z may be int8 `!quant.uniform<i8:f32, s>` (Quamba), dequantized inside
    the kernel. Loops: (b, d, t), t a reduction carried by the state.

    Example:

    ```mlir
    %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %C : tensor<1x64x32xf32>,
               tensor<1x64x32xf32>, tensor<32x16xf32>, tensor<1x64x1x16xf32>,
               tensor<1x64x1x16xf32>) D(%D : tensor<32xf32>)
             outs(%y0, %s0 : tensor<1x64x32xf32>, tensor<1x32x16xf32>)
             {delta_softplus} -> tensor<1x64x32xf32>, tensor<1x32x16xf32>
    ```

    Reference: mamba `selective_scan_ref`.
  }];
  let arguments = (ins Tensor:$u, Tensor:$delta, Tensor:$A, Tensor:$B,
      Tensor:$C, Optional<Tensor>:$D, Optional<Tensor>:$z,
      Optional<Tensor>:$delta_bias, Optional<Tensor>:$delta_threshold,
      Optional<Tensor>:$cu_seqlens, Variadic<Tensor>:$outputs,
      UnitAttr:$delta_softplus);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $u `,` $delta `,` $A `,` $B `,` $C `:` type($u) `,`
        type($delta) `,` type($A) `,` type($B) `,` type($C) `)`
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`delta_threshold` `(` $delta_threshold^ `:` type($delta_threshold) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, RecurrenceAccessors);
}

def SeqMix_SSDOp : SeqMix_TiledOp<"ssd",
    [AttrSizedOperandSegments, DeclareOpInterfaceMethods<
        SeqMix_LoopStructureOpInterface, ["getScalarBodyLoops"]>]> {
  let summary = "Mamba-2 state-space duality scan";
  let description = [{
    A composite of `seqmix.linear_attention`: with
    `Δ = dt + dt_bias` (softplus if `dt_softplus`, clamped to `dt_limit`,
    zeroed where `Δ < delta_threshold`) it is linear attention with q = C,
    k = B, v = Δ·x, scalar gate g = Δ·A, scale 1 and `state_layout = vk`,
    plus `D` skip (`[H]` or `[H, P]`) and the `silu(z)` gate.

    x, z `[B, T, H, P]`, dt `[B, T, H]`, A, dt_bias, delta_threshold `[H]`,
    B, C `[B, T, G, N]` (head h uses group `h / (H / G)`), destinations
    `outs(%y, %state)` with the state f32 `[Nseq, H, P, N]` (initial state
    in, final state out). `seqmix-decompose` rewrites it into those ops.
    Loops: (b, h, p, t), t a reduction carried by the state.

    Example:

    ```mlir
    %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x64x4x16xf32>,
               tensor<1x64x4xf32>, tensor<4xf32>, tensor<1x64x1x32xf32>,
               tensor<1x64x1x32xf32>)
             outs(%y0, %s0 : tensor<1x64x4x16xf32>, tensor<1x4x16x32xf32>)
             {dt_softplus} -> tensor<1x64x4x16xf32>, tensor<1x4x16x32xf32>
    ```

    Reference: mamba `ssd_minimal_discrete`, `mamba_chunk_scan_combined`.
  }];
  let arguments = (ins Tensor:$x, Tensor:$dt, Tensor:$A, Tensor:$B,
      Tensor:$C, Optional<Tensor>:$D, Optional<Tensor>:$z,
      Optional<Tensor>:$dt_bias, Optional<Tensor>:$delta_threshold,
      Optional<Tensor>:$cu_seqlens, Variadic<Tensor>:$outputs,
      UnitAttr:$dt_softplus, OptionalAttr<DenseF32ArrayAttr>:$dt_limit);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $x `,` $dt `,` $A `,` $B `,` $C `:` type($x) `,`
        type($dt) `,` type($A) `,` type($B) `,` type($C) `)`
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`dt_bias` `(` $dt_bias^ `:` type($dt_bias) `)`)?
    (`delta_threshold` `(` $delta_threshold^ `:` type($delta_threshold) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, RecurrenceAccessors);
}

def SeqMix_CausalConv1dOp : SeqMix_TiledOp<"causal_conv1d",
    [AttrSizedOperandSegments]> {
  let summary = "depthwise causal 1-D convolution";
  let description = [{
    `y_t[d] = bias[d] + Σ_j w[d, j] x_{t-W+1+j}[d]`, then `activation`.
    x `[B, T, D]`, w `[D, W]` (any W >= 1), bias `[D]`; destinations
    `outs(%y, %state)`. The state `[Nseq, W-1, D]` (f32, oldest row first)
    is the history before each sequence (zeros for a fresh sequence); the
    result holds the last W-1 inputs of each sequence, history included
    when T < W-1. Loops: (b, d, t), t a reduction: the state is a shift
    register of the last inputs.

    Example:

    ```mlir
    %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x64x32xf32>, tensor<32x4xf32>)
               bias(%b : tensor<32xf32>)
               outs(%y0, %s0 : tensor<1x64x32xf32>, tensor<1x3x32xf32>)
               {activation = #seqmix.activation<silu>}
             -> tensor<1x64x32xf32>, tensor<1x3x32xf32>
    ```

    Reference: causal-conv1d `causal_conv1d_ref`.
  }];
  let arguments = (ins Tensor:$x, Tensor:$w, Optional<Tensor>:$bias,
      Optional<Tensor>:$cu_seqlens, Variadic<Tensor>:$outputs,
      DefaultValuedAttr<SeqMix_ActivationAttr, "Activation::none">:$activation);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $x `,` $w `:` type($x) `,` type($w) `)`
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, RecurrenceAccessors);
}

//===----------------------------------------------------------------------===//
// Memory routing (Mixture-of-Memories)
//===----------------------------------------------------------------------===//

def SeqMix_RouteOp : SeqMix_TiledOp<"route"> {
  let summary = "deterministic top-k router";
  let description = [{
    logits `[B, T, M]` -> indices `[B, T, top_k]` (i32) and weights
    `[B, T, top_k]` (f32). Scores are `softmax` or `sigmoid` of the logits;
    the k picks come in descending score order with ties to the lower memory
    index; `renormalize` divides the picked weights by their sum.

    ```mlir
    %idx, %w = seqmix.route ins(%logits : tensor<1x64x4xf32>)
                 outs(%i0, %w0 : tensor<1x64x2xi32>, tensor<1x64x2xf32>)
                 {top_k = 2 : i64, renormalize}
               -> tensor<1x64x2xi32>, tensor<1x64x2xf32>
    ```

    Reference: fla `MomAttention` router.
  }];
  let arguments = (ins Tensor:$logits, Variadic<Tensor>:$outputs,
      I64Attr:$top_k,
      DefaultValuedAttr<SeqMix_RouteScoreAttr, "RouteScore::softmax">:$score,
      UnitAttr:$renormalize);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $logits `:` type($logits) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
}

def SeqMix_DispatchOp : SeqMix_TiledOp<"dispatch"> {
  let summary = "stable grouping of routed tokens by (batch, memory)";
  let description = [{
    x `[B, T, F..]`, indices `[B, T, k]` -> packed `[B*T*k, F..]`, offsets
    `[B*M+1]` (i32) and rows `[B*T*k]` (i32). Packed rows are sorted by
    (b, m, t, j): segment `s = b*M + m` spans `offsets[s]..offsets[s+1]` and
    keeps time order; `rows[r] = (b*T + t)*k + j` is the slot row r came from.
    M is the `num_memories` attribute.

    ```mlir
    %p, %off, %rows = seqmix.dispatch
        ins(%x, %idx : tensor<1x64x32xf32>, tensor<1x64x2xi32>)
        outs(%p0, %off0, %rows0 : tensor<128x32xf32>, tensor<5xi32>,
             tensor<128xi32>) {num_memories = 4 : i64}
        -> tensor<128x32xf32>, tensor<5xi32>, tensor<128xi32>
    ```
  }];
  let arguments = (ins Tensor:$x, Tensor:$indices, Variadic<Tensor>:$outputs,
      I64Attr:$num_memories);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $x `,` $indices `:` type($x) `,` type($indices) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, [{
    /// The counting sort of batch row `bi` (buffer form): its offsets and
    /// rows, and with `copyFeatures` each slot's features into packed too.
    /// The scalar body copies as it sorts; the CPU builder copies after,
    /// on threads.
    void emitSort(::mlir::OpBuilder &b, ::mlir::Location loc, ::mlir::Value bi,
                  bool copyFeatures);
    /// Packed row `r` := the features of token `t` of batch row `bi`.
    void emitCopyRow(::mlir::OpBuilder &b, ::mlir::Location loc,
                     ::mlir::Value bi, ::mlir::Value t, ::mlir::Value r);
  }]);
}

def SeqMix_SegmentMatmulOp : SeqMix_TiledOp<"segment_matmul",
    [DeclareOpInterfaceMethods<SeqMix_LoopStructureOpInterface,
                               ["isLoopSpreadable"]>]> {
  let summary = "grouped GEMM over the segments of a packed tensor";
  let description = [{
    packed `[R, Din]`, weight `[M, Din, Dout]`, offsets `[S+1]`, destination
    `[R, Dout]`: the rows of segment s (`offsets[s]..offsets[s+1]`) are
    multiplied by `weight[s mod M]` and added into the destination, as
    `linalg.matmul` does (zero it with `linalg.fill` for a plain product).
    S must be a multiple of M.

    ```mlir
    %o = seqmix.segment_matmul
        ins(%p, %W, %off : tensor<128x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>)
        outs(%acc : tensor<128x16xf32>) -> tensor<128x16xf32>
    ```
  }];
  let arguments = (ins Tensor:$packed, Tensor:$weight, Tensor:$offsets,
      Variadic<Tensor>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $packed `,` $weight `,` $offsets `:` type($packed) `,`
    type($weight) `,` type($offsets) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
}

def SeqMix_CombineOp : SeqMix_TiledOp<"combine"> {
  let summary = "weighted un-dispatch of packed rows";
  let description = [{
    packed `[R, F..]`, rows `[R]`, weights `[B, T, k]`, destination
    `[B, T, F..]`: every packed row r adds `weights[b, t, j] packed[r]` into
    token (b, t) of the destination, where `rows[r] = (b*T + t)*k + j` is
    the slot it came from. With all B*T*k rows and a zero destination this
    is `out[b, t] = Σ_j weights[b, t, j] packed[row(b, t, j)]`; any subset
    of rows (a tile) adds its part.

    ```mlir
    %o = seqmix.combine
        ins(%p, %rows, %w : tensor<128x32xf32>, tensor<128xi32>, tensor<1x64x2xf32>)
        outs(%acc : tensor<1x64x32xf32>) -> tensor<1x64x32xf32>
    ```
  }];
  let arguments = (ins Tensor:$packed, Tensor:$rows, Tensor:$weights,
      Variadic<Tensor>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $packed `,` $rows `,` $weights `:` type($packed) `,`
    type($rows) `,` type($weights) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Windowed attention
//===----------------------------------------------------------------------===//

// Accessors shared by the attention ops: outs(%o[, %lse]).
defvar AttentionAccessors = [{
    ::mlir::Value getOInit() { return getOutputs()[0]; }
    ::mlir::Value getLseInit() {
      return getOutputs().size() > 1 ? getOutputs()[1] : ::mlir::Value();
    }
    ::mlir::Value getO() {
      return getResultTensors().empty() ? ::mlir::Value() : getResultTensors()[0];
    }
    ::mlir::Value getLse() {
      return getResultTensors().size() < 2 ? ::mlir::Value()
                                           : getResultTensors()[1];
    }
}];

def SeqMix_NeighborhoodAttentionOp : SeqMix_TiledOp<"neighborhood_attention",
    [AttrSizedOperandSegments, DeclareOpInterfaceMethods<
        SeqMix_LoopStructureOpInterface, ["isLoopSpreadable"]>]> {
  let summary = "NATTEN-style neighborhood attention in 1 to 3 dimensions";
  let description = [{
    q `[B, X1..Xr, H, Dqk]`, k `[B, X1..Xr, Hkv, Dqk]`, v `[B, X1..Xr, Hkv, Dv]`
    with r in 1..3 -> o `[B, X1..Xr, H, Dv]` and optionally lse
    `[B, X1..Xr, H]` (f32). Each query attends to its neighbourhood, the
    product of per-axis windows given by `kernel_size`, `dilation`
    (default 1), `stride` (default 1) and `is_causal` (default false).
    Non-causal windows are shifted at the borders (always kernel_size keys);
    causal windows are truncated at the start. Optional `rpb`
    `[H, 2k1-1, .., 2kr-1]` is added to the logits (not with a causal axis).

    ```mlir
    %o = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<1x16x16x2x32xf32>,
           tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>)
           outs(%o0 : tensor<1x16x16x2x32xf32>)
           {kernel_size = array<i64: 7, 7>, scale = 0.176776695 : f32}
         -> tensor<1x16x16x2x32xf32>
    ```

    Reference: NATTEN reference mask, na1d/na2d/na3d.
  }];
  let arguments = (ins Tensor:$q, Tensor:$k, Tensor:$v, Optional<Tensor>:$rpb,
      Variadic<Tensor>:$outputs,
      DenseI64ArrayAttr:$kernel_size,
      OptionalAttr<DenseI64ArrayAttr>:$dilation,
      OptionalAttr<DenseI64ArrayAttr>:$stride,
      OptionalAttr<DenseBoolArrayAttr>:$is_causal,
      OptionalAttr<SeqMix_FloatAttr>:$scale);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    (`rpb` `(` $rpb^ `:` type($rpb) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, AttentionAccessors,
                                        ScaleAccessor, [{
    /// Number of spatial axes r.
    int64_t getNumSpatialDims();
    /// Per-axis parameters with their defaults filled in.
    ::llvm::SmallVector<int64_t> getDilationOrDefault();
    ::llvm::SmallVector<int64_t> getStrideOrDefault();
    ::llvm::SmallVector<bool> getIsCausalOrDefault();
  }]);
}

def SeqMix_SlidingWindowAttentionOp : SeqMix_TiledOp<
    "sliding_window_attention", [DeclareOpInterfaceMethods<
        SeqMix_LoopStructureOpInterface, ["isLoopSpreadable"]>]> {
  let summary = "softmax attention over a sliding window (FlashAttention)";
  let description = [{
    q `[B, Tq, H, D]`, k `[B, Tk, Hkv, D]`, v `[B, Tk, Hkv, Dv]` ->
    o `[B, Tq, H, Dv]` and optionally lse `[B, Tq, H]` (f32). Query i
    (aligned bottom-right: key position `i + Tk - Tq`) sees the keys from
    `window_left` before to `window_right` after it (-1 = unbounded;
    right 0 = causal). A fully masked row gives 0 and lse = -inf.

    ```mlir
    %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<1x64x4x64xf32>,
           tensor<1x64x4x64xf32>, tensor<1x64x4x64xf32>)
           outs(%o0 : tensor<1x64x4x64xf32>)
           {window_left = 16 : i64, window_right = 0 : i64, scale = 0.125 : f32}
         -> tensor<1x64x4x64xf32>
    ```

    Reference: FlashAttention `window_size`.
  }];
  let arguments = (ins Tensor:$q, Tensor:$k, Tensor:$v,
      Variadic<Tensor>:$outputs, I64Attr:$window_left,
      I64Attr:$window_right, OptionalAttr<SeqMix_FloatAttr>:$scale);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
  let extraClassDeclaration = !strconcat(dpsDeclaration, AttentionAccessors,
                                        ScaleAccessor);
}

//===----------------------------------------------------------------------===//
// Quantization helpers
//===----------------------------------------------------------------------===//

def SeqMix_HadamardOp : SeqMix_TiledOp<"hadamard"> {
  let summary = "normalised Hadamard rotation over the last axis";
  let description = [{
    `y = x · H_N / sqrt(N)` over the last axis, N = m · 2^p with m in
    {1, 12, 20, 28}; `H_N = H_m ⊗ S_{2^p}` with the Sylvester, Paley I
    (q = 11, 19) and Paley II (q = 13) matrices pinned in docs/Ops.md. The
    result may be an int8 `!quant.uniform` type (rotation and quantization
    fused).

    ```mlir
    %y = seqmix.hadamard ins(%x : tensor<1x64x1536xf32>)
           outs(%y0 : tensor<1x64x1536xf32>) -> tensor<1x64x1536xf32>
    ```

    Reference: Quamba `QHadamard`.
  }];
  let arguments = (ins Tensor:$x, Variadic<Tensor>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$result_tensors);
  let assemblyFormat = [{
    `ins` `(` $x `:` type($x) `)`
    `outs` `(` $outputs `:` type($outputs) `)`
    attr-dict (`->` type($result_tensors)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Generic recurrence
//===----------------------------------------------------------------------===//

def SeqMix_ScanOp : SeqMix_Op<"scan", [AttrSizedOperandSegments,
    SingleBlock, RecursiveMemoryEffects, RecursivelySpeculatable,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<SeqMix_LoopStructureOpInterface,
                              ["isLoopTileable", "getSequenceOffsets"]>,
    DeclareOpInterfaceMethods<SeqMix_WorkloadOpInterface>]> {
  let summary = "generic recurrence over the time axis";
  let description = [{
    `ins` are per-step inputs `[B, T, ..]`; `init` are the initial states
    `[B, ..]` (`[N, ..]` with `cu_seqlens`, which needs B = 1) and `outs`
    the destinations of the stacked outputs `[B, T, ..]`. The region maps
    one step's inputs (`tensor<..>`, the `[B, T]` axes dropped) and the
    states (the batch axis dropped) to the next states and one step of
    each output: `seqmix.yield %s_next.., %y_t..`. Results are the final
    states followed by the stacked outputs.

    ```mlir
    %s, %y = seqmix.scan ins(%a, %x : tensor<2x64x8xf32>, tensor<2x64x8xf32>)
                         init(%h0 : tensor<2x8xf32>)
                         outs(%y0 : tensor<2x64x8xf32>) {
    ^bb0(%at: tensor<8xf32>, %xt: tensor<8xf32>, %h: tensor<8xf32>):
      %m = arith.mulf %at, %h : tensor<8xf32>
      %n = arith.addf %m, %xt : tensor<8xf32>
      seqmix.yield %n, %n : tensor<8xf32>, tensor<8xf32>
    } -> tensor<2x8xf32>, tensor<2x64x8xf32>
    ```

    Always lowerable to a sequential loop over T (parallel over B).
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
      Optional<AnyRankedTensor>:$cu_seqlens,
      Variadic<AnyRankedTensor>:$inits, Variadic<AnyRankedTensor>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `init` `(` $inits `:` type($inits) `)`
    (`outs` `(` $outputs^ `:` type($outputs) `)`)?
    $body attr-dict `->` type($results)
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The destinations: the states, then the stacked outputs. They are
    /// adjacent operand segments, so one range covers both.
    ::mlir::MutableOperandRange getDpsInitsMutable();
  }];
}

def SeqMix_YieldOp : SeqMix_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"::mlir::seqmix::ScanOp">]> {
  let summary = "terminates a seqmix.scan body";
  let description = [{
    Yields the next states followed by the step's outputs.
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD
