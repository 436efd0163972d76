// RUN: seqmix-capi-test 2>&1 | FileCheck %s
//
// The C API end to end: register, compile a GLA layer on both pipelines,
// call it on caller-owned (also strided) buffers, compare with a naive
// recurrence written here, and get errors, never aborts, for bad input.

#include "seqmix-c/Dialects.h"
#include "seqmix-c/Passes.h"
#include "seqmix-c/Runtime.h"

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 1, T = 37, H = 4, K = 48, V = 32 };

static const char *kGla =
    "func.func @gla(%q: tensor<1x37x4x48xf32>, %k: tensor<1x37x4x48xf32>,\n"
    "               %v: tensor<1x37x4x32xf32>, %g: tensor<1x37x4x48xf32>)\n"
    "    -> tensor<1x37x4x32xf32> {\n"
    "  %zero = arith.constant 0.0 : f32\n"
    "  %o0 = tensor.empty() : tensor<1x37x4x32xf32>\n"
    "  %e = tensor.empty() : tensor<1x4x48x32xf32>\n"
    "  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x48x32xf32>) "
    "-> tensor<1x4x48x32xf32>\n"
    "  %o, %s = seqmix.linear_attention ins(%q, %k, %v : "
    "tensor<1x37x4x48xf32>, tensor<1x37x4x48xf32>, tensor<1x37x4x32xf32>)\n"
    "      log_decay(%g : tensor<1x37x4x48xf32>)\n"
    "      outs(%o0, %s0 : tensor<1x37x4x32xf32>, tensor<1x4x48x32xf32>)\n"
    "      {scale = 0.125 : f32} -> tensor<1x37x4x32xf32>, "
    "tensor<1x4x48x32xf32>\n"
    "  return %o : tensor<1x37x4x32xf32>\n"
    "}\n";

static float q[B][T][H][K], k[B][T][H][K], v[B][T][H][V], g[B][T][H][K];
static float want[B][T][H][V], got[B][T][H][V];
// o transposed: [V][T][H], written through strides.
static float gotT[V][T][H];

static unsigned seed = 1;
static float uniform(void) {
  seed = seed * 1103515245u + 12345u;
  return (float)((seed >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f;
}

// S_t = diag(exp(g_t)) S_{t-1} + k_t^T v_t;  o_t = scale * q_t S_t.
static void naiveGla(void) {
  static double S[H][K][V];
  memset(S, 0, sizeof(S));
  for (int t = 0; t < T; ++t)
    for (int h = 0; h < H; ++h) {
      for (int i = 0; i < K; ++i)
        for (int j = 0; j < V; ++j)
          S[h][i][j] = exp(g[0][t][h][i]) * S[h][i][j] +
                       (double)k[0][t][h][i] * v[0][t][h][j];
      for (int j = 0; j < V; ++j) {
        double acc = 0;
        for (int i = 0; i < K; ++i)
          acc += q[0][t][h][i] * S[h][i][j];
        want[0][t][h][j] = (float)(0.125 * acc);
      }
    }
}

static double maxError(const float *a, const float *b, int n) {
  double m = 0;
  for (int i = 0; i < n; ++i)
    m = fmax(m, fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i])));
  return m;
}

