//===- CostModel.h - work and traffic of seqmix ops -------------*- C++ -*-===//
//
// The useful arithmetic (FLOPs, an FMA counts 2, a transcendental 1) and the
// compulsory memory traffic (operands read once, results written once) of
// each seqmix op, from its shapes. Benchmarks turn them into GFLOP/s, GB/s
// and the share of the roofline; tile selection will weigh them against a
// target's caches. Depends on the IR only.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_TUNING_COSTMODEL_H
#define SEQMIX_TUNING_COSTMODEL_H

#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h"

#include "mlir/IR/Operation.h"
#include <optional>

namespace mlir::seqmix {

struct Cost {
  double flops = 0;
  double bytes = 0;
  /// exp, log, sqrt calls (a vector exp is several FLOPs' worth of issue).
  double transcendentals = 0;
  Cost &operator+=(const Cost &o) {
    flops += o.flops;
    bytes += o.bytes;
    transcendentals += o.transcendentals;
    return *this;
  }
};

/// Cost of one op: a seqmix op (its WorkloadOpInterface), or a linalg
/// contraction (matmul, batch matmul) of a model graph. std::nullopt when a
/// size it needs is dynamic; zero for other ops.
std::optional<Cost> estimateOpCost(Operation *op);

/// Sum over every op nested in `root`; std::nullopt if any op's cost is
/// unknown.
std::optional<Cost> estimateCost(Operation *root);

/// A realistic range for each argument of `func` (a func.func), for random
/// inputs: the hint of the seqmix op it feeds (looking through tensor.cast
/// and reshapes), 1/sqrt(fan-in) for the right operand of a linalg matmul
/// (a projection weight), and unit-sized values otherwise.
SmallVector<OperandHint> suggestArgumentHints(Operation *func);

} // namespace mlir::seqmix

#endif // SEQMIX_TUNING_COSTMODEL_H
