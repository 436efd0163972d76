//===- BlockScan.cpp - a seqmix.scan as scans over channel blocks ---------===//
//
// A user-authored recurrence is usually independent along one axis of its
// state: Mamba's channels, a head's value columns. When every op of the
// body treats one dimension of the state as a parallel loop (linalg ops
// whose loop over it is parallel, elementwise ops, tensor.empty, splat
// constants), each
// block of that dimension is a scan of its own. This pass rewrites such a
// scan into an scf.forall over channel blocks whose body is the same scan
// on the blocks' slices (of the states, the per-step inputs and outputs,
// and the tensors the body captures), the body retyped to the block size.
// The threads then run the blocks, and each block's state is small enough
// to stay in L1 across the time loop, instead of a whole state streaming
// through L2 at every step.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include <thread>

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXBLOCKSCANPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// A block's states stay within this many bytes (a part of L1).
constexpr int64_t kBlockStateBytes = 16 * 1024;

/// Which dimension of each tensor value of a scan body is the channel axis
/// (-1: the value does not vary along it), found from one state dimension.
struct ChannelAxes {
  DenseMap<Value, int64_t> dim;

  /// Records `d` for `v`; false on a contradiction.
  bool set(Value v, int64_t d) {
    auto [it, inserted] = dim.try_emplace(v, d);
    return inserted || it->second == d;
  }
  std::optional<int64_t> get(Value v) const {
    auto it = dim.find(v);
    return it == dim.end() ? std::nullopt : std::optional(it->second);
  }
};

/// A constant tensor with one value throughout: any block of it is the
/// same constant, smaller.
bool isSplatConstant(Operation &op) {
  auto cst = dyn_cast<arith::ConstantOp>(op);
  auto attr = cst ? dyn_cast<SplatElementsAttr>(cst.getValue()) : nullptr;
  return attr && isa<RankedTensorType>(cst.getType());
}

/// One pass over `body` propagating channel axes through its ops; fails on
/// an op that mixes channels or that it does not know. `changed` says
/// whether anything was learned.
LogicalResult propagate(Block &body, ChannelAxes &axes, bool &changed) {
  auto record = [&](Value v, int64_t d) {
    if (!axes.get(v))
      changed = true;
    return axes.set(v, d);
  };
  for (Operation &op : body.without_terminator()) {
    bool touchesTensors =
        llvm::any_of(op.getOperandTypes(), llvm::IsaPred<RankedTensorType>) ||
        llvm::any_of(op.getResultTypes(), llvm::IsaPred<RankedTensorType>);
    if (!touchesTensors)
      continue;
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      if (!empty.getType().hasStaticShape())
        return failure();
      continue; // takes the axis of the op it feeds
    }
    if (isSplatConstant(op))
      continue; // likewise
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalgOp.hasPureTensorSemantics())
        return failure();
      // A result's axis is its destination's (learned from a later use).
      for (auto [r, init] : llvm::zip(op.getResults(), linalgOp.getDpsInits()))
        if (std::optional<int64_t> d = axes.get(r))
          if (!record(init, *d))
            return failure();
      // The loop that walks the channel axis of an operand that has one.
      std::optional<unsigned> loop;
      bool independent = false;
      for (OpOperand &operand : op.getOpOperands()) {
        std::optional<int64_t> d = axes.get(operand.get());
        if (!d)
          continue;
        if (*d < 0) {
          independent = true;
          continue;
        }
        AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
        auto expr = dyn_cast<AffineDimExpr>(map.getResult(*d));
        if (!expr || (loop && *loop != expr.getPosition()))
          return failure();
        loop = expr.getPosition();
      }
      if (!loop) {
        // Known only to be channel-independent: so is everything it makes.
        if (independent)
          for (Value r : op.getResults())
            if (!record(r, -1))
              return failure();
        continue;
      }
      if (linalgOp.getIteratorTypesArray()[*loop] !=
          utils::IteratorType::parallel)
        return failure();
      for (OpOperand &operand : op.getOpOperands()) {
        if (!isa<RankedTensorType>(operand.get().getType()))
          continue;
        AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
        int64_t at = -1;
        for (auto [i, e] : llvm::enumerate(map.getResults())) {
          if (auto de = dyn_cast<AffineDimExpr>(e);
              de && de.getPosition() == *loop)
            at = i;
          else if (e.isFunctionOfDim(*loop))
            return failure();
        }
        // A destination of a parallel loop must vary along it.
        if ((at < 0 && linalgOp.isDpsInit(&operand)) ||
            !record(operand.get(), at))
          return failure();
      }
      for (auto [r, init] : llvm::zip(op.getResults(), linalgOp.getDpsInits()))
        if (!record(r, *axes.get(init)))
          return failure();
      continue;
    }
    if (op.hasTrait<OpTrait::Elementwise>()) {
      // Same shapes throughout: one axis for every tensor operand and result.
      std::optional<int64_t> d;
      SmallVector<Value> values(op.getOperands());
      llvm::append_range(values, op.getResults());
      for (Value v : values)
        if (auto known = axes.get(v))
          d = known;
      if (!d)
        continue;
      for (Value v : values)
        if (isa<RankedTensorType>(v.getType()) && !record(v, *d))
          return failure();
      continue;
    }
    return failure();
  }
  return success();
}

