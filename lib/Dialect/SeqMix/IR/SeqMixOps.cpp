//===- SeqMixOps.cpp - seqmix operations ----------------------------------===//
//
// Verifiers follow the shape tables of docs/Ops.md one operand at a time
// through the shared ShapeChecker, so every message names the operand (or
// the destination, "init 'state'") and its expected shape. Verifiers are
// local: they read types and attributes only, never producer ops.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "ShapeChecker.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::seqmix;
using mlir::seqmix::detail::Dims;
using mlir::seqmix::detail::ShapeChecker;
using mlir::seqmix::detail::typeStr;

static ShapeChecker checkerFor(Operation *op) {
  return ShapeChecker(op->getLoc(), op->getName().getStringRef());
}

/// `H` must be a multiple of `Hg` (GQA heads, Mamba groups).
static LogicalResult divides(ShapeChecker &c, StringRef whole, StringRef part,
                             StringRef what) {
  if (!c.isKnown(whole) || !c.isKnown(part))
    return success();
  if (c.get(part) == 0 || c.get(whole) % c.get(part) != 0)
    return c.fail(Twine(what) + ": " + whole + " = " + Twine(c.get(whole)) +
                  " must be a multiple of " + part + " = " + Twine(c.get(part)));
  return success();
}

/// An optional operand: checked only when present.
static LogicalResult optional(ShapeChecker &c, StringRef name, Value v,
                              const Dims &dims, bool allowQuant = false) {
  if (!v)
    return success();
  if (failed(allowQuant ? c.floatOrQuantElt("operand", name, v.getType())
                        : c.floatElt("operand", name, v.getType())))
    return failure();
  return c.operand(name, v.getType(), dims);
}

/// A float operand or result of the given shape.
static LogicalResult floatShape(ShapeChecker &c, StringRef kind, StringRef name,
                                Type type, const Dims &dims,
                                bool allowQuant = false) {
  if (failed(allowQuant ? c.floatOrQuantElt(kind, name, type)
                        : c.floatElt(kind, name, type)))
    return failure();
  return c.shape(kind, name, type, dims);
}

/// The number of destinations an op takes, named in order; the last
/// `optional` of them may be left out.
static LogicalResult numInits(ShapeChecker &c, ValueRange inits,
                              ArrayRef<StringRef> names, size_t optional = 0) {
  size_t n = inits.size(), most = names.size(), least = most - optional;
  if (n >= least && n <= most)
    return success();
  std::string count = std::to_string(least);
  if (optional)
    count += " or " + std::to_string(most);
  return c.fail("needs " + Twine(count) +
                (most == 1 && !optional ? " destination" : " destinations") +
                ", outs(%" + llvm::join(names, ", %") + "), but got " +
                Twine(n));
}

/// `scale` is an explicit f32 (peers disagree on the default: Lightning and
/// Mamba use 1, fla and FlashAttention `dim^-1/2`). It is optional in ODS
/// only so that this message can spell the attribute to write.
static LogicalResult checkScale(ShapeChecker &c, FloatAttr scale,
                                StringRef dimSym) {
  auto suggestion = [&](double v) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "scale = " << llvm::format("%g", v) << " : f32";
    return text;
  };
  if (!scale) {
    double dflt = c.isKnown(dimSym) && c.get(dimSym) > 0
                      ? 1.0 / std::sqrt(double(c.get(dimSym)))
                      : 0.125;
    return c.fail("requires attribute 'scale', e.g. " + suggestion(dflt) +
                  " (" + dimSym + "^-1/2, fla's and FlashAttention's default;"
                  " Lightning and Mamba use 1)");
  }
  if (scale.getType().isF32())
    return success();
  return c.fail("attribute 'scale' must be an f32, e.g. " +
                Twine(suggestion(scale.getValueAsDouble())) + ", but got " +
                typeStr(scale.getType()));
}

