// seqmix-gpu-pipeline on bf16 and f16 recurrences and windowed attention:
// the chunk products and the attention's q k^T and P v run on tensor cores
// (mma.sync m16n8k16, f32 accumulation) for sm_80 and sm_90. The tiles are
// picked to fit 48 KiB of static shared memory with the 16-bit operands:
// GLA with K = V = 64 gets value tiles of 64 and chunks of 16; Mamba-2
// with a state of 128 x 64, value tiles of 32; windowed attention blocks
// of up to 64 queries (a 56-query row of NA 2-D in 2 warps).
//
// REQUIRES: ptxas
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu chip=sm_90" \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// CONFIG-LABEL: func.func @gla
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 64, 0], warps = 4, chunk = 16>
// CONFIG-LABEL: func.func @mamba2
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 32, 0], warps = 4, chunk = 16>
// CONFIG-LABEL: func.func @retnet_f16
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 32, 0], warps = 4, chunk = 32>
// CONFIG-LABEL: func.func @na2d
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 56, 1], warps = 2>
// CONFIG-LABEL: func.func @swa
// CONFIG: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 64, 1], warps = 2>
//
// The warp-level products of the block (gpu.warp_execute_on_lane_0 around
// 16x16 by 8x16 vector.contract steps on tiles of shared buffers) before
// the launch; GLA's scores stay on the threads (the vector gate is inside
// their sum), its three other products are warp products.
// RUN: seqmix-opt %s --seqmix-select-tile-config="target=gpu" --seqmix-tile \
// RUN:   --convert-seqmix-to-loops --one-shot-bufferize="bufferize-function-boundaries" \
// RUN:   --convert-seqmix-to-gpu-blocks \
// RUN:   | FileCheck %s --check-prefix=WARP
// WARP-LABEL: func.func @gla
// WARP-COUNT-3: gpu.warp_execute_on_lane_0
// WARP-NOT: gpu.warp_execute_on_lane_0
// WARP-LABEL: func.func @mamba2
// WARP: memref.alloca() : memref<16x128xbf16>
// WARP: gpu.warp_execute_on_lane_0(%{{.+}})[32] {
// WARP: vector.transfer_read {{.+}} : memref<16x128xbf16>, vector<16x16xbf16>
// WARP: arith.extf {{.+}} : vector<16x16xbf16> to vector<16x16xf32>
// WARP: vector.contract {{.+}} : vector<16x16xf32>, vector<8x16xf32> into vector<16x8xf32>
// WARP: vector.transfer_write {{.+}} : vector<16x8xf32>, memref<16x16xf32>
// WARP-COUNT-3: gpu.warp_execute_on_lane_0
//
// The assembly has 16-byte aligned shared buffers and tensor-core instructions of the
// inputs' type between barriers.
// RUN: seqmix-opt %s --seqmix-gpu-pipeline="chip=sm_90 format=isa" \
// RUN:   | FileCheck %s --check-prefix=PTX
// PTX: gpu.binary @gla_kernel_0
// PTX-SAME: .shared .align 16 .b8
// PTX-SAME: bar.sync
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: gpu.binary @mamba2_kernel_1
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: gpu.binary @retnet_f16_kernel_{{[0-9]+}}
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: gpu.binary @na2d_kernel
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: gpu.binary @swa_kernel
// PTX-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//
// ptxas -v: the shared memory of each block kernel is its tiles, no spills
// (NA and SWA: 64 q rows, a tile of 32 keys with their coordinates, the
// tile's scores and probabilities, 64 rows of f32 accumulators).
// RUN: for chip in sm_80 sm_90; do \
// RUN:   seqmix-opt %s --seqmix-gpu-pipeline="chip=$chip format=isa" \
// RUN:     | %python %S/Inputs/ptxas_resources.py $chip; \
// RUN: done | FileCheck %s --check-prefix=RESOURCES \
// RUN:   --implicit-check-not="ptxas failed"
// RESOURCES: gla_kernel_0: smem 44544 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: mamba2_kernel_1: smem 37568 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: retnet_f16_kernel_{{[0-9]+}}: smem 22784 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: na2d_kernel: smem 45568 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: swa_kernel: smem 45312 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: gla_kernel_0: smem 44544 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: mamba2_kernel_1: smem 37568 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: retnet_f16_kernel_{{[0-9]+}}: smem 22784 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: na2d_kernel: smem 45568 bytes, {{[0-9]+}} registers, spills 0+0 bytes
// RESOURCES: swa_kernel: smem 45312 bytes, {{[0-9]+}} registers, spills 0+0 bytes

