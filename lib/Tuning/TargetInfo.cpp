//===- TargetInfo.cpp - detecting and describing the CPU target -----------===//

#include "seqmix/Tuning/TargetInfo.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <thread>

using namespace mlir::seqmix;

/// The size of data or unified cache `level` of CPU 0 from sysfs, in bytes.
static unsigned long sysfsCacheBytes(unsigned level) {
  for (unsigned i = 0; i < 8; ++i) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    auto read = [&](const char *name) -> std::string {
      auto buf = llvm::MemoryBuffer::getFile(dir + name, /*IsText=*/true);
      return buf ? (*buf)->getBuffer().trim().str() : std::string();
    };
    std::string lvl = read("level"), type = read("type"), size = read("size");
    if (lvl.empty())
      break;
    if (lvl != std::to_string(level) || type == "Instruction" || size.empty())
      continue;
    unsigned long n = 0;
    llvm::StringRef s(size);
    unsigned long mult = s.consume_back("K")   ? 1024
                         : s.consume_back("M") ? 1 << 20
                                               : 1;
    if (!s.getAsInteger(10, n))
      return n * mult;
  }
  return 0;
}

CpuTargetInfo CpuTargetInfo::detectHost() {
  CpuTargetInfo t;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.empty()) {
    t.vectorBits = features.lookup("avx512f") ? 512
                   : features.lookup("avx2")  ? 256
                                              : 128;
    // Two FMA pipes of the vector width at ~3 GHz: the order of magnitude,
    // until a measured description replaces it.
    t.peakGflopsPerCore = 2 * 2 * t.f32Lanes() * 3.4;
    t.expGPerSecPerCore = 3.3 * t.f32Lanes() / 16.0;
  }
  if (unsigned n = std::thread::hardware_concurrency())
    t.cores = n;
  if (unsigned long b = sysfsCacheBytes(1))
    t.l1Bytes = b;
  if (unsigned long b = sysfsCacheBytes(2))
    t.l2Bytes = b;
  if (unsigned long b = sysfsCacheBytes(3))
    t.l3Bytes = b;
  return t;
}

llvm::Expected<CpuTargetInfo> CpuTargetInfo::parse(llvm::StringRef spec,
                                                   CpuTargetInfo t) {
  llvm::SmallVector<llvm::StringRef> items;
  spec.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    auto [key, value] = item.trim().split('=');
    auto bad = [&] {
      return llvm::createStringError(
          "bad target description entry '" + item.str() +
          "': expected key=value with keys vector-bits, cores, l1, l2, l3, "
          "peak-gflops, dram-gbs, exp-gps");
    };
    double d = 0;
    unsigned long mult = 1;
    llvm::StringRef num = value.trim();
    if (key == "l1" || key == "l2" || key == "l3")
      mult = num.consume_back("K") ? 1024 : num.consume_back("M") ? 1 << 20 : 1;
    if (num.getAsDouble(d) || d <= 0)
      return bad();
    if (key == "vector-bits" && (d == 128 || d == 256 || d == 512))
      t.vectorBits = unsigned(d);
    else if (key == "cores")
      t.cores = unsigned(d);
    else if (key == "l1")
      t.l1Bytes = (unsigned long)(d * mult);
    else if (key == "l2")
      t.l2Bytes = (unsigned long)(d * mult);
    else if (key == "l3")
      t.l3Bytes = (unsigned long)(d * mult);
    else if (key == "peak-gflops")
      t.peakGflopsPerCore = d;
    else if (key == "dram-gbs")
      t.dramGBsPerCore = d;
    else if (key == "exp-gps")
      t.expGPerSecPerCore = d;
    else
      return bad();
  }
  return t;
}

std::string CpuTargetInfo::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "vector-bits=" << vectorBits << ",cores=" << cores
     << ",l1=" << (l1Bytes >> 10) << "K,l2=" << (l2Bytes >> 10)
     << "K,l3=" << (l3Bytes >> 10) << "K,peak-gflops=" << peakGflopsPerCore
     << ",dram-gbs=" << dramGBsPerCore << ",exp-gps=" << expGPerSecPerCore;
  return s;
}

llvm::Expected<GpuTargetInfo> GpuTargetInfo::forChip(llvm::StringRef chip) {
  GpuTargetInfo info;
  info.chip = chip.str();
  if (chip == "sm_90")
    return info; // H100 / H200 (HBM3e; 4.8 TB/s on the H200)
  if (chip == "sm_80") {
    info.sms = 108;
    info.smemPerBlock = 163 << 10;
    info.smemPerSM = 164 << 10;
    info.hbmGBs = 2039;
    info.bf16Tflops = 312;
    return info;
  }
  return llvm::createStringError("unknown GPU chip '" + chip +
                                 "' (expected sm_80 or sm_90)");
}
