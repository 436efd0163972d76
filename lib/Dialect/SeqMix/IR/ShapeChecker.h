//===- ShapeChecker.h - named, symbolic shape checks ------------*- C++ -*-===//
//
// The verifiers of every seqmix op share this checker so that all shape
// errors read alike: they name the operand (or result), spell the expected
// shape symbolically and with the sizes bound so far, and show what was found,
// e.g.
//   'seqmix.linear_attention' op operand 'k' must have shape
//   [B, T, Hqk, K] = [2, 16, 4, 64], but got tensor<2x16x4x32xf32>
//
// Sizes bind on first sight; dynamic sizes never bind and never mismatch, so
// dynamic sequence lengths (`?`) verify.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_DIALECT_SEQMIX_IR_SHAPECHECKER_H
#define SEQMIX_LIB_DIALECT_SEQMIX_IR_SHAPECHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/StringMap.h"
#include <optional>
#include <string>

namespace mlir::seqmix::detail {

class ShapeChecker {
public:
  /// `loc` is empty when diagnostics must stay silent (type inference while
  /// probing); `opName` prefixes every message.
  ShapeChecker(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName.str()) {}

  /// Emits "'<op>' op <msg>" (when a location is set) and returns failure.
  LogicalResult fail(const Twine &msg) const;

  /// Checks `type` (the operand or result called `name`; `kind` is "operand"
  /// or "result") against the symbolic shape `dims`, binding unbound symbols.
  LogicalResult shape(StringRef kind, StringRef name, Type type,
                      ArrayRef<std::string> dims);
  LogicalResult operand(StringRef name, Type type, ArrayRef<std::string> dims) {
    return shape("operand", name, type, dims);
  }

  /// Element type checks. Each names the operand and the allowed types.
  LogicalResult floatElt(StringRef kind, StringRef name, Type type);
  LogicalResult f32Elt(StringRef kind, StringRef name, Type type);
  LogicalResult intElt(StringRef kind, StringRef name, Type type);
  /// f32/f16/bf16 or per-tensor symmetric `!quant.uniform<i8:f32, s>`.
  LogicalResult floatOrQuantElt(StringRef kind, StringRef name, Type type);

  /// Size bound to `sym`, or ShapedType::kDynamic.
  int64_t get(StringRef sym) const;
  bool isKnown(StringRef sym) const { return !ShapedType::isDynamic(get(sym)); }
  /// Binds `sym` (a derived size such as "W-1"); dynamic values do not bind.
  void bind(StringRef sym, int64_t value);

  /// "[B, T, H] = [2, 16, ?]".
  std::string describe(ArrayRef<std::string> dims) const;

  /// Checks an offsets operand `name` ([count+1], i32/i64) and binds
  /// `countSym` to the number of segments. Its values (start at 0, never
  /// decrease, end at `totalSym`) are checked at run time, or by
  /// seqmix-lint when they are constants: a verifier reads types only.
  LogicalResult offsets(StringRef name, Value value, StringRef countSym,
                        StringRef totalSym);

  /// The `cu_seqlens` rules shared by every recurrence: B must be 1, and the
  /// number of sequences "Nseq" is bound (to B when `cu` is absent).
  LogicalResult seqlens(Value cu);

  std::optional<Location> getLoc() const { return loc; }

private:
  std::optional<Location> loc;
  std::string opName;
  llvm::StringMap<int64_t> sizes;
};

/// How a type prints in messages.
std::string typeStr(Type type);

/// Symbol lists are built from string literals and computed names alike.
using Dims = SmallVector<std::string, 6>;

} // namespace mlir::seqmix::detail

#endif // SEQMIX_LIB_DIALECT_SEQMIX_IR_SHAPECHECKER_H
