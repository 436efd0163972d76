//===- SeqMixAttrs.td - seqmix attributes and enums ---------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD

include "mlir/IR/EnumAttr.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.td"
include "mlir/IR/AttrTypeBase.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def SeqMix_StateLayout : I32EnumAttr<"StateLayout",
    "memory layout of a linear-attention state", [
      I32EnumAttrCase<"kv", 0>, I32EnumAttrCase<"vk", 1>]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}
def SeqMix_StateLayoutAttr : EnumAttr<SeqMix_Dialect, SeqMix_StateLayout,
                                      "state_layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def SeqMix_QKNorm : I32EnumAttr<"QKNorm",
    "normalisation applied to q and k per head", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"l2", 1>]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}
def SeqMix_QKNormAttr : EnumAttr<SeqMix_Dialect, SeqMix_QKNorm, "qk_norm"> {
  let assemblyFormat = "`<` $value `>`";
}

def SeqMix_Activation : I32EnumAttr<"Activation",
    "pointwise activation fused into an op's epilogue", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"silu", 1>]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}
def SeqMix_ActivationAttr : EnumAttr<SeqMix_Dialect, SeqMix_Activation,
                                     "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def SeqMix_RouteScore : I32EnumAttr<"RouteScore",
    "how router logits become scores", [
      I32EnumAttrCase<"softmax", 0>, I32EnumAttrCase<"sigmoid", 1>]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}
def SeqMix_RouteScoreAttr : EnumAttr<SeqMix_Dialect, SeqMix_RouteScore,
                                     "score"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Tiling configs
//===----------------------------------------------------------------------===//

def SeqMix_CpuTilingAttr : AttrDef<SeqMix_Dialect, "CpuTiling",
    [DeclareAttrInterfaceMethods<SeqMix_TilingConfigAttrInterface>]> {
  let mnemonic = "cpu_tiling";
  let summary = "CPU block sizes of one op, per loop and per level";
  let description = [{
    ```mlir
    seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2, 0, 0],
                                     cache = [0, 0, 0, 64],
                                     vector = [0, 0, 16, 0], chunk = 16>
    ```

    One size per loop of the op's iteration domain, in its order (for
    linear_attention: b, h, v, t), per level: `threads` (scf.forall over
    the cores), `cache` (scf.for blocks; on the time loop of a recurrence,
    the chunks that carry the state) and `vector` (the register tile); 0
    leaves a loop alone. `query` is the query tile of windowed attention,
    one size per spatial axis (for sliding_window_attention, its one
    sequence axis): the queries one register tile covers, which share the
    key loads of the union of their windows (e.g. `query = [2, 16]`: two
    image rows of 16 queries). `chunk` is the block of the chunked form of
    a recurrence (1 = the recurrent form). Every part is optional and prints
    in this order.
  }];
  let parameters = (ins
      OptionalArrayRefParameter<"int64_t">:$threads,
      OptionalArrayRefParameter<"int64_t">:$cache,
      OptionalArrayRefParameter<"int64_t">:$vector,
      OptionalArrayRefParameter<"int64_t">:$query,
      OptionalParameter<"std::optional<int64_t>">:$chunk);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SeqMix_GpuTilingAttr : AttrDef<SeqMix_Dialect, "GpuTiling",
    [DeclareAttrInterfaceMethods<SeqMix_TilingConfigAttrInterface>]> {
  let mnemonic = "gpu_tiling";
  let summary = "GPU block sizes of one op: blocks, warps, pipeline stages";
  let description = [{
    ```mlir
    seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 64, 0],
                                     serial = [0, 0, 0, 64], warps = 4,
                                     stages = 2, chunk = 64>
    ```

    `blocks`: the tile of each loop one thread block computes (scf.forall
    mapped to the grid; seqmix-tile spreads it over the block's threads,
    one point of each parallel loop the block takes more than one of per
    thread); `serial`: tiles a block walks in order (the chunks of a
    recurrence); `warps` per block and software-pipeline `stages`.
  }];
  let parameters = (ins
      OptionalArrayRefParameter<"int64_t">:$blocks,
      OptionalArrayRefParameter<"int64_t">:$serial,
      OptionalParameter<"std::optional<int64_t>">:$warps,
      OptionalParameter<"std::optional<int64_t>">:$stages,
      OptionalParameter<"std::optional<int64_t>">:$chunk);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether `blocks` spreads a loop that `op` cannot be sliced along (a
    /// query loop of windowed attention, whose window depends on the
    /// position): seqmix-tile then leaves the op whole and its scalar
    /// lowering makes the grid and the threads.
    bool spreadsUnsliceableLoop(LoopStructureOpInterface op) const;
  }];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
