// Ahead-of-time compilation: an object file and a header, linked into a C
// program with no JIT and no MLIR (only the OpenMP runtime), checked against
// a naive recurrence; bad sizes give an error code and a message.
//
// RUN: seqmix-compile %s --entry=gla --pipeline=cpu -o %t.o --header=%t.h
// RUN: FileCheck %s --check-prefix=HEADER < %t.h
// RUN: %cc -O1 -include %t.h -I %S/../../Inputs %S/Inputs/gla-main.c %t.o \
// RUN:   %omp_link -lm -o %t.exe
// RUN: %t.exe | FileCheck %s
// RUN: seqmix-compile %s --entry=gla --pipeline=reference -o %t-ref.o --header=%t-ref.h
// RUN: %cc -O1 -include %t-ref.h -I %S/../../Inputs %S/Inputs/gla-main.c %t-ref.o \
// RUN:   %omp_link -lm -o %t-ref.exe
// RUN: %t-ref.exe | FileCheck %s
//
// Nothing of MLIR or LLVM is linked:
// RUN: llvm-nm --undefined-only %t.o | FileCheck %s --check-prefix=UNDEF
//
// Bad command lines:
// RUN: not seqmix-compile %s --entry=nope -o %t.o 2>&1 | FileCheck %s --check-prefix=NOENTRY
// RUN: not seqmix-compile %s --pipeline=tpu -o %t.o 2>&1 | FileCheck %s --check-prefix=NOPIPE
// RUN: not seqmix-compile %s --pipeline=gpu -o %t.o 2>&1 | FileCheck %s --check-prefix=NOGPU
// The GPU pipeline's kernels on the CPU compile like any host code:
// RUN: seqmix-compile %s --pipeline=gpu-emulated -o %t-emulated.o

// HEADER: void _mlir_ciface_gla(gla_results *results, gla_memref4 *a0, gla_memref4 *a1, gla_memref4 *a2, gla_memref4 *a3);
// HEADER: static inline int gla(const float *q, const int64_t *q_sizes,
// HEADER-NEXT: const float *k, const int64_t *k_sizes,
// HEADER-NEXT: const float *v, const int64_t *v_sizes,
// HEADER-NEXT: const float *g, const int64_t *g_sizes,
// HEADER-NEXT: float *out0, const int64_t *out0_sizes,
// HEADER-NEXT: char *error, size_t error_size) {

// CHECK: o matches the naive recurrence
// CHECK: error -1: argument #1 ('%k' of @gla): size 3 is 47, expected 48
// CHECK: error -1: result #0 of @gla: size 1 is 36, expected 37

// UNDEF-NOT: mlir
// UNDEF-NOT: llvm
// UNDEF-NOT: _Z

// NOENTRY: error: no func.func @nope in {{.*}}gla.mlir (public functions: @gla)
// NOPIPE: error: unknown --pipeline 'tpu' (expected reference, cpu, gpu or gpu-emulated)
// NOGPU: error: the gpu pipeline cannot be compiled ahead of time

func.func @gla(%q: tensor<1x37x4x48xf32>, %k: tensor<1x37x4x48xf32>,
               %v: tensor<1x37x4x32xf32>, %g: tensor<1x37x4x48xf32>)
    -> tensor<1x37x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x37x4x32xf32>
  %e = tensor.empty() : tensor<1x4x48x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x48x32xf32>) -> tensor<1x4x48x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x37x4x48xf32>,
             tensor<1x37x4x48xf32>, tensor<1x37x4x32xf32>)
           log_decay(%g : tensor<1x37x4x48xf32>)
           outs(%o0, %s0 : tensor<1x37x4x32xf32>, tensor<1x4x48x32xf32>)
           {scale = 0.125 : f32} -> tensor<1x37x4x32xf32>, tensor<1x4x48x32xf32>
  return %o : tensor<1x37x4x32xf32>
}
