//===- RecoverableChecks.cpp - failed cf.assert as an error value ---------===//
//
// Upstream lowers `cf.assert` to "print the message, abort()". The runtime
// instead rewrites each one, before the LLVM lowering, into a call of
// seqmix_runtime_check_failed(msg, lhs, rhs, hasValues) on the failing path
// (when the condition compares two integers, the message also shows the
// values it found, e.g. "must start at 0 (found 3, which must be == 0)");
// that function
// (CallGuard.cpp) records the message and longjmps back into the runtime's
// call wrapper, which returns a RuntimeCheckError.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"
#include "seqmix/Runtime/Runtime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace {
/// How a comparison reads in a message.
StringRef predicateSymbol(arith::CmpIPredicate p) {
  using P = arith::CmpIPredicate;
  switch (p) {
  case P::eq:
    return "==";
  case P::ne:
    return "!=";
  case P::slt:
  case P::ult:
    return "<";
  case P::sle:
  case P::ule:
    return "<=";
  case P::sgt:
  case P::ugt:
    return ">";
  case P::sge:
  case P::uge:
    return ">=";
  }
  return "?";
}

struct RecoverableChecksPass
    : public PassWrapper<RecoverableChecksPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(RecoverableChecksPass)

  StringRef getArgument() const override {
    return "seqmix-runtime-recoverable-checks";
  }
  StringRef getDescription() const override {
    return "Turn cf.assert into a call that returns the failure to seqmix's "
           "runtime instead of aborting";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, func::FuncDialect, LLVM::LLVMDialect,
                    scf::SCFDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;

    MLIRContext *ctx = &getContext();
    SymbolTable symbols(module);
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    Location loc = module.getLoc();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);

    // func.func private @seqmix_runtime_check_failed(!llvm.ptr, i64, i64, i32)
    StringRef calleeName = seqmix::runtime::detail::kCheckFailedSymbol;
    auto callee = symbols.lookup<func::FuncOp>(calleeName);
    if (!callee) {
      if (symbols.lookup(calleeName)) {
        module.emitError() << "@" << calleeName
                           << " is taken by something else than the runtime's "
                              "declaration";
        return signalPassFailure();
      }
      Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
      callee = func::FuncOp::create(
          top, loc, calleeName,
          FunctionType::get(ctx, {ptrType, i64, i64, i32}, {}));
      callee.setPrivate();
      symbols.insert(callee);
    }

    // One NUL-terminated global per distinct message.
    llvm::StringMap<LLVM::GlobalOp> globals;
    auto globalFor = [&](StringRef msg) {
      LLVM::GlobalOp &g = globals[msg];
      if (g)
        return g;
      std::string text = msg.str();
      text.push_back('\0');
      auto type =
          LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size());
      g = LLVM::GlobalOp::create(top, loc, type, /*isConstant=*/true,
                                 LLVM::Linkage::Internal, "__seqmix_check_msg",
                                 top.getStringAttr(text),
                                 /*alignment=*/1);
      symbols.insert(g); // Renames it uniquely.
      return g;
    };

    for (cf::AssertOp op : asserts) {
      OpBuilder b(op);
      Location l = op.getLoc();
      Value ok = op.getArg();
      // A failed integer comparison also reports the two values.
      auto cmp = ok.getDefiningOp<arith::CmpIOp>();
      std::string text = op.getMsg().str();
      Value lhs, rhs;
      if (cmp) {
        std::string fmt;
        for (char c : text)
          fmt += c == '%' ? std::string("%%") : std::string(1, c);
        text = fmt + " (found %lld, which must be " +
               predicateSymbol(cmp.getPredicate()).str() + " %lld)";
      }
      LLVM::GlobalOp g = globalFor(text);
      Value one = arith::ConstantIntOp::create(b, l, 1, 1);
      Value failed = arith::XOrIOp::create(b, l, ok, one);
      auto ifOp = scf::IfOp::create(b, l, failed, /*withElseRegion=*/false);
      OpBuilder inThen = ifOp.getThenBodyBuilder();
      Type i64 = inThen.getI64Type();
      auto widen = [&](Value v) -> Value {
        if (v.getType().isIndex())
          return arith::IndexCastOp::create(inThen, l, i64, v);
        if (v.getType().getIntOrFloatBitWidth() < 64)
          return arith::ExtSIOp::create(inThen, l, i64, v);
        return v;
      };
      lhs = cmp ? widen(cmp.getLhs())
                : arith::ConstantIntOp::create(inThen, l, i64, 0).getResult();
      rhs = cmp ? widen(cmp.getRhs())
                : arith::ConstantIntOp::create(inThen, l, i64, 0).getResult();
      Value hasValues = arith::ConstantIntOp::create(
          inThen, l, inThen.getI32Type(), cmp ? 1 : 0);
      Value msg = LLVM::AddressOfOp::create(inThen, l, g);
      func::CallOp::create(inThen, l, callee,
                           ValueRange{msg, lhs, rhs, hasValues});
      op.erase();
    }
  }
};
} // namespace

std::unique_ptr<Pass> mlir::seqmix::runtime::createRecoverableChecksPass() {
  return std::make_unique<RecoverableChecksPass>();
}
