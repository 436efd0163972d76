//===- Scan.cpp - reference lowering of seqmix.scan -----------------------===//
//
// The body of a scan is IR on tensors, so the scan is lowered on tensors,
// before bufferization: an scf.for over sequences (or batch rows) and, inside
// it, an scf.for over time whose body is the scan's region.
//
//===----------------------------------------------------------------------===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"
#include "seqmix/Dialect/SeqMix/IR/RuntimeChecks.h"
#include "seqmix/Dialect/SeqMix/Utils/ScalarEmitter.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::seqmix;

namespace {

/// seqmix.scan on tensors: an scf.for over sequences carrying the final
/// states and stacked outputs, and inside it an scf.for over time carrying
/// the step states; the region is cloned as the step body.
SmallVector<Value> lowerScan(ScanOp op, OpBuilder &b) {
  ScalarEmitter e{b, op.getLoc()};
  Location loc = op.getLoc();
  size_t nIn = op.getInputs().size(), nInit = op.getInits().size();
  Block &body = op.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  size_t nOut = yield.getValues().size() - nInit;
  Value first = op.getInputs().empty() ? Value() : op.getInputs()[0];
  if (!first && !op.getOutputs().empty())
    first = op.getOutputs()[0];
  auto dimOf = [&](Value t, int64_t d) -> Value {
    return getValueOrCreateConstantIndexOp(b, loc,
                                           tensor::getMixedSize(b, loc, t, d));
  };
  Value B = first ? dimOf(first, 0) : dimOf(op.getInits()[0], 0);
  Value T = first ? dimOf(first, 1) : e.idx(0);

  // The destinations carry the states and the stacked outputs; bufferization
  // decides whether they are updated in place.
  SmallVector<Value> carried(op.getInits());
  llvm::append_range(carried, op.getOutputs());

  // The slice of `t` at leading indices `lead` (those axes dropped), as
  // offsets / sizes / strides for extract_slice and insert_slice alike.
  struct Box {
    SmallVector<OpFoldResult> offs, sizes, strides;
  };
  auto box = [&](OpBuilder &bb, Value t, ValueRange lead) {
    Box r;
    int64_t rank = cast<RankedTensorType>(t.getType()).getRank();
    for (int64_t d = 0; d < rank; ++d) {
      bool isLead = d < static_cast<int64_t>(lead.size());
      r.offs.push_back(isLead ? OpFoldResult(lead[d]) : bb.getIndexAttr(0));
      r.sizes.push_back(isLead ? bb.getIndexAttr(1)
                               : tensor::getMixedSize(bb, loc, t, d));
      r.strides.push_back(bb.getIndexAttr(1));
    }
    return r;
  };
  auto slice = [&](OpBuilder &bb, Value t, ValueRange lead,
                   RankedTensorType sliceType) -> Value {
    Box r = box(bb, t, lead);
    return tensor::ExtractSliceOp::create(bb, loc, sliceType, t, r.offs,
                                          r.sizes, r.strides);
  };
  auto insert = [&](OpBuilder &bb, Value src, Value dst, ValueRange lead) {
    Box r = box(bb, dst, lead);
    return tensor::InsertSliceOp::create(bb, loc, src, dst, r.offs, r.sizes,
                                         r.strides)
        .getResult();
  };

  Value cu = op.getCuSeqlens();
  Value count = B;
  if (cu) {
    emitPackedSequenceChecks(b, op);
    count = e.subi(e.dim(cu, 0), e.idx(1));
  }
  auto seqLoop = scf::ForOp::create(
      b, loc, e.idx(0), count, e.idx(1), carried,
      [&](OpBuilder &sb, Location, Value n, ValueRange acc) {
        ScalarEmitter se{sb, loc};
        Value bi = cu ? se.idx(0) : n;
        Value start = cu ? se.loadIndex(cu, n) : se.idx(0);
        Value end = cu ? se.loadIndex(cu, se.addi(n, se.idx(1))) : T;
        SmallVector<Value> init;
        // The time loop carries each state in a buffer of its own: a slice
        // of the destination would give the loop's state a strided layout,
        // unknown strides in every step's loops.
        for (size_t s = 0; s < nInit; ++s) {
          auto type =
              cast<RankedTensorType>(body.getArgument(nIn + s).getType());
          init.push_back(bufferization::AllocTensorOp::create(
              sb, loc, type, ValueRange{}, slice(sb, acc[s], n, type)));
        }
        SmallVector<Value> iter = init;
        iter.append(acc.begin() + nInit, acc.end());
        auto timeLoop = scf::ForOp::create(
            sb, loc, start, end, se.idx(1), iter,
            [&](OpBuilder &tb, Location, Value t, ValueRange st) {
              IRMapping map;
              for (size_t i = 0; i < nIn; ++i)
                map.map(body.getArgument(i),
                        slice(tb, op.getInputs()[i], ValueRange{bi, t},
                              cast<RankedTensorType>(
                                  body.getArgument(i).getType())));
              for (size_t s = 0; s < nInit; ++s)
                map.map(body.getArgument(nIn + s), st[s]);
              for (Operation &inner : body.without_terminator())
                tb.clone(inner, map);
              SmallVector<Value> next;
              for (size_t s = 0; s < nInit; ++s)
                next.push_back(map.lookupOrDefault(yield.getValues()[s]));
              for (size_t j = 0; j < nOut; ++j)
                next.push_back(insert(
                    tb, map.lookupOrDefault(yield.getValues()[nInit + j]),
                    st[nInit + j], ValueRange{bi, t}));
              scf::YieldOp::create(tb, loc, next);
            });
        SmallVector<Value> out;
        for (size_t s = 0; s < nInit; ++s)
          out.push_back(insert(sb, timeLoop.getResult(s), acc[s], n));
        for (size_t j = 0; j < nOut; ++j)
          out.push_back(timeLoop.getResult(nInit + j));
        scf::YieldOp::create(sb, loc, out);
      });
  return SmallVector<Value>(seqLoop.getResults());
}

struct LowerScan : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    // A scan nested in another scan's body goes first.
    if (op.getBody()
            .front()
            .walk([](ScanOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      return rewriter.notifyMatchFailure(op, "inner scans first");
    rewriter.setInsertionPoint(op);
    rewriter.replaceOp(op, lowerScan(op, rewriter));
    return success();
  }
};

} // namespace

void mlir::seqmix::populateScanToLoopsPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerScan>(patterns.getContext());
}
