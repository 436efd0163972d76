// Micro-benchmark of this machine's limits: fp32 FMA peak, DRAM bandwidth
// (STREAM-style triad) and vectorized expf rate, for 1 and N threads.
// These are the numbers a roofline needs; bench/machine.py builds and runs
// this file and parses its output.
//
//   machine [--threads=N]     (N defaults to 2)
//
// Prints one line per measurement on stdout:
//   machine: threads=1 fma_gflops=XXX.X vector_bits=512
//   machine: threads=1 dram_gbs=XX.X
//   machine: threads=1 exp_gps=X.XX
// Every number is the best of 5 repetitions of at least 50 ms each: the
// machine is shared and noisy, and the best run is the closest to the limit.

#include <immintrin.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// Chosen at run time so one binary runs on AVX2-only machines too; the
// explicit init makes the check safe during static initialization.
const bool kAvx512 = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f"));

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Keeps the compiler from deleting or hoisting repeated, identical passes.
inline void clobber(void *p) { asm volatile("" : : "r"(p) : "memory"); }

// Runs body(tid, reps) on `threads` threads and returns the best wall time of
// 5 repetitions; `reps` is doubled first until one repetition takes >= 50 ms
// so timer resolution and fork/join cost do not matter.
template <class Body> double bestSeconds(int threads, long &reps, Body body) {
  auto once = [&](long n) {
    double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
    {
      // Time from the moment every thread has arrived, so thread start-up
      // is not counted; the implicit barrier after `single` starts them.
#pragma omp barrier
#pragma omp single
      t0 = now();
      body(omp_get_thread_num(), n);
#pragma omp barrier
#pragma omp single
      t1 = now();
    }
    return t1 - t0;
  };
  for (reps = 1; once(reps) < 0.05; reps *= 2) {
  }
  double best = 1e30;
  for (int i = 0; i < 5; ++i)
    best = std::min(best, once(reps));
  return best;
}

// ---- 1. FMA peak ------------------------------------------------------------
// FMA latency is 4 cycles on current cores with 2 FMA ports, so at least 8
// independent chains are needed to keep both busy. 16 leave headroom and
// fit AVX-512's 32 registers; AVX2 has 16 registers, so 12 chains there
// (plus the two operands) avoid spills. Chains start from different values
// and stay finite (a < 1, b small), so nothing can be constant-folded.

// Written out per ISA (not as a template taking a lambda) because helpers
// without the target attribute could not inline the intrinsics.
#define FMA_CHAINS(chains, V, set1, fmadd, add, first)                         \
  V va = set1(a), vb = set1(b), acc[chains];                                   \
  for (int j = 0; j < chains; ++j)                                             \
    acc[j] = set1(1.0f + j);                                                   \
  for (long i = 0; i < n; ++i) {                                               \
    /* unrolled so the chains live in registers: g++ -O2 would not */          \
    _Pragma("GCC unroll 16") for (int j = 0; j < chains; ++j)                  \
      acc[j] = fmadd(acc[j], va, vb);                                          \
  }                                                                            \
  for (int j = 1; j < chains; ++j)                                             \
    acc[0] = add(acc[0], acc[j]);                                              \
  return first(acc[0]);

__attribute__((target("avx512f"))) float fma512(long n, float a, float b) {
  FMA_CHAINS(16, __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_cvtss_f32)
}

__attribute__((target("avx2,fma"))) float fma256(long n, float a, float b) {
  FMA_CHAINS(12, __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_cvtss_f32)
}

double fmaGflops(int threads) {
  volatile float a = 0.999999f, b = 1e-7f; // opaque to the optimizer
  std::vector<float> sink(threads);
  long reps;
  double s = bestSeconds(threads, reps, [&](int t, long n) {
    sink[t] = kAvx512 ? fma512(n * 1024, a, b) : fma256(n * 1024, a, b);
  });
  int lanes = kAvx512 ? 16 : 8, chains = kAvx512 ? 16 : 12;
  return 2.0 * lanes * chains * 1024 * reps * threads / s / 1e9;
}

// ---- 2. DRAM bandwidth (triad a = b + s*c) ---------------------------------
// Bytes counted per element: read b, read c, write a, 4 bytes each = 12
// bytes (the STREAM convention). The write-allocate read of `a` that the
// cache really does is not counted, so the true traffic is 4/3 of this.
// Each array is at least 64 MiB and at least the L3 size (260 MiB on the
// reference VM), so the three of them cannot be served from cache.
double dramGbs(int threads) {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  size_t bytes = std::max<long>(64l << 20, l3 > 0 ? l3 : 0);
  bytes = (bytes + 4095) & ~size_t(4095);
  size_t n = bytes / 4;
  float *a = static_cast<float *>(std::aligned_alloc(4096, bytes));
  float *b = static_cast<float *>(std::aligned_alloc(4096, bytes));
  float *c = static_cast<float *>(std::aligned_alloc(4096, bytes));
  auto range = [&](int t, size_t &lo, size_t &hi) {
    lo = n * t / threads;
    hi = n * (t + 1) / threads;
  };
  // First touch by the thread that later streams the same range, so page
  // faults are paid here and pages land on that thread's NUMA node.
#pragma omp parallel num_threads(threads)
  {
    size_t lo, hi;
    range(omp_get_thread_num(), lo, hi);
    for (size_t i = lo; i < hi; ++i)
      a[i] = 0, b[i] = 1, c[i] = 2;
  }
  long reps;
  double s = bestSeconds(threads, reps, [&](int t, long passes) {
    size_t lo, hi;
    range(t, lo, hi);
    float *__restrict pa = a;
    const float *__restrict pb = b, *__restrict pc = c;
    for (long p = 0; p < passes; ++p) {
      for (size_t i = lo; i < hi; ++i)
        pa[i] = pb[i] + 3.0f * pc[i];
      clobber(pa);
    }
  });
  std::free(a), std::free(b), std::free(c);
  return 12.0 * n * reps / s / 1e9;
}

