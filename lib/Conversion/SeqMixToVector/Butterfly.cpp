//===- Butterfly.cpp - hadamard as a fast Walsh-Hadamard transform --------===//
//
// y = x · (H_m ⊗ S_{2^p}) / sqrt(N) per row, in O(N log N) instead of the
// scalar body's O(N^2):
//
//   1. each of the m segments of 2^p elements goes through the Sylvester
//      butterflies (u, v) -> (u + v, u - v): the stages closer than a vector
//      are lane shuffles (one shuffle and one FMA with a ±1 vector each),
//      done as the row is loaded; the wider ones pair whole vectors of an
//      L1-resident row buffer;
//   2. the m x m factor mixes the segments: output segment a' is the signed
//      sum over a of segment a, signs from the constant H_m (m = 1: none);
//   3. the 1/sqrt(N) scale and the conversion to the output type are
//      applied as the row is stored; an elementwise consumer of the output
//      that nothing else reads (the int8 quantization of a quantized
//      destination, which seqmix-tile fused into the same thread tile) is
//      applied on the registers too, and stored in its place.
//
// The vector width is the vector level's size on the last row loop (the
// transform axis is not a loop of the op's domain).
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// An elementwise linalg.generic right after `op` whose only input is
/// `y`, the op's output, which nothing else reads (the int8 quantization
/// seqmix-lower-quant leaves, fused into the same thread tile): its body
/// can be applied on the registers before the store, into its output.
static linalg::GenericOp findFusibleConsumer(Operation *op, Value y) {
  linalg::GenericOp consumer;
  for (Operation *user : y.getUsers()) {
    if (user == op)
      continue;
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (consumer || !g || g->getBlock() != op->getBlock() ||
        g.getNumDpsInputs() != 1 || g.getDpsInputs()[0] != y ||
        g.getNumDpsInits() != 1 || !g.hasPureBufferSemantics() ||
        !llvm::all_of(g.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); }) ||
        !g.getRegionOutputArgs()[0].use_empty() ||
        cast<ShapedType>(g.getDpsInits()[0].getType()).getShape() !=
            cast<ShapedType>(y.getType()).getShape())
      return {};
    for (Operation &inner : g.getBody()->without_terminator())
      if (!inner.hasTrait<OpTrait::Elementwise>() &&
          !isa<arith::ConstantOp>(inner))
        return {};
    consumer = g;
  }
  return consumer;
}

/// `g`'s scalar body on the lanes of `v`.
static Value applyBody(RewriterBase &rewriter, Location loc,
                       linalg::GenericOp g, Value v, int64_t width) {
  IRMapping map;
  map.map(g.getRegionInputArgs()[0], v);
  for (Operation &inner : g.getBody()->without_terminator()) {
    if (auto c = dyn_cast<arith::ConstantOp>(inner)) {
      auto type = VectorType::get({width}, c.getType());
      map.map(c.getResult(),
              arith::ConstantOp::create(
                  rewriter, loc, SplatElementsAttr::get(type, c.getValue())));
      continue;
    }
    OperationState st(loc, inner.getName());
    for (Value operand : inner.getOperands()) {
      // A scalar from outside the body (a hoisted constant) is broadcast.
      if (!map.contains(operand))
        map.map(operand,
                vector::BroadcastOp::create(
                    rewriter, loc, VectorType::get({width}, operand.getType()),
                    operand));
      st.addOperands(map.lookup(operand));
    }
    for (Type t : inner.getResultTypes())
      st.addTypes(VectorType::get({width}, t));
    st.addAttributes(inner.getAttrs());
    Operation *vec = rewriter.create(st);
    map.map(inner.getResults(), vec->getResults());
  }
  return map.lookup(g.getBody()->getTerminator()->getOperand(0));
}