/// The state destination: f32 of the state shape. Its value is the initial
/// state and the matching result the final state.
static LogicalResult checkState(ShapeChecker &c, Value init,
                                const Dims &dims) {
  if (failed(c.f32Elt("init", "state", init.getType())) ||
      failed(c.shape("init", "state", init.getType(), dims)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// linear_attention
//===----------------------------------------------------------------------===//

float LinearAttentionOp::getScaleValue() {
  return getScaleAttr().getValueAsDouble();
}
float SlidingWindowAttentionOp::getScaleValue() {
  return getScaleAttr().getValueAsDouble();
}
float NeighborhoodAttentionOp::getScaleValue() {
  return getScaleAttr().getValueAsDouble();
}

LogicalResult LinearAttentionOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"o", "state"})))
    return failure();
  if (failed(floatShape(c, "operand", "q", getQ().getType(),
                        {"B", "T", "Hqk", "K"})) ||
      failed(floatShape(c, "operand", "k", getK().getType(),
                        {"B", "T", "Hqk", "K"})) ||
      failed(floatShape(c, "operand", "v", getV().getType(),
                        {"B", "T", "H", "V"})) ||
      failed(divides(c, "H", "Hqk", "operand 'v' heads (GQA)")))
    return failure();

  if (Value g = getLogDecay()) {
    int64_t rank = cast<RankedTensorType>(g.getType()).getRank();
    Dims dims;
    if (rank == 1)
      dims = {"H"};
    else if (rank == 3)
      dims = {"B", "T", "H"};
    else if (rank == 4)
      dims = {"B", "T", "H", "K"};
    else
      return c.fail("operand 'log_decay' must have shape [H] (constant), "
                    "[B, T, H] (scalar) or [B, T, H, K] (vector gate), but "
                    "has rank " +
                    Twine(rank));
    if (failed(optional(c, "log_decay", g, dims)))
      return failure();
  }
  if (failed(optional(c, "beta", getBeta(), {"B", "T", "H"})) ||
      failed(c.seqlens(getCuSeqlens())) ||
      failed(checkScale(c, getScaleAttr(), "K")))
    return failure();

  Dims state = getStateLayout() == StateLayout::kv
                   ? Dims{"Nseq", "H", "K", "V"}
                   : Dims{"Nseq", "H", "V", "K"};
  if (failed(checkState(c, getStateInit(), state)) ||
      failed(floatShape(c, "init", "o", getOutputInit().getType(),
                        {"B", "T", "H", "V"})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// selective_scan
//===----------------------------------------------------------------------===//

LogicalResult SelectiveScanOp::verify() {
  ShapeChecker c = checkerFor(*this);
  const bool q = true; // quantized element types allowed
  if (failed(numInits(c, getOutputs(), {"y", "state"})) ||
      failed(floatShape(c, "operand", "u", getU().getType(), {"B", "T", "D"},
                        q)) ||
      failed(floatShape(c, "operand", "delta", getDelta().getType(),
                        {"B", "T", "D"}, q)) ||
      failed(floatShape(c, "operand", "A", getA().getType(), {"D", "N"})) ||
      failed(floatShape(c, "operand", "B", getB().getType(),
                        {"B", "T", "G", "N"}, q)) ||
      failed(floatShape(c, "operand", "C", getC().getType(),
                        {"B", "T", "G", "N"}, q)) ||
      failed(divides(c, "D", "G", "operand 'B' groups")) ||
      failed(optional(c, "D", getD(), {"D"})) ||
      failed(optional(c, "z", getZ(), {"B", "T", "D"}, q)) ||
      failed(optional(c, "delta_bias", getDeltaBias(), {"D"})) ||
      failed(optional(c, "delta_threshold", getDeltaThreshold(), {"D"})) ||
      failed(c.seqlens(getCuSeqlens())) ||
      failed(checkState(c, getStateInit(), {"Nseq", "D", "N"})) ||
      failed(floatShape(c, "init", "y", getOutputInit().getType(),
                        {"B", "T", "D"})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// ssd
//===----------------------------------------------------------------------===//

LogicalResult SSDOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"y", "state"})) ||
      failed(floatShape(c, "operand", "x", getX().getType(),
                        {"B", "T", "H", "P"})) ||
      failed(floatShape(c, "operand", "dt", getDt().getType(),
                        {"B", "T", "H"})) ||
      failed(floatShape(c, "operand", "A", getA().getType(), {"H"})) ||
      failed(floatShape(c, "operand", "B", getB().getType(),
                        {"B", "T", "G", "N"})) ||
      failed(floatShape(c, "operand", "C", getC().getType(),
                        {"B", "T", "G", "N"})) ||
      failed(divides(c, "H", "G", "operand 'B' groups")))
    return failure();
  if (Value d = getD()) {
    int64_t rank = cast<RankedTensorType>(d.getType()).getRank();
    if (rank != 1 && rank != 2)
      return c.fail("operand 'D' must have shape [H] or [H, P], but has rank " +
                    Twine(rank));
    if (failed(optional(c, "D", d, rank == 1 ? Dims{"H"} : Dims{"H", "P"})))
      return failure();
  }
  if (failed(optional(c, "z", getZ(), {"B", "T", "H", "P"})) ||
      failed(optional(c, "dt_bias", getDtBias(), {"H"})) ||
      failed(optional(c, "delta_threshold", getDeltaThreshold(), {"H"})) ||
      failed(c.seqlens(getCuSeqlens())) ||
      failed(checkState(c, getStateInit(), {"Nseq", "H", "P", "N"})) ||
      failed(floatShape(c, "init", "y", getOutputInit().getType(),
                        {"B", "T", "H", "P"})))
    return failure();
  if (std::optional<ArrayRef<float>> limit = getDtLimit()) {
    if (limit->size() != 2 || !((*limit)[0] <= (*limit)[1]))
      return c.fail("attribute 'dt_limit' must be [lo, hi] with lo <= hi");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// causal_conv1d
//===----------------------------------------------------------------------===//

/// A conv state in causal-conv1d's own [B, D, W-1] order gets a hint: seqmix
/// keeps token-major states, [Nseq, W-1, D], oldest row first.
static LogicalResult convStateLayout(ShapeChecker &c, Type state) {
  auto st = dyn_cast<ShapedType>(state);
  if (!st || !st.hasRank() || st.getRank() != 3 || !c.isKnown("D") ||
      !c.isKnown("W-1") || c.get("D") == c.get("W-1"))
    return success();
  if (st.getDimSize(1) == c.get("D") && st.getDimSize(2) == c.get("W-1"))
    return c.fail("init 'state' must have shape [Nseq, W-1, D] = [" +
                  (st.isDynamicDim(0) ? std::string("?")
                                      : std::to_string(st.getDimSize(0))) +
                  ", " + std::to_string(c.get("W-1")) + ", " +
                  std::to_string(c.get("D")) + "], but got " + typeStr(state) +
                  ": that is causal-conv1d's [B, D, W-1] order; seqmix "
                  "states are token-major, oldest row first (transpose it)");
  return success();
}

LogicalResult CausalConv1dOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"y", "state"})) ||
      failed(floatShape(c, "operand", "x", getX().getType(), {"B", "T", "D"})) ||
      failed(floatShape(c, "operand", "w", getW().getType(), {"D", "W"})))
    return failure();
  if (c.get("W") == 0)
    return c.fail("operand 'w' must have a kernel width W >= 1, but W = 0");
  if (c.isKnown("W"))
    c.bind("W-1", c.get("W") - 1);
  if (failed(optional(c, "bias", getBias(), {"D"})) ||
      failed(c.seqlens(getCuSeqlens())) ||
      failed(convStateLayout(c, getStateInit().getType())) ||
      failed(checkState(c, getStateInit(), {"Nseq", "W-1", "D"})) ||
      failed(floatShape(c, "init", "y", getOutputInit().getType(),
                        {"B", "T", "D"})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Routing: route, dispatch, segment_matmul, combine
//===----------------------------------------------------------------------===//

/// The product of sizes, dynamic if any is (or if it overflows).
static int64_t product(ArrayRef<int64_t> sizes) {
  int64_t p = 1;
  for (int64_t s : sizes)
    if (ShapedType::isDynamic(s) || llvm::MulOverflow(p, s, p))
      return ShapedType::kDynamic;
  return p;
}

/// An i32 destination of the given shape.
static LogicalResult i32Init(ShapeChecker &c, StringRef name, Type type,
                             const Dims &dims) {
  auto st = dyn_cast<ShapedType>(type);
  if (!st || !st.getElementType().isSignlessInteger(32))
    return c.fail("init '" + name + "' must have element type i32, but got " +
                  typeStr(type));
  return c.shape("init", name, type, dims);
}

/// Binds `sym` to the product of `factors` when all are known.
static void bindProduct(ShapeChecker &c, StringRef sym,
                        ArrayRef<StringRef> factors, int64_t extra = 1) {
  SmallVector<int64_t> sizes = {extra};
  for (StringRef f : factors)
    sizes.push_back(c.get(f));
  int64_t p = product(sizes);
  if (!ShapedType::isDynamic(p))
    c.bind(sym, p);
}

/// "F1", "F2", .. for the trailing feature axes of a routed tensor.
static Dims featureDims(int64_t first, int64_t rank) {
  Dims d;
  for (int64_t i = first; i < rank; ++i)
    d.push_back("F" + std::to_string(i - first + 1));
  return d;
}

LogicalResult RouteOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"indices", "weights"})) ||
      failed(floatShape(c, "operand", "logits", getLogits().getType(),
                        {"B", "T", "M"})))
    return failure();
  int64_t k = getTopKAttr().getInt();
  if (k < 1 || (c.isKnown("M") && k > c.get("M")))
    return c.fail("attribute 'top_k' must be in [1, M] = [1, " +
                  (c.isKnown("M") ? std::to_string(c.get("M")) : "?") +
                  "], but got " + Twine(k));
  c.bind("k", k);
  if (failed(i32Init(c, "indices", getOutputs()[0].getType(),
                     {"B", "T", "k"})) ||
      failed(c.f32Elt("init", "weights", getOutputs()[1].getType())) ||
      failed(c.shape("init", "weights", getOutputs()[1].getType(),
                     {"B", "T", "k"})))
    return failure();
  return success();
}

