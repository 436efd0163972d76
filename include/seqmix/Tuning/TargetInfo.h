//===- TargetInfo.h - machine limits the cost model starts from -*- C++ -*-===//
//
// Peak rates of the machines seqmix targets. The CPU numbers were measured on
// the project's reference machine (AMD Zen 5, AVX-512; see bench/RESULTS.md):
// re-measure before trusting them elsewhere.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_TUNING_TARGETINFO_H
#define SEQMIX_TUNING_TARGETINFO_H

namespace mlir::seqmix {

struct CpuTargetInfo {
  /// fp32 FMA peak of one core with 512-bit vectors, GFLOP/s.
  double peakGflopsPerCore = 221;
  /// STREAM-triad DRAM bandwidth of one core, GB/s.
  double dramGBsPerCore = 35;
  /// Cores that scale both (the machine has 2; bandwidth saturates there).
  unsigned cores = 2;

  double peakGflops(unsigned threads) const {
    return peakGflopsPerCore * clampThreads(threads);
  }
  double dramGBs(unsigned threads) const {
    return dramGBsPerCore * clampThreads(threads);
  }
  /// The roofline: min(peak, arithmetic intensity x bandwidth), GFLOP/s.
  double attainableGflops(double flops, double bytes, unsigned threads) const {
    double peak = peakGflops(threads);
    if (bytes <= 0)
      return peak;
    double memBound = flops / bytes * dramGBs(threads);
    return memBound < peak ? memBound : peak;
  }

private:
  unsigned clampThreads(unsigned t) const {
    return t == 0 ? 1 : (t > cores ? cores : t);
  }
};

} // namespace mlir::seqmix

#endif // SEQMIX_TUNING_TARGETINFO_H
