//===- SeqMixDialect.td - seqmix dialect definition ---------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SeqMix_Dialect : Dialect {
  let name = "seqmix";
  let cppNamespace = "::mlir::seqmix";
  let summary = "Sequence mixers: linear recurrences, memory routing, "
                "windowed attention and quantized scans";
  let description = [{
    The `seqmix` dialect holds the token mixers of modern sequence models as
    single destination-style ops (`outs(...)`, like linalg) on tensors or,
    after bufferization, on buffers: linear attention with every
    gate kind and the delta rule, the Mamba-1 selective scan, the Mamba-2 SSD,
    causal short convolutions, Mixture-of-Memories routing, neighborhood and
    sliding-window attention, the Hadamard rotation used by int8 Mamba, and
    a generic `seqmix.scan` for new recurrences.

    Layout is token-major (`[B, T, H, D]` or `[B, T, D]`). Inputs may be f32,
    f16 or bf16 (some scan inputs also int8 `!quant.uniform`); every
    reduction, exponent and state is computed in f32; states are f32.
    Block sizes are carried in the IR by the `#seqmix.tile` attribute.

    Every op implements `TilingInterface` (the time axis of a recurrence is
    a `reduction` loop whose accumulator is the state destination),
    `BufferizableOpInterface` and `ReifyRankedShapedTypeOpInterface` once
    `registerSeqMixDialectAndExtensions` has registered them.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let useDefaultAttributePrinterParser = 1;
  let usePropertiesForAttributes = 1;
  let extraClassDeclaration = [{
    /// Name of the discardable attribute that carries the tile configuration.
    static constexpr ::llvm::StringLiteral kTileAttrName = "seqmix.tile";
    /// Marks an op whose run-time checks were emitted before it was tiled
    /// (seqmix-insert-runtime-checks): its tiles are not checked again.
    static constexpr ::llvm::StringLiteral kCheckedAttrName = "seqmix.checked";
    /// On the outer loop a CPU tile builder emits: the builder and its
    /// parameters, as a string (for people and tests, not read back).
    static constexpr ::llvm::StringLiteral kBuilderAttrName = "seqmix.builder";
    /// On a GPU block builder's block region (scf.execute_region) and its
    /// thread loops (scf.parallel): the block's thread count.
    static constexpr ::llvm::StringLiteral kBlockThreadsAttrName =
        "seqmix.block_threads";
    /// On a block region's buffer [threads, n] that each thread indexes by
    /// its id: the thread's own memory on a GPU.
    static constexpr ::llvm::StringLiteral kThreadPrivateAttrName =
        "seqmix.thread_private";

  private:
    /// Defined next to the attribute classes (SeqMixAttrs.cpp).
    void registerAttributes();
  public:
  }];
  let hasOperationAttrVerify = 1;
}

class SeqMix_Op<string mnemonic, list<Trait> traits = []>
    : Op<SeqMix_Dialect, mnemonic, traits>;

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_TD
