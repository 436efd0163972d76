//===- Passes.td - seqmix conversion passes -----------------*- tablegen -*-===//

#ifndef SEQMIX_CONVERSION_PASSES_TD
#define SEQMIX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSeqMixToLoopsPass : Pass<"convert-seqmix-to-loops"> {
  let summary = "Naive reference lowering of seqmix ops to scf loops";
  let description = [{
    Lowers every seqmix op straight from the formulas of the design into
    plain `scf.for` loops over buffers (`bufferization.to_buffer` of the
    operands, `memref.alloc` for the results, scalar `memref.load` /
    `memref.store`, f32 arithmetic). No tiling, no vectorization: this is
    the in-compiler oracle that every optimized lowering is checked against
    and the baseline of the benchmarks.

    `cu_seqlens` and routing offsets are checked at run time with
    `cf.assert` before any access they index, so bad offsets stop with a
    message instead of reading out of bounds. Quantized operands are read
    through `quant.scast` to their i8 storage and dequantized in the loops;
    quantized results are rounded half to even and clamped to [-128, 127].

    `seqmix.scan` becomes an `scf.for` over time on tensors whose body is
    the scan's region.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SEQMIX_CONVERSION_PASSES_TD
