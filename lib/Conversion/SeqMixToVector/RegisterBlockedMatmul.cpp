//===- RegisterBlockedMatmul.cpp - linalg.matmul on register tiles --------===//
//
// The projections around a mixer (in_proj, x_proj, dt_proj, out_proj) are
// plain f32 matmuls, and a layer is only as fast as its slowest part. With
// a CPU tiling config on the op (seqmix-select-tile-config gives one), a
// buffer-form linalg.matmul C += A B becomes:
//
//   scf.parallel over blocks of `threads[0]` rows of C      (OpenMP threads)
//     for each panel of `vector[1]` columns                 (B panel in L1)
//       for each block of `cache[2]` of K
//         for each `vector[0]` rows: the micro-kernel, an MR x NR tile of C
//         in registers, one broadcast of A and NR / width loads of B per k
//
// Columns left over take a one-vector kernel, then scalar code; rows left
// over take a one-row kernel. Only row-major f32 operands whose last
// dimension is contiguous are handled; others keep linalg's loops.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

static bool isRowMajorF32(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || type.getRank() != 2 || !type.getElementType().isF32())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

LogicalResult mlir::seqmix::detail::buildRegisterBlockedMatmul(
    RewriterBase &rewriter, linalg::MatmulOp op, CpuTilingAttr config) {
  if (!op.hasPureBufferSemantics() || op.hasUserDefinedMaps())
    return rewriter.notifyMatchFailure(op, "plain matmul on buffers only");
  Value A = op.getDpsInputs()[0], B = op.getDpsInputs()[1];
  Value C = op.getDpsInits()[0];
  if (!isRowMajorF32(A) || !isRowMajorF32(B) || !isRowMajorF32(C))
    return rewriter.notifyMatchFailure(op, "row-major f32 operands only");
  ArrayRef<int64_t> vec = config.getVector(), cache = config.getCache(),
                    thr = config.getThreads();
  if (vec.size() != 3 || vec[0] < 1 || vec[1] < 1)
    return rewriter.notifyMatchFailure(op, "needs vector = [MR, NR, 0]");
  int64_t mr = vec[0], nr = vec[1];
  int64_t kc = cache.size() == 3 && cache[2] > 0 ? cache[2] : 0;
  int64_t mb = thr.size() == 3 && thr[0] > 0 ? thr[0] : 0;
  // The vector width: the largest of 16, 8, 4 dividing NR.
  int64_t width = nr % 16 == 0 ? 16 : nr % 8 == 0 ? 8 : nr % 4 == 0 ? 4 : 0;
  if (!width)
    return rewriter.notifyMatchFailure(op, "NR must be a multiple of 4");

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), one = e.idx(1);
  Value M = e.dim(C, 0), N = e.dim(C, 1), K = e.dim(A, 1);
  Value kStep = kc ? e.idx(kc) : e.maxi(K, one);

  // C[i0 .. i0+rows, j0 .. j0+nv*width] += A[rows, k0..k1] B[k0..k1, cols]
  auto microKernel = [&](Value i0, int64_t rows, Value j0, int64_t nv, Value k0,
                         Value k1) {
    SmallVector<Value> acc;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        acc.push_back(
            e.load(C, {e.addi(i0, e.idx(r)), e.addi(j0, e.idx(v * width))}));
    SmallVector<Value> out =
        e.foldMany(k0, k1, one, acc, [&](Value k, ValueRange a) {
          SmallVector<Value> bv, next(a.begin(), a.end());
          for (int64_t v = 0; v < nv; ++v)
            bv.push_back(e.load(B, {k, e.addi(j0, e.idx(v * width))}));
          for (int64_t r = 0; r < rows; ++r) {
            Value ar =
                e.splat(e.ScalarEmitter::load(A, {e.addi(i0, e.idx(r)), k}));
            for (int64_t v = 0; v < nv; ++v)
              next[r * nv + v] = e.fma(ar, bv[v], next[r * nv + v]);
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        e.store(C, out[r * nv + v],
                {e.addi(i0, e.idx(r)), e.addi(j0, e.idx(v * width))});
  };
  // Rows [i0, i1) of one column panel, for one block of K.
  auto panel = [&](Value i0, Value i1, Value j0, int64_t nv, Value k0,
                   Value k1) {
    Value MRv = e.idx(mr);
    Value full = e.subi(i1, e.remi(e.subi(i1, i0), MRv));
    e.loopStep(i0, full, MRv,
               [&](Value i) { microKernel(i, mr, j0, nv, k0, k1); });
    e.loop(full, i1, [&](Value i) { microKernel(i, 1, j0, nv, k0, k1); });
  };

  Value rowsPerBlock = mb ? e.idx(mb) : e.maxi(M, one);
  auto par = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                     ValueRange{M}, ValueRange{rowsPerBlock});
  {
    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPoint(par.getBody()->getTerminator());
    Value i0 = par.getInductionVars()[0];
    Value i1 = e.mini(e.addi(i0, rowsPerBlock), M);
    Value NR = e.idx(nr), Wv = e.idx(width);
    Value nFull = e.subi(N, e.remi(N, NR));
    Value nVec = e.subi(N, e.remi(N, Wv));
    e.loopStep(zero, K, kStep, [&](Value k0) {
      Value k1 = e.mini(e.addi(k0, kStep), K);
      e.loopStep(zero, nFull, NR,
                 [&](Value j) { panel(i0, i1, j, nr / width, k0, k1); });
      e.loopStep(nFull, nVec, Wv,
                 [&](Value j) { panel(i0, i1, j, 1, k0, k1); });
    });
    // The last columns, narrower than a vector.
    e.loop(i0, i1, [&](Value i) {
      e.loop(nVec, N, [&](Value j) {
        Value sum =
            e.fold(K, e.ScalarEmitter::load(C, {i, j}), [&](Value k, Value s) {
              return e.addf(s, e.mulf(e.ScalarEmitter::load(A, {i, k}),
                                      e.ScalarEmitter::load(B, {k, j})));
            });
        e.ScalarEmitter::store(C, sum, {i, j});
      });
    });
  }
  return success();
}
