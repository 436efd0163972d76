// RUN: seqmix-opt %s -split-input-file --seqmix-decompose | FileCheck %s --enable-var-scope

// The minimal SSD: Δ = dt, g = Δ·A, v = Δ·x, then linear attention with
// q = C, k = B, scale 1 and Mamba-2's [.., P, N] state layout.

// CHECK-DAG: #[[$BTH:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$H:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$BTH4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$ALL4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @ssd_minimal
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x100x4x16xf32>, %[[DT:[^:]+]]: tensor<1x100x4xf32>, %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<1x100x1x32xf32>, %[[C:[^:]+]]: tensor<1x100x1x32xf32>, %[[Y0:[^:]+]]: tensor<1x100x4x16xf32>, %[[S0:[^:]+]]: tensor<1x4x16x32xf32>)
// CHECK: %[[GATES:.+]]:2 = linalg.generic {indexing_maps = [#[[$BTH]], #[[$H]], #[[$BTH]], #[[$BTH]]]
// CHECK-SAME: ins(%[[DT]], %[[A]] : tensor<1x100x4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[D:[^:]+]]: f32, %[[AH:[^:]+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[G:.+]] = arith.mulf %[[D]], %[[AH]] : f32
// CHECK-NEXT: linalg.yield %[[D]], %[[G]] : f32, f32
// CHECK: %[[V:.+]] = linalg.generic {indexing_maps = [#[[$BTH4]], #[[$ALL4]], #[[$ALL4]]]
// CHECK-SAME: ins(%[[GATES]]#0, %[[X]] : tensor<1x100x4xf32>, tensor<1x100x4x16xf32>)
// CHECK: arith.mulf
// CHECK: %[[LA:.+]]:2 = seqmix.linear_attention ins(%[[C]], %[[B]], %[[V]] : tensor<1x100x1x32xf32>, tensor<1x100x1x32xf32>, tensor<1x100x4x16xf32>) log_decay(%[[GATES]]#1 : tensor<1x100x4xf32>) outs(%{{.+}}, %[[S0]] : tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>) {scale = 1.000000e+00 : f32, state_layout = #seqmix.state_layout<vk>} -> tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[LA]]#0
func.func @ssd_minimal(%x: tensor<1x100x4x16xf32>, %dt: tensor<1x100x4xf32>, %A: tensor<4xf32>, %B: tensor<1x100x1x32xf32>, %C: tensor<1x100x1x32xf32>, %y0: tensor<1x100x4x16xf32>, %s0: tensor<1x4x16x32xf32>) -> tensor<1x100x4x16xf32> {
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x100x4x16xf32>, tensor<1x100x4xf32>, tensor<4xf32>, tensor<1x100x1x32xf32>, tensor<1x100x1x32xf32>) outs(%y0, %s0 : tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>
  return %y : tensor<1x100x4x16xf32>
}

// -----

// Everything on: bias, softplus (x above 20), clamp, LongMamba threshold,
// D per (head, channel), z gate, state in and out, varlen, bf16 I/O, and a
// tiling config, which carries over as it is: ssd's loops (b, h, p, t) are
// linear_attention's (b, h, v, t).

