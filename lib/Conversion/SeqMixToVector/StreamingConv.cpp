//===- StreamingConv.cpp - causal_conv1d in one streaming pass ------------===//
//
// One pass over the tokens, row after row, vectorized over channels (which
// are contiguous in the token-major layout): output row t is
// bias + Σ_j w[:, j] x[t-W+1+j, :], then silu. The rows are read in memory
// order, each line prefetched a few rows ahead, so DRAM streams them; the
// W-1 earlier rows each output reads are still in L1 from the previous
// tokens, and the taps are packed once per tile into W contiguous rows
// (also L1-resident). The conv is bound by DRAM once vectorized, so the
// order of the traffic is what matters. The first W-1 outputs read the
// state for rows before the sequence; the new state (the last W-1 inputs)
// is written once, after the outputs. Leftover channels take the scalar
// body.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// Rows ahead that the row loop prefetches: a thread's part of a row is a
/// few KB, and each channel block's line is asked for a few rows early
/// (measured: 2.0 ms without, 1.3-1.5 ms with 2-4 rows, slower at 8-16).
static constexpr int64_t kPrefetchRows = 4;
/// The most taps unrolled into each output.
static constexpr int64_t kMaxTaps = 64;

LogicalResult mlir::seqmix::detail::buildStreamingConv(RewriterBase &rewriter,
                                                       CausalConv1dOp op,
                                                       int64_t width) {
  if (op.getCuSeqlens())
    return rewriter.notifyMatchFailure(op, "packed sequences are split first");
  Value x = op.getX(), w = op.getW(), S = op.getStateInit();
  Value y = op.getOutputInit(), bias = op.getBias();
  std::optional<int64_t> taps = staticDim(w, 1);
  if (!taps || *taps > kMaxTaps)
    return rewriter.notifyMatchFailure(op, "W must be static and small");
  int64_t hist = *taps - 1;
  bool silu = op.getActivation() == Activation::silu;

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), Wd = e.idx(width);
  Value Bsz = e.dim(x, 0), T = e.dim(x, 1), Dv = e.dim(x, 2);
  Value blocks = e.muli(e.divi(Dv, Wd), Wd);
  Value histV = e.idx(hist);

  // The taps, one contiguous row of channels per tap.
  SmallVector<Value> packed;
  for (int64_t j = 0; j <= hist; ++j) {
    Value row = e.scratch(w, 0);
    e.loop(Dv, [&](Value d) {
      e.ScalarEmitter::store(row, e.ScalarEmitter::load(w, {d, e.idx(j)}), {d});
    });
    packed.push_back(row);
  }

  // Output row t of one channel block; `row(j)` is input row t-W+1+j.
  auto outputRow = [&](Value bi, Value t, Value d0,
                       function_ref<Value(int64_t)> row) {
    Value acc = bias ? e.load(bias, {d0}) : e.splatF32(0);
    for (int64_t j = 0; j <= hist; ++j)
      acc = e.fma(e.load(packed[j], {d0}), row(j), acc);
    if (silu)
      acc = seqmix::silu(rewriter, loc, acc);
    e.store(y, acc, {bi, t, d0});
  };
  // Row τ of [state; x] for τ in [-hist, T): x when τ >= 0, else the state.
  auto historyRow = [&](Value bi, Value tau, Value d0) {
    Value inX = e.cmpi(arith::CmpIPredicate::sge, tau, zero);
    auto ifOp = scf::IfOp::create(
        rewriter, loc, inX,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(rewriter, loc,
                               e.load(x, {bi, e.maxi(tau, zero), d0}));
        },
        [&](OpBuilder &, Location) {
          Value r = e.maxi(e.addi(tau, histV), zero);
          scf::YieldOp::create(rewriter, loc, e.load(S, {bi, r, d0}));
        });
    return ifOp.getResult(0);
  };

  e.loop(Bsz, [&](Value bi) {
    Value head = e.mini(histV, T);
    e.loop(head, [&](Value t) {
      e.loopStep(zero, blocks, Wd, [&](Value d0) {
        outputRow(bi, t, d0, [&](int64_t j) {
          return historyRow(bi, e.subi(e.addi(t, e.idx(j)), histV), d0);
        });
      });
    });
    Value lastT = e.subi(T, e.idx(1));
    e.loop(head, T, [&](Value t) {
      Value ahead = e.mini(e.addi(t, e.idx(kPrefetchRows)), lastT);
      e.loopStep(zero, blocks, Wd, [&](Value d0) {
        e.prefetch(x, {bi, ahead, d0});
        outputRow(bi, t, d0, [&](int64_t j) {
          return e.load(x, {bi, e.subi(e.addi(t, e.idx(j)), histV), d0});
        });
      });
    });
    // New state row j is row T-W+1+j of [state; x]. Ascending j reads each
    // old state row before it is overwritten.
    for (int64_t j = 0; j < hist; ++j) {
      Value tau = e.subi(e.addi(T, e.idx(j)), histV);
      e.loopStep(zero, blocks, Wd, [&](Value d0) {
        e.store(S, historyRow(bi, tau, d0), {bi, e.idx(j), d0});
      });
    }
    emitScalarChannels(rewriter, loc, op, bi, blocks, Dv, T);
  });
  return success();
}
