//===- SeqMixToLoops.h - reference lowering patterns ------------*- C++ -*-===//
//
// The reference lowering of each op family, as patterns a compiler can apply
// alone or together (convert-seqmix-to-loops applies all of them).
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_CONVERSION_SEQMIXTOLOOPS_SEQMIXTOLOOPS_H
#define SEQMIX_CONVERSION_SEQMIXTOLOOPS_SEQMIXTOLOOPS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::seqmix {

/// Buffer-form linear_attention, selective_scan, ssd and causal_conv1d to
/// scf.for loops through their scalar bodies, after run-time checks.
void populateRecurrenceToLoopsPatterns(RewritePatternSet &patterns);
/// Buffer-form route, dispatch, segment_matmul and combine.
void populateRoutingToLoopsPatterns(RewritePatternSet &patterns);
/// Buffer-form neighborhood_attention and sliding_window_attention.
void populateWindowedAttentionToLoopsPatterns(RewritePatternSet &patterns);
/// Buffer-form hadamard.
void populateHadamardToLoopsPatterns(RewritePatternSet &patterns);
/// Tensor-form seqmix.scan to scf.for loops on tensors (its body is tensor
/// IR, so it is lowered before bufferization).
void populateScanToLoopsPatterns(RewritePatternSet &patterns);

/// All of the above.
void populateSeqMixToLoopsPatterns(RewritePatternSet &patterns);

} // namespace mlir::seqmix

#endif // SEQMIX_CONVERSION_SEQMIXTOLOOPS_SEQMIXTOLOOPS_H
