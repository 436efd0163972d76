//===- StateStationaryScan.cpp - Mamba-1's scan on register tiles ---------===//
//
// The state-stationary schedule of a diagonal recurrence: a block of `width`
// channels times all N states lives in vector registers (one vector per
// state n, lanes over channels), and time is the innermost loop. Vectorizing
// over channels, which are contiguous in the token-major layout, makes
// y = Σ_n C h a sum of N vectors with no horizontal reduction. The Δ
// pipeline (bias, softplus, threshold), the D skip and the silu(z) gate are
// computed in the same loop, on the same registers; nothing but y reaches
// memory.
//
// The state is read once per channel block before the time loop and written
// once after it. The channels left over when the block width does not divide
// D take the scalar body. For a token or two (decode), the register tile is
// instead one channel's row of N states, read and written in place.
//
//===----------------------------------------------------------------------===//

#include "SeqMixToVectorInternal.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarMath.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// The most states kept in registers: beyond it they would spill every step.
static constexpr int64_t kMaxRegisterStates = 64;
/// Up to this many tokens, the scan keeps a channel's state row, not a
/// block of channels, in registers (decode).
static constexpr int64_t kRowModeTokens = 2;
/// Tokens ahead that the time loop prefetches: a token's row of a [B, T, D]
/// operand is a stride of D elements away, past the hardware prefetchers'
/// reach.
static constexpr int64_t kPrefetchTokens = 8;

