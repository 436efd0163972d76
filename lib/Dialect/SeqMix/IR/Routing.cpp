//===- Routing.cpp - loop structure of the Mixture-of-Memories ops --------===//
//
// route is parallel over tokens. dispatch is parallel over batch rows: the
// B*T*k slots of batch row b occupy packed rows [b*T*k, (b+1)*T*k), so each
// row sorts its own slots; its offsets are absolute, hence a tile may not cut
// the batch loop. segment_matmul and combine accumulate into their
// destination as linalg.matmul does (result = init + products):
// segment_matmul is parallel over packed rows and output columns (rows find
// their segment through the run-time offsets, so the row loop is taken
// whole), and combine scatters packed rows into their tokens, a reduction
// over rows.
//
//===----------------------------------------------------------------------===//

#include "LoopStructure.h"

#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

using IT = utils::IteratorType;

//===----------------------------------------------------------------------===//
// route: loops (b, t)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> RouteOp::getLoopNames() { return {"b", "t"}; }
SmallVector<IT> RouteOp::getLoopKinds() { return {IT::parallel, IT::parallel}; }
SmallVector<OpFoldResult> RouteOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getLogits(), 0), sizeOf(b, getLogits(), 1)};
}
OperandLoopDims RouteOp::getOperandLoopDims() {
  LoopDim B = LoopDim::of(0), T = LoopDim::of(1), W = LoopDim::whole();
  return {{B, T, W}, {B, T, W}, {B, T, W}};
}
bool RouteOp::isLoopTileable(unsigned) { return true; }
bool RouteOp::readsInit(unsigned) { return false; }
Value RouteOp::getSequenceOffsets() { return {}; }

/// Token (b, t): k rounds, each picking the memory ranked next by
/// (logit descending, index ascending). Ranking on the logits keeps the
/// order exact where f32 scores saturate (sigmoid(30) == sigmoid(40) == 1).
LogicalResult RouteOp::emitScalarBody(OpBuilder &b, Location loc,
                                      ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value bi = ivs[0], t = ivs[1];
  Value logits = getLogits(), idxOut = getOutputs()[0], wOut = getOutputs()[1];
  Value M = e.dim(logits, 2), K = e.idx(getTopKAttr().getInt());
  auto logit = [&](Value m) { return e.load(logits, {bi, t, m}); };
  bool softmax = getScore() == RouteScore::softmax;
  Value mx, sum;
  if (softmax) {
    mx = e.fold(M, e.f32(-INFINITY),
                [&](Value m, Value a) { return e.maxf(a, logit(m)); });
    sum = e.fold(M, e.f32(0), [&](Value m, Value a) {
      return e.addf(a, e.exp(e.subf(logit(m), mx)));
    });
  }
  auto score = [&](Value l) {
    return softmax ? e.divf(e.exp(e.subf(l, mx)), sum) : e.sigmoid(l);
  };
  // Carried: the previous pick (logit, index) and the sum of the weights.
  Value none = e.idx(-1);
  auto rounds = scf::ForOp::create(
      b, loc, e.idx(0), K, e.idx(1),
      ValueRange{e.f32(INFINITY), none, e.f32(0)},
      [&](OpBuilder &, Location, Value j, ValueRange prev) {
        auto scanM = scf::ForOp::create(
            b, loc, e.idx(0), M, e.idx(1), ValueRange{e.f32(-INFINITY), none},
            [&](OpBuilder &, Location, Value m, ValueRange best) {
              Value l = logit(m);
              // Ranked after the previous pick?
              Value after =
                  e.ori(e.cmpf(arith::CmpFPredicate::OLT, l, prev[0]),
                        e.andi(e.cmpf(arith::CmpFPredicate::OEQ, l, prev[0]),
                               e.cmpi(arith::CmpIPredicate::sgt, m, prev[1])));
              // Better than the best so far (strict: ties keep the lower m)?
              Value better =
                  e.ori(e.cmpi(arith::CmpIPredicate::slt, best[1], e.idx(0)),
                        e.cmpf(arith::CmpFPredicate::OGT, l, best[0]));
              Value pick = e.andi(after, better);
              scf::YieldOp::create(b, loc,
                                   ValueRange{e.select(pick, l, best[0]),
                                              e.select(pick, m, best[1])});
            });
        Value l = scanM.getResult(0), m = scanM.getResult(1);
        Value w = score(l);
        e.store(idxOut, m, {bi, t, j});
        e.store(wOut, w, {bi, t, j});
        scf::YieldOp::create(b, loc, ValueRange{l, m, e.addf(prev[2], w)});
      });
  if (getRenormalize()) {
    Value total = rounds.getResult(2);
    e.loop(K, [&](Value j) {
      e.store(wOut, e.divf(e.load(wOut, {bi, t, j}), total), {bi, t, j});
    });
  }
  return success();
}

