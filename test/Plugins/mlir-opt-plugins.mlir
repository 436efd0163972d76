// Stock mlir-opt-22 with the seqmix plugins: it parses seqmix IR, runs a
// seqmix pass, and lowers a module through the reference pipeline.
//
// RUN: %mlir_opt --load-dialect-plugin=%seqmix_lib/libSeqMixDialectPlugin.so \
// RUN:   --load-pass-plugin=%seqmix_lib/libSeqMixPassPlugin.so \
// RUN:   --pass-pipeline='builtin.module(seqmix-reference-pipeline)' %s \
// RUN:   | FileCheck %s
// RUN: %mlir_opt --load-dialect-plugin=%seqmix_lib/libSeqMixDialectPlugin.so \
// RUN:   --load-pass-plugin=%seqmix_lib/libSeqMixPassPlugin.so \
// RUN:   --pass-pipeline='builtin.module(seqmix-decompose)' %s | FileCheck %s --check-prefix=DECOMPOSE
// (Plugin passes are known only after the command line is parsed: name them
// in --pass-pipeline, not as flags.) Without the dialect plugin, the op is
// unknown:
// RUN: not %mlir_opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// Malformed seqmix IR gets the dialect's verifier message:
// RUN: not %mlir_opt --load-dialect-plugin=%seqmix_lib/libSeqMixDialectPlugin.so \
// RUN:   %S/../Inputs/invalid-conv.mlir 2>&1 | FileCheck %s --check-prefix=INVALID

// CHECK: llvm.func @conv
// CHECK-NOT: seqmix.
// DECOMPOSE-LABEL: func.func @conv
// INVALID: error: 'seqmix.causal_conv1d' op operand 'w' must have shape [D, W] = [48, ?], but got tensor<40x4xf32>
// NOPLUGIN: Dialect `seqmix' not found for custom op 'seqmix.causal_conv1d'

func.func @conv(%x: tensor<1x37x48xf32>, %w: tensor<48x4xf32>, %s0: tensor<1x3x48xf32>)
    -> (tensor<1x37x48xf32>, tensor<1x3x48xf32>) {
  %y0 = tensor.empty() : tensor<1x37x48xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x37x48xf32>, tensor<48x4xf32>)
           outs(%y0, %s0 : tensor<1x37x48xf32>, tensor<1x3x48xf32>)
           {activation = #seqmix.activation<silu>}
         -> tensor<1x37x48xf32>, tensor<1x3x48xf32>
  return %y, %s : tensor<1x37x48xf32>, tensor<1x3x48xf32>
}
