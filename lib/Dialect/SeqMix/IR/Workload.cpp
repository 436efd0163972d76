//===- Workload.cpp - what each op costs and what its operands look like --===//
//
// WorkloadOpInterface: the arithmetic of each op from its shapes (FLOPs, an
// FMA counting 2, and transcendental calls) and a realistic range for each
// operand, so that random inputs are finite and model-like: log decays <= 0,
// A < 0, Mamba's Δ small and positive, softmax logits of moderate size,
// indices in range.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// Static size of dimension `i`, or -1 when dynamic.
int64_t dim(Value v, int64_t i) {
  int64_t s = cast<ShapedType>(v.getType()).getDimSize(i);
  return ShapedType::isDynamic(s) ? -1 : s;
}

/// The product of static sizes; std::nullopt if any is dynamic.
std::optional<double> product(std::initializer_list<int64_t> sizes) {
  double p = 1;
  for (int64_t s : sizes) {
    if (s < 0)
      return std::nullopt;
    p *= double(s);
  }
  return p;
}

std::optional<double> elements(Value v) {
  auto st = cast<ShapedType>(v.getType());
  if (!st.hasStaticShape())
    return std::nullopt;
  return double(st.getNumElements());
}

std::optional<OpWork> work(std::optional<double> flops, double trans = 0) {
  if (!flops)
    return std::nullopt;
  return OpWork{*flops, trans};
}

/// Operand `index` of `op` is `v`.
bool is(Operation *op, unsigned index, Value v) {
  return v && op->getOperand(index) == v;
}

/// Entries of a small random input: about unit size.
OperandHint unit() { return OperandHint::uniform(-1, 1); }

/// A weight feeding a reduction of `fanIn` terms: 1/sqrt(fanIn) scaling.
OperandHint weight(int64_t fanIn) {
  double s = fanIn > 0 ? 1.0 / std::sqrt(double(fanIn)) : 1.0;
  return OperandHint::uniform(-s, s);
}

/// Mamba's Δ input before softplus (Δ then lands in about [0.01, 0.2]), or
/// Δ itself when the op applies no softplus.
OperandHint mambaDelta(bool softplus) {
  return softplus ? OperandHint::uniform(-4.5, -1.5)
                  : OperandHint::uniform(0.01, 0.2);
}

