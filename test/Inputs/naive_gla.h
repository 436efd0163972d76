/* A naive GLA layer in C, written from the formula of docs/Ops.md, for the
   C programs that check compiled code (the C API and ahead-of-time tests):
     S_t = diag(exp(g_t)) S_{t-1} + k_t^T v_t;   o_t = scale * q_t S_t
   q, k, g: [T, H, K]; v, o: [T, H, V] (batch 1), row-major. */
#ifndef SEQMIX_TEST_NAIVE_GLA_H
#define SEQMIX_TEST_NAIVE_GLA_H

#include <math.h>
#include <stdlib.h>

static void naive_gla(const float *q, const float *k, const float *v,
                      const float *g, float *o, int T, int H, int K, int V,
                      double scale) {
  double *S = (double *)calloc((size_t)H * K * V, sizeof(double));
  for (int t = 0; t < T; ++t)
    for (int h = 0; h < H; ++h) {
      double *Sh = S + (size_t)h * K * V;
      const float *qt = q + ((size_t)t * H + h) * K;
      const float *kt = k + ((size_t)t * H + h) * K;
      const float *gt = g + ((size_t)t * H + h) * K;
      const float *vt = v + ((size_t)t * H + h) * V;
      for (int i = 0; i < K; ++i)
        for (int j = 0; j < V; ++j)
          Sh[i * V + j] = exp(gt[i]) * Sh[i * V + j] + (double)kt[i] * vt[j];
      for (int j = 0; j < V; ++j) {
        double acc = 0;
        for (int i = 0; i < K; ++i)
          acc += qt[i] * Sh[i * V + j];
        o[((size_t)t * H + h) * V + j] = (float)(scale * acc);
      }
    }
  free(S);
}

/* Deterministic values in [-1, 1). */
static float naive_gla_uniform(unsigned *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return (float)((*seed >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f;
}

/* Inputs of a layer: q, k, v uniform, g in (-0.2, 0] (a decay). */
static void naive_gla_inputs(float *q, float *k, float *v, float *g, int T,
                             int H, int K, int V) {
  unsigned seed = 1;
  for (int i = 0; i < T * H * K; ++i) {
    q[i] = naive_gla_uniform(&seed);
    k[i] = naive_gla_uniform(&seed);
    g[i] = -0.1f * (1.0f + naive_gla_uniform(&seed));
  }
  for (int i = 0; i < T * H * V; ++i)
    v[i] = naive_gla_uniform(&seed);
}

/* max |a - b| / (1 + |b|) */
static double naive_gla_error(const float *a, const float *b, int n) {
  double m = 0;
  for (int i = 0; i < n; ++i)
    m = fmax(m, fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i])));
  return m;
}

#endif