/// Whether `t`'s dimension `d` is the static `extent`.
bool hasExtent(Type t, int64_t d, int64_t extent) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && d >= 0 && d < rt.getRank() && rt.getDimSize(d) == extent;
}

/// The channel axes of `scan`'s body if its first state's dimension `d0` is
/// one: every state and output varies along it, with the same extent.
std::optional<ChannelAxes> analyze(ScanOp scan, int64_t d0) {
  Block &body = scan.getBody().front();
  size_t nIn = scan.getInputs().size(), nInit = scan.getInits().size();
  auto yield = cast<YieldOp>(body.getTerminator());
  int64_t extent =
      cast<RankedTensorType>(body.getArgument(nIn).getType()).getDimSize(d0);
  if (ShapedType::isDynamic(extent) || extent < 2)
    return std::nullopt;
  ChannelAxes axes;
  axes.set(body.getArgument(nIn), d0);
  // States carry their axis from step to step.
  for (bool changed = true; changed;) {
    changed = false;
    if (failed(propagate(body, axes, changed)))
      return std::nullopt;
    for (size_t s = 0; s < nInit; ++s) {
      Value arg = body.getArgument(nIn + s), next = yield.getValues()[s];
      std::optional<int64_t> a = axes.get(arg), n = axes.get(next);
      if (a && !n)
        changed |= axes.set(next, *a);
      else if (n && !a)
        changed |= axes.set(arg, *n);
      else if (a && n && *a != *n)
        return std::nullopt;
    }
  }
  // Every state and step output varies along the axis (a value that does
  // not would be computed by every block alike), and every tensor the body
  // uses has a known axis of the same extent.
  for (Value v : yield.getValues()) {
    std::optional<int64_t> d = axes.get(v);
    if (!d || !hasExtent(v.getType(), *d, extent))
      return std::nullopt;
  }
  WalkResult walk = body.walk([&](Operation *op) {
    for (Value v : op->getOperands()) {
      if (!isa<RankedTensorType>(v.getType()))
        continue;
      std::optional<int64_t> d = axes.get(v);
      if (!d || (*d >= 0 && !hasExtent(v.getType(), *d, extent)))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return std::nullopt;
  return axes;
}

/// Rewrites `scan` into a forall over channel blocks, or fails changing
/// nothing.
LogicalResult blockScan(RewriterBase &rewriter, ScanOp scan, int64_t threads) {
  if (scan.getCuSeqlens() || scan.getInits().empty() ||
      !scan.hasPureTensorSemantics())
    return rewriter.notifyMatchFailure(scan, "not a whole scan on tensors");
  Block &body = scan.getBody().front();
  size_t nIn = scan.getInputs().size(), nInit = scan.getInits().size();
  auto state0 = cast<RankedTensorType>(body.getArgument(nIn).getType());
  std::optional<ChannelAxes> axes;
  int64_t d0 = 0;
  for (; d0 < state0.getRank(); ++d0)
    if ((axes = analyze(scan, d0)))
      break;
  if (!axes)
    return rewriter.notifyMatchFailure(scan, "no channel axis");
  int64_t extent = state0.getDimSize(d0);

  // The block: the largest divisor of the extent whose states fit
  // kBlockStateBytes, leaving at least a block per thread.
  int64_t bytesPerChannel = 0;
  for (size_t s = 0; s < nInit; ++s) {
    auto t = cast<RankedTensorType>(body.getArgument(nIn + s).getType());
    if (!t.hasStaticShape())
      return rewriter.notifyMatchFailure(scan, "dynamic state shape");
    bytesPerChannel += t.getNumElements() / extent * 4;
  }
  int64_t block = 1;
  for (int64_t b = 1; b <= extent; ++b)
    if (extent % b == 0 && b * bytesPerChannel <= kBlockStateBytes &&
        extent / b >= std::max<int64_t>(threads, 2))
      block = b;
  if (block == extent)
    return rewriter.notifyMatchFailure(scan, "one block");

  Location loc = scan.getLoc();
  SmallVector<Value> inits(scan.getInits());
  llvm::append_range(inits, scan.getOutputs());
  auto forall = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(extent)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(block)}, inits,
      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard g(rewriter);
  rewriter.setInsertionPointToStart(forall.getBody());
  Value c0 = forall.getInductionVars()[0];

  // The block of `v` along dimension `d`: offsets, sizes, strides.
  struct Box {
    SmallVector<OpFoldResult> offs, sizes, strides;
  };
  auto boxOf = [&](Value v, int64_t d) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    Box b{SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(0)),
          tensor::getMixedSizes(rewriter, loc, v),
          SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1))};
    b.offs[d] = c0;
    b.sizes[d] = rewriter.getIndexAttr(block);
    return b;
  };
  // The block's slice of `v` along dimension `d` (-1: all of `v`).
  auto sliceOf = [&](Value v, int64_t d) -> Value {
    if (d < 0)
      return v;
    Box b = boxOf(v, d);
    return tensor::ExtractSliceOp::create(rewriter, loc, v, b.offs, b.sizes,
                                          b.strides);
  };
  auto blockType = [&](Type t, int64_t d) -> Type {
    auto rt = cast<RankedTensorType>(t);
    if (d < 0)
      return rt;
    SmallVector<int64_t> shape(rt.getShape());
    shape[d] = block;
    return rt.clone(shape);
  };
  // Operands of the inner scan: per-step operands carry [B, T] (inputs,
  // outputs) or [B] (states) before the body's axes.
  SmallVector<Value> ins, states, outs;
  for (size_t i = 0; i < nIn; ++i) {
    std::optional<int64_t> d = axes->get(body.getArgument(i));
    ins.push_back(sliceOf(scan.getInputs()[i], d && *d >= 0 ? *d + 2 : -1));
  }
  // Each destination's block: the same box slices it and receives the
  // inner scan's result.
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Box> dests;
  for (auto [j, dest] : llvm::enumerate(forall.getRegionIterArgs())) {
    int64_t d = j < nInit ? *axes->get(body.getArgument(nIn + j)) + 1
                          : *axes->get(yield.getValues()[j]) + 2;
    dests.push_back(boxOf(dest, d));
    (j < nInit ? states : outs)
        .push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, dest, dests.back().offs, dests.back().sizes,
            dests.back().strides));
  }
  // Tensors the body captures, sliced once outside the time loop.
  IRMapping map;
  body.walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (isa<RankedTensorType>(v.getType()) &&
          !scan.getBody().isAncestor(v.getParentRegion()) && !map.contains(v))
        map.map(v, sliceOf(v, *axes->get(v)));
  });

  SmallVector<Type> resultTypes;
  for (Value v : llvm::concat<Value>(states, outs))
    resultTypes.push_back(v.getType());
  auto inner =
      ScanOp::create(rewriter, loc, resultTypes, ins, Value(), states, outs);
  inner->setDiscardableAttrs(scan->getDiscardableAttrDictionary());
  Block *newBody = rewriter.createBlock(&inner.getBody());
  for (BlockArgument arg : body.getArguments())
    map.map(arg,
            newBody->addArgument(
                blockType(arg.getType(), axes->get(arg).value_or(-1)), loc));
  // The body, retyped: empties take the block size; linalg ops take their
  // destinations' types; elementwise ops their operands'.
  for (Operation &op : body) {
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      map.map(empty.getResult(),
              tensor::EmptyOp::create(rewriter, loc,
                                      cast<RankedTensorType>(blockType(
                                          empty.getType(), *axes->get(empty))),
                                      ValueRange{}));
      continue;
    }
    if (isSplatConstant(op)) {
      auto cst = cast<arith::ConstantOp>(op);
      std::optional<int64_t> d = axes->get(cst.getResult());
      auto type = cast<RankedTensorType>(blockType(cst.getType(), d ? *d : -1));
      map.map(cst.getResult(),
              arith::ConstantOp::create(
                  rewriter, loc,
                  SplatElementsAttr::get(type,
                                         cast<SplatElementsAttr>(cst.getValue())
                                             .getSplatValue<Attribute>())));
      continue;
    }
    Operation *copy = rewriter.clone(op, map);
    for (OpResult r : copy->getResults())
      if (std::optional<int64_t> d =
              axes->get(op.getResult(r.getResultNumber())))
        r.setType(blockType(r.getType(), *d));
  }

  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [j, result] : llvm::enumerate(inner->getResults()))
    tensor::ParallelInsertSliceOp::create(
        rewriter, loc, result, forall.getRegionIterArgs()[j], dests[j].offs,
        dests[j].sizes, dests[j].strides);
  rewriter.replaceOp(scan, forall.getResults());
  return success();
}

struct SeqMixBlockScanPass
    : seqmix::impl::SeqMixBlockScanPassBase<SeqMixBlockScanPass> {
  using SeqMixBlockScanPassBase::SeqMixBlockScanPassBase;
  void runOnOperation() override {
    // The scans there are now; the ones this makes are blocks already.
    SmallVector<ScanOp> scans;
    getOperation()->walk([&](ScanOp s) { scans.push_back(s); });
    IRRewriter rewriter(&getContext());
    for (ScanOp s : scans) {
      rewriter.setInsertionPoint(s);
      (void)blockScan(rewriter, s,
                      threads > 0
                          ? int64_t(threads)
                          : int64_t(std::thread::hardware_concurrency()));
    }
  }
};

} // namespace