func.func @gla(%q: tensor<2x100x4x64xbf16>, %k: tensor<2x100x4x64xbf16>,
               %v: tensor<2x100x4x64xbf16>, %g: tensor<2x100x4x64xf32>)
    -> tensor<2x100x4x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<2x100x4x64xbf16>
  %e = tensor.empty() : tensor<2x4x64x64xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x64x64xf32>) -> tensor<2x4x64x64xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<2x100x4x64xbf16>,
             tensor<2x100x4x64xbf16>, tensor<2x100x4x64xbf16>)
           log_decay(%g : tensor<2x100x4x64xf32>)
           outs(%o0, %s0 : tensor<2x100x4x64xbf16>, tensor<2x4x64x64xf32>)
           {scale = 0.125 : f32} -> tensor<2x100x4x64xbf16>, tensor<2x4x64x64xf32>
  return %o : tensor<2x100x4x64xbf16>
}

func.func @mamba2(%x: tensor<1x100x8x64xbf16>, %dt: tensor<1x100x8xf32>,
                  %a: tensor<8xf32>, %b: tensor<1x100x1x128xbf16>,
                  %c: tensor<1x100x1x128xbf16>) -> tensor<1x100x8x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x100x8x64xbf16>
  %e = tensor.empty() : tensor<1x8x64x128xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x64x128xf32>) -> tensor<1x8x64x128xf32>
  %y, %s = seqmix.ssd ins(%x, %dt, %a, %b, %c : tensor<1x100x8x64xbf16>,
             tensor<1x100x8xf32>, tensor<8xf32>, tensor<1x100x1x128xbf16>,
             tensor<1x100x1x128xbf16>)
           outs(%y0, %s0 : tensor<1x100x8x64xbf16>, tensor<1x8x64x128xf32>)
           {dt_softplus} -> tensor<1x100x8x64xbf16>, tensor<1x8x64x128xf32>
  return %y : tensor<1x100x8x64xbf16>
}

func.func @retnet_f16(%q: tensor<1x50x2x32xf16>, %k: tensor<1x50x2x32xf16>,
                      %v: tensor<1x50x2x32xf16>, %g: tensor<2xf32>)
    -> tensor<1x50x2x32xf16> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x50x2x32xf16>
  %e = tensor.empty() : tensor<1x2x32x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x32x32xf32>) -> tensor<1x2x32x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x50x2x32xf16>,
             tensor<1x50x2x32xf16>, tensor<1x50x2x32xf16>)
           log_decay(%g : tensor<2xf32>)
           outs(%o0, %s0 : tensor<1x50x2x32xf16>, tensor<1x2x32x32xf32>)
           {scale = 0.125 : f32} -> tensor<1x50x2x32xf16>, tensor<1x2x32x32xf32>
  return %o : tensor<1x50x2x32xf16>
}

func.func @na2d(%q: tensor<1x56x56x4x64xbf16>, %k: tensor<1x56x56x4x64xbf16>,
                %v: tensor<1x56x56x4x64xbf16>) -> tensor<1x56x56x4x64xbf16> {
  %o0 = tensor.empty() : tensor<1x56x56x4x64xbf16>
  %o = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<1x56x56x4x64xbf16>,
         tensor<1x56x56x4x64xbf16>, tensor<1x56x56x4x64xbf16>)
       outs(%o0 : tensor<1x56x56x4x64xbf16>)
       {kernel_size = array<i64: 7, 7>, scale = 0.125 : f32} -> tensor<1x56x56x4x64xbf16>
  return %o : tensor<1x56x56x4x64xbf16>
}

func.func @swa(%q: tensor<1x4096x8x64xbf16>, %k: tensor<1x4096x2x64xbf16>,
               %v: tensor<1x4096x2x64xbf16>) -> tensor<1x4096x8x64xbf16> {
  %o0 = tensor.empty() : tensor<1x4096x8x64xbf16>
  %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<1x4096x8x64xbf16>,
         tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>)
       outs(%o0 : tensor<1x4096x8x64xbf16>)
       {window_left = 1023 : i64, window_right = 0 : i64, scale = 0.125 : f32} -> tensor<1x4096x8x64xbf16>
  return %o : tensor<1x4096x8x64xbf16>
}
