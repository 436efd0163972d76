// seqmix-gpu-pipeline on gated DeltaNet (the delta rule with a scalar
// gate, l2-normalized q and k, K = V = 128, bf16): one block of 4 warps
// per (batch row, head, value tile of 32) works through chunks of 16 in
// the UT form (f32, on the threads); the rows' l2 norms are warp code, a
// warp per row with its sum of squares as butterfly shuffles.
//
// REQUIRES: ptxas
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu chip=sm_90" \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 32, 0], warps = 4, chunk = 16>
// RUN: seqmix-opt %s --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | FileCheck %s --check-prefix=PTX
// PTX: gpu.binary @gdn_kernel_0
// PTX-SAME: bar.sync
// PTX-SAME: shfl.sync.bfly.b32
// RUN: for chip in sm_80 sm_90; do \
// RUN:   seqmix-opt %s --seqmix-gpu-pipeline="chip=$chip format=isa" \
// RUN:     | %python %S/Inputs/ptxas_resources.py $chip; \
// RUN: done | FileCheck %s --check-prefix=RESOURCES \
// RUN:   --implicit-check-not="ptxas failed"
// RESOURCES-COUNT-2: gdn_kernel_0: smem 37056 bytes, {{[0-9]+}} registers, spills 0+0 bytes

func.func @gdn(%q: tensor<2x100x4x128xbf16>, %k: tensor<2x100x4x128xbf16>,
               %v: tensor<2x100x4x128xbf16>, %g: tensor<2x100x4xf32>,
               %b: tensor<2x100x4xf32>) -> tensor<2x100x4x128xbf16> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<2x100x4x128xbf16>
  %e = tensor.empty() : tensor<2x4x128x128xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x128x128xf32>) -> tensor<2x4x128x128xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<2x100x4x128xbf16>,
             tensor<2x100x4x128xbf16>, tensor<2x100x4x128xbf16>)
           log_decay(%g : tensor<2x100x4xf32>) beta(%b : tensor<2x100x4xf32>)
           outs(%o0, %s0 : tensor<2x100x4x128xbf16>, tensor<2x4x128x128xf32>)
           {scale = 0.0883883 : f32, qk_norm = #seqmix.qk_norm<l2>}
           -> tensor<2x100x4x128xbf16>, tensor<2x4x128x128xf32>
  return %o : tensor<2x100x4x128xbf16>
}
