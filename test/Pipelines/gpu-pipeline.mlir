// seqmix-gpu-pipeline: every op (each combination of optional operands and
// results, from Inputs/gen_op_combinations.py) and every example model
// lowers to kernels that ptxas accepts (format=bin runs ptxas) for sm_80
// and sm_90, with no seqmix op left to host loops.
//
// REQUIRES: ptxas
// RUN: %python %S/../Dialect/SeqMix/Inputs/gen_op_combinations.py \
// RUN:   | seqmix-opt --seqmix-gpu-pipeline="chip=sm_80 format=bin" \
// RUN:   | %python %S/Inputs/check_gpu_launches.py | FileCheck %s --check-prefix=OPS
// RUN: %python %S/../Dialect/SeqMix/Inputs/gen_op_combinations.py \
// RUN:   | seqmix-opt --seqmix-gpu-pipeline="chip=sm_90 format=bin" \
// RUN:   | %python %S/Inputs/check_gpu_launches.py | FileCheck %s --check-prefix=OPS
// OPS: 130 functions, 0 without kernels, {{[1-9][0-9]*}} binaries
//
// RUN: for f in %S/../../examples/*.mlir; do \
// RUN:   for chip in sm_80 sm_90; do \
// RUN:     seqmix-opt $f --seqmix-gpu-pipeline="chip=$chip format=bin" \
// RUN:       | %python %S/Inputs/check_gpu_launches.py; \
// RUN:   done; \
// RUN: done | FileCheck %s --check-prefix=EXAMPLES
// EXAMPLES-COUNT-18: {{^[1-9][0-9]*}} functions, 0 without kernels, {{[1-9][0-9]*}} binaries
// EXAMPLES-NOT: without a kernel launch
//
// The structure, on the GLA below (additive rule, vector gate, K = 48,
// V = 32): one block of 4 warps per (head, value tile of 32), working
// through chunks of 32 tokens together (convert-seqmix-to-gpu-blocks); the
// chunk's q, k, gates (a pair of floats each), values and scores and the
// state tile live in shared memory, phases separated by barriers; the PTX
// is for the chip asked for.
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu chip=sm_90" \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// CONFIG: seqmix.linear_attention
// CONFIG-SAME: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 32, 0], warps = 4, chunk = 32>
// With a chunk, seqmix-tile leaves the block's threads to the block builder.
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu" --seqmix-tile \
// RUN:   | FileCheck %s --check-prefix=TILE
// TILE: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (1, 4, 32) step (1, 1, 32)
// TILE-NEXT: tensor.extract_slice
// TILE-NOT: scf.forall
// TILE: seqmix.linear_attention
// TILE-SAME: #seqmix.gpu_tiling<warps = 4, chunk = 32>
// RUN: seqmix-opt %s --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | FileCheck %s --check-prefix=PTX
// PTX: gpu.launch_func @gla_kernel::@gla_kernel blocks in
// The recurrence's kernel (the one before fills the state): a block per
// head, 128 threads.
// PTX: gpu.launch_func @gla_kernel_0::@gla_kernel blocks in (%[[HEADS:[0-9]+]], %[[ONE:[0-9]+]], %[[ONE]]) threads in (%[[THREADS:[0-9]+]], %[[ONE]], %[[ONE]])
// PTX: gpu.binary @gla_kernel
// PTX-SAME: .target sm_90
// PTX-SAME: .entry gla_kernel(
// PTX: gpu.binary @gla_kernel_0
// PTX-SAME: .shared .align 16 .b8 __wg_gla_kernel_0[6144]
// PTX-SAME: .shared .align 16 .b8 __wg_gla_kernel_6[6144]
// PTX-SAME: ld.global
// PTX-SAME: st.shared
// PTX-SAME: bar.sync
// PTX-SAME: ld.shared
// PTX-SAME: st.global
//
// ptxas -v on the assembly: the chunked kernel's shared memory is the
// builder's tiles (q, k and gate pairs: 4 x 32 x 48 floats; values and
// scores: 2 x 32 x 32; the state: 48 x 32), within the 48 KiB of static
// shared memory, with no spills; every kernel of every op variant
// assembles (a block's static shared memory over 48 KiB would not).
// RUN: for chip in sm_80 sm_90; do \
// RUN:   seqmix-opt %s --seqmix-gpu-pipeline="chip=$chip format=isa" \
// RUN:     | %python %S/Inputs/ptxas_resources.py $chip; \
// RUN: done | FileCheck %s --check-prefix=RESOURCES
// RESOURCES-COUNT-2: gla_kernel_0: smem 38912 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RUN: %python %S/../Dialect/SeqMix/Inputs/gen_op_combinations.py \
// RUN:   | seqmix-opt --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | %python %S/Inputs/ptxas_resources.py sm_90 \
// RUN:   | FileCheck %s --check-prefix=ASSEMBLED --implicit-check-not="ptxas failed"
// ASSEMBLED: la0_kernel{{.*}}: smem
// ASSEMBLED: na0_kernel{{.*}}: smem
// ASSEMBLED: swa12_kernel{{.*}}: smem

func.func @gla(%q: tensor<1x37x4x48xf32>, %k: tensor<1x37x4x48xf32>,
               %v: tensor<1x37x4x32xf32>, %g: tensor<1x37x4x48xf32>)
    -> tensor<1x37x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x37x4x32xf32>
  %e = tensor.empty() : tensor<1x4x48x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x48x32xf32>) -> tensor<1x4x48x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x37x4x48xf32>,
             tensor<1x37x4x48xf32>, tensor<1x37x4x32xf32>)
           log_decay(%g : tensor<1x37x4x48xf32>)
           outs(%o0, %s0 : tensor<1x37x4x32xf32>, tensor<1x4x48x32xf32>)
           {scale = 0.125 : f32} -> tensor<1x37x4x32xf32>, tensor<1x4x48x32xf32>
  return %o : tensor<1x37x4x32xf32>
}
