//===- BufferizableOpInterfaceImpl.cpp - bufferization of seqmix ops ------===//
//
// Every destination-style seqmix op bufferizes like a linalg op: inputs are
// read, each destination aliases its result and is written in place. A
// destination that is only written (an output) is not read, so One-Shot
// Bufferize needs no copy of its initial contents; a state or accumulator is
// read, so a donated state buffer is updated in place and an undonated one
// is copied once.
//
// seqmix.scan has a body on tensors and is lowered before bufferization.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace mlir::seqmix;

namespace {

template <typename OpTy>
struct BufferizationModel
    : public DstBufferizableOpInterfaceExternalModel<BufferizationModel<OpTy>,
                                                     OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    if (!dps.isDpsInit(&operand))
      return true;
    // Destinations are the last operands.
    unsigned init = operand.getOperandNumber() - dps.getNumDpsInputs();
    return cast<LoopStructureOpInterface>(op).readsInit(init);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPoint(op);
    SmallVector<Value> operands, inits;
    for (OpOperand &operand : op->getOpOperands()) {
      Value v = operand.get();
      if (isa<TensorType>(v.getType())) {
        FailureOr<Value> buffer = getBuffer(rewriter, v, options, state);
        if (failed(buffer))
          return failure();
        v = *buffer;
      }
      operands.push_back(v);
      if (dps.isDpsInit(&operand))
        inits.push_back(v);
    }
    mlir::clone(rewriter, op, /*newResultTypes=*/TypeRange{}, operands);
    replaceOpWithBufferizedValues(rewriter, op, inits);
    return success();
  }
};

template <typename... OpTys>
void attachAll(MLIRContext *ctx) {
  (OpTys::template attachInterface<BufferizationModel<OpTys>>(*ctx), ...);
}

} // namespace

void mlir::seqmix::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SeqMixDialect *) {
    ctx->loadDialect<bufferization::BufferizationDialect>();
    attachAll<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp,
              RouteOp, DispatchOp, SegmentMatmulOp, CombineOp,
              NeighborhoodAttentionOp, SlidingWindowAttentionOp, HadamardOp>(
        ctx);
  });
}

void mlir::seqmix::registerSeqMixDialectAndExtensions(
    DialectRegistry &registry) {
  registry.insert<SeqMixDialect>();
  registerTilingInterfaceExternalModels(registry);
  registerBufferizableOpInterfaceExternalModels(registry);
}
