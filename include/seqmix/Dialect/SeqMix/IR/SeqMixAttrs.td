//===- SeqMixAttrs.td - seqmix attributes and enums ---------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD

include "mlir/IR/EnumAttr.td"
include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.td"

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
// Tile configuration
//===----------------------------------------------------------------------===//

def SeqMix_TileAttr : AttrDef<SeqMix_Dialect, "Tile"> {
  let mnemonic = "tile";
  let summary = "block sizes chosen for one op";
  let description = [{
    A list of `key = value` block sizes, e.g.
    `#seqmix.tile<chunk = 64, block_k = 64, block_v = 64>`. Values are
    positive integers. It is attached to an op as the discardable attribute
    `seqmix.tile`; each op names its legal keys (and which must be powers of
    two) through `SeqMix_TileableOpInterface`, and the dialect verifies them.
    Lowerings read this attribute and never invent sizes.
  }];
  let parameters = (ins "::mlir::DictionaryAttr":$entries);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The value of `key`, if present.
    std::optional<int64_t> getValue(::llvm::StringRef key) const;
  }];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