LogicalResult DispatchOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"packed", "offsets", "rows"})))
    return failure();
  auto x = cast<ShapedType>(getX().getType());
  if (x.getRank() < 2)
    return c.fail("operand 'x' must have shape [B, T, F..], but has rank " +
                  Twine(x.getRank()));
  Dims xDims = {"B", "T"};
  Dims feat = featureDims(2, x.getRank());
  xDims.append(feat.begin(), feat.end());
  Type idx = getIndices().getType();
  if (failed(floatShape(c, "operand", "x", x, xDims)) ||
      failed(c.intElt("operand", "indices", idx)) ||
      failed(c.operand("indices", idx, {"B", "T", "k"})))
    return failure();
  int64_t m = getNumMemoriesAttr().getInt();
  if (m < 1)
    return c.fail("attribute 'num_memories' must be >= 1, but got " + Twine(m));
  c.bind("M", m);
  bindProduct(c, "R", {"B", "T", "k"});
  bindProduct(c, "B*M", {"B", "M"});
  if (c.isKnown("B*M") && c.get("B*M") < std::numeric_limits<int64_t>::max())
    c.bind("B*M+1", c.get("B*M") + 1);
  Dims packed = {"R"};
  packed.append(feat.begin(), feat.end());
  Type p = getOutputs()[0].getType();
  if (cast<ShapedType>(p).getElementType() != x.getElementType())
    return c.fail("init 'packed' must have the element type of 'x' (" +
                  typeStr(x.getElementType()) + "), but got " + typeStr(p));
  if (failed(c.shape("init", "packed", p, packed)) ||
      failed(i32Init(c, "offsets", getOutputs()[1].getType(), {"B*M+1"})) ||
      failed(i32Init(c, "rows", getOutputs()[2].getType(), {"R"})))
    return failure();
  return success();
}

