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
//   3. the 1/sqrt(N) scale and the conversion to the output type (a
//      quantizing consumer is fused into the same thread tile by
//      seqmix-tile) are applied as the row is stored.
//
// The vector width is the vector level's size on the last row loop (the
// transform axis is not a loop of the op's domain).
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

LogicalResult mlir::seqmix::detail::buildButterfly(RewriterBase &rewriter,
                                                   HadamardOp op,
                                                   int64_t width) {
  Value x = op.getX(), y = op.getOutputs()[0];
  auto type = cast<MemRefType>(x.getType());
  int64_t n = type.getShape().back();
  if (ShapedType::isDynamic(n))
    return rewriter.notifyMatchFailure(op, "N must be static");
  auto [m, p2] = hadamardFactors(n);
  if (p2 < width || !llvm::isPowerOf2_64(width))
    return rewriter.notifyMatchFailure(op, "2^p must hold a vector");
  SmallVector<int64_t> strides;
  int64_t offset;
  for (Value v : {x, y})
    if (failed(cast<MemRefType>(v.getType())
                   .getStridesAndOffset(strides, offset)) ||
        strides.back() != 1)
      return rewriter.notifyMatchFailure(op, "rows must be contiguous");

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
        e.store(y, e.mulf(acc, norm), at(e.addi(e.idx(c * p2), i)));
      }
    });
  });
  return success();
}
