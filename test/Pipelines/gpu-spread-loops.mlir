// Loops a tile cannot cover part of, spread over a GPU grid all the same:
// windowed attention gets a thread per query (a query's window depends on
// its position, which a slice of q loses) and segment_matmul a thread per
// output element (a row's segment comes from the offsets). seqmix-tile
// leaves such an op whole, and its scalar lowering makes the grid (one
// linearized loop over the blocks) and each block's threads (one point
// each, guarded at the end of the loop).
//
// RUN: seqmix-opt %s \
// RUN:   --seqmix-select-tile-config="target=gpu chip=sm_90" \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// RUN: seqmix-opt %s \
// RUN:   --seqmix-select-tile-config="target=gpu chip=sm_90" --seqmix-tile \
// RUN:   | FileCheck %s --check-prefix=TILE
// RUN: seqmix-opt %s \
// RUN:   --seqmix-select-tile-config="target=gpu chip=sm_90" --seqmix-tile \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries" \
// RUN:   --convert-seqmix-to-loops | FileCheck %s --check-prefix=LOOPS
// RUN: seqmix-opt %s \
// RUN:   --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | FileCheck %s --check-prefix=PTX
//
// The kernels, emulated on the CPU (blocks and threads last to first),
// give the reference's results.
// RUN: seqmix-run %s --entry=swa --pipeline=gpu-emulated \
// RUN:   --random-inputs=3 --check=reference | FileCheck %s --check-prefix=EMU
// RUN: seqmix-run %s --entry=na3d --pipeline=gpu-emulated \
// RUN:   --random-inputs=3 --check=reference | FileCheck %s --check-prefix=EMU
// RUN: seqmix-run %s --entry=grouped --pipeline=gpu-emulated \
// RUN:   --random-inputs=3 --check=reference | FileCheck %s --check-prefix=EMU
// RUN: seqmix-run %S/../../examples/na2d_block.mlir --pipeline=gpu-emulated \
// RUN:   --random-inputs=4 --check=reference --atol=1e-5 \
// RUN:   | FileCheck %s --check-prefix=EMU

// CONFIG-LABEL: func.func @swa
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 128, 1], warps = 4>
// TILE-LABEL: func.func @swa
// TILE-NOT: scf.forall
// TILE: seqmix.sliding_window_attention
// TILE-SAME: #seqmix.gpu_tiling<blocks = [1, 128, 1], warps = 4>
// LOOPS-LABEL: func.func @swa
// LOOPS: arith.ceildivui %c300{{.*}}, %c128
// LOOPS: scf.parallel (%{{.*}}) = (%c0) to (%{{.*}})
// LOOPS: scf.parallel (%{{.*}}) = (%c0) to (%c128{{.*}})
// LOOPS: %[[Q:.*]] = arith.addi
// LOOPS: %[[IN:.*]] = arith.cmpi ult, %[[Q]], %c300
// LOOPS: scf.if %[[IN]]
// PTX-LABEL: gpu.binary @swa_kernel
// PTX-SAME: .target sm_90
// EMU: PASS
func.func @swa(%q: tensor<2x300x4x48xf32>, %k: tensor<2x300x2x48xf32>,
               %v: tensor<2x300x2x32xf32>) -> tensor<2x300x4x32xf32> {
  %o0 = tensor.empty() : tensor<2x300x4x32xf32>
  %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<2x300x4x48xf32>,
         tensor<2x300x2x48xf32>, tensor<2x300x2x32xf32>)
       outs(%o0 : tensor<2x300x4x32xf32>)
       {window_left = 40 : i64, window_right = 3 : i64, scale = 0.125 : f32}
       -> tensor<2x300x4x32xf32>
  return %o : tensor<2x300x4x32xf32>
}

// 3-D: 2 rows of the last axis' 50 per block (100 threads), lse too.
// CONFIG-LABEL: func.func @na3d
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 2, 50, 1], warps = 4>
// PTX-LABEL: gpu.binary @na3d_kernel
func.func @na3d(%q: tensor<1x5x11x50x2x16xf32>, %k: tensor<1x5x11x50x2x16xf32>,
                %v: tensor<1x5x11x50x2x16xf32>)
    -> (tensor<1x5x11x50x2x16xf32>, tensor<1x5x11x50x2xf32>) {
  %o0 = tensor.empty() : tensor<1x5x11x50x2x16xf32>
  %l0 = tensor.empty() : tensor<1x5x11x50x2xf32>
  %o, %l = seqmix.neighborhood_attention ins(%q, %k, %v
         : tensor<1x5x11x50x2x16xf32>, tensor<1x5x11x50x2x16xf32>,
           tensor<1x5x11x50x2x16xf32>)
       outs(%o0, %l0 : tensor<1x5x11x50x2x16xf32>, tensor<1x5x11x50x2xf32>)
       {kernel_size = array<i64: 3, 5, 7>, dilation = array<i64: 1, 2, 3>,
        is_causal = array<i1: true, false, false>, scale = 0.25 : f32}
       -> tensor<1x5x11x50x2x16xf32>, tensor<1x5x11x50x2xf32>
  return %o, %l : tensor<1x5x11x50x2x16xf32>, tensor<1x5x11x50x2xf32>
}

// CONFIG-LABEL: func.func @grouped
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 128], warps = 4>
// TILE-LABEL: func.func @grouped
// TILE-NOT: scf.forall
// LOOPS-LABEL: func.func @grouped
// LOOPS: scf.parallel
// LOOPS: scf.parallel (%{{.*}}) = (%c0) to (%c128{{.*}})
// PTX-LABEL: gpu.binary @grouped_kernel
func.func @grouped(%x: tensor<70x64xf32>, %w: tensor<3x64x200xf32>,
                   %offsets: tensor<4xi32>) -> tensor<70x200xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<70x200xf32>
  %o0 = linalg.fill ins(%zero : f32) outs(%e : tensor<70x200xf32>) -> tensor<70x200xf32>
  %o = seqmix.segment_matmul ins(%x, %w, %offsets : tensor<70x64xf32>,
         tensor<3x64x200xf32>, tensor<4xi32>)
       outs(%o0 : tensor<70x200xf32>) -> tensor<70x200xf32>
  return %o : tensor<70x200xf32>
}