LogicalResult SegmentMatmulOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"result"})) ||
      failed(floatShape(c, "operand", "packed", getPacked().getType(),
                        {"R", "Din"})) ||
      failed(floatShape(c, "operand", "weight", getWeight().getType(),
                        {"M", "Din", "Dout"})) ||
      failed(c.offsets("offsets", getOffsets(), "S", "R")))
    return failure();
  if (c.get("M") == 0)
    return c.fail("operand 'weight' must hold at least one memory (M >= 1)");
  if (c.isKnown("S") && c.isKnown("M") && c.get("S") % c.get("M") != 0)
    return c.fail("operand 'offsets' must describe a multiple of M = " +
                  Twine(c.get("M")) + " segments, but describes S = " +
                  Twine(c.get("S")));
  return floatShape(c, "init", "result", getOutputs()[0].getType(),
                    {"R", "Dout"});
}

LogicalResult CombineOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"result"})))
    return failure();
  auto packed = cast<ShapedType>(getPacked().getType());
  if (packed.getRank() < 1)
    return c.fail("operand 'packed' must have shape [R, F..], but has rank 0");
  Dims pDims = {"R"};
  Dims feat = featureDims(1, packed.getRank());
  pDims.append(feat.begin(), feat.end());
  Type rows = getRows().getType();
  if (failed(floatShape(c, "operand", "packed", packed, pDims)) ||
      failed(c.intElt("operand", "rows", rows)) ||
      failed(c.operand("rows", rows, {"R"})) ||
      failed(floatShape(c, "operand", "weights", getWeights().getType(),
                        {"B", "T", "k"})))
    return failure();
  // Any set of packed rows may be combined (a tile of them included): each
  // adds into the token its slot names, so R need not be B*T*k.
  Dims out = {"B", "T"};
  out.append(feat.begin(), feat.end());
  return floatShape(c, "init", "result", getOutputs()[0].getType(), out);
}

