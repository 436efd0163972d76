// seqmix-run on a plain linalg module (no seqmix ops, so this only needs the
// generic part of the lowering): .npy inputs with a dynamic dimension,
// outputs written to disk and checked with numpy, --check, random inputs.

// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/a.npy', np.arange(10, dtype=np.float32).reshape(2, 5)); np.save('%t/b.npy', np.linspace(-1, 1, 10, dtype=np.float32).reshape(2, 5))"
// RUN: seqmix-run %s --input=%t/a.npy --input=%t/b.npy --output-dir=%t/out --check=reference | FileCheck %s
// RUN: %python -c "import numpy as np; a, b, o = (np.load('%t/' + f) for f in ('a.npy', 'b.npy', 'out/out0.npy')); print(o.dtype, o.shape, 'max_err', float(np.abs(o - (a + b)).max()))" | FileCheck %s --check-prefix=NUMPY

// CHECK: out0: tensor<2x5xf32> min=-1 max=10 mean=4.5
// CHECK-NEXT: check: max_abs_err=0 max_rel_err=0 (rtol=1e-05, atol=1e-06) PASS
// NUMPY: float32 (2, 5) max_err 0.0

// Random inputs: deterministic per seed, floats in [-1, 1), dynamic dims
// from --dim.
// RUN: seqmix-run %s --random-inputs=7 --dim=3 --save-inputs=%t/r1 > %t/r1.txt
// RUN: seqmix-run %s --random-inputs=7 --dim=3 --save-inputs=%t/r2 > %t/r2.txt
// RUN: diff %t/r1.txt %t/r2.txt
// RUN: FileCheck %s --check-prefix=RANDOM < %t/r1.txt
// RUN: %python -c "import numpy as np; x, y = np.load('%t/r1/in0.npy'), np.load('%t/r2/in0.npy'); print(x.dtype, x.shape, bool((x >= -1).all() and (x < 1).all()), bool((x == y).all()))" | FileCheck %s --check-prefix=RANGE

// RANDOM: out0: tensor<2x3xf32> min={{.*}} max={{.*}} mean={{.*}}
// RANDOM-NOT: {{.}}
// RANGE: float32 (2, 3) True True

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<2x?xf32>, %b: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c1 : tensor<2x?xf32>
  %init = tensor.empty(%n) : tensor<2x?xf32>
  %sum = linalg.generic {indexing_maps = [#map, #map, #map],
                         iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<2x?xf32>, tensor<2x?xf32>)
      outs(%init : tensor<2x?xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x?xf32>
  return %sum : tensor<2x?xf32>
}
