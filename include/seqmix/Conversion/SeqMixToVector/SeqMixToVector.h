//===- SeqMixToVector.h - tile builders on vectors --------------*- C++ -*-===//

#ifndef SEQMIX_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTOR_H
#define SEQMIX_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTOR_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqmix {

/// Buffer-form ops with a vector level in their tile config become vector
/// code, one builder per op family; the others are left alone.
void populateSeqMixToVectorPatterns(RewritePatternSet &patterns);

} // namespace mlir::seqmix

#endif // SEQMIX_CONVERSION_SEQMIXTOVECTOR_SEQMIXTOVECTOR_H