//===----------------------------------------------------------------------===//
// neighborhood_attention
//===----------------------------------------------------------------------===//

int64_t NeighborhoodAttentionOp::getNumSpatialDims() {
  return cast<ShapedType>(getQ().getType()).getRank() - 3;
}

template <typename T>
static SmallVector<T> orDefault(std::optional<ArrayRef<T>> v, int64_t n,
                                T dflt) {
  if (v)
    return SmallVector<T>(v->begin(), v->end());
  return SmallVector<T>(n, dflt);
}

SmallVector<int64_t> NeighborhoodAttentionOp::getDilationOrDefault() {
  return orDefault<int64_t>(getDilation(), getNumSpatialDims(), 1);
}
SmallVector<int64_t> NeighborhoodAttentionOp::getStrideOrDefault() {
  return orDefault<int64_t>(getStride(), getNumSpatialDims(), 1);
}
SmallVector<bool> NeighborhoodAttentionOp::getIsCausalOrDefault() {
  return orDefault<bool>(getIsCausal(), getNumSpatialDims(), false);
}

LogicalResult NeighborhoodAttentionOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"o", "lse"}, /*optional=*/1)))
    return failure();
  int64_t qRank = cast<ShapedType>(getQ().getType()).getRank();
  if (qRank < 4 || qRank > 6)
    return c.fail("operand 'q' must have rank 4, 5 or 6 ([B, X1..Xr, H, Dqk] "
                  "with r in 1..3), but has rank " +
                  Twine(qRank));
  int64_t r = qRank - 3;
  Dims sp;
  for (int64_t i = 1; i <= r; ++i)
    sp.push_back("X" + std::to_string(i));
  auto with = [&](std::initializer_list<const char *> head,
                  std::initializer_list<const char *> tail) {
    Dims d(head.begin(), head.end());
    d.append(sp.begin(), sp.end());
    d.append(tail.begin(), tail.end());
    return d;
  };
  if (failed(floatShape(c, "operand", "q", getQ().getType(),
                        with({"B"}, {"H", "Dqk"}))) ||
      failed(floatShape(c, "operand", "k", getK().getType(),
                        with({"B"}, {"Hkv", "Dqk"}))) ||
      failed(floatShape(c, "operand", "v", getV().getType(),
                        with({"B"}, {"Hkv", "Dv"}))) ||
      failed(divides(c, "H", "Hkv", "operand 'k' heads (GQA)")) ||
      failed(checkScale(c, getScaleAttr(), "Dqk")))
    return failure();

  // Per-axis attributes: one entry per spatial axis.
  auto perAxis = [&](StringRef name, size_t size) -> LogicalResult {
    if (static_cast<int64_t>(size) != r)
      return c.fail("attribute '" + name + "' must have " + Twine(r) +
                    " entries (one per spatial axis), but has " + Twine(size));
    return success();
  };
  ArrayRef<int64_t> kernel = getKernelSize();
  if (failed(perAxis("kernel_size", kernel.size())) ||
      (getDilation() && failed(perAxis("dilation", getDilation()->size()))) ||
      (getStride() && failed(perAxis("stride", getStride()->size()))) ||
      (getIsCausal() && failed(perAxis("is_causal", getIsCausal()->size()))))
    return failure();
  SmallVector<int64_t> dil = getDilationOrDefault(), str = getStrideOrDefault();
  SmallVector<bool> causal = getIsCausalOrDefault();
  Dims rpbDims = {"H"};
  for (int64_t i = 0; i < r; ++i) {
    if (kernel[i] < 1)
      return c.fail("attribute 'kernel_size' must be >= 1 on every axis, but "
                    "axis " +
                    Twine(i) + " has " + Twine(kernel[i]));
    if (dil[i] < 1)
      return c.fail("attribute 'dilation' must be >= 1 on every axis, but "
                    "axis " +
                    Twine(i) + " has " + Twine(dil[i]));
    if (str[i] < 1 || str[i] > kernel[i])
      return c.fail("attribute 'stride' must be in [1, kernel_size] on every "
                    "axis, but axis " +
                    Twine(i) + " has stride " + Twine(str[i]) +
                    " and kernel_size " + Twine(kernel[i]));
    int64_t extent = c.get(sp[i]);
    // Divide rather than multiply: huge attribute values must not overflow.
    if (!ShapedType::isDynamic(extent) && kernel[i] > extent / dil[i])
      return c.fail("kernel_size x dilation = " + Twine(kernel[i]) + " x " +
                    Twine(dil[i]) + " must not exceed " + sp[i] + " = " +
                    Twine(extent) + " on axis " + Twine(i));
    std::string sym = "2k" + std::to_string(i + 1) + "-1";
    if (kernel[i] < std::numeric_limits<int64_t>::max() / 2)
      c.bind(sym, 2 * kernel[i] - 1);
    rpbDims.push_back(sym);
  }
  if (Value rpb = getRpb()) {
    if (llvm::is_contained(causal, true))
      return c.fail("operand 'rpb' is not allowed together with a causal axis");
    if (failed(optional(c, "rpb", rpb, rpbDims)))
      return failure();
  }
  if (failed(floatShape(c, "init", "o", getOInit().getType(),
                        with({"B"}, {"H", "Dv"}))))
    return failure();
  if (Value lse = getLseInit())
    if (failed(c.f32Elt("init", "lse", lse.getType())) ||
        failed(c.shape("init", "lse", lse.getType(), with({"B"}, {"H"}))))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// sliding_window_attention