/// The Mamba operands shared by selective_scan and ssd: the raw Δ, its bias
/// and threshold, and A; std::nullopt for the others.
std::optional<OperandHint> mambaHint(Operation *op, unsigned index, Value raw,
                                     Value bias, Value threshold, Value A,
                                     bool softplus) {
  if (is(op, index, raw))
    return bias ? OperandHint::uniform(-0.5, 0.5) : mambaDelta(softplus);
  if (is(op, index, bias))
    return softplus ? OperandHint::uniform(-4, -2)
                    : OperandHint::uniform(0, 0.05);
  if (is(op, index, A))
    return OperandHint::uniform(-8, -0.5);
  if (is(op, index, threshold))
    return OperandHint::uniform(0, 0.02);
  return std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

std::optional<OpWork> LinearAttentionOp::getWork() {
  // Per step, head and state entry: decay, rank-1 update, readout (5); the
  // delta rule adds k S' and its update (4).
  std::optional<double> steps =
      product({dim(getQ(), 0), dim(getQ(), 1), dim(getV(), 2)});
  std::optional<double> kv = product({dim(getQ(), 3), dim(getV(), 3)});
  if (!steps || !kv)
    return std::nullopt;
  double perEntry = 5 + (getBeta() ? 4 : 0);
  double exps = 0;
  if (Value g = getLogDecay())
    exps = cast<ShapedType>(g.getType()).getRank() == 4 ? *steps * dim(getQ(), 3)
                                                         : *steps;
  double norms = getQkNorm() == QKNorm::l2 ? 2 * *steps : 0;
  return work(*steps * *kv * perEntry, exps + norms);
}
OperandHint LinearAttentionOp::getOperandHint(unsigned index) {
  Operation *op = getOperation();
  if (is(op, index, getLogDecay()))
    return OperandHint::uniform(-0.5, -0.01);
  if (is(op, index, getBeta()))
    return OperandHint::uniform(0, 1);
  if (is(op, index, getCuSeqlens()))
    return OperandHint::offsets();
  // q, k scaled so that q.k stays of unit size; states small.
  if (is(op, index, getQ()) || is(op, index, getK()))
    return weight(dim(getQ(), 3));
  return unit();
}

std::optional<OpWork> SelectiveScanOp::getWork() {
  // Per (step, channel, state): Δ·A, exp, Δ·B·u, decay FMA, C·h FMA.
  std::optional<double> n = product(
      {dim(getU(), 0), dim(getU(), 1), dim(getU(), 2), dim(getA(), 1)});
  std::optional<double> tokens =
      product({dim(getU(), 0), dim(getU(), 1), dim(getU(), 2)});
  if (!n || !tokens)
    return std::nullopt;
  double trans = *n + (getDeltaSoftplus() ? *tokens : 0) +
                 (getZ() ? *tokens : 0);
  return work(*n * 8, trans);
}
OperandHint SelectiveScanOp::getOperandHint(unsigned index) {
  Operation *op = getOperation();
  if (std::optional<OperandHint> h =
          mambaHint(op, index, getDelta(), getDeltaBias(), getDeltaThreshold(),
                    getA(), getDeltaSoftplus()))
    return *h;
  if (is(op, index, getCuSeqlens()))
    return OperandHint::offsets();
  return unit();
}

std::optional<OpWork> SSDOp::getWork() {
  std::optional<double> n =
      product({dim(getX(), 0), dim(getX(), 1), dim(getX(), 2), dim(getX(), 3),
               dim(getB(), 3)});
  std::optional<double> steps =
      product({dim(getX(), 0), dim(getX(), 1), dim(getX(), 2)});
  if (!n || !steps)
    return std::nullopt;
  double trans = *steps * (1 + (getDtSoftplus() ? 1 : 0));
  if (getZ())
    trans += *elements(getX());
  return work(*n * 6, trans);
}
OperandHint SSDOp::getOperandHint(unsigned index) {
  Operation *op = getOperation();
  if (std::optional<OperandHint> h =
          mambaHint(op, index, getDt(), getDtBias(), getDeltaThreshold(),
                    getA(), getDtSoftplus()))
    return *h;
  if (is(op, index, getCuSeqlens()))
    return OperandHint::offsets();
  if (is(op, index, getB()) || is(op, index, getC()))
    return weight(dim(getB(), 3));
  return unit();
}

std::optional<OpWork> CausalConv1dOp::getWork() {
  std::optional<double> n = product(
      {dim(getX(), 0), dim(getX(), 1), dim(getX(), 2), dim(getW(), 1)});
  if (!n)
    return std::nullopt;
  double trans = getActivation() == Activation::silu
                     ? *n / std::max<int64_t>(dim(getW(), 1), 1)
                     : 0;
  return work(*n * 2, trans);
}
OperandHint CausalConv1dOp::getOperandHint(unsigned index) {
  Operation *op = getOperation();
  if (is(op, index, getW()))
    return weight(dim(getW(), 1));
  if (is(op, index, getBias()))
    return OperandHint::uniform(-0.1, 0.1);
  if (is(op, index, getCuSeqlens()))
    return OperandHint::offsets();
  return unit();
}

//===----------------------------------------------------------------------===//
// Routing
//===----------------------------------------------------------------------===//

std::optional<OpWork> RouteOp::getWork() {
  std::optional<double> n = product(
      {dim(getLogits(), 0), dim(getLogits(), 1), dim(getLogits(), 2)});
  if (!n)
    return std::nullopt;
  return work(*n * (3 + getTopKAttr().getInt()), *n);
}
OperandHint RouteOp::getOperandHint(unsigned) {
  return OperandHint::uniform(-2, 2);
}

std::optional<OpWork> DispatchOp::getWork() { return OpWork{}; }
OperandHint DispatchOp::getOperandHint(unsigned index) {
  if (index == 1)
    return OperandHint::indexBelow(getNumMemoriesAttr().getInt());
  return unit();
}

std::optional<OpWork> SegmentMatmulOp::getWork() {
  return work(product({2, dim(getPacked(), 0), dim(getWeight(), 1),
                       dim(getWeight(), 2)}));
}
OperandHint SegmentMatmulOp::getOperandHint(unsigned index) {
  if (index == 1)
    return weight(dim(getWeight(), 1));
  if (index == 2)
    return OperandHint::offsets();
  return unit();
}

std::optional<OpWork> CombineOp::getWork() {
  std::optional<double> n = elements(getPacked());
  return work(n ? std::optional<double>(2 * *n) : std::nullopt);
}
OperandHint CombineOp::getOperandHint(unsigned index) {
  if (index == 1) {
    std::optional<double> slots = product(
        {dim(getWeights(), 0), dim(getWeights(), 1), dim(getWeights(), 2)});
    return OperandHint::indexBelow(slots ? int64_t(*slots) : 1);
  }
  if (index == 2)
    return OperandHint::uniform(0, 1);
  return unit();
}

//===----------------------------------------------------------------------===//
// Windowed attention, Hadamard, scan
//===----------------------------------------------------------------------===//

std::optional<OpWork> NeighborhoodAttentionOp::getWork() {
  double window = 1;
  for (int64_t k : getKernelSize())
    window *= double(k);
  int64_t r = getNumSpatialDims();
  std::optional<double> n = elements(getQ());
  if (!n || dim(getV(), r + 2) < 0)
    return std::nullopt;
  double queries = *n / dim(getQ(), r + 2);
  double d = double(dim(getQ(), r + 2)) + dim(getV(), r + 2);
  return work(queries * window * (2 * d + 4), queries * window);
}
OperandHint NeighborhoodAttentionOp::getOperandHint(unsigned index) {
  if (is(getOperation(), index, getRpb()))
    return OperandHint::uniform(-0.5, 0.5);
  return unit();
}

std::optional<OpWork> SlidingWindowAttentionOp::getWork() {
  int64_t tq = dim(getQ(), 1), tk = dim(getK(), 1);
  std::optional<double> heads = product({dim(getQ(), 0), dim(getQ(), 2)});
  if (tq < 0 || tk < 0 || !heads || dim(getQ(), 3) < 0 || dim(getV(), 3) < 0)
    return std::nullopt;
  // The keys each query sees, counted exactly: query i sits at key position
  // i + Tk - Tq and sees [p - left, p + right] within [0, Tk) (a negative
  // side is unbounded), so causal attention counts half of Tq x Tk.
  int64_t l = getWindowLeftAttr().getInt();
  int64_t r = getWindowRightAttr().getInt();
  double pairs = 0;
  for (int64_t i = 0; i < tq; ++i) {
    int64_t p = i + tk - tq;
    int64_t lo = l < 0 ? 0 : std::max<int64_t>(0, p - l);
    int64_t hi = r < 0 ? tk - 1 : std::min<int64_t>(tk - 1, p + r);
    pairs += double(std::max<int64_t>(0, hi - lo + 1));
  }
  double d = double(dim(getQ(), 3)) + dim(getV(), 3);
  return work(*heads * pairs * (2 * d + 4), *heads * pairs);
}
OperandHint SlidingWindowAttentionOp::getOperandHint(unsigned) {
  return unit();
}

std::optional<OpWork> HadamardOp::getWork() {
  // The fast transform: log2(2^p) butterfly stages plus an m x m product
  // per element.
  std::optional<double> n = elements(getX());
  if (!n)
    return std::nullopt;
  int64_t len = cast<ShapedType>(getX().getType()).getShape().back();
  int64_t m = len, stages = 0;
  while (m % 2 == 0 && m != 12 && m != 20 && m != 28)
    m /= 2, ++stages;
  return work(*n * double(stages + 2 * m));
}
OperandHint HadamardOp::getOperandHint(unsigned) { return unit(); }

std::optional<OpWork> ScanOp::getWork() {
  // The body is arbitrary IR: its ops are counted where they are lowered.
  return OpWork{};
}
OperandHint ScanOp::getOperandHint(unsigned index) {
  if (is(getOperation(), index, getCuSeqlens()))
    return OperandHint::offsets();
  return OperandHint::uniform(-0.5, 0.5);
}
