//===- Passes.td - seqmix dialect passes --------------------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMixDecomposePass : Pass<"seqmix-decompose"> {
  let summary = "Rewrite composite seqmix ops into primitive ones";
  let description = [{
    Rewrites `seqmix.ssd` into `seqmix.linear_attention` plus elementwise
    `linalg.generic` ops, exactly as the design defines the composite:

    * `Δ = dt + dt_bias`, softplus (`x` when `x > 20`) if `dt_softplus`,
      clamp to `dt_limit`, then `Δ := 0` where `Δ < delta_threshold`;
    * `g = Δ · A[h]` (scalar gate per step and head), `v = Δ · x`;
    * `linear_attention(q = C, k = B, v, log_decay = g)` with scale 1 and
      `state_layout = vk` (groups become query/key heads);
    * `y = o + D · x`, times `silu(z)` when z is given.

    Every intermediate is f32; the result is cast to the declared type.
    Initial/final states and `cu_seqlens` pass through unchanged.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
