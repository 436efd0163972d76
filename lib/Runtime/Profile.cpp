//===- Profile.cpp - time per op of a compiled entry ----------------------===//
//
// A layer is only as fast as its slowest part: with CompileOptions::profile,
// every seqmix op and linalg.matmul of the entry is bracketed, before any
// lowering, by calls that the runtime resolves to a clock. The brackets sit
// on the calling thread, outside the op's thread loops, so each op's time
// includes its threads and everything fused into it; the rest of the call
// (copies, reshapes, other linalg ops) is the difference.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"
#include "seqmix/Runtime/Runtime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/Pass.h"

#include <chrono>

using namespace mlir;
using namespace mlir::seqmix::runtime;

namespace {

using Clock = std::chrono::steady_clock;

/// The table the running call's brackets write into (one call at a time
/// per Executable; null outside profiled calls).
thread_local std::vector<ProfileEntry> *currentTable = nullptr;
thread_local std::vector<Clock::time_point> *currentStarts = nullptr;

extern "C" void seqmix_profile_enter(int64_t id) {
  if (currentStarts && size_t(id) < currentStarts->size())
    (*currentStarts)[id] = Clock::now();
}

extern "C" void seqmix_profile_exit(int64_t id) {
  if (!currentTable || size_t(id) >= currentTable->size())
    return;
  ProfileEntry &e = (*currentTable)[id];
  e.totalMs += std::chrono::duration<double, std::milli>(Clock::now() -
                                                         (*currentStarts)[id])
                   .count();
  ++e.calls;
}

struct InsertProfilingPass
    : PassWrapper<InsertProfilingPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InsertProfilingPass)
  explicit InsertProfilingPass(std::vector<ProfileEntry> &table)
      : table(table) {}
  StringRef getArgument() const override { return "seqmix-insert-profiling"; }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    b.setInsertionPointToStart(module.getBody());
    Type i64 = b.getI64Type();
    auto fnType = b.getFunctionType({i64}, {});
    for (StringRef name : {"seqmix_profile_enter", "seqmix_profile_exit"})
      if (!module.lookupSymbol(name))
        func::FuncOp::create(b, module.getLoc(), name, fnType).setPrivate();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      bool timed = isa<seqmix::LoopStructureOpInterface>(op) ||
                   op->getName().getStringRef() == "linalg.matmul";
      // The outermost ones only (a scan's body may hold others).
      if (timed && !op->getParentOfType<seqmix::ScanOp>())
        ops.push_back(op);
    });
    std::map<std::string, int> seen;
    for (Operation *op : ops) {
      std::string name = op->getName().getStringRef().str();
      name += "#" + std::to_string(seen[name]++);
      int64_t id = table.size();
      table.push_back({name, 0, 0});
      Location loc = op->getLoc();
      b.setInsertionPoint(op);
      Value idv = arith::ConstantIntOp::create(b, loc, i64, id);
      func::CallOp::create(b, loc, "seqmix_profile_enter", TypeRange{},
                           ValueRange{idv});
      b.setInsertionPointAfter(op);
      func::CallOp::create(b, loc, "seqmix_profile_exit", TypeRange{},
                           ValueRange{idv});
    }
  }

  std::vector<ProfileEntry> &table;
};

} // namespace

std::unique_ptr<Pass> mlir::seqmix::runtime::detail::createInsertProfilingPass(
    std::vector<ProfileEntry> &table) {
  return std::make_unique<InsertProfilingPass>(table);
}

void mlir::seqmix::runtime::detail::addProfileSymbols(
    llvm::orc::SymbolMap &map, llvm::orc::MangleAndInterner &interner) {
  map[interner("seqmix_profile_enter")] = {
      llvm::orc::ExecutorAddr::fromPtr(&seqmix_profile_enter),
      llvm::JITSymbolFlags::Exported};
  map[interner("seqmix_profile_exit")] = {
      llvm::orc::ExecutorAddr::fromPtr(&seqmix_profile_exit),
      llvm::JITSymbolFlags::Exported};
}

mlir::seqmix::runtime::detail::ProfileScope::ProfileScope(
    std::vector<ProfileEntry> &table, std::vector<Clock::time_point> &starts)
    : savedTable(currentTable), savedStarts(currentStarts) {
  starts.resize(table.size());
  currentTable = &table;
  currentStarts = &starts;
}

mlir::seqmix::runtime::detail::ProfileScope::~ProfileScope() {
  currentTable = savedTable;
  currentStarts = savedStarts;
}
