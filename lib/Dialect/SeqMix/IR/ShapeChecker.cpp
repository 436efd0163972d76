//===- ShapeChecker.cpp - named, symbolic shape checks --------------------===//

#include "ShapeChecker.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::seqmix::detail;

std::string mlir::seqmix::detail::typeStr(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

LogicalResult ShapeChecker::fail(const Twine &msg) const {
  return emitOptionalError(loc, "'", opName, "' op ", msg.str());
}

int64_t ShapeChecker::get(StringRef sym) const {
  auto it = sizes.find(sym);
  return it == sizes.end() ? ShapedType::kDynamic : it->second;
}

void ShapeChecker::bind(StringRef sym, int64_t value) {
  if (!ShapedType::isDynamic(value))
    sizes[sym] = value;
}

std::string ShapeChecker::describe(ArrayRef<std::string> dims) const {
  std::string names = "[" + llvm::join(dims, ", ") + "]";
  SmallVector<std::string> vals;
  bool anyKnown = false;
  for (const std::string &d : dims) {
    int64_t v = get(d);
    anyKnown |= !ShapedType::isDynamic(v);
    vals.push_back(ShapedType::isDynamic(v) ? "?" : std::to_string(v));
  }
  if (!anyKnown)
    return names;
  return names + " = [" + llvm::join(vals, ", ") + "]";
}

LogicalResult ShapeChecker::shape(StringRef kind, StringRef name, Type type,
                                  ArrayRef<std::string> dims) {
  auto tensor = dyn_cast<ShapedType>(type);
  if (!tensor || !tensor.hasRank())
    return fail(Twine(kind) + " '" + name + "' must be a ranked tensor " +
                describe(dims) + ", but got " + typeStr(type));
  if (tensor.getRank() != static_cast<int64_t>(dims.size()))
    return fail(Twine(kind) + " '" + name + "' must have rank " +
                Twine(dims.size()) + " with shape " + describe(dims) +
                ", but got " + typeStr(type));
  // Check all dimensions against what is bound before binding new ones, so the
  // message shows the expectation the operand was held to.
  for (auto [i, sym] : llvm::enumerate(dims)) {
    int64_t want = get(sym), have = tensor.getDimSize(i);
    if (ShapedType::isDynamic(want) || ShapedType::isDynamic(have) ||
        want == have)
      continue;
    return fail(Twine(kind) + " '" + name + "' must have shape " +
                describe(dims) + ", but got " + typeStr(type) + " (" + sym +
                " is " + Twine(want) + ", dimension " + Twine(i) + " is " +
                Twine(have) + ")");
  }
  for (auto [i, sym] : llvm::enumerate(dims))
    if (!isKnown(sym))
      bind(sym, tensor.getDimSize(i));
  return success();
}

static bool isFloatElt(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

/// Per-tensor symmetric int8: !quant.uniform<i8:f32, scale>.
static bool isSymmetricInt8(Type t) {
  auto q = dyn_cast<quant::UniformQuantizedType>(t);
  return q && q.isSigned() && q.getStorageTypeIntegralWidth() == 8 &&
         q.getExpressedType().isF32() && q.getZeroPoint() == 0 &&
         q.getStorageTypeMin() == -128 && q.getStorageTypeMax() == 127;
}

/// One element-type rule: `allowed` names the accepted types in the message.
static LogicalResult checkElt(const ShapeChecker &c, StringRef kind,
                              StringRef name, Type type,
                              function_ref<bool(Type)> ok, StringRef allowed) {
  auto st = dyn_cast<ShapedType>(type);
  if (st && ok(st.getElementType()))
    return success();
  return c.fail(Twine(kind) + " '" + name + "' must have element type " +
                allowed + ", but got " + typeStr(type));
}

LogicalResult ShapeChecker::floatElt(StringRef kind, StringRef name,
                                     Type type) {
  return checkElt(*this, kind, name, type, isFloatElt, "f32, f16 or bf16");
}

LogicalResult ShapeChecker::f32Elt(StringRef kind, StringRef name, Type type) {
  return checkElt(
      *this, kind, name, type, [](Type t) { return t.isF32(); },
      "f32 (states are f32)");
}

LogicalResult ShapeChecker::intElt(StringRef kind, StringRef name, Type type) {
  return checkElt(
      *this, kind, name, type,
      [](Type t) {
        return t.isSignlessInteger(32) || t.isSignlessInteger(64);
      },
      "i32 or i64");
}

LogicalResult ShapeChecker::floatOrQuantElt(StringRef kind, StringRef name,
                                            Type type) {
  return checkElt(
      *this, kind, name, type,
      [](Type t) { return isFloatElt(t) || isSymmetricInt8(t); },
      "f32, f16, bf16 or per-tensor symmetric !quant.uniform<i8:f32, scale>");
}

LogicalResult ShapeChecker::offsets(StringRef name, Value value,
                                    StringRef countSym, StringRef totalSym) {
  std::string plusOne = (countSym + "+1").str();
  if (failed(intElt("operand", name, value.getType())) ||
      failed(operand(name, value.getType(), {plusOne})))
    return failure();
  int64_t len = cast<ShapedType>(value.getType()).getDimSize(0);
  if (len == 0)
    return fail(Twine("operand '") + name +
                "' must hold at least one offset (shape [" + plusOne +
                "]), but got 0");
  if (!ShapedType::isDynamic(len))
    bind(countSym, len - 1);

  return success();
}

LogicalResult ShapeChecker::seqlens(Value cu) {
  if (!cu) {
    bind("Nseq", get("B"));
    return success();
  }
  if (isKnown("B") && get("B") != 1)
    return fail("operand 'cu_seqlens' packs sequences into a batch of 1, but "
                "B = " +
                Twine(get("B")));
  return offsets("cu_seqlens", cu, "Nseq", "T");
}
