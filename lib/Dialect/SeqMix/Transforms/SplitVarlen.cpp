//===- SplitVarlen.cpp - packed sequences into a loop over sequences ------===//
//
// An op with cu_seqlens packs N sequences into a batch of 1, so its state
// row follows the sequence of each token and no tile may cut its batch or
// time loop. This pass rewrites it into an scf.forall over the sequences
// whose body is the same op, without cu_seqlens, on sequence n's tokens
// (a dynamic slice of the time axis) and its state row: a plain op that
// every tiling applies to. Sequences write disjoint slices, so the loop is
// parallel.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXSPLITVARLENPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// Drops the cu_seqlens operand of a clone.
void dropSeqlens(Operation *op) {
  TypeSwitch<Operation *>(op)
      .Case<LinearAttentionOp, SelectiveScanOp, SSDOp, CausalConv1dOp, ScanOp>(
          [](auto o) { o.getCuSeqlensMutable().clear(); });
}

struct SplitVarlen : OpInterfaceRewritePattern<LoopStructureOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(LoopStructureOpInterface op,
                                PatternRewriter &rewriter) const override {
    Value cu = op.getSequenceOffsets();
    auto dps = cast<DestinationStyleOpInterface>(op.getOperation());
    if (!cu || isa<SegmentMatmulOp>(op) || !dps.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "no packed sequences on tensors");
    SmallVector<StringRef> names = op.getLoopNames();
    int64_t timeLoop = llvm::find(names, "t") - names.begin();
    Location loc = op.getLoc();
    OperandLoopDims dims = op.getOperandLoopDims();

    // The offsets are valid before any slice is taken through them.
    emitPackedSequenceChecks(rewriter, op);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value count = arith::SubIOp::create(
        rewriter, loc, tensor::DimOp::create(rewriter, loc, cu, 0), one);
    SmallVector<Value> inits = dps.getDpsInits();
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{count}, inits,
        /*mapping=*/std::nullopt);

    OpBuilder::InsertionGuard g(rewriter);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value n = forall.getInductionVars()[0];
    auto offsetAt = [&](Value i) -> Value {
      Value v = tensor::ExtractOp::create(rewriter, loc, cu, i);
      return arith::IndexCastOp::create(rewriter, loc,
                                        rewriter.getIndexType(), v);
    };
    Value start = offsetAt(n);
    Value len = arith::SubIOp::create(
        rewriter, loc, offsetAt(arith::AddIOp::create(rewriter, loc, n, one)),
        start);

    // The slice of each operand for sequence n: its tokens along the time
    // loop, its row of a state (dimension 0, which no loop indexes while
    // sequences are packed), everything else whole.
    struct Box {
      SmallVector<OpFoldResult> offs, sizes, strides;
    };
    SmallVector<Box> boxes;
    SmallVector<Value> operands;
    unsigned firstInit = dps.getNumDpsInputs();
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      if (operand == cu) {
        operands.push_back(operand);
        boxes.push_back({});
        continue;
      }
      bool isInit = i >= firstInit;
      Value src = isInit ? forall.getRegionIterArgs()[i - firstInit] : operand;
      Box box;
      bool whole = true;
      for (auto [d, ld] : llvm::enumerate(dims[i])) {
        OpFoldResult full = tensor::getMixedSize(rewriter, loc, src, d);
        box.strides.push_back(rewriter.getIndexAttr(1));
        if (ld.loop == timeLoop) {
          box.offs.push_back(start);
          box.sizes.push_back(len);
          whole = false;
        } else if (isInit && d == 0 && ld.loop < 0) {
          box.offs.push_back(n);
          box.sizes.push_back(rewriter.getIndexAttr(1));
          whole = false;
        } else {
          box.offs.push_back(rewriter.getIndexAttr(0));
          box.sizes.push_back(full);
        }
      }
      operands.push_back(
          whole && !isInit
              ? src
              : tensor::ExtractSliceOp::create(rewriter, loc, src, box.offs,
                                               box.sizes, box.strides)
                    .getResult());
      boxes.push_back(box);
    }
    SmallVector<Type> resultTypes;
    for (unsigned i = firstInit; i < operands.size(); ++i)
      resultTypes.push_back(operands[i].getType());
    Operation *inner = mlir::clone(rewriter, op, resultTypes, operands);
    dropSeqlens(inner);

    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [j, result] : llvm::enumerate(inner->getResults())) {
      const Box &box = boxes[firstInit + j];
      tensor::ParallelInsertSliceOp::create(
          rewriter, loc, result, forall.getRegionIterArgs()[j], box.offs,
          box.sizes, box.strides);
    }
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }
};

struct SeqMixSplitVarlenPass
    : seqmix::impl::SeqMixSplitVarlenPassBase<SeqMixSplitVarlenPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitVarlen>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
