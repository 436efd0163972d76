// RUN: seqmix-opt %s -split-input-file --seqmix-block-scan=threads=2 | FileCheck %s --enable-var-scope

// A diagonal recurrence: every op of the body is parallel along the
// channel dimension (dim 0 of the [64, 16] state), so the scan becomes a
// forall over channel blocks of 32 (two blocks for two threads; 32 x 16
// floats fit 16 KiB), each the same scan on its slices: u and y along
// their channel axis, the state along its, A (captured) sliced outside the
// time loop, B (no channel axis) whole. The body is retyped to the block.
// CHECK-LABEL: func @diagonal
// CHECK-SAME: %[[U:[a-z0-9]+]]: tensor<2x?x64xf32>, %[[A:[a-z0-9]+]]: tensor<64x16xf32>, %[[B:[a-z0-9]+]]: tensor<2x?x16xf32>, %[[H0:[a-z0-9]+]]: tensor<2x64x16xf32>
// CHECK: scf.forall (%[[C:.+]]) = (0) to (64) step (32) shared_outs(%[[H:.+]] = %[[H0]], %[[Y:.+]] = %{{.+}})
// CHECK-DAG: %[[US:.+]] = tensor.extract_slice %[[U]][0, 0, %[[C]]] [2, %{{.+}}, 32] [1, 1, 1]
// CHECK-DAG: %[[HS:.+]] = tensor.extract_slice %[[H]][0, %[[C]], 0] [2, 32, 16] [1, 1, 1]
// CHECK-DAG: %[[YS:.+]] = tensor.extract_slice %[[Y]][0, 0, %[[C]]] [2, %{{.+}}, 32] [1, 1, 1]
// CHECK-DAG: %[[AS:.+]] = tensor.extract_slice %[[A]][%[[C]], 0] [32, 16] [1, 1]
// CHECK: seqmix.scan ins(%[[US]], %[[B]] : tensor<2x?x32xf32>, tensor<2x?x16xf32>) init(%[[HS]] : tensor<2x32x16xf32>) outs(%[[YS]] : tensor<2x?x32xf32>)
// CHECK: ^bb0(%{{.+}}: tensor<32xf32>, %{{.+}}: tensor<16xf32>, %{{.+}}: tensor<32x16xf32>):
// CHECK: tensor.empty() : tensor<32x16xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %[[AS]], %{{.+}} : tensor<32xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<32x16xf32>)
// CHECK: linalg.fill {{.*}} -> tensor<32xf32>
// CHECK: seqmix.yield %{{.+}}, %{{.+}} : tensor<32x16xf32>, tensor<32xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[H]][0, %[[C]], 0] [2, 32, 16] [1, 1, 1]
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[Y]][0, 0, %[[C]]] [2, %{{.+}}, 32] [1, 1, 1]
#d = affine_map<(d, n) -> (d)>
#n = affine_map<(d, n) -> (n)>
#dn = affine_map<(d, n) -> (d, n)>
func.func @diagonal(%u: tensor<2x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x?x16xf32>, %h0: tensor<2x64x16xf32>, %y0: tensor<2x?x64xf32>) -> (tensor<2x64x16xf32>, tensor<2x?x64xf32>) {
  %h, %y = seqmix.scan ins(%u, %B : tensor<2x?x64xf32>, tensor<2x?x16xf32>) init(%h0 : tensor<2x64x16xf32>) outs(%y0 : tensor<2x?x64xf32>) {
  ^bb0(%ut: tensor<64xf32>, %bt: tensor<16xf32>, %ht: tensor<64x16xf32>):
    %e = tensor.empty() : tensor<64x16xf32>
    %hn = linalg.generic {indexing_maps = [#d, #n, #dn, #dn, #dn], iterator_types = ["parallel", "parallel"]}
        ins(%ut, %bt, %A, %ht : tensor<64xf32>, tensor<16xf32>, tensor<64x16xf32>, tensor<64x16xf32>) outs(%e : tensor<64x16xf32>) {
    ^bb0(%uu: f32, %bb: f32, %aa: f32, %hh: f32, %o: f32):
      %hd = arith.mulf %aa, %hh : f32
      %ub = arith.mulf %uu, %bb : f32
      %r = arith.addf %hd, %ub : f32
      linalg.yield %r : f32
    } -> tensor<64x16xf32>
    %z = arith.constant 0.0 : f32
    %ey = tensor.empty() : tensor<64xf32>
    %fy = linalg.fill ins(%z : f32) outs(%ey : tensor<64xf32>) -> tensor<64xf32>
    %yt = linalg.generic {indexing_maps = [#dn, #d], iterator_types = ["parallel", "reduction"]}
        ins(%hn : tensor<64x16xf32>) outs(%fy : tensor<64xf32>) {
    ^bb0(%hh: f32, %acc: f32):
      %s = arith.addf %acc, %hh : f32
      linalg.yield %s : f32
    } -> tensor<64xf32>
    seqmix.yield %hn, %yt : tensor<64x16xf32>, tensor<64xf32>
  } -> tensor<2x64x16xf32>, tensor<2x?x64xf32>
  return %h, %y : tensor<2x64x16xf32>, tensor<2x?x64xf32>
}

// -----

// Elementwise arith on tensors and a splat constant: blocks of 4 of the 8
// channels; the constant is retyped with the body.
// CHECK-LABEL: func @elementwise
// CHECK: scf.forall (%{{.+}}) = (0) to (8) step (4)
// CHECK: arith.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: arith.mulf %{{.+}}, %{{.+}} : tensor<4xf32>
func.func @elementwise(%a: tensor<1x?x8xf32>, %h0: tensor<1x8xf32>, %y0: tensor<1x?x8xf32>) -> (tensor<1x8xf32>, tensor<1x?x8xf32>) {
  %s, %y = seqmix.scan ins(%a : tensor<1x?x8xf32>) init(%h0 : tensor<1x8xf32>) outs(%y0 : tensor<1x?x8xf32>) {
  ^bb0(%at: tensor<8xf32>, %h: tensor<8xf32>):
    %two = arith.constant dense<2.0> : tensor<8xf32>
    %m = arith.mulf %at, %h : tensor<8xf32>
    %o = arith.mulf %m, %two : tensor<8xf32>
    seqmix.yield %m, %o : tensor<8xf32>, tensor<8xf32>
  } -> tensor<1x8xf32>, tensor<1x?x8xf32>
  return %s, %y : tensor<1x8xf32>, tensor<1x?x8xf32>
}

// -----

// An input the body never reads is passed whole.
// CHECK-LABEL: func @unused_input
// CHECK: scf.forall (%{{.+}}) = (0) to (8) step (4)
// CHECK: seqmix.scan ins(%{{.+}}, %{{.+}} : tensor<1x?x4xf32>, tensor<1x?x3xf32>)
// CHECK: ^bb0(%{{.+}}: tensor<4xf32>, %{{.+}}: tensor<3xf32>, %{{.+}}: tensor<4xf32>):
func.func @unused_input(%a: tensor<1x?x8xf32>, %u: tensor<1x?x3xf32>, %h0: tensor<1x8xf32>, %y0: tensor<1x?x8xf32>) -> (tensor<1x8xf32>, tensor<1x?x8xf32>) {
  %s, %y = seqmix.scan ins(%a, %u : tensor<1x?x8xf32>, tensor<1x?x3xf32>) init(%h0 : tensor<1x8xf32>) outs(%y0 : tensor<1x?x8xf32>) {
  ^bb0(%at: tensor<8xf32>, %ut: tensor<3xf32>, %h: tensor<8xf32>):
    %m = arith.mulf %at, %h : tensor<8xf32>
    seqmix.yield %m, %m : tensor<8xf32>, tensor<8xf32>
  } -> tensor<1x8xf32>, tensor<1x?x8xf32>
  return %s, %y : tensor<1x8xf32>, tensor<1x?x8xf32>
}

// -----

// Left as they are: a body that reduces over the channel dimension (the
// state's one dimension feeds a reduction), and packed sequences.
// CHECK-LABEL: func @mixes_channels
// CHECK-NOT: scf.forall
// CHECK: seqmix.scan
// CHECK-NOT: scf.forall
// CHECK: seqmix.scan
#c = affine_map<(c) -> (c)>
#none = affine_map<(c) -> ()>
func.func @mixes_channels(%a: tensor<1x?x8xf32>, %h0: tensor<1x8xf32>, %y0: tensor<1x?xf32>, %cu: tensor<3xi32>, %hs: tensor<2x8xf32>, %ys: tensor<1x?x8xf32>) -> (tensor<1x8xf32>, tensor<2x8xf32>) {
  %s, %y = seqmix.scan ins(%a : tensor<1x?x8xf32>) init(%h0 : tensor<1x8xf32>) outs(%y0 : tensor<1x?xf32>) {
  ^bb0(%at: tensor<8xf32>, %h: tensor<8xf32>):
    %m = arith.mulf %at, %h : tensor<8xf32>
    %e = tensor.empty() : tensor<f32>
    %sum = linalg.generic {indexing_maps = [#c, #none], iterator_types = ["reduction"]} ins(%m : tensor<8xf32>) outs(%e : tensor<f32>) {
    ^bb0(%x: f32, %acc: f32):
      %r = arith.addf %x, %acc : f32
      linalg.yield %r : f32
    } -> tensor<f32>
    seqmix.yield %m, %sum : tensor<8xf32>, tensor<f32>
  } -> tensor<1x8xf32>, tensor<1x?xf32>
  %s2, %y2 = seqmix.scan ins(%a : tensor<1x?x8xf32>) cu_seqlens(%cu : tensor<3xi32>) init(%hs : tensor<2x8xf32>) outs(%ys : tensor<1x?x8xf32>) {
  ^bb0(%at: tensor<8xf32>, %h: tensor<8xf32>):
    %m = arith.mulf %at, %h : tensor<8xf32>
    seqmix.yield %m, %m : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<1x?x8xf32>
  return %s, %s2 : tensor<1x8xf32>, tensor<2x8xf32>
}
