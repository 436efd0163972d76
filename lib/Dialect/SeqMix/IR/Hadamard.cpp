//===- Hadamard.cpp - loop structure of the Hadamard rotation -------------===//
//
// hadamard is parallel over its rows (every axis but the last); a row is
// rotated whole, since a slice of columns is no smaller Hadamard transform.
// The scalar body is the dense product with H_N = H_m ⊗ S_{2^p}; the m x m
// factor is a vector constant of row sign masks, so the body needs no
// global buffer.
//
//===----------------------------------------------------------------------===//

#include "LoopStructure.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

using IT = utils::IteratorType;

std::pair<int64_t, int64_t> mlir::seqmix::hadamardFactors(int64_t n) {
  int64_t m = n, p2 = 1;
  while (m % 2 == 0 && !(m == 12 || m == 20 || m == 28))
    m /= 2, p2 *= 2;
  return {m, p2};
}

SmallVector<int8_t> mlir::seqmix::hadamardBase(int64_t m) {
  if (m == 1)
    return {1};
  auto chi = [](int64_t a, int64_t q) -> int {
    a = ((a % q) + q) % q;
    if (a == 0)
      return 0;
    for (int64_t x = 1; x < q; ++x)
      if ((x * x) % q == a)
        return 1;
    return -1;
  };
  SmallVector<int8_t> h(m * m);
  if (m == 12 || m == 20) {
    // Paley I: H = I + [[0, 1^T], [-1, Q]], Q[a][b] = chi(a - b).
    int64_t q = m - 1;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) {
        int c;
        if (i == 0)
          c = j == 0 ? 0 : 1;
        else if (j == 0)
          c = -1;
        else
          c = chi((i - 1) - (j - 1), q);
        h[i * m + j] = static_cast<int8_t>(c + (i == j ? 1 : 0));
      }
    return h;
  }
  // Paley II (m = 28, q = 13): C = [[0, 1^T], [1, Q]], every entry a 2x2
  // block: 0 -> [[1, -1], [-1, -1]], ±1 -> ±[[1, 1], [1, -1]].
  int64_t q = 13, n = q + 1;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int c = (i == 0 && j == 0) ? 0
              : (i == 0 || j == 0) ? 1
                                   : chi((i - 1) - (j - 1), q);
      int blk[2][2];
      if (c == 0) {
        blk[0][0] = 1, blk[0][1] = -1, blk[1][0] = -1, blk[1][1] = -1;
      } else {
        blk[0][0] = c, blk[0][1] = c, blk[1][0] = c, blk[1][1] = -c;
      }
      for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y)
          h[(2 * i + x) * m + (2 * j + y)] = static_cast<int8_t>(blk[x][y]);
    }
  return h;
}

SmallVector<StringRef> HadamardOp::getLoopNames() {
  static const char *rows[] = {"l0", "l1", "l2", "l3", "l4", "l5", "l6"};
  SmallVector<StringRef> names;
  for (int64_t i = 0, r = rankOf(getX()); i + 1 < r; ++i)
    names.push_back(i < 7 ? rows[i] : "l");
  return names;
}
SmallVector<IT> HadamardOp::getLoopKinds() {
  return SmallVector<IT>(rankOf(getX()) - 1, IT::parallel);
}
SmallVector<OpFoldResult> HadamardOp::getLoopSizes(OpBuilder &b) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, r = rankOf(getX()); i + 1 < r; ++i)
    sizes.push_back(sizeOf(b, getX(), i));
  return sizes;
}
OperandLoopDims HadamardOp::getOperandLoopDims() {
  SmallVector<LoopDim, 4> d;
  for (int64_t i = 0, r = rankOf(getX()); i + 1 < r; ++i)
    d.push_back(LoopDim::of(i));
  d.push_back(LoopDim::whole());
  return {d, d};
}
bool HadamardOp::isLoopTileable(unsigned) { return true; }
bool HadamardOp::readsInit(unsigned) { return false; }
Value HadamardOp::getSequenceOffsets() { return {}; }

/// y[row, c] = Σ_j x[row, j] H_N[j, c] / sqrt(N) with
/// H_N[j, c] = H_m[j / 2^p, c / 2^p] * (-1)^popcount((j mod 2^p) & (c mod 2^p)).
LogicalResult HadamardOp::emitScalarBody(OpBuilder &b, Location loc,
                                         ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value x = getX(), y = getOutputs()[0];
  int64_t n = cast<ShapedType>(x.getType()).getShape().back();
  auto [m, p2] = hadamardFactors(n);
  // Row i of H_m as a mask: bit c set where H_m[i, c] = -1.
  SmallVector<int8_t> base = hadamardBase(m);
  SmallVector<int32_t> masks(m, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t c = 0; c < m; ++c)
      if (base[i * m + c] < 0)
        masks[i] |= int32_t(1) << c;
  Type i32 = b.getI32Type();
  auto maskType = VectorType::get({m}, i32);
  Value maskVec = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(maskType, ArrayRef<int32_t>(masks)));
  auto i32c = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  auto toI32 = [&](Value v) { return e.fromIndex(v, i32); };
  Value N = e.idx(n), P = e.idx(p2);
  Value norm = e.f32(1.0 / std::sqrt(static_cast<double>(n)));
  SmallVector<Value> row(ivs.begin(), ivs.end());
  auto at = [&](Value c) {
    SmallVector<Value> i = row;
    i.push_back(c);
    return i;
  };
  e.loop(N, [&](Value c) {
    Value cBlock = toI32(e.divi(c, P)), cBits = toI32(e.remi(c, P));
    Value acc = e.fold(N, e.f32(0), [&](Value j, Value a) {
      Value mask = vector::ExtractOp::create(
          b, loc, maskVec, ArrayRef<OpFoldResult>{e.divi(j, P)});
      // Sign bit of H_m, xor the parity of the shared low bits.
      Value bits = arith::AndIOp::create(b, loc, toI32(e.remi(j, P)), cBits);
      for (int64_t sh : {16, 8, 4, 2, 1})
        bits = arith::XOrIOp::create(
            b, loc, bits, arith::ShRUIOp::create(b, loc, bits, i32c(sh)));
      Value neg = arith::XOrIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, mask, cBlock), bits);
      Value odd = arith::TruncIOp::create(b, loc, b.getI1Type(), neg);
      Value xj = e.load(x, at(j));
      return e.addf(a, e.select(odd, arith::NegFOp::create(b, loc, xj), xj));
    });
    e.store(y, e.mulf(acc, norm), at(c));
  });
  return success();
}

SmallVector<int64_t> HadamardOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
