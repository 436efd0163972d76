//===- NeighborhoodWindow.h - windowed attention's window rules -*- C++ -*-===//
//
// The keys a neighborhood_attention query sees along one axis (NATTEN's
// rule) and a sliding_window_attention query's keys, shared by the ops'
// scalar bodies, the CPU pipeline's online-softmax builder and the GPU
// flash block.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_UTILS_NEIGHBORHOODWINDOW_H
#define SEQMIX_DIALECT_SEQMIX_UTILS_NEIGHBORHOODWINDOW_H

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

namespace mlir::seqmix {

/// One axis of a neighborhood: the key window [start, end) in the query's
/// dilation group (NATTEN's rule), and the group of the query.
struct AxisWindow {
  Value group, pos, start, end;
};

inline AxisWindow naWindow(ScalarEmitter &e, Value x, Value L, int64_t k,
                           int64_t d, int64_t s, bool causal) {
  Value dv = e.idx(d);
  Value g = e.remi(x, dv), i = e.divi(x, dv);
  // Group length ceil((L - g) / d).
  Value lg = e.divi(e.addi(e.subi(L, g), e.idx(d - 1)), dv);
  Value first = e.muli(e.divi(i, e.idx(s)), e.idx(s));
  Value last = e.subi(lg, e.idx(1));
  AxisWindow w{g, i, {}, {}};
  if (causal) {
    Value leader = e.mini(e.addi(first, e.idx(s - 1)), last);
    w.start = e.maxi(e.subi(leader, e.idx(k - 1)), e.idx(0));
    w.end = e.mini(e.addi(i, e.idx(1)), lg);
    return w;
  }
  int64_t wl = k / 2, wr = k / 2 + (k % 2) - 1;
  Value leader = e.mini(e.addi(first, e.idx(s / 2)), last);
  Value start = e.maxi(e.subi(leader, e.idx(wl)), e.idx(0));
  // Shift left when the window would run past the end of the group.
  Value over = e.cmpi(arith::CmpIPredicate::sge, e.addi(leader, e.idx(wr)), lg);
  Value shift = e.subi(e.subi(e.subi(lg, e.idx(wr)), leader), e.idx(1));
  w.start = e.select(over, e.addi(start, shift), start);
  w.end = e.addi(w.start, e.idx(k));
  return w;
}

/// A sliding window: query i sits at key position i + Tk - Tq (bottom-right
/// alignment, signed: it may be negative) and sees the keys [start, end) =
/// [pos - left, pos + right] within [0, Tk) (a negative bound: unbounded
/// on that side); an empty window has end = start. Group 0.
inline AxisWindow swaWindow(ScalarEmitter &e, Value i, Value Tq, Value Tk,
                            int64_t left, int64_t right) {
  Value zero = e.idx(0);
  Value pos = e.subi(e.addi(i, Tk), Tq);
  Value lo = left < 0 ? zero : e.maxi(e.subi(pos, e.idx(left)), zero);
  Value hi = right < 0 ? Tk : e.mini(e.addi(pos, e.idx(right + 1)), Tk);
  return AxisWindow{zero, pos, lo, e.maxi(hi, lo)};
}

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_UTILS_NEIGHBORHOODWINDOW_H