// ---- 3. Vector expf ---------------------------------------------------------
// exp(x) = 2^k * exp(r), k = round(x / ln2), r = x - k ln2 in [-ln2/2, ln2/2].
// ln2 is split in two (Cody-Waite): kLn2Hi has 9 significant bits, so k*kLn2Hi
// is exact for |k| < 2^15 and the reduction loses no bits. exp(r) is
// 1 + r + r^2 q(r) with q of degree 4, fitted here for minimal relative error
// (<4e-9 before rounding; ~1 ulp in float). 2^k is applied by adding k to
// the exponent field. The clamp keeps 2^k * p a normal float:
// p in [0.70, 1.42] has biased exponent >= 126 and k >= -125.
constexpr float kLog2e = 1.44269504f, kLn2Hi = 0.693359375f,
                kLn2Lo = -2.12194440e-4f, kLo = -86.5f, kHi = 88.3f;
constexpr float kQ[5] = {0.49999994f, 0.166665211f, 0.041668389f,
                         0.00836871006f, 0.00138146104f};

__attribute__((target("avx512f"))) void exp512(const float *in, float *out, int n) {
  for (int i = 0; i < n; i += 16) {
    __m512 x = _mm512_loadu_ps(in + i);
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kLo)), _mm512_set1_ps(kHi));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Lo), r);
    __m512 q = _mm512_set1_ps(kQ[4]);
    for (int j = 3; j >= 0; --j)
      q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(kQ[j]));
    __m512 p = _mm512_fmadd_ps(_mm512_mul_ps(r, r), q, _mm512_add_ps(r, _mm512_set1_ps(1)));
    __m512i e = _mm512_slli_epi32(_mm512_cvtps_epi32(k), 23);
    _mm512_storeu_ps(out + i, _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(p), e)));
  }
}

__attribute__((target("avx2,fma"))) void exp256(const float *in, float *out, int n) {
  for (int i = 0; i < n; i += 8) {
    __m256 x = _mm256_loadu_ps(in + i);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kLo)), _mm256_set1_ps(kHi));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Hi), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Lo), r);
    __m256 q = _mm256_set1_ps(kQ[4]);
    for (int j = 3; j >= 0; --j)
      q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(kQ[j]));
    __m256 p = _mm256_fmadd_ps(_mm256_mul_ps(r, r), q, _mm256_add_ps(r, _mm256_set1_ps(1)));
    __m256i e = _mm256_slli_epi32(_mm256_cvtps_epi32(k), 23);
    _mm256_storeu_ps(out + i, _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), e)));
  }
}

// 16 KiB in + 16 KiB out per thread: together they fit a 32 KiB or larger
// L1d (48 KiB here), so this measures arithmetic, not the cache hierarchy.
constexpr int kExpN = 4096;

void vexp(const float *in, float *out, int n) {
  kAvx512 ? exp512(in, out, n) : exp256(in, out, n);
}

double expGps(int threads) {
  std::vector<std::vector<float>> in(threads), out(threads);
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num();
    in[t].resize(kExpN), out[t].resize(kExpN);
    for (int i = 0; i < kExpN; ++i)
      in[t][i] = -80.0f + 168.0f * i / kExpN; // spans nearly the whole range
  }
  // A fast but wrong exp would make the number meaningless: check it first.
  vexp(in[0].data(), out[0].data(), kExpN);
  for (int i = 0; i < kExpN; ++i) {
    double ref = std::exp(double(in[0][i]));
    if (std::fabs(out[0][i] - ref) > 1e-6 * ref) {
      std::fprintf(stderr, "machine: exp(%g) = %g, expected %g\n", in[0][i], out[0][i], ref);
      std::exit(1);
    }
  }
  long reps;
  double s = bestSeconds(threads, reps, [&](int t, long n) {
    for (long p = 0; p < n * 256; ++p) {
      vexp(in[t].data(), out[t].data(), kExpN);
      clobber(out[t].data());
    }
  });
  return double(kExpN) * 256 * reps * threads / s / 1e9;
}

} // namespace

int main(int argc, char **argv) {
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0 && std::atoi(argv[i] + 10) > 0) {
      threads = std::atoi(argv[i] + 10);
    } else {
      std::fprintf(stderr, "usage: %s [--threads=N]\n", argv[0]);
      return 2;
    }
  }
  if (!kAvx512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    std::fprintf(stderr, "machine: needs AVX2+FMA or AVX-512F\n");
    return 1;
  }
  int counts[2] = {1, threads};
  for (int t : counts) {
    std::printf("machine: threads=%d fma_gflops=%.1f vector_bits=%d\n", t,
                fmaGflops(t), kAvx512 ? 512 : 256);
    std::fflush(stdout);
    std::printf("machine: threads=%d dram_gbs=%.1f\n", t, dramGbs(t));
    std::fflush(stdout);
    std::printf("machine: threads=%d exp_gps=%.2f\n", t, expGps(t));
    std::fflush(stdout);
    if (threads == 1)
      break; // the N-thread rows would repeat the 1-thread ones
  }
  return 0;
}
