//===- HostTensor.cpp - dense host arrays for compiled entries ------------===//

#include "seqmix/Runtime/HostTensor.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/ErrorHandling.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::seqmix::runtime;
using llvm::Error;
using llvm::Expected;

size_t mlir::seqmix::runtime::getElementSize(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
  case ElementKind::I32:
    return 4;
  case ElementKind::F16:
  case ElementKind::BF16:
    return 2;
  case ElementKind::I8:
    return 1;
  case ElementKind::I64:
    return 8;
  }
  llvm_unreachable("unknown element kind");
}

bool mlir::seqmix::runtime::isFloatKind(ElementKind kind) {
  return kind == ElementKind::F32 || kind == ElementKind::F16 ||
         kind == ElementKind::BF16;
}

std::optional<ElementKind> mlir::seqmix::runtime::classifyElementType(Type t) {
  if (t.isF32())
    return ElementKind::F32;
  if (t.isF16())
    return ElementKind::F16;
  if (t.isBF16())
    return ElementKind::BF16;
  if (auto it = dyn_cast<IntegerType>(t)) {
    if (it.isUnsigned())
      return std::nullopt;
    switch (it.getWidth()) {
    case 8:
      return ElementKind::I8;
    case 32:
      return ElementKind::I32;
    case 64:
      return ElementKind::I64;
    default:
      return std::nullopt;
    }
  }
  // The lowering passes quantized tensors as their i8 storage.
  if (auto q = dyn_cast<quant::UniformQuantizedType>(t)) {
    if (q.isSigned() && q.getStorageTypeIntegralWidth() == 8 &&
        q.getExpressedType().isF32())
      return ElementKind::I8;
  }
  return std::nullopt;
}

const char *mlir::seqmix::runtime::getNpyDescr(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "<f4";
  case ElementKind::F16:
    return "<f2";
  case ElementKind::BF16:
    return "<u2";
  case ElementKind::I8:
    return "|i1";
  case ElementKind::I32:
    return "<i4";
  case ElementKind::I64:
    return "<i8";
  }
  llvm_unreachable("unknown element kind");
}

bool mlir::seqmix::runtime::acceptsNpyDescr(ElementKind kind,
                                            llvm::StringRef descr) {
  switch (kind) {
  case ElementKind::BF16: // NumPy has no bf16: raw 16-bit words.
    return descr == "<u2" || descr == "<V2" || descr == "|V2";
  case ElementKind::I8:
    return descr == "|i1" || descr == "<i1";
  default:
    return descr == getNpyDescr(kind);
  }
}

std::string mlir::seqmix::runtime::describeExpectedDtype(ElementKind kind) {
  std::string s = npy::describeDtype(getNpyDescr(kind));
  if (kind == ElementKind::BF16)
    s += " holding bfloat16 bits";
  return s;
}

std::optional<size_t>
mlir::seqmix::runtime::getByteSize(llvm::ArrayRef<int64_t> shape,
                                   ElementKind elem) {
  uint64_t total = getElementSize(elem);
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && total > UINT64_MAX / uint64_t(d)))
      return std::nullopt;
    total *= uint64_t(d);
  }
  if (total > SIZE_MAX)
    return std::nullopt;
  return size_t(total);
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Expected<HostTensor> HostTensor::allocate(ElementKind elem,
                                          llvm::ArrayRef<int64_t> shape) {
  std::optional<size_t> bytes = getByteSize(shape, elem);
  if (!bytes)
    return llvm::createStringError("shape " + npy::formatShape(shape) +
                                   " is too large");
  HostTensor t;
  t.elem = elem;
  t.shape.assign(shape.begin(), shape.end());
  t.numBytes = *bytes;
  t.data = npy::allocateBuffer(t.numBytes);
  if (!t.data)
    return llvm::createStringError("out of memory allocating " +
                                   std::to_string(t.numBytes) + " bytes");
  return std::move(t);
}

Expected<HostTensor> HostTensor::clone() const { return copyOf(ref()); }

Expected<HostTensor> HostTensor::copyOf(const TensorRef &ref) {
  Expected<HostTensor> copy = allocate(ref.elem, ref.shape);
  if (copy && copy->numBytes)
    std::memcpy(copy->data.get(), ref.data, copy->numBytes);
  return copy;
}

float mlir::seqmix::runtime::halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float f;
  if (exp == 0) {
    f = std::ldexp(float(mant), -24);
    return sign ? -f : f;
  }
  uint32_t bits = exp == 31 ? sign | 0x7f800000 | (mant << 13)
                            : sign | ((exp + 112) << 23) | (mant << 13);
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t mlir::seqmix::runtime::floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  uint32_t exp = absx >> 23;
  if (absx > 0x7f800000) // NaN: keep it quiet and non-zero.
    return sign | 0x7e00 | ((absx >> 13) & 0x3ff);
  if (exp >= 143) // Too large, or inf.
    return sign | 0x7c00;
  if (exp >= 113) { // Normal half; a carry may round up to inf.
    uint32_t h = (absx >> 13) - (112u << 10);
    uint32_t rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
      ++h;
    return sign | h;
  }
  if (exp < 102) // Below half the smallest subnormal.
    return sign;
  uint32_t mant = (absx & 0x7fffff) | 0x800000;
  uint32_t shift = 126 - exp;
  uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1);
  uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (h & 1)))
    ++h;
  return sign | h;
}

float mlir::seqmix::runtime::bf16ToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t mlir::seqmix::runtime::floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000)
    return (x >> 16) | 0x40;
  return (x + 0x7fff + ((x >> 16) & 1)) >> 16;
}

double HostTensor::loadAsDouble(int64_t i) const {
  const uint8_t *p = data.get() + i * getElementSize(elem);
  switch (elem) {
  case ElementKind::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case ElementKind::F16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
  }
  case ElementKind::BF16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return bf16ToFloat(v);
  }
  case ElementKind::I8:
    return static_cast<int8_t>(*p);
  case ElementKind::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case ElementKind::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return double(v);
  }
  }
  llvm_unreachable("unknown element kind");
}

void HostTensor::storeFloat(int64_t i, float v) {
  assert(isFloatKind(elem) && "storeFloat on an integer tensor");
  uint8_t *p = data.get() + i * getElementSize(elem);
  if (elem == ElementKind::F32) {
    std::memcpy(p, &v, 4);
  } else {
    uint16_t bits = elem == ElementKind::F16 ? floatToHalf(v) : floatToBf16(v);
    std::memcpy(p, &bits, 2);
  }
}

void HostTensor::storeInt(int64_t i, int64_t v) {
  assert(!isFloatKind(elem) && "storeInt on a float tensor");
  uint8_t *p = data.get() + i * getElementSize(elem);
  if (elem == ElementKind::I8) {
    *p = static_cast<uint8_t>(static_cast<int8_t>(v));
  } else if (elem == ElementKind::I32) {
    int32_t w = static_cast<int32_t>(v);
    std::memcpy(p, &w, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

Error mlir::seqmix::runtime::writeNpy(llvm::StringRef path,
                                      const HostTensor &t) {
  return npy::writeFile(path, getNpyDescr(t.elem), t.shape, t.data.get(),
                        t.numBytes);
}
