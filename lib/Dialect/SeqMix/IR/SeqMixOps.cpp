//===- SeqMixOps.cpp - seqmix operations ----------------------------------===//
//
// Verifiers follow DESIGN.md's shape tables one operand at a time through the
// shared ShapeChecker, so every message names the operand and its expected
// shape. Routing ops infer their result types; their checks live in the
// inference hook, which runs before any verifier.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "ShapeChecker.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::seqmix;
using mlir::seqmix::detail::Dims;
using mlir::seqmix::detail::ShapeChecker;

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

/// initial_state operand and final_state result: f32 of the state shape.
static LogicalResult states(ShapeChecker &c, Value init, Value final,
                            const Dims &dims) {
  if (init && (failed(c.f32Elt("operand", "initial_state", init.getType())) ||
               failed(c.operand("initial_state", init.getType(), dims))))
    return failure();
  if (final && (failed(c.f32Elt("result", "final_state", final.getType())) ||
                failed(c.result("final_state", final.getType(), dims))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// linear_attention
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> LinearAttentionOp::getTileKeys() {
  static const TileKey keys[] = {
      {"chunk", true}, {"block_k", true}, {"block_v", true}};
  return keys;
}

LogicalResult LinearAttentionOp::verify() {
  ShapeChecker c = checkerFor(*this);
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
      failed(c.seqlens(getCuSeqlens())))
    return failure();

  Dims state = getStateLayout() == StateLayout::kv
                   ? Dims{"Nseq", "H", "K", "V"}
                   : Dims{"Nseq", "H", "V", "K"};
  if (failed(states(c, getInitialState(), getFinalState(), state)) ||
      failed(floatShape(c, "result", "o", getO().getType(),
                        {"B", "T", "H", "V"})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// selective_scan
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> SelectiveScanOp::getTileKeys() {
  static const TileKey keys[] = {
      {"chunk", true}, {"block_d", true}, {"block_n", false}};
  return keys;
}

LogicalResult SelectiveScanOp::verify() {
  ShapeChecker c = checkerFor(*this);
  const bool q = true; // quantized element types allowed
  if (failed(floatShape(c, "operand", "u", getU().getType(), {"B", "T", "D"},
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
      failed(states(c, getInitialState(), getFinalState(),
                    {"Nseq", "D", "N"})) ||
      failed(floatShape(c, "result", "y", getY().getType(), {"B", "T", "D"})))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// ssd
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> SSDOp::getTileKeys() {
  static const TileKey keys[] = {
      {"chunk", true}, {"block_p", true}, {"block_n", true}};
  return keys;
}

LogicalResult SSDOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(floatShape(c, "operand", "x", getX().getType(),
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
      failed(states(c, getInitialState(), getFinalState(),
                    {"Nseq", "H", "P", "N"})) ||
      failed(floatShape(c, "result", "y", getY().getType(),
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

ArrayRef<TileKey> CausalConv1dOp::getTileKeys() {
  static const TileKey keys[] = {{"block_t", false}, {"block_d", true}};
  return keys;
}

LogicalResult CausalConv1dOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(floatShape(c, "operand", "x", getX().getType(), {"B", "T", "D"})) ||
      failed(floatShape(c, "operand", "w", getW().getType(), {"D", "W"})))
    return failure();
  if (c.get("W") == 0)
    return c.fail("operand 'w' must have a kernel width W >= 1, but W = 0");
  if (c.isKnown("W"))
    c.bind("W-1", c.get("W") - 1);
  if (failed(optional(c, "bias", getBias(), {"D"})) ||
      failed(c.seqlens(getCuSeqlens())) ||
      failed(states(c, getInitialState(), getFinalState(),
                    {"Nseq", "W-1", "D"})) ||
      failed(floatShape(c, "result", "y", getY().getType(), {"B", "T", "D"})))
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

/// While parsing, inherent attributes are still in the dictionary, not yet in
/// the properties the adaptor reads.
static IntegerAttr inherentAttr(IntegerAttr fromProps, DictionaryAttr attrs,
                                StringRef name) {
  if (fromProps)
    return fromProps;
  return attrs ? attrs.getAs<IntegerAttr>(name) : IntegerAttr();
}

ArrayRef<TileKey> RouteOp::getTileKeys() {
  static const TileKey keys[] = {{"block_t", false}};
  return keys;
}

LogicalResult RouteOp::verify() { return success(); }

LogicalResult RouteOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attrs, OpaqueProperties props, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  RouteOp::Adaptor adaptor(operands, attrs, props, regions);
  ShapeChecker c(loc, getOperationName());
  Type logits = adaptor.getLogits().getType();
  if (failed(floatShape(c, "operand", "logits", logits, {"B", "T", "M"})))
    return failure();
  IntegerAttr topK = inherentAttr(adaptor.getTopKAttr(), attrs, "top_k");
  if (!topK)
    return c.fail("requires attribute 'top_k'");
  int64_t k = topK.getInt();
  if (k < 1 || (c.isKnown("M") && k > c.get("M")))
    return c.fail("attribute 'top_k' must be in [1, M] = [1, " +
                  (c.isKnown("M") ? std::to_string(c.get("M")) : "?") +
                  "], but got " + Twine(k));
  auto shape = cast<RankedTensorType>(logits).getShape();
  SmallVector<int64_t> out = {shape[0], shape[1], k};
  inferred.push_back(RankedTensorType::get(out, IntegerType::get(ctx, 32)));
  inferred.push_back(RankedTensorType::get(out, Float32Type::get(ctx)));
  return success();
}

ArrayRef<TileKey> DispatchOp::getTileKeys() {
  static const TileKey keys[] = {{"block_t", false}};
  return keys;
}

LogicalResult DispatchOp::verify() { return success(); }

LogicalResult DispatchOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attrs, OpaqueProperties props, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  DispatchOp::Adaptor adaptor(operands, attrs, props, regions);
  ShapeChecker c(loc, getOperationName());
  auto x = dyn_cast<RankedTensorType>(adaptor.getX().getType());
  if (!x || x.getRank() < 2)
    return c.fail("operand 'x' must be a ranked tensor [B, T, F..], but got " +
                  Twine(x ? "rank " + std::to_string(x.getRank())
                          : std::string("an unranked tensor")));
  Dims xDims = {"B", "T"};
  for (int64_t i = 2; i < x.getRank(); ++i)
    xDims.push_back("F" + std::to_string(i - 1));
  Type idx = adaptor.getIndices().getType();
  if (failed(floatShape(c, "operand", "x", x, xDims)) ||
      failed(c.intElt("operand", "indices", idx)) ||
      failed(c.operand("indices", idx, {"B", "T", "k"})))
    return failure();
  IntegerAttr numMem =
      inherentAttr(adaptor.getNumMemoriesAttr(), attrs, "num_memories");
  if (!numMem)
    return c.fail("requires attribute 'num_memories'");
  int64_t m = numMem.getInt();
  if (m < 1)
    return c.fail("attribute 'num_memories' must be >= 1, but got " + Twine(m));
  int64_t rows = product({c.get("B"), c.get("T"), c.get("k")});
  SmallVector<int64_t> packed = {rows};
  llvm::append_range(packed, x.getShape().drop_front(2));
  int64_t b = c.get("B");
  int64_t segs = product({b, m});
  if (!ShapedType::isDynamic(segs) && segs < std::numeric_limits<int64_t>::max())
    segs += 1;
  else
    segs = ShapedType::kDynamic;
  Type i32 = IntegerType::get(ctx, 32);
  inferred.push_back(RankedTensorType::get(packed, x.getElementType()));
  inferred.push_back(RankedTensorType::get({segs}, i32));
  inferred.push_back(RankedTensorType::get({rows}, i32));
  return success();
}

ArrayRef<TileKey> SegmentMatmulOp::getTileKeys() {
  static const TileKey keys[] = {
      {"block_m", true}, {"block_n", true}, {"block_k", true}};
  return keys;
}

LogicalResult SegmentMatmulOp::verify() { return success(); }

LogicalResult SegmentMatmulOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attrs, OpaqueProperties props, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  SegmentMatmulOp::Adaptor adaptor(operands, attrs, props, regions);
  ShapeChecker c(loc, getOperationName());
  Type packed = adaptor.getPacked().getType();
  if (failed(floatShape(c, "operand", "packed", packed, {"R", "Din"})) ||
      failed(floatShape(c, "operand", "weight", adaptor.getWeight().getType(),
                        {"M", "Din", "Dout"})) ||
      failed(c.offsets("offsets", adaptor.getOffsets(), "S", "R")))
    return failure();
  if (c.get("M") == 0)
    return c.fail("operand 'weight' must hold at least one memory (M >= 1)");
  if (c.isKnown("S") && c.isKnown("M") && c.get("S") % c.get("M") != 0)
    return c.fail("operand 'offsets' must describe a multiple of M = " +
                  Twine(c.get("M")) + " segments, but describes S = " +
                  Twine(c.get("S")));
  inferred.push_back(RankedTensorType::get(
      {c.get("R"), c.get("Dout")},
      cast<RankedTensorType>(packed).getElementType()));
  return success();
}

ArrayRef<TileKey> CombineOp::getTileKeys() {
  static const TileKey keys[] = {{"block_t", false}};
  return keys;
}

LogicalResult CombineOp::verify() { return success(); }

LogicalResult CombineOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attrs, OpaqueProperties props, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  CombineOp::Adaptor adaptor(operands, attrs, props, regions);
  ShapeChecker c(loc, getOperationName());
  auto packed = dyn_cast<RankedTensorType>(adaptor.getPacked().getType());
  if (!packed || packed.getRank() < 1)
    return c.fail("operand 'packed' must be a ranked tensor [R, F..] of rank "
                  ">= 1");
  Dims pDims = {"R"};
  for (int64_t i = 1; i < packed.getRank(); ++i)
    pDims.push_back("F" + std::to_string(i));
  Type rows = adaptor.getRows().getType();
  Type weights = adaptor.getWeights().getType();
  if (failed(floatShape(c, "operand", "packed", packed, pDims)) ||
      failed(c.intElt("operand", "rows", rows)) ||
      failed(c.operand("rows", rows, {"R"})) ||
      failed(floatShape(c, "operand", "weights", weights, {"B", "T", "k"})))
    return failure();
  int64_t slots = product({c.get("B"), c.get("T"), c.get("k")});
  if (c.isKnown("R") && !ShapedType::isDynamic(slots) && c.get("R") != slots)
    return c.fail("operand 'packed' must have R = B*T*k = " + Twine(slots) +
                  " rows, but has " + Twine(c.get("R")));
  SmallVector<int64_t> out = {c.get("B"), c.get("T")};
  llvm::append_range(out, packed.getShape().drop_front());
  inferred.push_back(RankedTensorType::get(out, packed.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// neighborhood_attention
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> NeighborhoodAttentionOp::getTileKeys() {
  static const TileKey keys[] = {{"block_q", true}, {"block_kv", true}};
  return keys;
}

int64_t NeighborhoodAttentionOp::getNumSpatialDims() {
  return cast<RankedTensorType>(getQ().getType()).getRank() - 3;
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
  int64_t qRank = cast<RankedTensorType>(getQ().getType()).getRank();
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
      failed(divides(c, "H", "Hkv", "operand 'k' heads (GQA)")))
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
  if (failed(floatShape(c, "result", "o", getO().getType(),
                        with({"B"}, {"H", "Dv"}))))
    return failure();
  if (Value lse = getLse())
    if (failed(c.f32Elt("result", "lse", lse.getType())) ||
        failed(c.result("lse", lse.getType(), with({"B"}, {"H"}))))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// sliding_window_attention
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> SlidingWindowAttentionOp::getTileKeys() {
  static const TileKey keys[] = {{"block_q", true}, {"block_kv", true}};
  return keys;
}

LogicalResult SlidingWindowAttentionOp::verify() {
  ShapeChecker c = checkerFor(*this);
  if (failed(floatShape(c, "operand", "q", getQ().getType(),
                        {"B", "Tq", "H", "D"})) ||
      failed(floatShape(c, "operand", "k", getK().getType(),
                        {"B", "Tk", "Hkv", "D"})) ||
      failed(floatShape(c, "operand", "v", getV().getType(),
                        {"B", "Tk", "Hkv", "Dv"})) ||
      failed(divides(c, "H", "Hkv", "operand 'k' heads (GQA)")))
    return failure();
  // I64Attr getters are unsigned: read the signed value.
  int64_t left = getWindowLeftAttr().getInt();
  int64_t right = getWindowRightAttr().getInt();
  if (left < -1 || right < -1)
    return c.fail("attributes 'window_left' and 'window_right' must be >= 0 "
                  "or -1 (unbounded), but got (" +
                  Twine(left) + ", " + Twine(right) + ")");
  if (failed(floatShape(c, "result", "o", getO().getType(),
                        {"B", "Tq", "H", "Dv"})))
    return failure();
  if (Value lse = getLse())
    if (failed(c.f32Elt("result", "lse", lse.getType())) ||
        failed(c.result("lse", lse.getType(), {"B", "Tq", "H"})))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// hadamard
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> HadamardOp::getTileKeys() {
  static const TileKey keys[] = {{"block_rows", false}};
  return keys;
}

LogicalResult HadamardOp::verify() {
  ShapeChecker c = checkerFor(*this);
  auto x = cast<RankedTensorType>(getX().getType());
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
  return floatShape(c, "result", "y", getY().getType(), dims,
                    /*allowQuant=*/true);
}

//===----------------------------------------------------------------------===//
// scan
//===----------------------------------------------------------------------===//

ArrayRef<TileKey> ScanOp::getTileKeys() {
  static const TileKey keys[] = {{"chunk", true}};
  return keys;
}

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
  if (yield.getValues().size() < nInit)
    return emitOpError() << "seqmix.yield must return the " << nInit
                         << " next states first, but returns "
                         << yield.getValues().size() << " values";
  size_t nOut = yield.getValues().size() - nInit;
  if (getResults().size() != nInit + nOut)
    return emitOpError() << "must have " << nInit + nOut
                         << " results (final states, then stacked outputs), "
                            "but has "
                         << getResults().size();
  for (size_t i = 0; i < nInit; ++i) {
    Type want = body.getArgument(nIn + i).getType();
    if (yield.getValues()[i].getType() != want)
      return emitOpError() << "seqmix.yield state #" << i << " must be "
                           << want << ", but is "
                           << yield.getValues()[i].getType();
    if (getResults()[i].getType() != getInits()[i].getType())
      return emitOpError() << "result #" << i << " (final state) must be "
                           << getInits()[i].getType() << ", but is "
                           << getResults()[i].getType();
  }
  auto anyIn = getInputs().empty()
                   ? RankedTensorType()
                   : cast<RankedTensorType>(getInputs()[0].getType());
  int64_t b = anyIn ? anyIn.getDimSize(0) : ShapedType::kDynamic;
  int64_t t = anyIn ? anyIn.getDimSize(1) : ShapedType::kDynamic;
  for (size_t j = 0; j < nOut; ++j) {
    auto y = dyn_cast<RankedTensorType>(yield.getValues()[nInit + j].getType());
    if (!y)
      return emitOpError() << "seqmix.yield output #" << j
                           << " must be a ranked tensor, but is "
                           << yield.getValues()[nInit + j].getType();
    auto res = cast<RankedTensorType>(getResults()[nInit + j].getType());
    bool ok = res.getRank() == y.getRank() + 2 &&
              res.getElementType() == y.getElementType() &&
              res.getShape().drop_front(2) == y.getShape() &&
              (ShapedType::isDynamic(b) || res.getDimSize(0) == b) &&
              (ShapedType::isDynamic(t) || res.getDimSize(1) == t);
    if (!ok)
      return emitOpError() << "result #" << nInit + j
                           << " (stacked output #" << j
                           << ") must be [B, T] x " << y << ", but is " << res;
  }
  return success();
}

#define GET_OP_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"

#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.cpp.inc"