//===----------------------------------------------------------------------===//

LogicalResult SlidingWindowAttentionOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"o", "lse"}, /*optional=*/1)) ||
      failed(floatShape(c, "operand", "q", getQ().getType(),
                        {"B", "Tq", "H", "D"})) ||
      failed(floatShape(c, "operand", "k", getK().getType(),
                        {"B", "Tk", "Hkv", "D"})) ||
      failed(floatShape(c, "operand", "v", getV().getType(),
                        {"B", "Tk", "Hkv", "Dv"})) ||
      failed(divides(c, "H", "Hkv", "operand 'k' heads (GQA)")) ||
      failed(checkScale(c, getScaleAttr(), "D")))
    return failure();
  // I64Attr getters are unsigned: read the signed value.
  int64_t left = getWindowLeftAttr().getInt();
  int64_t right = getWindowRightAttr().getInt();
  if (left < -1 || right < -1)
    return c.fail("attributes 'window_left' and 'window_right' must be >= 0 "
                  "or -1 (unbounded), but got (" +
                  Twine(left) + ", " + Twine(right) + ")");
  if (failed(floatShape(c, "init", "o", getOInit().getType(),
                        {"B", "Tq", "H", "Dv"})))
    return failure();
  if (Value lse = getLseInit())
    if (failed(c.f32Elt("init", "lse", lse.getType())) ||
        failed(c.shape("init", "lse", lse.getType(), {"B", "Tq", "H"})))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// hadamard
