// Every boundary element type: f16 '<f2', bf16 as raw 16-bit words ('<u2' or
// void '|V2' in, '<u2' out), i8 '|i1', i64 of rank 0, i32 with a dynamic
// dim, and several results in one call.

// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/f16.npy', np.array([1.5, -2.25, 65504], np.float16)); bf = (np.array([[1.0, -2.0], [3.5, 0.001]], np.float32).view(np.uint32) >> 16).astype(np.uint16); np.save('%t/bf16.npy', bf); np.save('%t/bf16v.npy', bf.view('V2')); np.save('%t/i8.npy', np.array([-128, -1, 0, 127], np.int8)); np.save('%t/i64.npy', np.array(1234567890123, np.int64)); np.save('%t/i32.npy', np.array([7, -9, 3], np.int32))"
// RUN: seqmix-run %s --input=%t/f16.npy --input=%t/bf16.npy --input=%t/i8.npy --input=%t/i64.npy --input=%t/i32.npy --output-dir=%t/out --check=reference | FileCheck %s
// RUN: seqmix-run %s --input=%t/f16.npy --input=%t/bf16v.npy --input=%t/i8.npy --input=%t/i64.npy --input=%t/i32.npy | FileCheck %s
// RUN: %python -c "import numpy as np; o = [np.load('%t/out/out%%d.npy' %% i) for i in range(5)]; print([(x.dtype.str, x.shape) for x in o]); print(o[0].tolist(), (o[1].astype(np.uint32) << 16).view(np.float32).ravel().tolist(), o[2].tolist(), int(o[3]), o[4].tolist())" | FileCheck %s --check-prefix=NUMPY

// Wrong dtypes are named as NumPy names them.
// RUN: sh -c 'seqmix-run %s --input=%t/f16.npy --input=%t/bf16.npy --input=%t/i8.npy --input=%t/i32.npy --input=%t/i32.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=I64
// RUN: sh -c 'seqmix-run %s --input=%t/f16.npy --input=%t/f16.npy --input=%t/i8.npy --input=%t/i64.npy --input=%t/i32.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=BF16
// I64: seqmix-run: argument #3 ('%d' of @types): expected tensor<i64>, but {{.*}}i32.npy has shape (3,) and dtype int32 ('<i4'): the dtype does not match i64 (expected int64 ('<i8'))
// I64-NEXT: exit 2
// BF16: seqmix-run: argument #1 ('%b' of @types): expected tensor<2x2xbf16>, but {{.*}}f16.npy has shape (3,) and dtype float16 ('<f2'): the dtype does not match bf16 (expected uint16 ('<u2') holding bfloat16 bits)
// BF16-NEXT: exit 2

// CHECK: out0: tensor<3xf16> min=-4.5 max=inf mean=inf
// CHECK-NEXT: out1: tensor<2x2xbf16> min=-3.5 max=2 mean=-0.62525
// CHECK-NEXT: out2: tensor<4xi8> min=-2 max=0 mean=-1
// CHECK-NEXT: out3: tensor<i64> min=2.46914e+12 max=2.46914e+12 mean=2.46914e+12
// CHECK-NEXT: out4: tensor<3xi32> min=9 max=81 mean=46.3333
// NUMPY: [('<f2', (3,)), ('<u2', (2, 2)), ('|i1', (4,)), ('<i8', ()), ('<i4', (3,))]
// NUMPY-NEXT: [3.0, -4.5, inf] [-1.0, 2.0, -3.5, -0.00099945068359375] [0, -2, 0, -2] 2469135780246 [49, 81, 9]

#m0 = affine_map<() -> ()>
#m1 = affine_map<(d0) -> (d0)>
#m2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @types(%a: tensor<3xf16>, %b: tensor<2x2xbf16>, %c: tensor<4xi8>,
                 %d: tensor<i64>, %e: tensor<?xi32>)
    -> (tensor<3xf16>, tensor<2x2xbf16>, tensor<4xi8>, tensor<i64>,
        tensor<?xi32>) {
  %ea = tensor.empty() : tensor<3xf16>
  %ra = linalg.generic {indexing_maps = [#m1, #m1], iterator_types = ["parallel"]}
      ins(%a : tensor<3xf16>) outs(%ea : tensor<3xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.addf %x, %x : f16
    linalg.yield %y : f16
  } -> tensor<3xf16>
  %eb = tensor.empty() : tensor<2x2xbf16>
  %rb = linalg.generic {indexing_maps = [#m2, #m2], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<2x2xbf16>) outs(%eb : tensor<2x2xbf16>) {
  ^bb0(%x: bf16, %o: bf16):
    %y = arith.negf %x : bf16
    linalg.yield %y : bf16
  } -> tensor<2x2xbf16>
  %ec = tensor.empty() : tensor<4xi8>
  %rc = linalg.generic {indexing_maps = [#m1, #m1], iterator_types = ["parallel"]}
      ins(%c : tensor<4xi8>) outs(%ec : tensor<4xi8>) {
  ^bb0(%x: i8, %o: i8):
    %y = arith.addi %x, %x : i8
    linalg.yield %y : i8
  } -> tensor<4xi8>
  %ed = tensor.empty() : tensor<i64>
  %rd = linalg.generic {indexing_maps = [#m0, #m0], iterator_types = []}
      ins(%d : tensor<i64>) outs(%ed : tensor<i64>) {
  ^bb0(%x: i64, %o: i64):
    %y = arith.addi %x, %x : i64
    linalg.yield %y : i64
  } -> tensor<i64>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %e, %c0 : tensor<?xi32>
  %ee = tensor.empty(%n) : tensor<?xi32>
  %re = linalg.generic {indexing_maps = [#m1, #m1], iterator_types = ["parallel"]}
      ins(%e : tensor<?xi32>) outs(%ee : tensor<?xi32>) {
  ^bb0(%x: i32, %o: i32):
    %y = arith.muli %x, %x : i32
    linalg.yield %y : i32
  } -> tensor<?xi32>
  return %ra, %rb, %rc, %rd, %re
      : tensor<3xf16>, tensor<2x2xbf16>, tensor<4xi8>, tensor<i64>, tensor<?xi32>
}