//===----------------------------------------------------------------------===//
// dispatch: loop (b)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> DispatchOp::getLoopNames() { return {"b"}; }
SmallVector<IT> DispatchOp::getLoopKinds() { return {IT::parallel}; }
SmallVector<OpFoldResult> DispatchOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getX(), 0)};
}
OperandLoopDims DispatchOp::getOperandLoopDims() {
  SmallVector<LoopDim, 4> x = whole(getX());
  x[0] = LoopDim::of(0);
  return {x,
          {LoopDim::of(0), LoopDim::whole(), LoopDim::whole()},
          whole(getOutputs()[0]),
          whole(getOutputs()[1]),
          whole(getOutputs()[2])};
}
bool DispatchOp::isLoopTileable(unsigned) { return false; }
bool DispatchOp::readsInit(unsigned) { return false; }
Value DispatchOp::getSequenceOffsets() { return {}; }

/// Batch row b: a counting sort of its slots by memory that visits (t, j)
/// in order, hence stable. The offsets of the row serve as the counters.
LogicalResult DispatchOp::emitScalarBody(OpBuilder &b, Location loc,
                                         ValueRange ivs) {
  emitSort(b, loc, ivs[0], /*copyFeatures=*/true);
  return success();
}

void DispatchOp::emitSort(OpBuilder &b, Location loc, Value bi,
                          bool copyFeatures) {
  ScalarEmitter e{b, loc};
  Value x = getX(), ind = getIndices();
  Value offs = getOutputs()[1], rows = getOutputs()[2];
  Value T = e.dim(x, 1), K = e.dim(ind, 2);
  int64_t numMem = getNumMemoriesAttr().getInt();
  Value M = e.idx(numMem);
  Value base = e.muli(e.muli(bi, T), K), seg0 = e.muli(bi, M);
  auto slotLoops = [&](function_ref<void(Value, Value, Value)> body) {
    e.loops({T, K}, [&](ValueRange tj) {
      Value m = e.loadIndex(ind, {bi, tj[0], tj[1]});
      cf::AssertOp::create(
          b, loc, e.cmpi(arith::CmpIPredicate::ult, m, M),
          b.getStringAttr("seqmix.dispatch: operand 'indices' holds a "
                          "memory index outside [0, num_memories = " +
                          std::to_string(numMem) + ")"));
      body(tj[0], tj[1], e.addi(seg0, m));
    });
  };
  // Counts, then their exclusive prefix sums from `base`.
  e.loop(M, [&](Value m) { e.store(offs, e.idx(0), {e.addi(seg0, m)}); });
  slotLoops([&](Value, Value, Value s) {
    e.store(offs, e.addi(e.loadIndex(offs, {s}), e.idx(1)), {s});
  });
  Value end = e.fold(M, base, [&](Value m, Value running) {
    Value s = e.addi(seg0, m);
    Value count = e.loadIndex(offs, {s});
    e.store(offs, running, {s});
    return e.addi(running, count);
  });
  e.store(offs, end, {e.addi(seg0, M)});
  // Scatter, advancing each segment's cursor; the cursors end one segment
  // ahead, so shift them back.
  slotLoops([&](Value t, Value j, Value s) {
    Value r = e.loadIndex(offs, {s});
    e.store(offs, e.addi(r, e.idx(1)), {s});
    e.store(rows, e.addi(e.muli(e.addi(e.muli(bi, T), t), K), j), {r});
    if (copyFeatures)
      emitCopyRow(b, loc, bi, t, r);
  });
  e.loop(e.subi(M, e.idx(1)), [&](Value i) {
    Value s = e.addi(seg0, e.subi(M, e.addi(i, e.idx(1))));
    e.store(offs, e.loadIndex(offs, {e.subi(s, e.idx(1))}), {s});
  });
  e.store(offs, base, {seg0});
}

void DispatchOp::emitCopyRow(OpBuilder &b, Location loc, Value bi, Value t,
                             Value r) {
  ScalarEmitter e{b, loc};
  Value x = getX(), packed = getOutputs()[0];
  SmallVector<Value> feat;
  for (int64_t d = 2, rank = rankOf(x); d < rank; ++d)
    feat.push_back(e.dim(x, d));
  e.loops(feat, [&](ValueRange f) {
    SmallVector<Value> src = {bi, t}, dst = {r};
    src.append(f.begin(), f.end());
    dst.append(f.begin(), f.end());
    Value v = memref::LoadOp::create(b, loc, x, src);
    memref::StoreOp::create(b, loc, v, packed, dst);
  });
}

