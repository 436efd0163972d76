//===- Npy.cpp - minimal .npy reader and writer ---------------------------===//

#include "seqmix/Runtime/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace mlir::seqmix::runtime::npy {

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

Buffer allocateBuffer(size_t bytes) {
  // 64 bytes: a cache line and the widest vector the JIT may use.
  size_t rounded = alignTo(std::max<size_t>(bytes, 1), 64);
  void *p = std::aligned_alloc(64, rounded);
  if (p)
    std::memset(p, 0, rounded);
  return Buffer(static_cast<uint8_t *>(p));
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

namespace {
/// Parser for the header: a Python dict literal with string keys whose
/// values are strings, booleans or tuples of integers.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  Error parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("malformed header: expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Error e = parseString(key))
        return e;
      skipSpace();
      if (!consume(':'))
        return fail("malformed header: expected ':' after '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (peek() == '[')
          return fail("structured dtypes are not supported");
        if (Error e = parseString(descr))
          return e;
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (Error e = parseBool(fortran))
          return e;
        haveFortran = true;
      } else if (key == "shape") {
        if (Error e = parseTuple(shape))
          return e;
        haveShape = true;
      } else {
        return fail("malformed header: unexpected key '" + key + "'");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("malformed header: expected ',' or '}'");
    }
    if (!haveDescr || !haveFortran || !haveShape)
      return fail("malformed header: needs 'descr', 'fortran_order' and "
                  "'shape'");
    return Error::success();
  }

private:
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }
  bool consume(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    pos += word.size();
    return true;
  }
  void skipSpace() {
    while (pos < text.size() && isSpace(text[pos]))
      ++pos;
  }

  Error parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return fail("malformed header: expected a quoted string");
    ++pos;
    size_t end = text.find(quote, pos);
    if (end == StringRef::npos)
      return fail("malformed header: unterminated string");
    out = text.slice(pos, end).str();
    pos = end + 1;
    return Error::success();
  }

  Error parseBool(bool &out) {
    if (consume(StringRef("True")))
      out = true;
    else if (consume(StringRef("False")))
      out = false;
    else
      return fail("malformed header: fortran_order is not True or False");
    return Error::success();
  }

  Error parseTuple(std::vector<int64_t> &out) {
    if (!consume('('))
      return fail("malformed header: shape is not a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return Error::success();
      size_t start = pos;
      while (pos < text.size() && isDigit(text[pos]))
        ++pos;
      int64_t dim;
      if (text.slice(start, pos).getAsInteger(10, dim) || dim < 0)
        return fail("malformed header: bad dimension in shape");
      consume('L'); // Python 2 longs.
      out.push_back(dim);
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return Error::success();
      return fail("malformed header: expected ',' or ')' in shape");
    }
  }

  StringRef text;
  size_t pos = 0;
};
} // namespace

std::string describeDtype(StringRef descr) {
  std::string quoted = "('" + descr.str() + "')";
  if (descr.size() < 3)
    return quoted;
  char order = descr[0], kind = descr[1];
  unsigned size;
  if (descr.drop_front(2).getAsInteger(10, size))
    return quoted;
  std::string name;
  switch (kind) {
  case 'b':
    name = size == 1 ? "bool" : "";
    break;
  case 'i':
    name = "int" + std::to_string(8 * size);
    break;
  case 'u':
    name = "uint" + std::to_string(8 * size);
    break;
  case 'f':
    name = "float" + std::to_string(8 * size);
    break;
  case 'c':
    name = "complex" + std::to_string(8 * size);
    break;
  case 'V':
    name = "void" + std::to_string(8 * size) + " (raw bytes)";
    break;
  case 'U':
    name = "str"; // NumPy's unicode strings.
    break;
  case 'S':
    name = "bytes";
    break;
  case 'M':
    name = "datetime64";
    break;
  case 'm':
    name = "timedelta64";
    break;
  case 'O':
    name = "object";
    break;
  default:
    break;
  }
  if (name.empty())
    return quoted;
  if (order == '>' && size > 1)
    name += ", big-endian";
  return name + " " + quoted;
}

