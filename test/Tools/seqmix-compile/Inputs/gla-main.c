/* Calls the ahead-of-time compiled @gla (its header is -include'd) on plain
   arrays and compares with the naive recurrence. */
#include "naive_gla.h"

#include <stdio.h>

enum { T = 37, H = 4, K = 48, V = 32 };

static float q[T * H * K], k[T * H * K], g[T * H * K], v[T * H * V];
static float o[T * H * V], want[T * H * V];

int main(void) {
  naive_gla_inputs(q, k, v, g, T, H, K, V);
  naive_gla(q, k, v, g, want, T, H, K, V, 0.125);
  const int64_t qk[] = {1, T, H, K}, vo[] = {1, T, H, V};
  char error[256];
  int rc = gla(q, qk, k, qk, v, vo, g, qk, o, vo, error, sizeof(error));
  if (rc) {
    printf("error %d: %s\n", rc, error);
    return 1;
  }
  printf("o %s the naive recurrence\n",
         naive_gla_error(o, want, T * H * V) < 1e-4 ? "matches"
                                                    : "DIFFERS FROM");

  const int64_t badK[] = {1, T, H, K - 1}, badO[] = {1, T - 1, H, V};
  rc = gla(q, qk, k, badK, v, vo, g, qk, o, vo, error, sizeof(error));
  printf("error %d: %s\n", rc, error);
  rc = gla(q, qk, k, qk, v, vo, g, qk, o, badO, error, sizeof(error));
  printf("error %d: %s\n", rc, error);
  return 0;
}
