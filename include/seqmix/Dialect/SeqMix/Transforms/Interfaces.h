//===- Interfaces.h - upstream interfaces of the seqmix ops -----*- C++ -*-===//
//
// Like upstream's linalg::registerTilingInterfaceExternalModels: a compiler
// that embeds seqmix registers these to let upstream tiling, fusion and
// one-shot bufferization work on seqmix ops.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_INTERFACES_H
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_INTERFACES_H

namespace mlir {
class DialectRegistry;
namespace seqmix {

/// TilingInterface and ReifyRankedShapedTypeOpInterface on every seqmix op.
void registerTilingInterfaceExternalModels(DialectRegistry &registry);

/// BufferizableOpInterface on every destination-style seqmix op: inputs are
/// read, each destination is written in place (read too where it is a state
/// or an accumulator), so a donated state buffer is updated without a copy.
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

/// The seqmix dialect with all of the above.
void registerSeqMixDialectAndExtensions(DialectRegistry &registry);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_INTERFACES_H
