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
// seqmix.segment_matmul (MoM's grouped GEMM) runs the same kernel once per
// segment, on its rows and its memory's weight; its threads split the
// output columns (its config's thread level), its `vector` gives NR.
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

/// The vector width of an NR-column panel: the largest of 16, 8, 4
/// dividing NR (a multiple of 4).
static int64_t panelWidth(int64_t nr) {
  return nr % 16 == 0 ? 16 : nr % 8 == 0 ? 8 : 4;
}

/// C += A B on row-major f32 buffers: rows in blocks of `rowsPerBlock` (0:
/// one block), on threads (scf.parallel) when `threaded`. Within a block,
/// rows go in sub-blocks, and each sub-block in K blocks of `kc` (0: all of
/// K): the sub-block's A block (rows x KC floats, about 32 KiB) stays in
/// cache while every column panel (`nr` wide, MR x NR micro-kernels) passes
/// over it, and its rows of C stay in cache across the K blocks. Without
/// the sub-blocks a block of thousands of rows streams its A block from
/// memory once per panel (8192 x 512 x 512: 67 % -> 83 % of the FMA peak).
static void emitBlockedMatmul(RewriterBase &rewriter, Location loc, Value A,
                              Value B, Value C, int64_t mr, int64_t nr,
                              int64_t kc, int64_t rowsPerBlock, bool threaded) {
  int64_t width = panelWidth(nr);
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), one = e.idx(1);
  Value M = e.dim(C, 0), N = e.dim(C, 1), K = e.dim(A, 1);
  Value kStep = kc ? e.idx(kc) : e.maxi(K, one);
  // Rows per sub-block: an A block of about 8192 floats (K unblocked, of
  // unknown size here, counts as 512).
  int64_t mc = mr * std::max<int64_t>(1, 8192 / ((kc ? kc : 512) * mr));

  // C[i0 .. i0+rows, j0 .. j0+nv*w] += A[rows, k0..k1] B[k0..k1, cols], on
  // vectors of w lanes.
  auto microKernel = [&](int64_t w, Value i0, int64_t rows, Value j0,
                         int64_t nv, Value k0, Value k1) {
    VectorEmitter ve(rewriter, loc, w);
    SmallVector<Value> acc;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        acc.push_back(
            ve.load(C, {ve.addi(i0, ve.idx(r)), ve.addi(j0, ve.idx(v * w))}));
    SmallVector<Value> out =
        ve.foldMany(k0, k1, one, acc, [&](Value k, ValueRange a) {
          SmallVector<Value> bv, next(a.begin(), a.end());
          for (int64_t v = 0; v < nv; ++v)
            bv.push_back(ve.load(B, {k, ve.addi(j0, ve.idx(v * w))}));
          for (int64_t r = 0; r < rows; ++r) {
            Value ar = ve.splat(
                ve.ScalarEmitter::load(A, {ve.addi(i0, ve.idx(r)), k}));
            for (int64_t v = 0; v < nv; ++v)
              next[r * nv + v] = ve.fma(ar, bv[v], next[r * nv + v]);
          }
          return next;
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        ve.store(C, out[r * nv + v],
                 {ve.addi(i0, ve.idx(r)), ve.addi(j0, ve.idx(v * w))});
  };
  // Rows [i0, i1) of one column panel, for one block of K.
  auto panel = [&](int64_t w, Value i0, Value i1, Value j0, int64_t nv,
                   Value k0, Value k1) {
    Value MRv = e.idx(mr);
    Value full = e.subi(i1, e.remi(e.subi(i1, i0), MRv));
    e.loopStep(i0, full, MRv,
               [&](Value i) { microKernel(w, i, mr, j0, nv, k0, k1); });
    e.loop(full, i1, [&](Value i) { microKernel(w, i, 1, j0, nv, k0, k1); });
  };
  // Rows [i0, i1) of C.
  auto rowBlock = [&](Value i0, Value i1) {
    // Columns: NR-wide panels, then single vectors of `width`, then of the
    // narrower widths (a 4-column projection is one 4-lane vector, not
    // scalar code), then scalar code for what is left.
    Value NR = e.idx(nr);
    Value nFull = e.subi(N, e.remi(N, NR));
    SmallVector<std::pair<int64_t, Value>> narrow; // (width, end column)
    Value from = nFull;
    for (int64_t w : {int64_t(16), int64_t(8), int64_t(4)}) {
      if (w > width)
        continue;
      Value rest = e.subi(N, from);
      from = e.addi(from, e.subi(rest, e.remi(rest, e.idx(w))));
      narrow.push_back({w, from});
    }
    Value vecEnd = from;
    e.loopStep(i0, i1, e.idx(mc), [&](Value s0) {
      Value s1 = e.mini(e.addi(s0, e.idx(mc)), i1);
      e.loopStep(zero, K, kStep, [&](Value k0) {
        Value k1 = e.mini(e.addi(k0, kStep), K);
        e.loopStep(zero, nFull, NR, [&](Value j) {
          panel(width, s0, s1, j, nr / width, k0, k1);
        });
        Value lo = nFull;
        for (auto [narrowWidth, hi] : narrow) {
          int64_t w = narrowWidth; // a plain local: the lambda captures it
          e.loopStep(lo, hi, e.idx(w),
                     [&](Value j) { panel(w, s0, s1, j, 1, k0, k1); });
          lo = hi;
        }
      });
    });
    // The last columns, narrower than 4 lanes.
    e.loop(i0, i1, [&](Value i) {
      e.loop(vecEnd, N, [&](Value j) {
        Value sum =
            e.fold(K, e.ScalarEmitter::load(C, {i, j}), [&](Value k, Value s) {
              return e.addf(s, e.mulf(e.ScalarEmitter::load(A, {i, k}),
                                      e.ScalarEmitter::load(B, {k, j})));
            });
        e.ScalarEmitter::store(C, sum, {i, j});
      });
    });
  };

  Value rows = rowsPerBlock ? e.idx(rowsPerBlock) : e.maxi(M, one);
  if (!threaded) {
    e.loopStep(zero, M, rows,
               [&](Value i0) { rowBlock(i0, e.mini(e.addi(i0, rows), M)); });
    return;
  }
  auto par = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                     ValueRange{M}, ValueRange{rows});
  OpBuilder::InsertionGuard g(rewriter);
  rewriter.setInsertionPoint(par.getBody()->getTerminator());
  Value i0 = par.getInductionVars()[0];
  rowBlock(i0, e.mini(e.addi(i0, rows), M));
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
  if (vec.size() != 3 || vec[0] < 1 || vec[1] < 4 || vec[1] % 4)
    return rewriter.notifyMatchFailure(
        op, "needs vector = [MR, NR, 0], NR a multiple of 4");
  int64_t kc = cache.size() == 3 && cache[2] > 0 ? cache[2] : 0;
  int64_t mb = thr.size() == 3 && thr[0] > 0 ? thr[0] : 0;
  emitBlockedMatmul(rewriter, op.getLoc(), A, B, C, vec[0], vec[1], kc, mb,
                    /*threaded=*/true);
  return success();
}

