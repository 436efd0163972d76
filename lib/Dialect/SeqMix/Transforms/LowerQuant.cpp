//===- LowerQuant.cpp - quant casts and quantized boundaries to int8 -----===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Transforms/DialectConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXLOWERQUANTPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// The per-tensor quantized element type of `t`, if it has one.
quant::UniformQuantizedType quantElt(Type t) {
  auto tt = dyn_cast<RankedTensorType>(t);
  return tt ? dyn_cast<quant::UniformQuantizedType>(tt.getElementType())
            : quant::UniformQuantizedType();
}

/// `t` with its quantized element type replaced by the storage type.
Type storageOf(Type t) {
  auto q = quantElt(t);
  if (!q)
    return t;
  return cast<RankedTensorType>(t).clone(q.getStorageType());
}

/// An elementwise map of `in` to a tensor of element type `outElt`.
Value mapElements(OpBuilder &b, Location loc, Value in, Type outElt,
                  function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto tt = cast<RankedTensorType>(in.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, in);
  Value init = tensor::EmptyOp::create(b, loc, sizes, outElt);
  auto id = b.getMultiDimIdentityMap(tt.getRank());
  return linalg::GenericOp::create(
             b, loc, init.getType(), in, init, ArrayRef<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(tt.getRank(),
                                             utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, fn(nb, nl, args[0]));
             })
      .getResult(0);
}

/// seqmix ops compute in f32: a quantized operand is dequantized
/// (`quant.dcast`) and a quantized destination becomes an f32 one whose
/// result is quantized (`quant.qcast`), so the casts below lower them and
/// the ops never see int8 storage.
void dequantizeSeqMixOperands(ModuleOp module) {
  module.walk([](DestinationStyleOpInterface op) {
    if (!isa<SeqMixDialect>(op->getDialect()) || !op.hasPureTensorSemantics())
      return;
    OpBuilder b(op);
    Location loc = op->getLoc();
    for (OpOperand &operand : op->getOpOperands()) {
      auto q = quantElt(operand.get().getType());
      if (!q)
        continue;
      auto tt = cast<RankedTensorType>(operand.get().getType());
      RankedTensorType f32 = tt.clone(b.getF32Type());
      if (!op.isDpsInit(&operand)) {
        operand.set(
            quant::DequantizeCastOp::create(b, loc, f32, operand.get()));
        continue;
      }
      // A destination: compute into f32, quantize the result.
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(b, loc, operand.get());
      operand.set(tensor::EmptyOp::create(b, loc, sizes, b.getF32Type()));
      OpResult result = op.getTiedOpResult(&operand);
      result.setType(f32);
      OpBuilder after(op->getContext());
      after.setInsertionPointAfter(op);
      auto qcast = quant::QuantizeCastOp::create(after, loc, tt, result);
      result.replaceAllUsesExcept(qcast, qcast);
    }
  });
}

/// Function boundaries carry the int8 storage of quantized tensors, at
/// definitions, calls and returns alike.
LogicalResult lowerQuantizedBoundaries(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  TypeConverter converter;
  converter.addConversion([](Type t) { return storageOf(t); });
  auto cast = [](OpBuilder &b, Type type, ValueRange inputs,
                 Location loc) -> Value {
    if (inputs.size() != 1)
      return Value();
    return quant::StorageCastOp::create(b, loc, type, inputs[0]);
  };
  converter.addSourceMaterialization(cast);
  converter.addTargetMaterialization(cast);
  ConversionTarget target(*ctx);
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::CallOp, func::ReturnOp>(
      [&](Operation *op) { return converter.isLegal(op); });
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  RewritePatternSet patterns(ctx);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  return applyPartialConversion(module, target, std::move(patterns));
}

struct SeqMixLowerQuantPass
    : seqmix::impl::SeqMixLowerQuantPassBase<SeqMixLowerQuantPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    dequantizeSeqMixOperands(module);

    // qcast: q = clamp(round_half_even(x / s), -128, 127).
    module.walk([](quant::QuantizeCastOp op) {
      auto q = quantElt(op.getResult().getType());
      if (!q || !q.getStorageType().isSignlessInteger(8) ||
          q.getZeroPoint() != 0)
        return;
      OpBuilder b(op);
      double s = q.getScale();
      Value i8 = mapElements(
          b, op.getLoc(), op.getInput(), q.getStorageType(),
          [&](OpBuilder &nb, Location l, Value x) -> Value {
            return fromF32(nb, l, toF32(nb, l, x), q.getStorageType(), s);
          });
      Value cast = quant::StorageCastOp::create(
          b, op.getLoc(), op.getResult().getType(), i8);
      op.getResult().replaceAllUsesWith(cast);
      op.erase();
    });

    // dcast: x = s * q.
    module.walk([](quant::DequantizeCastOp op) {
      auto q = quantElt(op.getInput().getType());
      if (!q || q.getZeroPoint() != 0)
        return;
      OpBuilder b(op);
      Value i8 = quant::StorageCastOp::create(
          b, op.getLoc(), storageOf(op.getInput().getType()), op.getInput());
      Type outElt =
          cast<RankedTensorType>(op.getResult().getType()).getElementType();
      double s = q.getScale();
      Value x = mapElements(
          b, op.getLoc(), i8, outElt,
          [&](OpBuilder &nb, Location l, Value v) -> Value {
            return fromF32(nb, l, toF32(nb, l, v, s), outElt);
          });
      op.getResult().replaceAllUsesWith(x);
      op.erase();
    });

    if (failed(lowerQuantizedBoundaries(module)))
      return signalPassFailure();

    // scast(scast(x)) back to x's type is x.
    module.walk([](quant::StorageCastOp cast) {
      if (auto inner = cast.getInput().getDefiningOp<quant::StorageCastOp>())
        if (inner.getInput().getType() == cast.getType()) {
          cast.replaceAllUsesWith(inner.getInput());
          cast.erase();
        }
    });
    module.walk([](quant::StorageCastOp cast) {
      if (cast->use_empty())
        cast.erase();
    });
  }
};

} // namespace
