//===- SeqMixInterfaces.td - seqmix op interfaces -----------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD

include "mlir/IR/OpBase.td"

def SeqMix_TilingConfigAttrInterface
    : AttrInterface<"TilingConfigAttrInterface"> {
  let cppNamespace = "::mlir::seqmix";
  let description = [{
    The block sizes chosen for one op, attached as the discardable attribute
    `seqmix.tile`. Sizes are given per loop of the op's iteration domain
    (LoopStructureOpInterface, in its order) and per level; 0 leaves a loop
    untiled at that level. Each target has its own attribute
    (`#seqmix.cpu_tiling`, `#seqmix.gpu_tiling`); lowerings read the levels
    through this interface and never invent sizes.
  }];
  let methods = [
    InterfaceMethod<"The parallel level: tiles distributed over threads "
      "(CPU) or thread blocks (GPU), as scf.forall.",
      "::llvm::ArrayRef<int64_t>", "getParallelTileSizes">,
    InterfaceMethod<"The serial level: tiles walked by scf.for (cache blocks; "
      "on a recurrence's time loop, the chunks that carry the state).",
      "::llvm::ArrayRef<int64_t>", "getSerialTileSizes">,
    InterfaceMethod<"The vector level: the tile held in registers.",
      "::llvm::ArrayRef<int64_t>", "getVectorTileSizes">,
    InterfaceMethod<"The block of a chunked recurrence (intra-chunk matmul "
      "form; 1 is the recurrent, state-stationary form), if set.",
      "std::optional<int64_t>", "getChunkSize">,
    InterfaceMethod<"The same config with the parallel and serial levels "
      "cleared (what a tile of the op keeps once those loops exist), or "
      "null when nothing is left.",
      "::mlir::Attribute", "withoutLoopLevels">,
  ];
}

def SeqMix_LoopStructureOpInterface : OpInterface<"LoopStructureOpInterface"> {
  let cppNamespace = "::mlir::seqmix";
  let description = [{
    The loop structure of a destination-style seqmix op: its iteration
    domain (one loop per named dimension, each `parallel` or `reduction`),
    which loop each dimension of each operand follows, and the scalar body
    at one point of the domain, on buffers.

    `TilingInterface`, `BufferizableOpInterface` and
    `ReifyRankedShapedTypeOpInterface` are implemented once for every op
    from these methods. The time axis of a recurrence is a `reduction` loop
    whose accumulator is the state: tiling it by `chunk` gives the loop over
    chunks that carries the state.
  }];
  let methods = [
    InterfaceMethod<"Names of the loops, outermost first (for docs and "
      "diagnostics).", "::llvm::SmallVector<::llvm::StringRef>",
      "getLoopNames">,
    InterfaceMethod<"The iterator type of each loop.",
      "::llvm::SmallVector<::mlir::utils::IteratorType>", "getLoopKinds">,
    InterfaceMethod<"The size of each loop.",
      "::llvm::SmallVector<::mlir::OpFoldResult>", "getLoopSizes",
      (ins "::mlir::OpBuilder &":$b)>,
    InterfaceMethod<[{
        For every operand in operand order (destinations included), for every
        dimension: the loop it follows, or none when the dimension is always
        taken whole.}],
      "::mlir::seqmix::OperandLoopDims", "getOperandLoopDims">,
    InterfaceMethod<"Whether a tile may cover part of loop `loop` (a loop "
      "indexed through run-time offsets may only be taken whole).",
      "bool", "isLoopTileable", (ins "unsigned":$loop), "",
      "return true;">,
    InterfaceMethod<"Whether the scalar body computes each point of "
      "parallel loop `loop` on its own, so that GPU blocks and threads may "
      "spread the loop even where a tile may not cover part of it (a query "
      "window that depends on the query's position, which a slice loses).",
      "bool", "isLoopSpreadable", (ins "unsigned":$loop), "",
      "return $_op.isLoopTileable(loop);">,
    InterfaceMethod<[{
        The order in which the reference lowering nests the loops, as loop
        indices, outermost first: a permutation chosen for locality of the
        scalar bodies (for a recurrence, the time loop before the state's
        columns, so that each step sweeps its state while it is in cache).
        Tiling and the iteration domain keep the domain order.}],
      "::llvm::SmallVector<int64_t>", "getReferenceLoopOrder", (ins), "",
      [{
        return ::llvm::to_vector(::llvm::seq<int64_t>(
            0, $_op.getLoopKinds().size()));
      }]>,
    InterfaceMethod<[{
        How many of the innermost loops of the reference order the scalar
        body walks itself when emitScalarBody gets a null iv for them: it
        can then share per-step work (gates, norms) across them.}],
      "unsigned", "getScalarBodyLoops", (ins), "", "return 0;">,
    InterfaceMethod<"Whether destination #`init` is read (an accumulator or "
      "a state) rather than only written.",
      "bool", "readsInit", (ins "unsigned":$init), "", "return true;">,
    InterfaceMethod<"The operand holding run-time offsets (cu_seqlens or "
      "segment offsets), if any.",
      "::mlir::Value", "getSequenceOffsets", (ins), "",
      "return ::mlir::Value();">,
    InterfaceMethod<[{
        Emits the op's reference semantics at the point `ivs` of the
        iteration domain, on buffers (the op must have memref operands).}],
      "::llvm::LogicalResult", "emitScalarBody",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
           "::mlir::ValueRange":$ivs), "",
      "return ::mlir::failure();">,
  ];
}

def SeqMix_WorkloadOpInterface : OpInterface<"WorkloadOpInterface"> {
  let cppNamespace = "::mlir::seqmix";
  let description = [{
    What an op costs and what its operands look like in a model, kept with
    the op so that the cost model, benchmarks and runners never switch over
    op types.
  }];
  let methods = [
    InterfaceMethod<[{
        The useful arithmetic from the op's shapes: FLOPs (an FMA counts 2)
        and transcendental calls (exp, log, sqrt); std::nullopt when a size
        it needs is dynamic. Memory traffic is derived from the operand
        types by the cost model.}],
      "std::optional<::mlir::seqmix::OpWork>", "getWork">,
    InterfaceMethod<[{
        A realistic value of operand `index` for random inputs and
        benchmarks: decays <= 0, A < 0, Mamba's Δ small and positive after
        softplus, indices in range. Offsets operands (getSequenceOffsets)
        are drawn by the runner as valid offsets.}],
      "::mlir::seqmix::OperandHint", "getOperandHint",
      (ins "unsigned":$index)>,
  ];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
