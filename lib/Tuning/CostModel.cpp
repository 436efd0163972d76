//===- CostModel.cpp - work and traffic of seqmix ops ---------------------===//

#include "seqmix/Tuning/CostModel.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// Number of elements, or nullopt when a size is dynamic.
std::optional<double> count(Type t) {
  auto st = dyn_cast<ShapedType>(t);
  if (!st || !st.hasStaticShape())
    return std::nullopt;
  return double(st.getNumElements());
}

/// Bytes per element (quantized types count their storage).
double eltBytes(Type t) {
  Type e = cast<ShapedType>(t).getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(e))
    return q.getStorageTypeIntegralWidth() / 8.0;
  return std::ceil(e.getIntOrFloatBitWidth() / 8.0);
}

/// Compulsory traffic: every operand read once (a destination only when the
/// op reads it: a state, an accumulator), every result written once.
std::optional<double> traffic(Operation *op) {
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  auto loops = dyn_cast<LoopStructureOpInterface>(op);
  SmallVector<Type> types;
  for (OpOperand &operand : op->getOpOperands()) {
    if (dps && loops && dps.isDpsInit(&operand) &&
        !loops.readsInit(operand.getOperandNumber() -
                         dps.getNumDpsInputs()))
      continue;
    types.push_back(operand.get().getType());
  }
  llvm::append_range(types, op->getResultTypes());
  double bytes = 0;
  for (Type t : types) {
    std::optional<double> n = count(t);
    if (!n)
      return std::nullopt;
    bytes += *n * eltBytes(t);
  }
  return bytes;
}

int64_t dim(Value v, int64_t i) {
  return cast<ShapedType>(v.getType()).getDimSize(i);
}

std::optional<Cost> withTraffic(Operation *op, double flops) {
  std::optional<double> bytes = traffic(op);
  if (!bytes)
    return std::nullopt;
  return Cost{flops, *bytes};
}

} // namespace

std::optional<Cost> mlir::seqmix::estimateOpCost(Operation *op) {
  // seqmix ops know their own arithmetic (WorkloadOpInterface).
  if (auto w = dyn_cast<WorkloadOpInterface>(op)) {
    std::optional<OpWork> work = w.getWork();
    std::optional<double> bytes = traffic(op);
    if (!work || !bytes)
      return std::nullopt;
    return Cost{work->flops, *bytes, work->transcendentals};
  }
  // The contractions of a model graph (projections).
  if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
    Value a = mm.getDpsInputs()[0], b = mm.getDpsInputs()[1];
    if (!traffic(op))
      return std::nullopt;
    return withTraffic(op, 2.0 * dim(a, 0) * dim(a, 1) * dim(b, 1));
  }
  if (auto bmm = dyn_cast<linalg::BatchMatmulOp>(op)) {
    Value a = bmm.getDpsInputs()[0], b = bmm.getDpsInputs()[1];
    if (!traffic(op))
      return std::nullopt;
    return withTraffic(op, 2.0 * dim(a, 0) * dim(a, 1) * dim(a, 2) *
                               dim(b, 2));
  }
  return Cost{};
}

std::optional<Cost> mlir::seqmix::estimateCost(Operation *root) {
  Cost total;
  bool known = true;
  root->walk([&](Operation *op) {
    if (op == root)
      return;
    std::optional<Cost> c = estimateOpCost(op);
    if (!c)
      known = false;
    else
      total += *c;
  });
  if (!known)
    return std::nullopt;
  return total;
}

SmallVector<OperandHint> mlir::seqmix::suggestArgumentHints(Operation *func) {
  SmallVector<OperandHint> hints;
  if (func->getNumRegions() == 0 || func->getRegion(0).empty())
    return hints;
  Block &entry = func->getRegion(0).front();
  for (BlockArgument arg : entry.getArguments()) {
    OperandHint hint = OperandHint::uniform(-1, 1);
    // Follow the argument through value-preserving reshapes to its users.
    SmallVector<Value> worklist = {arg};
    bool found = false;
    while (!worklist.empty() && !found) {
      Value v = worklist.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto w = dyn_cast<WorkloadOpInterface>(user)) {
          hint = w.getOperandHint(use.getOperandNumber());
          found = true;
          break;
        }
        if (auto mm = dyn_cast<linalg::MatmulOp>(user)) {
          if (use.getOperandNumber() == 1) {
            int64_t fanIn = cast<ShapedType>(v.getType()).getDimSize(0);
            double s = ShapedType::isDynamic(fanIn) || fanIn <= 0
                           ? 1.0
                           : 1.0 / std::sqrt(double(fanIn));
            hint = OperandHint::uniform(-s, s);
            found = true;
            break;
          }
          continue;
        }
        if (isa<tensor::CastOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
                user))
          worklist.push_back(user->getResult(0));
      }
    }
    hints.push_back(hint);
  }
  return hints;
}
