// Bad inputs and options: one clear "seqmix-run: " line on stderr and exit
// code 2, never a crash. `sh -c` appends the exit code for FileCheck.

// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; z = np.zeros((2, 5), np.float32); np.save('%t/a.npy', z); np.save('%t/f64.npy', z.astype(np.float64)); np.save('%t/bool.npy', z.astype(bool)); np.save('%t/rank3.npy', z.reshape(2, 5, 1)); np.save('%t/dim.npy', np.zeros((3, 5), np.float32)); np.save('%t/fortran.npy', np.asfortranarray(z)); d = open('%t/a.npy', 'rb').read(); open('%t/trunc.npy', 'wb').write(d[:-4]); open('%t/trunchdr.npy', 'wb').write(d[:20]); open('%t/garbage.npy', 'wb').write(b'this is not a .npy file'); open('%t/empty.npy', 'wb').close()"

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=COUNT
// COUNT: seqmix-run: @main takes 2 argument(s) but 1 --input file(s) were given
// COUNT-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=NONE
// NONE: seqmix-run: @main takes 2 argument(s): give --input=FILE.npy once per argument, or --random-inputs=SEED
// NONE-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/a.npy --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=BOTH
// BOTH: seqmix-run: give either --input files or --random-inputs, not both
// BOTH-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/f64.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=DTYPE
// DTYPE: seqmix-run: argument #1 ('%b' of @main): expected tensor<2x?xf32>, but {{.*}}f64.npy has shape (2, 5) and dtype float64 ('<f8'): the dtype does not match f32 (expected float32 ('<f4'))
// DTYPE-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/bool.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=BOOL
// BOOL: seqmix-run: argument #0 ('%a' of @main): expected tensor<2x?xf32>, but {{.*}}bool.npy has shape (2, 5) and dtype bool ('|b1'): the dtype does not match f32 (expected float32 ('<f4'))
// BOOL-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/rank3.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=RANK
// RANK: seqmix-run: argument #1 ('%b' of @main): expected tensor<2x?xf32>, but {{.*}}rank3.npy has shape (2, 5, 1) and dtype float32 ('<f4'): rank 3 does not match rank 2
// RANK-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/dim.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=DIM
// DIM: seqmix-run: argument #0 ('%a' of @main): expected tensor<2x?xf32>, but {{.*}}dim.npy has shape (3, 5) and dtype float32 ('<f4'): dimension 0 is 3, expected 2
// DIM-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/fortran.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: seqmix-run: argument #0 ('%a' of @main): {{.*}}fortran.npy: fortran_order arrays are not supported
// FORTRAN-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/trunc.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=TRUNC
// TRUNC: seqmix-run: argument #1 ('%b' of @main): {{.*}}trunc.npy: truncated: shape (2, 5) and dtype float32 ('<f4') need 40 bytes of data, the file has 36
// TRUNC-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/trunchdr.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=TRUNCHDR
// TRUNCHDR: seqmix-run: argument #1 ('%b' of @main): {{.*}}trunchdr.npy: truncated .npy header
// TRUNCHDR-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/garbage.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: seqmix-run: argument #0 ('%a' of @main): {{.*}}garbage.npy: not a .npy file
// GARBAGE-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/empty.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=EMPTY
// EMPTY: seqmix-run: argument #0 ('%a' of @main): {{.*}}empty.npy: not a .npy file
// EMPTY-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --input=%t/a.npy --input=%t/missing.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=MISSING
// MISSING: seqmix-run: argument #1 ('%b' of @main): {{.*}}missing.npy: cannot open: {{.+}}
// MISSING-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --entry=nope --input=%t/a.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=ENTRY
// ENTRY: seqmix-run: no func.func @nope in {{.*}}bad-inputs.mlir (public functions: @main)
// ENTRY-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --pipeline=fast --input=%t/a.npy --input=%t/a.npy 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=PIPELINE
// PIPELINE: seqmix-run: unknown --pipeline 'fast' (expected reference, cpu, gpu or gpu-emulated)
// PIPELINE-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --no-such-option 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=OPTION
// OPTION: seqmix-run: Unknown command line argument '--no-such-option'
// OPTION: exit 2

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