//===----------------------------------------------------------------------===//
// segment_matmul: loops (r, c)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> SegmentMatmulOp::getLoopNames() { return {"r", "c"}; }
SmallVector<IT> SegmentMatmulOp::getLoopKinds() {
  return {IT::parallel, IT::parallel};
}
SmallVector<OpFoldResult> SegmentMatmulOp::getLoopSizes(OpBuilder &b) {
  return {sizeOf(b, getPacked(), 0), sizeOf(b, getWeight(), 2)};
}
OperandLoopDims SegmentMatmulOp::getOperandLoopDims() {
  LoopDim R = LoopDim::of(0), C = LoopDim::of(1), W = LoopDim::whole();
  return {{R, W}, {W, W, C}, {W}, {R, C}};
}
bool SegmentMatmulOp::isLoopTileable(unsigned loop) { return loop == 1; }
// Each output element finds its row's segment itself.
bool SegmentMatmulOp::isLoopSpreadable(unsigned) { return true; }
bool SegmentMatmulOp::readsInit(unsigned) { return true; }
Value SegmentMatmulOp::getSequenceOffsets() { return getOffsets(); }

/// out[r, c] += Σ_i packed[r, i] weight[s(r) mod M, i, c], s(r) the segment
/// of row r.
LogicalResult SegmentMatmulOp::emitScalarBody(OpBuilder &b, Location loc,
                                              ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value r = ivs[0], c = ivs[1];
  Value p = getPacked(), w = getWeight(), out = getOutputs()[0];
  Value m = e.remi(e.sequenceOf(getOffsets(), r), e.dim(w, 0));
  Value acc = e.fold(e.dim(p, 1), e.load(out, {r, c}), [&](Value i, Value a) {
    return e.addf(a, e.mulf(e.load(p, {r, i}), e.load(w, {m, i, c})));
  });
  e.store(out, acc, {r, c});
  return success();
}

//===----------------------------------------------------------------------===//
// combine: loops (r, f1..)
//===----------------------------------------------------------------------===//

SmallVector<StringRef> CombineOp::getLoopNames() {
  SmallVector<StringRef> names = {"r"};
  static const char *feat[] = {"f1", "f2", "f3", "f4", "f5", "f6", "f7"};
  for (int64_t i = 1, r = rankOf(getPacked()); i < r; ++i)
    names.push_back(i <= 7 ? feat[i - 1] : "f");
  return names;
}
SmallVector<IT> CombineOp::getLoopKinds() {
  SmallVector<IT> kinds(rankOf(getPacked()), IT::parallel);
  kinds[0] = IT::reduction;
  return kinds;
}
SmallVector<OpFoldResult> CombineOp::getLoopSizes(OpBuilder &b) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0, r = rankOf(getPacked()); i < r; ++i)
    sizes.push_back(sizeOf(b, getPacked(), i));
  return sizes;
}
OperandLoopDims CombineOp::getOperandLoopDims() {
  int64_t r = rankOf(getPacked());
  SmallVector<LoopDim, 4> packed, out = {LoopDim::whole(), LoopDim::whole()};
  for (int64_t i = 0; i < r; ++i)
    packed.push_back(LoopDim::of(i));
  for (int64_t i = 1; i < r; ++i)
    out.push_back(LoopDim::of(i));
  return {packed, {LoopDim::of(0)}, whole(getWeights()), out};
}
bool CombineOp::isLoopTileable(unsigned) { return true; }
bool CombineOp::readsInit(unsigned) { return true; }
Value CombineOp::getSequenceOffsets() { return {}; }

/// out[b, t, f] += weights[b, t, j] packed[r, f] where rows[r] is the slot
/// (b*T + t)*k + j that packed row r came from.
LogicalResult CombineOp::emitScalarBody(OpBuilder &b, Location loc,
                                        ValueRange ivs) {
  ScalarEmitter e{b, loc};
  Value r = ivs[0];
  Value w = getWeights(), out = getOutputs()[0];
  Value T = e.dim(w, 1), K = e.dim(w, 2);
  Value slots = e.muli(e.muli(e.dim(w, 0), T), K);
  Value slot = e.loadIndex(getRows(), {r});
  cf::AssertOp::create(b, loc, e.cmpi(arith::CmpIPredicate::ult, slot, slots),
                       b.getStringAttr("seqmix.combine: operand 'rows' holds "
                                       "a slot outside [0, B*T*k)"));
  Value j = e.remi(slot, K), bt = e.divi(slot, K);
  Value t = e.remi(bt, T), bi = e.divi(bt, T);
  SmallVector<Value> o = {bi, t}, p = {r};
  o.append(ivs.begin() + 1, ivs.end());
  p.append(ivs.begin() + 1, ivs.end());
  Value v = e.mulf(e.load(w, {bi, t, j}), e.load(getPacked(), p));
  e.store(out, e.addf(e.load(out, o), v), o);
  return success();
}

SmallVector<int64_t> RouteOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
SmallVector<int64_t> DispatchOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
SmallVector<int64_t> SegmentMatmulOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
SmallVector<int64_t> CombineOp::getReferenceLoopOrder() {
  return llvm::to_vector(llvm::seq<int64_t>(0, getLoopKinds().size()));
}
