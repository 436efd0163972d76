//===- RecurrenceView.h - a linear recurrence for its builders --*- C++ -*-===//
//
// linear_attention and ssd as one recurrence (ssd is linear_attention with
// q = C, k = B, v = Δ·x, a scalar gate Δ·A, scale 1 and a vk state; its Δ,
// D and z stay with the op), shared by the CPU register-tile builder and
// the GPU block builder.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_UTILS_RECURRENCEVIEW_H
#define SEQMIX_DIALECT_SEQMIX_UTILS_RECURRENCEVIEW_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

namespace mlir::seqmix {

/// What a builder reads of a linear recurrence: linear_attention's
/// operands, or ssd's, whose v is Δ·x, gate Δ·A and output y = o + D x,
/// times silu(z).
struct RecurrenceView {
  Value q, k, v, g, beta, cu, S, o;
  bool vk = false, l2 = false;
  float scale = 1;
  SSDOp ssd; // set for ssd

  /// The gate's rank: 0 none, 1 constant per head, 3 scalar per step (ssd's
  /// Δ·A too), 4 a vector over K per step.
  int64_t gateRank() const {
    if (ssd)
      return 3;
    return g ? cast<ShapedType>(g.getType()).getRank() : 0;
  }

  static RecurrenceView of(LinearAttentionOp op) {
    RecurrenceView r;
    r.q = op.getQ();
    r.k = op.getK();
    r.v = op.getV();
    r.g = op.getLogDecay();
    r.beta = op.getBeta();
    r.cu = op.getCuSeqlens();
    r.S = op.getStateInit();
    r.o = op.getOutputInit();
    r.vk = op.getStateLayout() == StateLayout::vk;
    r.l2 = op.getQkNorm() == QKNorm::l2;
    r.scale = op.getScaleValue();
    return r;
  }
  static RecurrenceView of(SSDOp op) {
    RecurrenceView r;
    r.q = op.getC();
    r.k = op.getB();
    r.v = op.getX();
    r.cu = op.getCuSeqlens();
    r.S = op.getStateInit();
    r.o = op.getOutputInit();
    r.vk = true;
    r.ssd = op;
    return r;
  }
};

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_UTILS_RECURRENCEVIEW_H
