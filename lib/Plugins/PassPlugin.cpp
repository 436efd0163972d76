//===- PassPlugin.cpp - seqmix passes for a stock mlir-opt ----------------===//
//
//   mlir-opt-22 --load-dialect-plugin=lib/SeqMixDialectPlugin.so
//               --load-pass-plugin=lib/SeqMixPassPlugin.so
//               --pass-pipeline='builtin.module(seqmix-reference-pipeline)'
//
// Registers every seqmix pass, conversion and pipeline by name.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"
#include "seqmix/Pipelines/Pipelines.h"

#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqMixPasses", LLVM_VERSION_STRING, [] {
            mlir::seqmix::registerSeqMixPasses();
            mlir::seqmix::registerSeqMixConversionPasses();
            mlir::seqmix::registerSeqMixPipelines();
          }};
}
