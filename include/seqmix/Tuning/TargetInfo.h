//===- TargetInfo.h - the machine the cost model plans for ------*- C++ -*-===//
//
// What tile selection and the roofline read: vector width, cores, cache
// sizes and peak rates. `detectHost` reads the vector width from LLVM's
// host CPU features, the caches from sysfs and the cores from the OS; the
// peak rates are per-core estimates from the vector width that a measured
// machine description (bench/) or a pass option may replace. The defaults
// below are what is used where detection fails: a 2-core AVX-512 machine.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_TUNING_TARGETINFO_H
#define SEQMIX_TUNING_TARGETINFO_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace mlir::seqmix {

struct CpuTargetInfo {
  /// Width of the widest vector registers, in bits (512 with AVX-512, 256
  /// with AVX2, 128 otherwise).
  unsigned vectorBits = 512;
  /// Cores that scale both compute and bandwidth.
  unsigned cores = 2;
  /// Data cache sizes in bytes, per core (L3: shared).
  unsigned long l1Bytes = 48 << 10, l2Bytes = 1 << 20, l3Bytes = 32 << 20;
  /// fp32 FMA peak of one core, GFLOP/s.
  double peakGflopsPerCore = 221;
  /// STREAM-triad DRAM bandwidth of one core, GB/s.
  double dramGBsPerCore = 35;
  /// Vector exp throughput of one core (inline polynomial), G/s.
  double expGPerSecPerCore = 3.3;

  /// f32 lanes per vector register.
  unsigned f32Lanes() const { return vectorBits / 32; }

  /// The host: vector width from LLVM's host CPU features, caches from
  /// sysfs, cores from the OS; defaults where any is unknown.
  static CpuTargetInfo detectHost();
  /// `base` with the fields named in `spec` replaced: a comma-separated
  /// list of `key=value` with keys vector-bits, cores, l1, l2, l3 (bytes,
  /// with an optional K or M suffix), peak-gflops, dram-gbs, exp-gps (per
  /// core).
  static llvm::Expected<CpuTargetInfo> parse(llvm::StringRef spec,
                                             CpuTargetInfo base);
  /// The description as `parse` reads it.
  std::string str() const;

  double peakGflops(unsigned threads) const {
    return peakGflopsPerCore * clampThreads(threads);
  }
  double dramGBs(unsigned threads) const {
    return dramGBsPerCore * clampThreads(threads);
  }
  double expGPerSec(unsigned threads) const {
    return expGPerSecPerCore * clampThreads(threads);
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

/// An NVIDIA GPU, as GPU tile selection and the GPU roofline read it.
struct GpuTargetInfo {
  /// The compute capability, "sm_80" or "sm_90".
  std::string chip = "sm_90";
  unsigned sms = 132;
  /// Shared memory, bytes: per block (opt-in maximum) and per SM.
  unsigned long smemPerBlock = 227 << 10, smemPerSM = 228 << 10;
  unsigned regsPerSM = 64 << 10;
  unsigned warpSize = 32;
  unsigned maxThreadsPerBlock = 1024;
  /// HBM bandwidth, GB/s, and dense bf16 tensor-core peak, TFLOP/s.
  double hbmGBs = 4800, bf16Tflops = 990;

  /// The description of `chip` (sm_80: A100; sm_90: H100/H200), or an error
  /// naming the chips known.
  static llvm::Expected<GpuTargetInfo> forChip(llvm::StringRef chip);
};

} // namespace mlir::seqmix

#endif // SEQMIX_TUNING_TARGETINFO_H
