//===- BlockEmitter.h - code of the GPU block builders ----------*- C++ -*-===//
//
// What every GPU block builder emits (include/seqmix/Conversion/SeqMixToGPU):
// the block region, its shared and thread-private buffers, and phases over
// the block's threads.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_BLOCKEMITTER_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_BLOCKEMITTER_H

#include "seqmix/Conversion/SeqMixToGPU/SeqMixToGPU.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::gpu {
class WarpExecuteOnLane0Op;
} // namespace mlir::gpu

namespace mlir::seqmix::detail {

/// A block buffer as an operand of warpMatmul: A is [M, K] (or [K, M]
/// when `kMajor`), B is [N, K] (or [K, N] when `kMajor`); the products
/// read its leading rows and columns.
struct MatmulTile {
  Value buffer;
  bool kMajor = false;
};

/// Block-level code around phases over the block's threads.
struct BlockEmitter : ScalarEmitter {
  int64_t threads;

  /// Opens the block region (scf.execute_region no_inline, marked with the
  /// thread count) at the insertion point and moves the insertion point
  /// into it: convert-seqmix-blocks-to-gpu finds the block by it, and
  /// canonicalization keeps it whole.
  void openBlock() {
    auto region = scf::ExecuteRegionOp::create(b, loc, TypeRange{});
    region.setNoInline(true);
    region->setAttr(SeqMixDialect::kBlockThreadsAttrName,
                    b.getI64IntegerAttr(threads));
    Block *body = b.createBlock(&region.getRegion());
    b.setInsertionPointToStart(body);
    scf::YieldOp::create(b, loc);
    b.setInsertionPointToStart(body);
  }
  /// for (i = tid; i < n; i += threads) body(i, tid), on every thread of the
  /// block; the next phase sees everything this one wrote.
  void phase(Value n, function_ref<void(Value, Value)> body) {
    auto loop =
        scf::ParallelOp::create(b, loc, ValueRange{idx(0)},
                                ValueRange{idx(threads)}, ValueRange{idx(1)});
    loop->setAttr(SeqMixDialect::kBlockThreadsAttrName,
                  b.getI64IntegerAttr(threads));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value tid = loop.getInductionVars()[0];
    auto strided = scf::ForOp::create(b, loc, tid, n, idx(threads));
    b.setInsertionPoint(strided.getBody()->getTerminator());
    body(strided.getInductionVar(), tid);
  }
  void phase(Value n, function_ref<void(Value)> body) {
    phase(n, [&](Value i, Value) { body(i); });
  }
  /// A phase over rows x cols, row-major: body(row, col).
  void phase2(Value rows, Value cols, function_ref<void(Value, Value)> body) {
    phase(muli(rows, cols),
          [&](Value i) { body(divi(i, cols), remi(i, cols)); });
  }
  /// A block-level buffer (f32 unless `element` says otherwise): the
  /// block's shared memory on a GPU.
  Value shared(ArrayRef<int64_t> shape, Type element = {}) {
    return memref::AllocaOp::create(
        b, loc, MemRefType::get(shape, element ? element : b.getF32Type()));
  }
  /// `size` f32 per thread, indexed [tid, i] in phases (tid: the phase's
  /// thread, not its point): a thread's own memory on a GPU, kept across
  /// phases.
  Value threadPrivate(int64_t size) {
    auto alloca = memref::AllocaOp::create(
        b, loc, MemRefType::get({threads, size}, b.getF32Type()));
    alloca->setAttr(SeqMixDialect::kThreadPrivateAttrName, b.getUnitAttr());
    return alloca;
  }
  /// body(row) for rows 0 .. rows - 1 as one phase of warp-level code:
  /// warp w takes rows w, w + warps, ..., each in a
  /// gpu.warp_execute_on_lane_0 region (lane 0's code on the host) whose
  /// vector ops convert-seqmix-blocks-to-gpu spreads over the warp's lanes
  /// (upstream's vector distribution: a vector<N> as N / 32 elements per
  /// lane, a vector.reduction as shuffles).
  void warpRows(Value rows, function_ref<void(Value)> body);
  /// c[M, N] = a b (or c += a b when `accumulate`), a and b bf16 or f16,
  /// c f32, M and K multiples of 16 and N of 8, as one phase: each warp
  /// takes 16 x 8 tiles of c in turn and computes each in warp-level code
  /// (a gpu.warp_execute_on_lane_0 region of 16x16 by 8x16 vector.contract
  /// steps on tiles read from the buffers), which distributeWarpMatmuls
  /// makes tensor-core instructions on a GPU.
  void warpMatmul(Value c, MatmulTile a, MatmulTile b, int64_t M, int64_t N,
                  int64_t K, bool accumulate);
};

/// The warp-level vector code of warpRows under `root` as each lane's
/// share (upstream's vector distribution, reductions as butterfly
/// shuffles), after distributeWarpMatmuls took the products; code that
/// does not distribute is an error.
LogicalResult distributeWarpVectors(RewriterBase &rewriter, Operation *root);

/// The warp-level matrix products of warpMatmul in `warp` as each lane's
/// share: its fragments of the tiles loaded, one mma.sync m16n8k16 per
/// product, its fragment of the result stored; the region's code then runs
/// on every lane. Anything else in the region with side effects, or a
/// product of another shape or element type, is an error.
LogicalResult distributeWarpMatmuls(RewriterBase &rewriter,
                                    gpu::WarpExecuteOnLane0Op warp);

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_BLOCKEMITTER_H
