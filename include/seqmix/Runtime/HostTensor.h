//===- HostTensor.h - dense host arrays for compiled entries ----*- C++ -*-===//
//
// The tensors the runtime passes to and gets back from compiled code: dense,
// row-major, 64-byte aligned, owned. One element kind per boundary type the
// runtime supports, with IEEE half and bfloat16 conversions.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_HOSTTENSOR_H
#define SEQMIX_RUNTIME_HOSTTENSOR_H

#include "seqmix/Runtime/Npy.h"

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::seqmix::runtime {

/// Element types an entry may take or return. Quantized
/// `!quant.uniform<i8:f32, s>` tensors travel as their I8 storage.
enum class ElementKind { F32, F16, BF16, I8, I32, I64 };

size_t getElementSize(ElementKind kind);
bool isFloatKind(ElementKind kind);

/// The kind of an MLIR element type, or nullopt when the runtime cannot pass
/// it (f64, unsigned integers, index, other quantized types, ...).
std::optional<ElementKind> classifyElementType(Type type);

/// The .npy dtype written for a kind ("<f4", bf16 as raw "<u2" words).
const char *getNpyDescr(ElementKind kind);
/// Whether a .npy dtype holds this kind (bf16 also as "<V2"/"|V2", i8 also
/// as "<i1").
bool acceptsNpyDescr(ElementKind kind, llvm::StringRef descr);
/// The dtype expected for a kind, as NumPy names it: "float32 ('<f4')",
/// "uint16 ('<u2') holding bfloat16 bits".
std::string describeExpectedDtype(ElementKind kind);

/// A dense row-major array someone else owns (a caller's buffer): what
/// Executable::call reads, so that callers need not copy into a HostTensor.
struct TensorRef {
  ElementKind elem = ElementKind::F32;
  llvm::ArrayRef<int64_t> shape;
  const void *data = nullptr;
  size_t numBytes = 0;
};

/// A dense row-major array owned by the runtime (or its caller).
struct HostTensor {
  ElementKind elem = ElementKind::F32;
  llvm::SmallVector<int64_t> shape;
  npy::Buffer data; // 64-byte aligned, at least 1 byte
  size_t numBytes = 0;

  int64_t getNumElements() const;

  /// Zeroed storage for `shape`; an error if the size overflows or memory
  /// runs out.
  static llvm::Expected<HostTensor> allocate(ElementKind elem,
                                             llvm::ArrayRef<int64_t> shape);

  /// A deep copy.
  llvm::Expected<HostTensor> clone() const;
  /// A deep copy of someone else's array.
  static llvm::Expected<HostTensor> copyOf(const TensorRef &ref);
  /// A view of this tensor (valid while it lives).
  TensorRef ref() const { return {elem, shape, data.get(), numBytes}; }

  /// Element `i` (row-major) as a double: halves and bfloat16 widened.
  double loadAsDouble(int64_t i) const;
  /// Stores `v` rounded to the element type (floats only).
  void storeFloat(int64_t i, float v);
  /// Stores `v` truncated to the element type (integers only).
  void storeInt(int64_t i, int64_t v);
};

/// Shape product times element size, or nullopt when a size is negative or
/// the byte count overflows.
std::optional<size_t> getByteSize(llvm::ArrayRef<int64_t> shape,
                                  ElementKind elem);

// IEEE binary16 and bfloat16, round to nearest even on the way down.
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float f);

/// Writes a tensor as a .npy file with getNpyDescr(t.elem).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &t);

} // namespace mlir::seqmix::runtime

#endif // SEQMIX_RUNTIME_HOSTTENSOR_H
