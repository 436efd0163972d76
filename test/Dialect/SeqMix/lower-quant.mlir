// RUN: seqmix-opt %s -split-input-file --seqmix-lower-quant | FileCheck %s --enable-var-scope

// qcast rounds half to even and clamps to [-128, 127] (upstream
// lower-quant-ops truncates and does not clamp); the quantized result leaves
// the function as its i8 storage.
// CHECK-LABEL: func @qcast
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>) -> tensor<4xi8>
// CHECK: %[[Q:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<4xf32>)
// CHECK: %[[D:.+]] = arith.divf %{{.+}}, %{{.+}} : f32
// CHECK: %[[R:.+]] = math.roundeven %[[D]] : f32
// CHECK: %[[LO:.+]] = arith.maximumf %[[R]], %{{.+}} : f32
// CHECK: %[[HI:.+]] = arith.minimumf %[[LO]], %{{.+}} : f32
// CHECK: arith.fptosi %[[HI]] : f32 to i8
// CHECK-NOT: quant.scast
// CHECK: return %[[Q]] : tensor<4xi8>
func.func @qcast(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// dcast: s * q, with the quantized argument taken as i8 storage.
// CHECK-LABEL: func @dcast
// CHECK-SAME: (%[[Q:.+]]: tensor<4xi8>) -> tensor<4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[Q]] : tensor<4xi8>)
// CHECK: %[[F:.+]] = arith.sitofp %{{.+}} : i8 to f32
// CHECK: %[[M:.+]] = arith.mulf %[[F]], %{{.+}} : f32
// CHECK: linalg.yield %[[M]] : f32
func.func @dcast(%q: tensor<4x!quant.uniform<i8:f32, 0.25>>) -> tensor<4xf32> {
  %x = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.25>> to tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// A quantized argument feeding a seqmix op is dequantized from its i8
// storage: seqmix ops compute in f32 and never see int8 after this pass.
// CHECK-LABEL: func @boundary
// CHECK-SAME: (%[[U:.+]]: tensor<1x4x2xi8>
// CHECK: %[[F:.+]] = linalg.generic
// CHECK-SAME: ins(%[[U]] : tensor<1x4x2xi8>)
// CHECK: arith.sitofp %{{.+}} : i8 to f32
// CHECK-NOT: quant.
// CHECK: seqmix.selective_scan ins(%[[F]],
func.func @boundary(%u: tensor<1x4x2x!quant.uniform<i8:f32, 0.1>>, %dt: tensor<1x4x2xf32>, %A: tensor<2x1xf32>, %B: tensor<1x4x1x1xf32>, %y0: tensor<1x4x2xf32>, %s0: tensor<1x2x1xf32>) -> tensor<1x4x2xf32> {
  %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %B : tensor<1x4x2x!quant.uniform<i8:f32, 0.1>>, tensor<1x4x2xf32>, tensor<2x1xf32>, tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>) outs(%y0, %s0 : tensor<1x4x2xf32>, tensor<1x2x1xf32>) -> tensor<1x4x2xf32>, tensor<1x2x1xf32>
  return %y : tensor<1x4x2xf32>
}

// -----

// Call sites follow the signatures: a function that takes or returns a
// quantized tensor takes or returns its int8 storage, and so do its calls.
// CHECK-LABEL: func @callee
// CHECK-SAME: (%{{.+}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK-LABEL: func @caller
// CHECK-SAME: (%[[X:.+]]: tensor<4xi8>) -> tensor<4xi8>
// CHECK: %[[R:.+]] = call @callee(%[[X]]) : (tensor<4xi8>) -> tensor<4xi8>
// CHECK: return %[[R]] : tensor<4xi8>
func.func @callee(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  return %x : tensor<4x!quant.uniform<i8:f32, 0.5>>
}
func.func @caller(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %r = call @callee(%x) : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.5>>
}
