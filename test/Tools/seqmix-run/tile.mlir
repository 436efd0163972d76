// --tile sets a tiling config on the ops that have none, as the C API's and
// seqmix.compile's tile overrides do; the result still matches the
// reference pipeline. A malformed override is one line and exit code 2.
// RUN: seqmix-run %s --random-inputs=1 --tile="seqmix.linear_attention=#seqmix.cpu_tiling<chunk = 4>" --check=reference --rtol=1e-4 --atol=1e-5 | FileCheck %s
// RUN: seqmix-run %s --random-inputs=1 --tile="*=#seqmix.cpu_tiling<threads = [0, 2, 0, 0], vector = [0, 0, 16, 0], chunk = 1>" --check=reference --rtol=1e-4 --atol=1e-5 | FileCheck %s
// RUN: sh -c 'seqmix-run %s --random-inputs=1 --tile=chunk 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=SYNTAX
// RUN: sh -c 'seqmix-run %s --random-inputs=1 --tile="seqmix.linear_attention=4" 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=CONFIG

// CHECK: check: max_abs_err={{.+}} PASS
// SYNTAX: seqmix-run: --tile='chunk': expected OP=CONFIG
// SYNTAX-NEXT: exit 2
// CONFIG: seqmix-run: tile override for 'seqmix.linear_attention': '4' is not a #seqmix.cpu_tiling or #seqmix.gpu_tiling attribute
// CONFIG-NEXT: exit 2

func.func @main(%q: tensor<1x37x4x32xf32>, %k: tensor<1x37x4x32xf32>,
                %v: tensor<1x37x4x32xf32>, %g: tensor<1x37x4x32xf32>)
    -> tensor<1x37x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x37x4x32xf32>
  %e = tensor.empty() : tensor<1x4x32x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x32x32xf32>) -> tensor<1x4x32x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x37x4x32xf32>,
             tensor<1x37x4x32xf32>, tensor<1x37x4x32xf32>)
           log_decay(%g : tensor<1x37x4x32xf32>)
           outs(%o0, %s0 : tensor<1x37x4x32xf32>, tensor<1x4x32x32xf32>)
           {scale = 0.125 : f32} -> tensor<1x37x4x32xf32>, tensor<1x4x32x32xf32>
  return %o : tensor<1x37x4x32xf32>
}
