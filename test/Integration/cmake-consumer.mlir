// The CMake package: install seqmix into a temporary prefix, build a small
// compiler against it with find_package(SeqMix), and run it.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: cmake --install %seqmix_obj --prefix %t/prefix > %t/install.log
// RUN: cmake -S %S/Inputs/consumer -B %t/build -G Ninja \
// RUN:   -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=%cxx \
// RUN:   -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
// RUN:   -DCMAKE_PREFIX_PATH=%t/prefix -DMLIR_DIR=%mlir_cmake_dir > %t/configure.log
// RUN: cmake --build %t/build > %t/build.log
// RUN: %t/build/seqmix-consumer %s | FileCheck %s
// RUN: not %t/build/seqmix-consumer %S/../Inputs/invalid-conv.mlir 2>&1 \
// RUN:   | FileCheck %s --check-prefix=INVALID
// REQUIRES: cmake

// INVALID: error: 'seqmix.causal_conv1d' op operand 'w' must have shape [D, W] = [48, ?]

// CHECK-LABEL: func.func @ssd
// CHECK-NOT: seqmix.ssd
// CHECK: seqmix.linear_attention
func.func @ssd(%x: tensor<1x100x4x16xf32>, %dt: tensor<1x100x4xf32>, %A: tensor<4xf32>,
               %B: tensor<1x100x1x32xf32>, %C: tensor<1x100x1x32xf32>)
    -> (tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x100x4x16xf32>
  %e = tensor.empty() : tensor<1x4x16x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32>
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x100x4x16xf32>, tensor<1x100x4xf32>, tensor<4xf32>, tensor<1x100x1x32xf32>, tensor<1x100x1x32xf32>) outs(%y0, %s0 : tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>
  return %y, %s : tensor<1x100x4x16xf32>, tensor<1x4x16x32xf32>
}