//===----------------------------------------------------------------------===//

LogicalResult HadamardOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(numInits(c, getOutputs(), {"y"})))
    return failure();
  auto x = cast<ShapedType>(getX().getType());
  if (x.getRank() < 1)
    return c.fail("operand 'x' must have rank >= 1 ([.., N]), but has rank 0");
  Dims dims;
  for (int64_t i = 0; i + 1 < x.getRank(); ++i)
    dims.push_back("L" + std::to_string(i));
  dims.push_back("N");
  if (failed(floatShape(c, "operand", "x", x, dims)))
    return failure();
  int64_t n = x.getShape().back();
  if (ShapedType::isDynamic(n))
    return c.fail("operand 'x' must have a static last dimension N (the "
                  "Hadamard matrix is fixed at compile time)");
  int64_t m = n;
  while (m > 0 && m % 2 == 0)
    m /= 2;
  // N = m * 2^p needs the odd part of N to be 1, or N / 2^p to be 12, 20, 28.
  bool ok = m == 1;
  for (int64_t base : {12, 20, 28})
    ok |= n % base == 0 && llvm::isPowerOf2_64(n / base);
  if (!ok)
    return c.fail("operand 'x' last dimension N = " + Twine(n) +
                  " must be m * 2^p with m in {1, 12, 20, 28}");
  return floatShape(c, "init", "y", getOutputs()[0].getType(), dims,
                    /*allowQuant=*/true);
}

//===----------------------------------------------------------------------===//
// scan
//===----------------------------------------------------------------------===//

LogicalResult ScanOp::verify() {
  ShapeChecker c = checkerFor(*this);
  for (auto [i, x] : llvm::enumerate(getInputs())) {
    auto t = cast<RankedTensorType>(x.getType());
    std::string name = "ins#" + std::to_string(i);
    if (t.getRank() < 2)
      return c.fail("operand '" + name + "' must have shape [B, T, ..], but "
                    "has rank " +
                    Twine(t.getRank()));
    Dims dims = {"B", "T"};
    for (int64_t d = 2; d < t.getRank(); ++d)
      dims.push_back(name + ".d" + std::to_string(d));
    if (failed(c.operand(name, t, dims)))
      return failure();
  }
  if (getInits().empty())
    return c.fail("needs at least one 'init' state");
  if (failed(c.seqlens(getCuSeqlens())))
    return failure();
  for (auto [i, y] : llvm::enumerate(getOutputs())) {
    auto t = cast<RankedTensorType>(y.getType());
    std::string name = "outs#" + std::to_string(i);
    if (t.getRank() < 2)
      return c.fail("init '" + name + "' must have shape [B, T, ..], but "
                    "has rank " +
                    Twine(t.getRank()));
    Dims dims = {"B", "T"};
    for (int64_t d = 2; d < t.getRank(); ++d)
      dims.push_back(name + ".d" + std::to_string(d));
    if (failed(c.shape("init", name, t, dims)))
      return failure();
  }
  for (auto [i, s] : llvm::enumerate(getInits())) {
    auto t = cast<RankedTensorType>(s.getType());
    std::string name = "init#" + std::to_string(i);
    if (t.getRank() < 1)
      return c.fail("operand '" + name + "' must have shape [Nseq, ..], but "
                    "has rank 0");
    Dims dims = {"Nseq"};
    for (int64_t d = 1; d < t.getRank(); ++d)
      dims.push_back(name + ".d" + std::to_string(d));
    if (failed(c.operand(name, t, dims)))
      return failure();
  }
  return success();
}

/// The type of one slice of `t` with its leading `drop` axes removed.
static RankedTensorType sliceType(Type t, int64_t drop) {
  auto r = cast<RankedTensorType>(t);
  return RankedTensorType::get(r.getShape().drop_front(drop),
                               r.getElementType());
}