LogicalResult mlir::seqmix::detail::buildButterfly(RewriterBase &rewriter,
                                                   HadamardOp op,
                                                   int64_t width) {
  Value x = op.getX(), y = op.getOutputs()[0];
  auto type = cast<MemRefType>(x.getType());
  int64_t n = type.getShape().back();
  if (ShapedType::isDynamic(n))
    return rewriter.notifyMatchFailure(op, "N must be static");
  // Plain locals, not a structured binding: the lambdas below capture them.
  const auto factors = hadamardFactors(n);
  const int64_t m = factors.first, p2 = factors.second;
  if (p2 < width || !llvm::isPowerOf2_64(width))
    return rewriter.notifyMatchFailure(op, "2^p must hold a vector");
  SmallVector<int64_t> strides;
  int64_t offset;
  for (Value v : {x, y})
    if (failed(cast<MemRefType>(v.getType())
                   .getStridesAndOffset(strides, offset)) ||
        strides.back() != 1)
      return rewriter.notifyMatchFailure(op, "rows must be contiguous");

  // A quantizing consumer is applied before the store, into its output.
  linalg::GenericOp consumer = findFusibleConsumer(op, y);
  Value dest = consumer ? consumer.getDpsInits()[0] : y;
  // Its output (a subview made after the op) must be available before it.
  if (Operation *def = dest.getDefiningOp();
      consumer && def && def->getBlock() == op->getBlock() &&
      op->isBeforeInBlock(def)) {
    if (!llvm::all_of(def->getOperands(), [&](Value v) {
          Operation *d = v.getDefiningOp();
          return !d || d->getBlock() != op->getBlock() ||
                 d->isBeforeInBlock(op);
        }))
      consumer = {}, dest = y;
    else
      rewriter.moveOpBefore(def, op);
  }

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), Wv = e.idx(width), P = e.idx(p2);
  int64_t rank = type.getRank();
  Value buf = e.scratch(x, rank - 1);
  SmallVector<int8_t> base = hadamardBase(m);
  Value norm = e.splatF32(1.0 / std::sqrt(double(n)));

  // Lane stage h < width: out[i] = ±v[i] + v[i ^ h], minus where bit h set.
  auto laneStages = [&](Value v) {
    for (int64_t h = 1; h < width; h *= 2) {
      SmallVector<int64_t> perm;
      SmallVector<float> sign;
      for (int64_t i = 0; i < width; ++i) {
        perm.push_back(i ^ h);
        sign.push_back((i & h) ? -1.0f : 1.0f);
      }
      Value s = vector::ShuffleOp::create(rewriter, loc, v, v, perm);
      Value c = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(e.f32Vec(), ArrayRef<float>(sign)));
      v = e.fma(c, v, s);
    }
    return v;
  };

  SmallVector<Value> rowDims;
  for (int64_t d = 0; d + 1 < rank; ++d)
    rowDims.push_back(e.dim(x, d));
  e.loops(rowDims, [&](ValueRange row) {
    auto at = [&](Value c) {
      SmallVector<Value> i(row.begin(), row.end());
      i.push_back(c);
      return i;
    };
    // 1a. Load, with the lane stages.
    e.loopStep(zero, e.idx(n), Wv, [&](Value c) {
      e.store(buf, laneStages(e.load(x, at(c))), {c});
    });
    // 1b. The stages of whole vectors, within each segment.
    for (int64_t h = width; h < p2; h *= 2) {
      Value H = e.idx(h);
      e.loopStep(zero, e.idx(n), e.idx(2 * h), [&](Value blk) {
        e.loopStep(zero, H, Wv, [&](Value i) {
          Value lo = e.addi(blk, i), hi = e.addi(lo, H);
          Value u = e.load(buf, {lo}), v = e.load(buf, {hi});
          e.store(buf, e.addf(u, v), {lo});
          e.store(buf, e.subf(u, v), {hi});
        });
      });
    }
    // 2 and 3. Mix the segments by H_m, scale, store.
    e.loopStep(zero, P, Wv, [&](Value i) {
      SmallVector<Value> seg;
      for (int64_t a = 0; a < m; ++a)
        seg.push_back(e.load(buf, {e.addi(e.idx(a * p2), i)}));
      for (int64_t c = 0; c < m; ++c) {
        Value acc = seg[0];
        if (base[c] < 0) // H_m[0, c]
          acc = arith::NegFOp::create(rewriter, loc, acc);
        for (int64_t a = 1; a < m; ++a)
          acc = base[a * m + c] < 0 ? e.subf(acc, seg[a]) : e.addf(acc, seg[a]);
        Value out = e.mulf(acc, norm);
        if (consumer)
          out = applyBody(rewriter, loc, consumer, out, width);
        e.store(dest, out, at(e.addi(e.idx(c * p2), i)));
      }
    });
  });
  if (consumer)
    rewriter.eraseOp(consumer);
  return success();
}
