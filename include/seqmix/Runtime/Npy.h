//===- Npy.h - minimal .npy reader and writer ------------------*- C++ -*-===//
//
// Just enough of NumPy's .npy format for seqmix's runtime: C-order arrays of
// little-endian scalars, header versions 1.0, 2.0 and 3.0. Everything else is
// rejected with a message rather than guessed at.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_NPY_H
#define SEQMIX_RUNTIME_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace mlir::seqmix::runtime::npy {

/// A malloc'ed, 64-byte aligned byte buffer. Freed with free(), so the same
/// deleter works for buffers handed over by compiled code.
struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<uint8_t, FreeDeleter>;

/// Allocates `bytes` (at least 1) zeroed bytes; null when out of memory.
Buffer allocateBuffer(size_t bytes);

struct Array {
  std::string descr;          // dtype string as written, e.g. "<f4"
  std::vector<int64_t> shape; // () for a scalar
  size_t itemSize = 0;
  size_t numBytes = 0;
  Buffer data;
};

/// Reads a whole .npy file. Errors carry a message without the file name
/// prefix; callers add the context they know (argument, file).
llvm::Expected<Array> readFile(llvm::StringRef path);

/// Writes a version 1.0 .npy file (header padded to 64 bytes as NumPy does).
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef descr,
                      llvm::ArrayRef<int64_t> shape, const void *data,
                      size_t numBytes);

/// "(2, 3)", "(5,)", "()": the shape as Python prints a tuple.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// A dtype as NumPy names it, then as written: "float32 ('<f4')",
/// "int64 ('<i8')", "bool ('|b1')", "float32, big-endian ('>f4')".
std::string describeDtype(llvm::StringRef descr);

} // namespace mlir::seqmix::runtime::npy

#endif // SEQMIX_RUNTIME_NPY_H
