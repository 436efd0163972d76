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

#endif // SEQMIX_CONVERSION_PASSES_TD
