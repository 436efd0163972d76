//===- Hadamard.cpp - reference lowering of the Hadamard rotation ---------===//

#include "LowerToLoops.h"

#include "seqmix/Conversion/SeqMixToLoops/SeqMixToLoops.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

void mlir::seqmix::populateHadamardToLoopsPatterns(
    RewritePatternSet &patterns) {
  addLowerToLoops<HadamardOp>(patterns);
}