LogicalResult mlir::seqmix::detail::buildStateStationaryScan(
    RewriterBase &rewriter, SelectiveScanOp op, int64_t width) {
  if (op.getCuSeqlens())
    return rewriter.notifyMatchFailure(op, "packed sequences are split first");
  Value u = op.getU(), A = op.getA(), Bm = op.getB(), Cm = op.getC();
  Value S = op.getStateInit(), y = op.getOutputInit();
  std::optional<int64_t> N = staticDim(A, 1);
  if (!N || *N > kMaxRegisterStates)
    return rewriter.notifyMatchFailure(op, "N must be static and small");
  // A channel block must not straddle two groups of B and C.
  std::optional<int64_t> D = staticDim(u, 2), G = staticDim(Bm, 2);
  if (!G || (*G != 1 && (!D || (*D / *G) % width != 0)))
    return rewriter.notifyMatchFailure(op, "blocks would straddle groups");

  Location loc = op.getLoc();
  VectorEmitter e(rewriter, loc, width);
  Value zero = e.idx(0), one = e.idx(1), W = e.idx(width);
  Value Bsz = e.dim(u, 0), T = e.dim(u, 1), Dv = e.dim(u, 2);
  Value blocks = e.muli(e.divi(Dv, W), W);
  Value perGroup = e.divi(Dv, e.dim(Bm, 2));
  Value bias = op.getDeltaBias(), thr = op.getDeltaThreshold();
  Value Dskip = op.getD(), z = op.getZ();
  Value lastT = e.subi(T, one);

  // y of one channel block at token t: the D skip and the silu(z) gate,
  // then the store (`dV` is the block's D, or null).
  auto storeOutput = [&](Value yt, Value bi, Value t, Value d0, Value dV) {
    if (dV)
      yt = e.fma(dV, e.load(u, {bi, t, d0}), yt);
    if (z)
      yt = e.mulf(yt, seqmix::silu(rewriter, loc, e.load(z, {bi, t, d0})));
    e.store(y, yt, {bi, t, d0});
  };

  // An empty sequence leaves the state as it is (and has no token to read
  // one step ahead).
  Value any = e.cmpi(arith::CmpIPredicate::sgt, T, zero);
  auto channelMode = [&](Value bi) {
    e.ifThen(any, [&] {
      e.loopStep(zero, blocks, W, [&](Value d0) {
        Value g = e.divi(d0, perGroup);
        SmallVector<Value> a, h;
        for (int64_t n = 0; n < *N; ++n) {
          a.push_back(e.loadLanes(A, {d0, e.idx(n)}, 0));
          h.push_back(e.loadLanes(S, {bi, d0, e.idx(n)}, 1));
        }
        Value biasV = bias ? e.load(bias, {d0}) : Value();
        Value thrV = thr ? e.load(thr, {d0}) : Value();
        Value dV = Dskip ? e.load(Dskip, {d0}) : Value();
        // Δ_t and Δ_t u_t of token t, independent of the state.
        auto deltaAt = [&](Value t) -> std::pair<Value, Value> {
          Value dt = seqmix::mambaDelta(
              rewriter, loc, e.load(op.getDelta(), {bi, t, d0}), biasV, thrV,
              op.getDeltaSoftplus(), std::nullopt);
          return {dt, e.mulf(dt, e.load(u, {bi, t, d0}))};
        };
        // The time loop carries the states and, one token ahead, Δ and Δu:
        // the softplus chain of token t+1 then overlaps the N exps of token
        // t instead of stalling them.
        SmallVector<Value> init = h;
        auto [dt0, du0] = deltaAt(e.mini(zero, lastT));
        init.push_back(dt0);
        init.push_back(du0);
        SmallVector<Value> last =
            e.foldMany(zero, T, one, init, [&](Value t, ValueRange carried) {
              Value ahead = e.mini(e.addi(t, e.idx(kPrefetchTokens)), lastT);
              for (Value v : {u, op.getDelta(), z})
                if (v)
                  e.prefetch(v, {bi, ahead, d0});
              ValueRange hs = carried.take_front(*N);
              Value dt = carried[*N], du = carried[*N + 1];
              auto [dtNext, duNext] = deltaAt(e.mini(e.addi(t, one), lastT));
              // Four partial sums keep the y chain off the critical path.
              SmallVector<Value> acc(std::min<int64_t>(4, *N), e.splatF32(0));
              // One exp per state, each a chain of its own: interleaving
              // the steps of several exps measured slower (register
              // pressure).
              SmallVector<Value> next;
              for (int64_t n = 0; n < *N; ++n) {
                Value bn =
                    e.splat(e.ScalarEmitter::load(Bm, {bi, t, g, e.idx(n)}));
                Value cn =
                    e.splat(e.ScalarEmitter::load(Cm, {bi, t, g, e.idx(n)}));
                Value decay = e.exp(e.mulf(dt, a[n]));
                Value hn = e.fma(decay, hs[n], e.mulf(du, bn));
                acc[n % acc.size()] = e.fma(cn, hn, acc[n % acc.size()]);
                next.push_back(hn);
              }
              Value yt = acc[0];
              for (size_t i = 1; i < acc.size(); ++i)
                yt = e.addf(yt, acc[i]);
              storeOutput(yt, bi, t, d0, dV);
              next.push_back(dtNext);
              next.push_back(duNext);
              return next;
            });
        for (int64_t n = 0; n < *N; ++n)
          e.storeLanes(S, last[n], {bi, d0, e.idx(n)}, 1);
      });
    });
    emitScalarChannels(rewriter, loc, op, bi, blocks, Dv, T);
  };

  // Decode (a token or two): gathering the channel-major state into
  // channel vectors would cost more than the step itself, so each channel's
  // state row (N contiguous floats) is the register tile instead, updated in
  // place, and y is a horizontal sum; Δ, the D skip and the gate are still
  // computed for a block of channels at once. The cost is one pass over the
  // state.
  auto rowMode = [&](Value bi) {
    int64_t nv = *N / width;
    e.loopStep(zero, blocks, W, [&](Value d0) {
      Value g = e.divi(d0, perGroup);
      Value biasV = bias ? e.load(bias, {d0}) : Value();
      Value thrV = thr ? e.load(thr, {d0}) : Value();
      e.loop(T, [&](Value t) {
        // Δ, Δu, the D skip and the gate of the block's channels, as
        // vectors; then each channel's row of states.
        Value ut = e.load(u, {bi, t, d0});
        Value dtV = seqmix::mambaDelta(
            rewriter, loc, e.load(op.getDelta(), {bi, t, d0}), biasV, thrV,
            op.getDeltaSoftplus(), std::nullopt);
        Value duV = e.mulf(dtV, ut);
        SmallVector<Value> bv, cv;
        for (int64_t v = 0; v < nv; ++v) {
          bv.push_back(e.load(Bm, {bi, t, g, e.idx(v * width)}));
          cv.push_back(e.load(Cm, {bi, t, g, e.idx(v * width)}));
        }
        Value yt = e.splatF32(0);
        for (int64_t l = 0; l < width; ++l) {
          Value d = e.addi(d0, e.idx(l));
          Value dt = e.splat(vector::ExtractOp::create(rewriter, loc, dtV, l));
          Value du = e.splat(vector::ExtractOp::create(rewriter, loc, duV, l));
          Value acc = e.splatF32(0);
          for (int64_t v = 0; v < nv; ++v) {
            Value at = e.idx(v * width);
            Value decay = e.exp(e.mulf(dt, e.load(A, {d, at})));
            Value hn = e.fma(decay, e.load(S, {bi, d, at}), e.mulf(du, bv[v]));
            e.store(S, hn, {bi, d, at});
            acc = e.fma(cv[v], hn, acc);
          }
          Value sum = e.sum(acc);
          yt = vector::InsertOp::create(rewriter, loc, sum, yt, l);
        }
        storeOutput(yt, bi, t, d0, Dskip ? e.load(Dskip, {d0}) : Value());
      });
    });
    emitScalarChannels(rewriter, loc, op, bi, blocks, Dv, T);
  };

  e.loop(Bsz, [&](Value bi) {
    if (*N % width != 0)
      return channelMode(bi);
    Value decode = e.cmpi(arith::CmpIPredicate::sle, T, e.idx(kRowModeTokens));
    auto ifOp = scf::IfOp::create(rewriter, loc, decode, /*withElse=*/true);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    rowMode(bi);
    rewriter.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    channelMode(bi);
  });
  return success();
}
