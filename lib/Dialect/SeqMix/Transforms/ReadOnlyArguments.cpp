//===- ReadOnlyArguments.cpp - tensor arguments are not writable ---------===//

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::seqmix {
#define GEN_PASS_DEF_SEQMIXREADONLYARGUMENTSPASS
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace mlir::seqmix

using namespace mlir;

namespace {
struct SeqMixReadOnlyArgumentsPass
    : seqmix::impl::SeqMixReadOnlyArgumentsPassBase<
          SeqMixReadOnlyArgumentsPass> {
  void runOnOperation() override {
    StringRef name = bufferization::BufferizationDialect::kWritableAttrName;
    BoolAttr no = BoolAttr::get(&getContext(), false);
    getOperation().walk([&](func::FuncOp fn) {
      if (fn.isExternal()) // A declaration has no arguments to mark.
        return;
      for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(fn.getArgument(i).getType()) &&
            !fn.getArgAttr(i, name))
          fn.setArgAttr(i, name, no);
    });
  }
};
} // namespace