LogicalResult mlir::seqmix::detail::buildSegmentMatmul(RewriterBase &rewriter,
                                                       SegmentMatmulOp op,
                                                       int64_t nr) {
  Value P = op.getPacked(), W = op.getWeight(), C = op.getOutputs()[0];
  Value offsets = op.getOffsets();
  auto wType = dyn_cast<MemRefType>(W.getType());
  if (!isRowMajorF32(P) || !isRowMajorF32(C) || !wType ||
      !wType.getElementType().isF32() || wType.getRank() != 3)
    return rewriter.notifyMatchFailure(op, "row-major f32 operands only");
  if (nr < 4 || nr % 4)
    return rewriter.notifyMatchFailure(op, "NR must be a multiple of 4");
  // MR rows: as many as the register file holds beside NR / width loads of
  // B and a broadcast of A (8 x 2 vectors with AVX-512, 4 x 3 with AVX2).
  int64_t width = panelWidth(nr);
  int64_t nv = nr / width, registers = width == 16 ? 32 : 16;
  int64_t mr = std::clamp<int64_t>((registers - nv - 1) / nv, 1, 8);
  // A K block whose B panel (KC x NR floats) fills about half of 32 KiB.
  int64_t kc = std::max<int64_t>(16, std::min<int64_t>(256, 4096 / nr));

  // Segment by segment (their rows are disjoint; the threads split the
  // columns): rows offsets[s]..offsets[s+1] of packed and result times
  // weight[s mod M], one GEMM on register tiles each.
  Location loc = op.getLoc();
  ScalarEmitter e{rewriter, loc};
  Value S = e.subi(e.dim(offsets, 0), e.idx(1));
  Value M = e.dim(W, 0), Din = e.dim(W, 1), Dout = e.dim(W, 2);
  Value Dp = e.dim(P, 1), Dc = e.dim(C, 1);
  e.loop(S, [&](Value s) {
    Value r0 = e.loadIndex(offsets, s);
    Value len = e.subi(e.loadIndex(offsets, e.addi(s, e.idx(1))), r0);
    auto rows = [&](Value mem, Value cols) {
      return memref::SubViewOp::create(
          rewriter, loc, mem,
          ArrayRef<OpFoldResult>{r0, rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{len, cols},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    };
    SmallVector<OpFoldResult> offs = {e.remi(s, M), rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(0)},
                              sizes = {rewriter.getIndexAttr(1), Din, Dout},
                              strides(3, rewriter.getIndexAttr(1));
    auto bType = memref::SubViewOp::inferRankReducedResultType(
        {ShapedType::kDynamic, ShapedType::kDynamic}, wType, offs, sizes,
        strides);
    Value B = memref::SubViewOp::create(rewriter, loc, cast<MemRefType>(bType),
                                        W, offs, sizes, strides);
    emitBlockedMatmul(rewriter, loc, rows(P, Dp), B, rows(C, Dc), mr, nr, kc,
                      /*rowsPerBlock=*/0, /*threaded=*/false);
  });
  return success();
}
