// RUN: seqmix-opt %s -split-input-file --seqmix-split-varlen --canonicalize | FileCheck %s --enable-var-scope

// Packed sequences become a parallel loop over sequences: sequence n runs
// the same op, without cu_seqlens, on tokens cu[n]..cu[n+1] and state row n.
// The offsets are checked first.
// CHECK-LABEL: func @conv_varlen
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x?x8xf32>, %[[W:[a-z0-9]+]]: tensor<8x4xf32>, %[[CU:[a-z0-9]+]]: tensor<4xi32>, %[[S0:[a-z0-9]+]]: tensor<3x3x8xf32>
// CHECK: cf.assert %{{.+}}, "seqmix.causal_conv1d: operand 'cu_seqlens' must start at 0"
// CHECK: cf.assert %{{.+}}, "seqmix.causal_conv1d: operand 'cu_seqlens' must end at T"
// CHECK: %[[R:.+]]:2 = scf.forall (%[[N:.+]]) in (3) shared_outs(%[[Y:.+]] = %{{.+}}, %[[S:.+]] = %[[S0]])
// CHECK: %[[C0:.+]] = tensor.extract %[[CU]][%[[N]]]
// CHECK: %[[START:.+]] = arith.index_cast %[[C0]]
// CHECK: %[[C1:.+]] = tensor.extract %[[CU]][%{{.+}}]
// CHECK: %[[END:.+]] = arith.index_cast %[[C1]]
// CHECK: %[[LEN:.+]] = arith.subi %[[END]], %[[START]]
// CHECK: %[[XN:.+]] = tensor.extract_slice %[[X]][0, %[[START]], 0] [1, %[[LEN]], 8]
// CHECK: %[[YN:.+]] = tensor.extract_slice %[[Y]][0, %[[START]], 0] [1, %[[LEN]], 8]
// CHECK: %[[SN:.+]] = tensor.extract_slice %[[S]][%[[N]], 0, 0] [1, 3, 8]
// CHECK: %[[C:.+]]:2 = seqmix.causal_conv1d ins(%[[XN]], %[[W]] : tensor<1x?x8xf32>, tensor<8x4xf32>) outs(%[[YN]], %[[SN]] : tensor<1x?x8xf32>, tensor<1x3x8xf32>)
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[C]]#0 into %[[Y]][0, %[[START]], 0] [1, %[[LEN]], 8]
// CHECK: tensor.parallel_insert_slice %[[C]]#1 into %[[S]][%[[N]], 0, 0] [1, 3, 8]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @conv_varlen(%x: tensor<1x?x8xf32>, %w: tensor<8x4xf32>, %cu: tensor<4xi32>, %s0: tensor<3x3x8xf32>) -> (tensor<1x?x8xf32>, tensor<3x3x8xf32>) {
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x8xf32>
  %e = tensor.empty(%T) : tensor<1x?x8xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<4xi32>) outs(%e, %s0 : tensor<1x?x8xf32>, tensor<3x3x8xf32>) -> tensor<1x?x8xf32>, tensor<3x3x8xf32>
  return %y, %s : tensor<1x?x8xf32>, tensor<3x3x8xf32>
}

// -----

// The generic scan: every init is a state with one row per sequence.
// CHECK-LABEL: func @scan_varlen
// CHECK: scf.forall (%[[N:.+]]) in (2)
// CHECK: seqmix.scan ins(%{{.+}} : tensor<1x?x4xf32>) init(%{{.+}} : tensor<1x4xf32>) outs(%{{.+}} : tensor<1x?x4xf32>)
// CHECK-NOT: cu_seqlens
func.func @scan_varlen(%x: tensor<1x10x4xf32>, %cu: tensor<3xi64>, %h0: tensor<2x4xf32>, %y0: tensor<1x10x4xf32>) -> (tensor<2x4xf32>, tensor<1x10x4xf32>) {
  %s, %y = seqmix.scan ins(%x : tensor<1x10x4xf32>) cu_seqlens(%cu : tensor<3xi64>) init(%h0 : tensor<2x4xf32>) outs(%y0 : tensor<1x10x4xf32>) {
  ^bb0(%xt: tensor<4xf32>, %h: tensor<4xf32>):
    %n = arith.addf %h, %xt : tensor<4xf32>
    seqmix.yield %n, %n : tensor<4xf32>, tensor<4xf32>
  } -> tensor<2x4xf32>, tensor<1x10x4xf32>
  return %s, %y : tensor<2x4xf32>, tensor<1x10x4xf32>
}
