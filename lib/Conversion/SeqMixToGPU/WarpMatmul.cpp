//===- WarpMatmul.cpp - block matmuls on tensor cores ---------------------===//
//----------------------===//
//
// A block builder's matrix product c = a b on shared buffers, written as
// warp-level code: each warp computes 16 x 8 tiles of c, each a chain of
// vector.contract steps (16x16 of a by 8x16 of b, K in steps of 16) inside
// gpu.warp_execute_on_lane_0. On the host that region is lane 0's code,
// which runs the vector ops as they are (the GPU emulation); on a GPU
// distributeWarpMatmuls gives every lane its share of each step, the
// fragments of mma.sync.m16n8k16 (PTX ISA, "Matrix Fragments for
// mma.m16n8k16"), with g = lane / 4 and t = lane % 4:
//
//   a (16 x 16): rows g and g + 8, columns 2t, 2t + 1 and 2t + 8, 2t + 9;
//   b (16 x 8):  column g, rows 2t, 2t + 1 and 2t + 8, 2t + 9;
//   c (16 x 8):  rows g and g + 8, columns 2t, 2t + 1.
//
// Upstream's convert-vector-to-gpu{use-nvgpu} distributes the same
// products for f16 only (nvgpu.mma.sync has no bf16 lowering); this emits
// nvvm.mma.sync, which takes both.
//
//===----------------------------------------------------------------------===//

#include "BlockEmitter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

/// (m, n, k) -> (m, k), (n, k), (m, n): a by rows, b by columns.
static SmallVector<AffineMap> contractMaps(MLIRContext *ctx) {
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  return AffineMap::inferFromExprList(
      ArrayRef<ArrayRef<AffineExpr>>{{m, k}, {n, k}, {m, n}}, ctx);
}

void BlockEmitter::warpMatmul(Value c, MatmulTile a, MatmulTile bt, int64_t M,
                              int64_t N, int64_t K, bool accumulate) {
  assert(M % 16 == 0 && N % 8 == 0 && K % 16 == 0 && threads % 32 == 0);
  Type element = cast<MemRefType>(a.buffer.getType()).getElementType();
  MLIRContext *ctx = b.getContext();
  int64_t warps = threads / 32, columns = N / 8;
  AffineMap transposed =
      AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0}, ctx);
  auto read = [&](MatmulTile tile, int64_t rows, Value row, Value k) {
    auto type = VectorType::get({rows, 16}, element);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    SmallVector<bool> inBounds(2, true);
    Value tileValue =
        tile.kMajor ? vector::TransferReadOp::create(b, loc, type, tile.buffer,
                                                     ValueRange{k, row}, zero,
                                                     transposed, inBounds)
                    : vector::TransferReadOp::create(b, loc, type, tile.buffer,
                                                     ValueRange{row, k}, zero,
                                                     inBounds);
    // Products of bf16 or f16 are exact in f32.
    return arith::ExtFOp::create(
        b, loc, VectorType::get({rows, 16}, b.getF32Type()), tileValue);
  };
  // Each thread runs the phase once; lane 0 of each warp stands for its
  // warp on the host.
  phase(idx(threads), [&](Value, Value tid) {
    Value lane = remi(tid, idx(32)), warp = divi(tid, idx(32));
    auto region =
        gpu::WarpExecuteOnLane0Op::create(b, loc, TypeRange{}, lane, 32);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToEnd(&region.getWarpRegion().front());
    b.setInsertionPoint(gpu::YieldOp::create(b, loc));
    auto tiles =
        scf::ForOp::create(b, loc, warp, idx(M / 16 * columns), idx(warps));
    b.setInsertionPoint(tiles.getBody()->getTerminator());
    Value tile = tiles.getInductionVar();
    Value m0 = muli(divi(tile, idx(columns)), idx(16));
    Value n0 = muli(remi(tile, idx(columns)), idx(8));
    auto accType = VectorType::get({16, 8}, b.getF32Type());
    Value acc = accumulate
                    ? vector::TransferReadOp::create(b, loc, accType, c,
                                                     ValueRange{m0, n0}, f32(0),
                                                     SmallVector<bool>(2, true))
                          .getResult()
                    : arith::ConstantOp::create(b, loc, b.getZeroAttr(accType))
                          .getResult();
    auto kinds = b.getArrayAttr(
        {vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
         vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
         vector::IteratorTypeAttr::get(ctx, vector::IteratorType::reduction)});
    for (int64_t k0 = 0; k0 < K; k0 += 16) {
      Value at = idx(k0);
      acc = vector::ContractionOp::create(
          b, loc, read(a, 16, m0, at), read(bt, 8, n0, at), acc,
          b.getAffineMapArrayAttr(contractMaps(ctx)), kinds);
    }
    vector::TransferWriteOp::create(b, loc, acc, c, ValueRange{m0, n0},
                                    SmallVector<bool>(2, true));
  });
}