/// Item size from a descr such as "<f4" or "|V2".
static std::optional<size_t> itemSizeOf(StringRef descr) {
  if (descr.size() < 3 || !StringRef("<>|=").contains(descr[0]) ||
      !isAlpha(descr[1]))
    return std::nullopt;
  size_t size;
  if (descr.drop_front(2).getAsInteger(10, size) || size == 0)
    return std::nullopt;
  return size;
}

Expected<Array> readFile(StringRef path) {
  auto fileOr = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (std::error_code ec = fileOr.getError())
    return fail("cannot open: " + ec.message());
  StringRef bytes = (*fileOr)->getBuffer();

  if (bytes.size() < kMagicLen + 2 ||
      bytes.substr(0, kMagicLen) != StringRef(kMagic, kMagicLen))
    return fail("not a .npy file (no \\x93NUMPY magic)");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  size_t lenBytes;
  if (major == 1)
    lenBytes = 2;
  else if (major == 2 || major == 3)
    lenBytes = 4;
  else
    return fail("unsupported .npy format version " + Twine(major) + "." +
                Twine(minor));
  size_t headerStart = 8 + lenBytes;
  if (bytes.size() < headerStart)
    return fail("truncated .npy header");
  size_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i)
    headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
  if (bytes.size() - headerStart < headerLen)
    return fail("truncated .npy header (needs " + Twine(headerLen) +
                " bytes, file has " + Twine(bytes.size() - headerStart) + ")");
  StringRef header = bytes.substr(headerStart, headerLen);

  Array array;
  bool fortran = false;
  if (Error e = HeaderParser(header).parse(array.descr, fortran, array.shape))
    return std::move(e);
  if (fortran)
    return fail("fortran_order arrays are not supported (save a C-order "
                "array, e.g. np.ascontiguousarray)");
  std::optional<size_t> itemSize = itemSizeOf(array.descr);
  if (!itemSize)
    return fail("unsupported dtype " + describeDtype(array.descr));
  array.itemSize = *itemSize;

  // Overflow-checked: a bogus shape must not wrap to a small size.
  uint64_t total = array.itemSize;
  for (int64_t dim : array.shape) {
    if (dim != 0 && total > UINT64_MAX / uint64_t(dim))
      return fail("shape " + formatShape(array.shape) + " is too large");
    total *= uint64_t(dim);
  }
  size_t dataLen = bytes.size() - headerStart - headerLen;
  if (dataLen < total)
    return fail("truncated: shape " + formatShape(array.shape) + " and dtype " +
                describeDtype(array.descr) + " need " + Twine(total) +
                " bytes of data, the file has " + Twine(dataLen));
  if (dataLen > total)
    return fail("has " + Twine(dataLen - total) +
                " unexpected bytes after the data");
  array.numBytes = total;
  array.data = allocateBuffer(total);
  if (!array.data)
    return fail("out of memory reading " + Twine(total) + " bytes");
  std::memcpy(array.data.get(), bytes.data() + headerStart + headerLen, total);
  return std::move(array);
}

Error writeFile(StringRef path, StringRef descr, ArrayRef<int64_t> shape,
                const void *data, size_t numBytes) {
  std::string header;
  raw_string_ostream os(header);
  os << "{'descr': '" << descr
     << "', 'fortran_order': False, 'shape': " << formatShape(shape) << ", }";
  // Magic, version, 2-byte length, header, '\n': a multiple of 64 bytes.
  size_t unpadded = kMagicLen + 2 + 2 + header.size() + 1;
  header.append(alignTo(unpadded, 64) - unpadded, ' ');
  header += '\n';
  if (header.size() > UINT16_MAX)
    return fail("header too long for .npy version 1.0");

  std::error_code ec;
  raw_fd_ostream out(path, ec, sys::fs::OF_None);
  if (ec)
    return fail("cannot write " + path + ": " + ec.message());
  out.write(kMagic, kMagicLen);
  out << char(1) << char(0) << char(header.size() & 0xff)
      << char(header.size() >> 8) << header;
  out.write(static_cast<const char *>(data), numBytes);
  out.close();
  if (out.has_error()) {
    std::error_code writeEc = out.error();
    // Clear it: a stream destroyed with a pending error aborts the process.
    out.clear_error();
    return fail("cannot write " + path + ": " + writeEc.message());
  }
  return Error::success();
}

} // namespace mlir::seqmix::runtime::npy