static SeqMixBuffer view(void *data, int rank, const int64_t *sizes) {
  SeqMixBuffer b = {data, rank, sizes, NULL, SEQMIX_F32};
  return b;
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  seqmixRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  seqmixRegisterPasses();

  MlirDialectHandle handle = mlirGetDialectHandle__seqmix__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(handle);
  // CHECK: dialect: seqmix
  printf("dialect: %.*s\n", (int)ns.length, ns.data);

  for (int i = 0; i < T * H * K; ++i) {
    (&q[0][0][0][0])[i] = uniform();
    (&k[0][0][0][0])[i] = uniform();
    (&g[0][0][0][0])[i] = -0.1f * (1.0f + uniform());
  }
  for (int i = 0; i < T * H * V; ++i)
    (&v[0][0][0][0])[i] = uniform();
  naiveGla();

  const int64_t qkSizes[] = {B, T, H, K}, vSizes[] = {B, T, H, V};
  SeqMixBuffer inputs[4] = {view(q, 4, qkSizes), view(k, 4, qkSizes),
                            view(v, 4, vSizes), view(g, 4, qkSizes)};
  // CHECK: reference: @gla, 4 inputs, 1 result, input 1 is %k of rank 4
  // CHECK-NEXT: reference: o matches the naive recurrence
  // CHECK-NEXT: reference: strided copy ok
  // CHECK-NEXT: cpu: @gla, 4 inputs, 1 result, input 1 is %k of rank 4
  // CHECK-NEXT: cpu: o matches the naive recurrence
  // CHECK-NEXT: cpu: strided copy ok
  const char *pipelines[] = {"reference", "cpu"};
  for (int p = 0; p < 2; ++p) {
    SeqMixCompileOptions options;
    seqmixCompileOptionsInit(&options);
    options.pipeline = pipelines[p];
    SeqMixExecutable exe;
    if (mlirLogicalResultIsFailure(seqmixCompileSource(
            ctx, mlirStringRefCreateFromCString(kGla), &options, &exe))) {
      printf("compile failed: %s\n", seqmixGetLastError());
      return 1;
    }
    SeqMixTensorType arg1 = seqmixExecutableGetInputType(exe, 1);
    MlirStringRef name = seqmixExecutableGetEntryName(exe);
    printf("%s: @%.*s, %d inputs, %d result, input 1 is %.*s of rank %d\n",
           pipelines[p], (int)name.length, name.data,
           (int)seqmixExecutableGetNumInputs(exe),
           (int)seqmixExecutableGetNumResults(exe), (int)arg1.name.length,
           arg1.name.data, (int)arg1.rank);

    SeqMixResults results;
    if (mlirLogicalResultIsFailure(
            seqmixExecutableCall(exe, inputs, 4, &results))) {
      printf("call failed: %s\n", seqmixGetLastError());
      return 1;
    }
    SeqMixBuffer out = seqmixResultsGet(results, 0);
    memcpy(got, out.data, sizeof(got));
    double err = maxError(&got[0][0][0][0], &want[0][0][0][0], T * H * V);
    printf("%s: o %s the naive recurrence\n", pipelines[p],
           err < 1e-4 ? "matches" : "DIFFERS FROM");

    // Into a caller-owned transposed buffer: o[0][t][h][j] at gotT[j][t][h].
    const int64_t strides[] = {0, H, 1, T * H};
    SeqMixBuffer dst = {gotT, 4, vSizes, strides, SEQMIX_F32};
    if (mlirLogicalResultIsFailure(seqmixResultsCopyTo(results, 0, &dst))) {
      printf("copy failed: %s\n", seqmixGetLastError());
      return 1;
    }
    int same = 1;
    for (int t = 0; t < T; ++t)
      for (int h = 0; h < H; ++h)
        for (int j = 0; j < V; ++j)
          same &= gotT[j][t][h] == got[0][t][h][j];
    printf("%s: strided copy %s\n", pipelines[p], same ? "ok" : "WRONG");
    seqmixResultsDestroy(results);

    if (p == 1) {
      // A strided input (k read through a transposed copy) gives the same o.
      static float kT[K][T][H];
      for (int t = 0; t < T; ++t)
        for (int h = 0; h < H; ++h)
          for (int i = 0; i < K; ++i)
            kT[i][t][h] = k[0][t][h][i];
      const int64_t kStrides[] = {0, H, 1, T * H};
      SeqMixBuffer strided[4] = {inputs[0], inputs[1], inputs[2], inputs[3]};
      strided[1].data = kT;
      strided[1].strides = kStrides;
      if (mlirLogicalResultIsFailure(
              seqmixExecutableCall(exe, strided, 4, &results)))
        return 1;
      // CHECK: strided input: same o
      printf("strided input: %s o\n",
             memcmp(seqmixResultsGet(results, 0).data, got, sizeof(got))
                 ? "different"
                 : "same");
      seqmixResultsDestroy(results);

      // Bad input: a wrong shape, a wrong element type, a missing input.
      // CHECK: error: argument #1 ('%k' of @gla): expected
      // tensor<1x37x4x48xf32>, got shape (1, 37, 4): rank 3 does not match rank
      // 4
      SeqMixBuffer bad[4] = {inputs[0], view(k, 3, qkSizes), inputs[2],
                             inputs[3]};
      if (mlirLogicalResultIsFailure(
              seqmixExecutableCall(exe, bad, 4, &results)))
        printf("error: %s\n", seqmixGetLastError());
      // CHECK: error: argument #3 ('%g' of @gla): expected element type f32,
      // got i32
      bad[1] = inputs[1];
      bad[3].elementType = SEQMIX_I32;
      if (mlirLogicalResultIsFailure(
              seqmixExecutableCall(exe, bad, 4, &results)))
        printf("error: %s\n", seqmixGetLastError());
      // CHECK: error: @gla takes 4 argument(s) but 3 input(s) were given
      if (mlirLogicalResultIsFailure(
              seqmixExecutableCall(exe, inputs, 3, &results)))
        printf("error: %s\n", seqmixGetLastError());
    }
    seqmixExecutableDestroy(exe);
  }

  // Compile errors: a bad pipeline, a bad tile override, bad IR.
  SeqMixCompileOptions options;
  seqmixCompileOptionsInit(&options);
  SeqMixExecutable exe;
  options.pipeline = "tpu";
  // CHECK: error: unknown --pipeline 'tpu' (expected reference, cpu, gpu or gpu-emulated)
  if (mlirLogicalResultIsFailure(seqmixCompileSource(
          ctx, mlirStringRefCreateFromCString(kGla), &options, &exe)))
    printf("error: %s\n", seqmixGetLastError());
  options.pipeline = "cpu";
  const char *ops[] = {"seqmix.linear_attention"};
  const char *configs[] = {"#seqmix.cpu_tiling<chunk = 4>"};
  options.tileOps = ops;
  options.tileConfigs = configs;
  options.numTiles = 1;
  // CHECK: tile override: compiled
  printf("tile override: %s\n",
         mlirLogicalResultIsSuccess(seqmixCompileSource(
             ctx, mlirStringRefCreateFromCString(kGla), &options, &exe))
             ? "compiled"
             : seqmixGetLastError());
  seqmixExecutableDestroy(exe);
  configs[0] = "42 : i32";
  // CHECK: error: tile override for 'seqmix.linear_attention': '42 : i32' is
  // not a #seqmix.cpu_tiling or #seqmix.gpu_tiling attribute
  if (mlirLogicalResultIsFailure(seqmixCompileSource(
          ctx, mlirStringRefCreateFromCString(kGla), &options, &exe)))
    printf("error: %s\n", seqmixGetLastError());
  options.numTiles = 0;
  // CHECK: error: cannot parse the module:
  // CHECK-NEXT: module:1:1: custom op 'func.fun' is unknown
  if (mlirLogicalResultIsFailure(seqmixCompileSource(
          ctx, mlirStringRefCreateFromCString("func.fun @x()"), &options,
          &exe)))
    printf("error: %s\n", seqmixGetLastError());

  // The registered pipelines parse by name through the upstream C API.
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  // CHECK: pipeline parsed: yes
  printf("pipeline parsed: %s\n",
         mlirLogicalResultIsSuccess(mlirParsePassPipeline(
             opm,
             mlirStringRefCreateFromCString(
                 "builtin.module(seqmix-reference-pipeline)"),
             NULL, NULL))
             ? "yes"
             : "no");
  mlirPassManagerDestroy(pm);
  mlirContextDestroy(ctx);
  return 0;
}