namespace {
/// A lane's view of a tile read or written by warp-level code: element
/// (r, c) of the vector is the buffer's (row + r, col + c), or (row + c,
/// col + r) when the read is transposed.
struct LaneTile {
  Value buffer, row, col;
  bool transposed = false;

  static std::optional<LaneTile> of(vector::TransferReadOp read) {
    AffineMap map = read.getPermutationMap();
    auto type = dyn_cast<MemRefType>(read.getBase().getType());
    if (!type || type.getRank() != 2 || read.getMask() ||
        (!map.isIdentity() && !map.isPermutation()))
      return std::nullopt;
    return LaneTile{read.getBase(), read.getIndices()[0], read.getIndices()[1],
                    !map.isIdentity()};
  }
};

/// Lane code for the products of one warp region.
struct LaneEmitter : ScalarEmitter {
  Value g, t;

  /// A lane's pairs start at even columns (2t, plus tile offsets, which
  /// warpMatmul keeps multiples of 8): in a buffer with identity layout and
  /// rows of even length they are aligned to two elements. (Workgroup
  /// buffers get 16 bytes, AlignWorkgroupBuffers.)
  llvm::MaybeAlign pairAlignment(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    if (!type.getLayout().isIdentity() || type.isDynamicDim(1) ||
        type.getDimSize(1) % 2)
      return {};
    return llvm::Align(2 * type.getElementTypeBitWidth() / 8);
  }