LogicalResult ScanOp::verifyRegions() {
  Block &body = getBody().front();
  size_t nIn = getInputs().size(), nInit = getInits().size();
  if (body.getNumArguments() != nIn + nInit)
    return emitOpError() << "body must take " << nIn + nInit
                         << " arguments (one per input, then one per state), "
                            "but takes "
                         << body.getNumArguments();
  for (size_t i = 0; i < nIn + nInit; ++i) {
    bool isInput = i < nIn;
    Value src = isInput ? getInputs()[i] : getInits()[i - nIn];
    RankedTensorType want = sliceType(src.getType(), isInput ? 2 : 1);
    if (body.getArgument(i).getType() != want)
      return emitOpError() << "body argument #" << i << " must be " << want
                           << " (a step of "
                           << (isInput ? "ins#" : "init#")
                           << (isInput ? i : i - nIn) << "), but is "
                           << body.getArgument(i).getType();
  }
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError() << "body must end with seqmix.yield";
  size_t nOut = getOutputs().size();
  if (yield.getValues().size() != nInit + nOut)
    return yield.emitOpError()
           << "must yield " << nInit + nOut
           << " values (the next state of each init, then one step of each "
              "outs), but yields "
           << yield.getValues().size();
  for (size_t i = 0; i < nInit; ++i) {
    Type want = body.getArgument(nIn + i).getType();
    if (yield.getValues()[i].getType() != want)
      return yield.emitOpError() << "state #" << i << " must be " << want
                                 << ", but is "
                                 << yield.getValues()[i].getType();
  }
  for (size_t j = 0; j < nOut; ++j) {
    Type want = sliceType(getOutputs()[j].getType(), 2);
    if (yield.getValues()[nInit + j].getType() != want)
      return yield.emitOpError()
             << "output #" << j << " must be " << want
             << " (one step of outs#" << j << "), but is "
             << yield.getValues()[nInit + j].getType();
  }
  return success();
}

#define GET_OP_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"

#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Destination style and memory effects
//===----------------------------------------------------------------------===//

MutableOperandRange ScanOp::getDpsInitsMutable() {
  // inits and outputs are the last two operand segments, in this order.
  unsigned start = getInputs().size() + (getCuSeqlens() ? 1 : 0);
  return MutableOperandRange(getOperation(), start,
                             getInits().size() + getOutputs().size());
}

/// On tensors an op is pure; on memrefs it reads its inputs and the
/// destinations it accumulates into, and writes every destination.
static void bufferEffects(
    Operation *op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  auto dps = cast<DestinationStyleOpInterface>(op);
  auto loops = cast<LoopStructureOpInterface>(op);
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (!dps.isDpsInit(&operand)) {
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
      continue;
    }
    // Destinations are the last operands.
    unsigned init = operand.getOperandNumber() - dps.getNumDpsInputs();
    if (loops.readsInit(init))
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), &operand,
                         SideEffects::DefaultResource::get());
  }
}

#define SEQMIX_BUFFER_EFFECTS(OP)                                              \
  void OP::getEffects(                                                         \
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>      \
          &effects) {                                                          \
    bufferEffects(getOperation(), effects);                                    \
  }
SEQMIX_BUFFER_EFFECTS(LinearAttentionOp)
SEQMIX_BUFFER_EFFECTS(SelectiveScanOp)
SEQMIX_BUFFER_EFFECTS(SSDOp)
SEQMIX_BUFFER_EFFECTS(CausalConv1dOp)
SEQMIX_BUFFER_EFFECTS(RouteOp)
SEQMIX_BUFFER_EFFECTS(DispatchOp)
SEQMIX_BUFFER_EFFECTS(SegmentMatmulOp)
SEQMIX_BUFFER_EFFECTS(CombineOp)
SEQMIX_BUFFER_EFFECTS(NeighborhoodAttentionOp)
SEQMIX_BUFFER_EFFECTS(SlidingWindowAttentionOp)
SEQMIX_BUFFER_EFFECTS(HadamardOp)
#undef SEQMIX_BUFFER_EFFECTS
