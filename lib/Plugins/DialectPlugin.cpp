//===- DialectPlugin.cpp - seqmix for a stock mlir-opt --------------------===//
//
//   mlir-opt-22 --load-dialect-plugin=lib/SeqMixDialectPlugin.so ...
//
// Registers the dialect with its tiling and bufferization interfaces. Both
// plugins link the same libMLIR.so as mlir-opt, so they share its registries.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqMix", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::seqmix::registerSeqMixDialectAndExtensions(*registry);
          }};
}