  Value at(Value base, int64_t offset, Value laneIndex) {
    return addi(addi(base, idx(offset)), laneIndex);
  }
  /// Elements (r, c) and (r, c + 1) of the tile as a vector<2xE>: one load
  /// where they are adjacent in the buffer.
  Value pair(const LaneTile &tile, Value r, Value c) {
    auto elt = cast<MemRefType>(tile.buffer.getType()).getElementType();
    auto type = VectorType::get({2}, elt);
    if (!tile.transposed)
      return vector::LoadOp::create(
          b, loc, type, tile.buffer,
          ValueRange{addi(tile.row, r), addi(tile.col, c)},
          /*nontemporal=*/false, pairAlignment(tile.buffer));
    SmallVector<Value, 2> parts;
    for (int64_t i = 0; i < 2; ++i)
      parts.push_back(memref::LoadOp::create(
          b, loc, tile.buffer,
          ValueRange{addi(tile.row, addi(c, idx(i))), addi(tile.col, r)}));
    return vector::FromElementsOp::create(b, loc, type, parts);
  }
  /// A pair as mma.sync takes it: f16 pairs as they are, bf16 as an i32.
  Value operand(Value pair) {
    auto type = cast<VectorType>(pair.getType());
    if (!type.getElementType().isBF16())
      return pair;
    Value word = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), pair);
    return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
  }
  /// The lane's four elements of a 16 x 8 f32 tile: (g, 2t), (g, 2t + 1),
  /// (g + 8, 2t), (g + 8, 2t + 1).
  SmallVector<Value> loadAccumulator(const LaneTile &tile) {
    SmallVector<Value> values;
    for (int64_t half = 0; half < 2; ++half) {
      Value p = pair(tile, addi(g, idx(8 * half)), muli(t, idx(2)));
      for (int64_t i = 0; i < 2; ++i)
        values.push_back(
            vector::ExtractOp::create(b, loc, p, ArrayRef<int64_t>{i}));
    }
    return values;
  }
  void storeAccumulator(ArrayRef<Value> values, Value buffer, Value row,
                        Value col) {
    for (int64_t half = 0; half < 2; ++half) {
      Value p = vector::FromElementsOp::create(
          b, loc, VectorType::get({2}, b.getF32Type()),
          values.slice(2 * half, 2));
      vector::StoreOp::create(b, loc, p, buffer,
                              ValueRange{addi(row, addi(g, idx(8 * half))),
                                         addi(col, muli(t, idx(2)))},
                              /*nontemporal=*/false, pairAlignment(buffer));
    }
  }
  SmallVector<Value> mma(const LaneTile &a, const LaneTile &bt,
                         ArrayRef<Value> acc) {
    Value t2 = muli(t, idx(2));
    SmallVector<Value> aRegs, bRegs;
    // a: (g, 2t), (g + 8, 2t), (g, 2t + 8), (g + 8, 2t + 8), each a pair
    // along k.
    for (int64_t kHalf = 0; kHalf < 2; ++kHalf)
      for (int64_t mHalf = 0; mHalf < 2; ++mHalf)
        aRegs.push_back(operand(
            pair(a, addi(g, idx(8 * mHalf)), addi(t2, idx(8 * kHalf)))));
    // b as [n, k]: (g, 2t) and (g, 2t + 8).
    for (int64_t kHalf = 0; kHalf < 2; ++kHalf)
      bRegs.push_back(operand(pair(bt, g, addi(t2, idx(8 * kHalf)))));
    auto elt = cast<MemRefType>(a.buffer.getType()).getElementType();
    NVVM::MMATypes type =
        elt.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    Type f32 = b.getF32Type();
    auto result =
        LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
    Value d = NVVM::MmaOp::create(
        b, loc, result, aRegs, bRegs, acc, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt, std::array{type, type},
        std::array{NVVM::MMALayout::row, NVVM::MMALayout::col});
    SmallVector<Value> values;
    for (int64_t i = 0; i < 4; ++i)
      values.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
    return values;
  }
};
} // namespace

/// The bf16 or f16 tile read that a warp product's operand widens, if any.
static vector::TransferReadOp widenedRead(Value operand) {
  auto ext = operand.getDefiningOp<arith::ExtFOp>();
  auto read =
      ext ? ext.getIn().getDefiningOp<vector::TransferReadOp>() : nullptr;
  Type elt = read ? read.getVectorType().getElementType() : Type();
  return elt && (elt.isBF16() || elt.isF16()) ? read : nullptr;
}

/// Whether `op` is one of warpMatmul's products: 16x16 by 8x16 tiles of the
/// same bf16 or f16 type, widened to f32, into 16x8 f32, a by rows and b
/// by columns.
static bool isWarpProduct(vector::ContractionOp op) {
  auto acc = dyn_cast<VectorType>(op.getAccType());
  vector::TransferReadOp a = widenedRead(op.getLhs());
  vector::TransferReadOp b = widenedRead(op.getRhs());
  return a && b &&
         a.getVectorType().getElementType() ==
             b.getVectorType().getElementType() &&
         op.getLhsType().getShape() == ArrayRef<int64_t>{16, 16} &&
         op.getRhsType().getShape() == ArrayRef<int64_t>{8, 16} && acc &&
         acc.getShape() == ArrayRef<int64_t>{16, 8} &&
         acc.getElementType().isF32() &&
         op.getKind() == vector::CombiningKind::ADD &&
         op.getIndexingMapsArray() == contractMaps(op.getContext());
}

