//===- SeqMixInterfaces.td - seqmix op interfaces -----------*- tablegen -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD

include "mlir/IR/OpBase.td"

def SeqMix_TileableOpInterface : OpInterface<"TileableOpInterface"> {
  let cppNamespace = "::mlir::seqmix";
  let description = [{
    An op whose lowering is blocked by a `#seqmix.tile` configuration. The op
    lists the keys it accepts; the dialect checks an attached `seqmix.tile`
    attribute against that list (unknown keys, and non-powers of two where
    the lowering needs one, are errors).
  }];
  let methods = [
    StaticInterfaceMethod<
      "The tile keys this op accepts.",
      "::llvm::ArrayRef<::mlir::seqmix::TileKey>", "getTileKeys">,
  ];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
