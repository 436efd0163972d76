//===- ScalarMath.h - scalar formulas shared by every lowering --*- C++ -*-===//
//
// The element-level formulas of docs/Ops.md, built once: every pass that
// expands them (seqmix-decompose, seqmix-lower-quant, the loop lowering)
// calls these, so the softplus cut-off, the Δ pipeline and the int8 rounding
// cannot drift apart. Values are f32 scalars, or vectors of f32 (the vector
// builders call the same formulas lane-wise), unless stated.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_UTILS_SCALARMATH_H
#define SEQMIX_DIALECT_SEQMIX_UTILS_SCALARMATH_H

#include "mlir/IR/Builders.h"
#include <optional>

namespace mlir::seqmix {

/// Widens f16/bf16 to f32; integer storage becomes f32, times `scale` when
/// it is a dequantization scale (non-zero).
Value toF32(OpBuilder &b, Location loc, Value v, double scale = 0);

/// Narrows an f32 value to `type`: truncation for f16/bf16; for an 8-bit
/// integer, int8 quantization clamp(round_half_even(v / scale), -128, 127)
/// (no division when `scale` is 0).
Value fromF32(OpBuilder &b, Location loc, Value v, Type type,
              double scale = 0);

Value sigmoid(OpBuilder &b, Location loc, Value x); // 1 / (1 + exp(-x))
Value silu(OpBuilder &b, Location loc, Value x);    // x / (1 + exp(-x))
/// Mamba's softplus: x when x > 20, else log1p(exp(x)).
Value softplus(OpBuilder &b, Location loc, Value x);

/// The Δ of the Mamba scans: raw + bias (if given), softplus (if asked),
/// clamped to `limit` (if given), then 0 where Δ < threshold (LongMamba's
/// token filter, if given).
Value mambaDelta(OpBuilder &b, Location loc, Value raw, Value bias,
                 Value threshold, bool useSoftplus,
                 std::optional<ArrayRef<float>> limit);

/// exp of an f32 scalar or vector as inline arithmetic (the CPU pipeline's
/// exp; docs/Transcendentals.md gives the form and its error).
Value inlineExp(OpBuilder &b, Location loc, Value x);

} // namespace mlir::seqmix

#endif // SEQMIX_DIALECT_SEQMIX_UTILS_SCALARMATH_H