LogicalResult
mlir::seqmix::detail::distributeWarpMatmuls(RewriterBase &rewriter,
                                            gpu::WarpExecuteOnLane0Op warp) {
  Block &body = warp.getWarpRegion().front();
  if (warp.getNumResults() || body.getNumArguments() ||
      warp.getWarpSize() != 32)
    return warp.emitError("a warp region of a block takes and yields "
                          "nothing and spans 32 lanes");
  auto unsupported = [&](Operation *op) {
    return op->emitError("warp-level code in a block is 16x8x16 matrix "
                         "products of bf16 or f16 tiles read from and "
                         "written to memory (warpMatmul), not '")
           << op->getName() << "'";
  };
  SmallVector<vector::ContractionOp> products;
  WalkResult walk = body.walk([&](Operation *op) {
    if (auto product = dyn_cast<vector::ContractionOp>(op)) {
      if (!isWarpProduct(product))
        return unsupported(op), WalkResult::interrupt();
      products.push_back(product);
    } else if (!isa<vector::TransferReadOp, vector::TransferWriteOp, scf::ForOp,
                    scf::YieldOp, gpu::YieldOp>(op) &&
               !isMemoryEffectFree(op)) {
      return unsupported(op), WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  LaneEmitter e{{rewriter, warp.getLoc()}, Value(), Value()};
  rewriter.setInsertionPoint(warp);
  e.g = e.divi(warp.getLaneid(), e.idx(4));
  e.t = e.remi(warp.getLaneid(), e.idx(4));
  DenseMap<Value, SmallVector<Value>> fragments;
  llvm::SetVector<Operation *> reads;
  for (vector::ContractionOp product : products) {
    e.loc = product.getLoc();
    rewriter.setInsertionPoint(product);
    vector::TransferReadOp aRead = widenedRead(product.getLhs());
    vector::TransferReadOp bRead = widenedRead(product.getRhs());
    std::optional<LaneTile> a = LaneTile::of(aRead);
    std::optional<LaneTile> bt = LaneTile::of(bRead);
    if (!a || !bt)
      return unsupported(product);
    // The accumulator: a read tile, zeros, or an earlier product.
    SmallVector<Value> acc;
    Value init = product.getAcc();
    if (auto read = init.getDefiningOp<vector::TransferReadOp>()) {
      std::optional<LaneTile> c = LaneTile::of(read);
      if (!c || c->transposed)
        return unsupported(read);
      acc = e.loadAccumulator(*c);
      reads.insert(read);
    } else if (matchPattern(init, m_AnyZeroFloat())) {
      acc.assign(4, e.f32(0));
    } else if (fragments.count(init)) {
      acc = fragments[init];
    } else {
      return unsupported(product);
    }
    fragments[product.getResult()] = e.mma(*a, *bt, acc);
    for (Value operand : {product.getLhs(), product.getRhs()}) {
      reads.insert(operand.getDefiningOp());
      reads.insert(widenedRead(operand));
    }
  }
  // Results written to memory, as each lane's elements.
  SmallVector<vector::TransferWriteOp> writes;
  body.walk([&](vector::TransferWriteOp w) { writes.push_back(w); });
  for (vector::TransferWriteOp w : writes) {
    auto it = fragments.find(w.getVector());
    auto type = dyn_cast<MemRefType>(w.getBase().getType());
    if (it == fragments.end() || !type || type.getRank() != 2 ||
        !w.getPermutationMap().isIdentity() || w.getMask())
      return unsupported(w);
    e.loc = w.getLoc();
    rewriter.setInsertionPoint(w);
    e.storeAccumulator(it->second, w.getBase(), w.getIndices()[0],
                       w.getIndices()[1]);
    rewriter.eraseOp(w);
  }
  // Products last to first (a product's users, later products, go first),
  // then the tiles they read (widenings before reads).
  for (vector::ContractionOp product : llvm::reverse(products))
    rewriter.eraseOp(product);
  for (Operation *read : reads)
    rewriter.eraseOp(read);
  // The region's code on every lane.
  rewriter.eraseOp(body.getTerminator());
  rewriter.inlineBlockBefore(&body, warp);
  rewriter.eraseOp(warp);
  return success();
}
