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

namespace mlir::seqmix::detail {

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
  /// A block-level buffer: the block's shared memory on a GPU.
  Value shared(ArrayRef<int64_t> shape) {
    return memref::AllocaOp::create(b, loc,
                                    MemRefType::get(shape, b.getF32Type()));
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
};

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_BLOCKEMITTER_H
