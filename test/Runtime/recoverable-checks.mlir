// seqmix's runtime library driven from C++ (runtime-test.cpp): a failed
// run-time check of compiled code comes back to the caller as an error value
// naming the op and the operand, the process keeps running and the same
// executable runs again; results that alias each other or a donated input
// are copied out and freed once.

// RUN: seqmix-runtime-test %s | FileCheck %s

// CHECK: good: ok sum=72
// CHECK-NEXT: bad start: RuntimeCheckError: seqmix.causal_conv1d: operand 'cu_seqlens' must start at 0
// CHECK-NEXT: bad order: RuntimeCheckError: seqmix.causal_conv1d: operand 'cu_seqlens' must be non-decreasing
// CHECK-NEXT: bad end: RuntimeCheckError: seqmix.causal_conv1d: operand 'cu_seqlens' must end at T
// CHECK-NEXT: good again: ok sum=72
// CHECK-NEXT: repeated: 2000 of 2000 failed
// CHECK-NEXT: heap: no growth
// CHECK-NEXT: donated writable: 1 0
// CHECK-NEXT: donated call 0: 4 results, sums 110 110 10 100; state input sum 10
// CHECK-NEXT: donated call 1: 4 results, sums 110 110 10 100; state input sum 10
// CHECK-NEXT: donated call 2: 4 results, sums 110 110 10 100; state input sum 10
// CHECK-NEXT: wrong shape: argument #1 ('%arg1' of @conv): expected tensor<4x3xf32>, got shape (4, 2): dimension 1 is 2, expected 3
// CHECK-NEXT: last: ok sum=72
// CHECK-NEXT: done

func.func @conv(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>, %cu: tensor<3xi32>) -> tensor<1x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x8x4xf32>
  %e = tensor.empty() : tensor<2x2x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x8x4xf32>, tensor<2x2x4xf32>) -> tensor<1x8x4xf32>, tensor<2x2x4xf32>
  return %y : tensor<1x8x4xf32>
}

// The updated state twice, the donated state itself, and the read-only
// argument itself.
#map = affine_map<(d0) -> (d0)>
func.func @donated(%s: tensor<4xf32> {bufferization.writable = true}, %x: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%s : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %sum = arith.addf %a, %b : f32
    linalg.yield %sum : f32
  } -> tensor<4xf32>
  return %r, %r, %s, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
