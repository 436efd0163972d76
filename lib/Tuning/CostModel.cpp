//===- CostModel.cpp - work and traffic of seqmix ops ---------------------===//

#include "seqmix/Tuning/CostModel.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/TypeSwitch.h"

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
  // Shapes first: every formula below reads static sizes.
  if (isa<SeqMixDialect>(op->getDialect()) || isa<linalg::MatmulOp>(op) ||
      isa<linalg::BatchMatmulOp>(op))
    if (!traffic(op))
      return std::nullopt;
  return llvm::TypeSwitch<Operation *, std::optional<Cost>>(op)
      .Case([&](LinearAttentionOp o) {
        // Per step and head: decay + rank-1 update (3 per state entry), the
        // readout (2); the delta rule adds k S' and its update (4).
        double steps = double(dim(o.getQ(), 0)) * dim(o.getQ(), 1) *
                       dim(o.getV(), 2);
        double kv = double(dim(o.getQ(), 3)) * dim(o.getV(), 3);
        double perEntry = 5 + (o.getBeta() ? 4 : 0);
        return withTraffic(op, steps * kv * perEntry);
      })
      .Case([&](SelectiveScanOp o) {
        // Per (step, channel, state): exp, Δ·A, Δ·B·u, decay FMA, C·h FMA.
        double n = double(dim(o.getU(), 0)) * dim(o.getU(), 1) *
                   dim(o.getU(), 2) * dim(o.getA(), 1);
        return withTraffic(op, n * 8);
      })
      .Case([&](SSDOp o) {
        double n = double(dim(o.getX(), 0)) * dim(o.getX(), 1) *
                   dim(o.getX(), 2) * dim(o.getX(), 3) * dim(o.getB(), 3);
        return withTraffic(op, n * 6);
      })
      .Case([&](CausalConv1dOp o) {
        double n = double(dim(o.getX(), 0)) * dim(o.getX(), 1) *
                   dim(o.getX(), 2) * dim(o.getW(), 1);
        return withTraffic(op, n * 2);
      })
      .Case([&](RouteOp o) {
        double n = double(dim(o.getLogits(), 0)) * dim(o.getLogits(), 1) *
                   dim(o.getLogits(), 2);
        return withTraffic(op, n * (3 + o.getTopKAttr().getInt()));
      })
      .Case([&](DispatchOp) { return withTraffic(op, 0); })
      .Case([&](SegmentMatmulOp o) {
        double n = double(dim(o.getPacked(), 0)) * dim(o.getWeight(), 1) *
                   dim(o.getWeight(), 2);
        return withTraffic(op, 2 * n);
      })
      .Case([&](CombineOp o) {
        return withTraffic(op, 2 * *count(o.getPacked().getType()));
      })
      .Case([&](NeighborhoodAttentionOp o) {
        double window = 1;
        for (int64_t k : o.getKernelSize())
          window *= double(k);
        int64_t r = o.getNumSpatialDims();
        double queries = *count(o.getQ().getType()) / dim(o.getQ(), r + 2);
        double d = double(dim(o.getQ(), r + 2)) + dim(o.getV(), r + 2);
        return withTraffic(op, queries * window * (2 * d + 4));
      })
      .Case([&](SlidingWindowAttentionOp o) {
        int64_t tk = dim(o.getK(), 1);
        int64_t l = o.getWindowLeftAttr().getInt();
        int64_t r = o.getWindowRightAttr().getInt();
        double window = (l < 0 || r < 0) ? double(tk)
                                         : std::min<double>(tk, l + r + 1);
        double queries = double(dim(o.getQ(), 0)) * dim(o.getQ(), 1) *
                         dim(o.getQ(), 2);
        double d = double(dim(o.getQ(), 3)) + dim(o.getV(), 3);
        return withTraffic(op, queries * window * (2 * d + 4));
      })
      .Case([&](HadamardOp o) {
        // The fast transform: log2(2^p) butterfly stages plus an m x m
        // product per element.
        auto t = cast<ShapedType>(o.getX().getType());
        int64_t n = t.getShape().back(), m = n, stages = 0;
        while (m % 2 == 0 && m != 12 && m != 20 && m != 28)
          m /= 2, ++stages;
        return withTraffic(op, *count(t) * double(stages + 2 * m));
      })
      .Case([&](ScanOp) { return withTraffic(op, 0); })
      .Case([&](linalg::MatmulOp o) {
        Value a = o.getDpsInputs()[0], b = o.getDpsInputs()[1];
        return withTraffic(op, 2.0 * dim(a, 0) * dim(a, 1) * dim(b, 1));
      })
      .Case([&](linalg::BatchMatmulOp o) {
        Value a = o.getDpsInputs()[0], b = o.getDpsInputs()[1];
        return withTraffic(op, 2.0 * dim(a, 0) * dim(a, 1) * dim(a, 2) *
                                   dim(b, 2));
      })
      .Default([](Operation *) { return Cost{}; });
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
