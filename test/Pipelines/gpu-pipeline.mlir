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
// The structure, on the GLA below: one block per head, one thread per value
// column (up to 128; whole warps), each thread walking the time loop with
// its column of the state; the PTX is for the chip asked for.
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu chip=sm_90" \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// CONFIG: seqmix.linear_attention
// CONFIG-SAME: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 32, 0], warps = 1>
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu" --seqmix-tile \
// RUN:   | FileCheck %s --check-prefix=TILE
// TILE: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (1, 4, 32) step (1, 1, 32)
// TILE: scf.forall (%{{.*}}) in (32)
// TILE: seqmix.linear_attention
// RUN: seqmix-opt %s --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | FileCheck %s --check-prefix=PTX
// PTX: gpu.launch_func @gla_kernel::@gla_kernel blocks in
// PTX: gpu.binary @gla_kernel
// PTX-SAME: .target sm_90
// PTX-SAME: .entry gla_kernel(
// The recurrence's kernel (the one before fills the state): the thread's
// state column lives in its local memory for the whole time loop, copied in
// from global memory once, updated in place (st.local), copied out once.
// PTX: gpu.binary @gla_kernel_0
// PTX-SAME: ld.global
// PTX-SAME: st.local
// PTX-SAME: ld.local
// PTX-SAME: st.global

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