// CHECK-DAG: #[[$HP:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func @ssd_full
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x4x16xbf16>
// CHECK-SAME: %[[D:[^:]+]]: tensor<4x16xf32>, %[[Z:[^:]+]]: tensor<1x?x4x16xbf16>, %[[BIAS:[^:]+]]: tensor<4xf32>, %[[THR:[^:]+]]: tensor<4xf32>, %[[S0:[^:]+]]: tensor<2x4x16x32xf32>, %[[CU:[^:]+]]: tensor<3xi32>
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[TWENTY:.+]] = arith.constant 2.000000e+01 : f32
// CHECK-DAG: %[[LO:.+]] = arith.constant 1.000000e-03 : f32
// CHECK-DAG: %[[HI:.+]] = arith.constant 1.000000e+01 : f32
// CHECK: %[[T:.+]] = tensor.dim %{{.+}}, %{{.+}} : tensor<1x?x4xbf16>
// CHECK: %[[E:.+]] = tensor.empty(%[[T]]) : tensor<1x?x4xf32>
// CHECK: %[[GATES:.+]]:2 = linalg.generic
// CHECK-SAME: outs(%[[E]], %[[E]] :
// CHECK: ^bb0(%[[DT:[^:]+]]: bf16, %[[AH:[^:]+]]: f32, %[[BH:[^:]+]]: f32, %[[TH:[^:]+]]: f32,
// CHECK: %[[DT32:.+]] = arith.extf %[[DT]] : bf16 to f32
// CHECK: %[[BIASED:.+]] = arith.addf %[[DT32]], %[[BH]] : f32
// CHECK: %[[BIG:.+]] = arith.cmpf ogt, %[[BIASED]], %[[TWENTY]] : f32
// CHECK: %[[EXP:.+]] = math.exp %[[BIASED]] : f32
// CHECK: %[[LOG:.+]] = math.log1p %[[EXP]] : f32
// CHECK: %[[SP:.+]] = arith.select %[[BIG]], %[[BIASED]], %[[LOG]] : f32
// CHECK: %[[MAX:.+]] = arith.maximumf %[[SP]], %[[LO]] : f32
// CHECK: %[[CL:.+]] = arith.minimumf %[[MAX]], %[[HI]] : f32
// CHECK: %[[SKIP:.+]] = arith.cmpf olt, %[[CL]], %[[TH]] : f32
// CHECK: %[[DELTA:.+]] = arith.select %[[SKIP]], %[[ZERO]], %[[CL]] : f32
// CHECK: %[[G:.+]] = arith.mulf %[[DELTA]], %[[AH]] : f32
// CHECK: linalg.yield %[[DELTA]], %[[G]] : f32, f32
// CHECK: %[[V:.+]] = linalg.generic
// CHECK: %[[LA:.+]]:2 = seqmix.linear_attention ins({{.*}}) log_decay(%[[GATES]]#1 : tensor<1x?x4xf32>) cu_seqlens(%[[CU]] : tensor<3xi32>) outs(%{{.+}}, %[[S0]] : tensor<1x?x4x16xf32>, tensor<2x4x16x32xf32>) {scale = 1.000000e+00 : f32, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2, 0, 0], vector = [0, 0, 16, 0], chunk = 64>, state_layout = #seqmix.state_layout<vk>} -> tensor<1x?x4x16xf32>, tensor<2x4x16x32xf32>
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[$HP]], #{{.+}}, #{{.+}}]
// CHECK-SAME: ins(%[[LA]]#0, %[[X]], %[[D]], %[[Z]] :
// CHECK: ^bb0(%[[OV:[^:]+]]: f32, %[[XV:[^:]+]]: bf16, %[[DV:[^:]+]]: f32, %[[ZV:[^:]+]]: bf16, %{{.+}}: bf16):
// CHECK: %[[XF:.+]] = arith.extf %[[XV]] : bf16 to f32
// CHECK: %[[DX:.+]] = arith.mulf %[[DV]], %[[XF]] : f32
// CHECK: %[[SKIPPED:.+]] = arith.addf %[[OV]], %[[DX]] : f32
// CHECK: %[[ZF:.+]] = arith.extf %[[ZV]] : bf16 to f32
// CHECK: %[[NZ:.+]] = arith.negf %[[ZF]] : f32
// CHECK: %[[EZ:.+]] = math.exp %[[NZ]] : f32
// CHECK: %[[DEN:.+]] = arith.addf %[[EZ]], %{{.+}} : f32
// CHECK: %[[SILU:.+]] = arith.divf %[[ZF]], %[[DEN]] : f32
// CHECK: %[[GATED:.+]] = arith.mulf %[[SKIPPED]], %[[SILU]] : f32
// CHECK: %[[OUT:.+]] = arith.truncf %[[GATED]] : f32 to bf16
// CHECK: linalg.yield %[[OUT]] : bf16
// CHECK: return %[[Y]], %[[LA]]#1 : tensor<1x?x4x16xbf16>, tensor<2x4x16x32xf32>
func.func @ssd_full(%x: tensor<1x?x4x16xbf16>, %dt: tensor<1x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<1x?x2x32xbf16>, %C: tensor<1x?x2x32xbf16>, %D: tensor<4x16xf32>, %z: tensor<1x?x4x16xbf16>, %bias: tensor<4xf32>, %thr: tensor<4xf32>, %s0: tensor<2x4x16x32xf32>, %cu: tensor<3xi32>, %y0: tensor<1x?x4x16xbf16>) -> (tensor<1x?x4x16xbf16>, tensor<2x4x16x32xf32>) {
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x?x4x16xbf16>, tensor<1x?x4xbf16>, tensor<4xf32>, tensor<1x?x2x32xbf16>, tensor<1x?x2x32xbf16>) D(%D : tensor<4x16xf32>) z(%z : tensor<1x?x4x16xbf16>) dt_bias(%bias : tensor<4xf32>) delta_threshold(%thr : tensor<4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x?x4x16xbf16>, tensor<2x4x16x32xf32>) {dt_softplus, dt_limit = array<f32: 0.001, 10.0>, seqmix.tile = #seqmix.cpu_tiling<chunk = 64, threads = [0, 2, 0, 0], vector = [0, 0, 16, 0]>} -> tensor<1x?x4x16xbf16>, tensor<2x4x16x32xf32>
  return %y, %s : tensor<1x?x4x16xbf16>, tensor<2x4x16x32xf32>
}

// -----

// D per head only; other seqmix ops are left alone.
// CHECK-DAG: #[[$HEAD:.+]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-LABEL: func @ssd_d_per_head
// CHECK: seqmix.linear_attention
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[$HEAD]], #{{.+}}]
// CHECK: seqmix.selective_scan
func.func @ssd_d_per_head(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x32xf32>, %D: tensor<4xf32>, %u: tensor<2x8x32xf32>, %A1: tensor<32x32xf32>, %y0: tensor<2x8x4x16xf32>, %s0: tensor<2x4x16x32xf32>, %y10: tensor<2x8x32xf32>, %s10: tensor<2x32x32xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x8x32xf32>) {
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>) D(%D : tensor<4xf32>) outs(%y0, %s0 : tensor<2x8x4x16xf32>, tensor<2x4x16x32xf32>) -> tensor<2x8x4x16xf32>, tensor<2x4x16x32xf32>
  %y1, %s1 = seqmix.selective_scan ins(%u, %u, %A1, %B, %B : tensor<2x8x32xf32>, tensor<2x8x32xf32>, tensor<32x32xf32>, tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>) outs(%y10, %s10 : tensor<2x8x32xf32>, tensor<2x32x32xf32>) -> tensor<2x8x32xf32>, tensor<2x32x32xf32>
  return %y, %y1 : tensor<2x8x4x16xf32>, tensor<2x8x32xf32>
}
