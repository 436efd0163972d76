//===- SeqMixAttrs.cpp - seqmix attributes --------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqmix;

#include "seqmix/Dialect/SeqMix/IR/SeqMixEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.cpp.inc"

void SeqMixDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Tiling configs
//===----------------------------------------------------------------------===//

/// One `key = [sizes]` or `key = int` entry of a tiling config.
struct ConfigEntry {
  std::string key;
  SmallVector<int64_t> sizes;
  std::optional<int64_t> value;
};

/// `<key = [1, 2], key = 3, ...>`: each key at most once and among `keys`;
/// `listKeys` take a bracketed list, the others an integer.
static FailureOr<SmallVector<ConfigEntry>>
parseConfig(AsmParser &parser, StringRef attr, ArrayRef<StringRef> listKeys,
            ArrayRef<StringRef> intKeys) {
  SmallVector<ConfigEntry> entries;
  if (parser.parseLess())
    return failure();
  if (succeeded(parser.parseOptionalGreater()))
    return entries;
  do {
    ConfigEntry e;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeywordOrString(&e.key) || parser.parseEqual())
      return failure();
    bool isList = llvm::is_contained(listKeys, e.key);
    if (!isList && !llvm::is_contained(intKeys, e.key)) {
      SmallVector<StringRef> all(listKeys);
      all.append(intKeys.begin(), intKeys.end());
      return parser.emitError(loc)
             << "#seqmix." << attr << " has no key '" << e.key
             << "'; valid keys: " << llvm::join(all, ", ");
    }
    if (llvm::any_of(entries, [&](auto &o) { return o.key == e.key; }))
      return parser.emitError(loc)
             << "duplicate #seqmix." << attr << " key '" << e.key << "'";
    if (isList) {
      if (parser.parseCommaSeparatedList(
              AsmParser::Delimiter::Square, [&]() -> ParseResult {
                return parser.parseInteger(e.sizes.emplace_back());
              }))
        return failure();
    } else {
      int64_t v;
      if (parser.parseInteger(v))
        return failure();
      e.value = v;
    }
    entries.push_back(std::move(e));
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return failure();
  return entries;
}

static SmallVector<int64_t> listOf(ArrayRef<ConfigEntry> entries,
                                   StringRef key) {
  for (const ConfigEntry &e : entries)
    if (e.key == key)
      return e.sizes;
  return {};
}
static std::optional<int64_t> intOf(ArrayRef<ConfigEntry> entries,
                                    StringRef key) {
  for (const ConfigEntry &e : entries)
    if (e.key == key)
      return e.value;
  return std::nullopt;
}

/// Prints the set parts in a fixed order.
static void
printConfig(AsmPrinter &printer,
            ArrayRef<std::pair<StringRef, ArrayRef<int64_t>>> lists,
            ArrayRef<std::pair<StringRef, std::optional<int64_t>>> ints) {
  printer << "<";
  bool first = true;
  auto sep = [&] {
    if (!first)
      printer << ", ";
    first = false;
  };
  for (auto [key, sizes] : lists)
    if (!sizes.empty()) {
      sep();
      printer << key << " = [";
      llvm::interleaveComma(sizes, printer);
      printer << "]";
    }
  for (auto [key, value] : ints)
    if (value) {
      sep();
      printer << key << " = " << *value;
    }
  printer << ">";
}

Attribute CpuTilingAttr::parse(AsmParser &parser, Type) {
  auto entries = parseConfig(
      parser, "cpu_tiling", {"threads", "cache", "vector", "query"}, {"chunk"});
  if (failed(entries))
    return {};
  return parser.getChecked<CpuTilingAttr>(
      parser.getContext(), listOf(*entries, "threads"),
      listOf(*entries, "cache"), listOf(*entries, "vector"),
      listOf(*entries, "query"), intOf(*entries, "chunk"));
}
void CpuTilingAttr::print(AsmPrinter &printer) const {
  printConfig(printer,
              {{"threads", getThreads()},
               {"cache", getCache()},
               {"vector", getVector()},
               {"query", getQuery()}},
              {{"chunk", getChunk()}});
}

Attribute GpuTilingAttr::parse(AsmParser &parser, Type) {
  auto entries = parseConfig(parser, "gpu_tiling", {"blocks", "serial"},
                             {"warps", "stages", "chunk"});
  if (failed(entries))
    return {};
  return parser.getChecked<GpuTilingAttr>(
      parser.getContext(), listOf(*entries, "blocks"),
      listOf(*entries, "serial"), intOf(*entries, "warps"),
      intOf(*entries, "stages"), intOf(*entries, "chunk"));
}
void GpuTilingAttr::print(AsmPrinter &printer) const {
  printConfig(
      printer, {{"blocks", getBlocks()}, {"serial", getSerial()}},
      {{"warps", getWarps()}, {"stages", getStages()}, {"chunk", getChunk()}});
}

/// Every size of every level is >= 0; a chunk or a count is >= 1.
static LogicalResult
verifySizes(function_ref<InFlightDiagnostic()> emitError, StringRef attr,
            ArrayRef<std::pair<StringRef, ArrayRef<int64_t>>> levels,
            ArrayRef<std::pair<StringRef, std::optional<int64_t>>> counts) {
  for (auto [name, sizes] : levels)
    for (int64_t s : sizes)
      if (s < 0)
        return emitError() << "#seqmix." << attr << " level '" << name
                           << "' must hold sizes >= 0 (0 leaves a loop "
                              "untiled), but holds "
                           << s;
  for (auto [name, value] : counts)
    if (value && *value < 1)
      return emitError() << "#seqmix." << attr << " '" << name
                         << "' must be >= 1, but is " << *value;
  return success();
}

LogicalResult
CpuTilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int64_t> threads, ArrayRef<int64_t> cache,
                      ArrayRef<int64_t> vector, ArrayRef<int64_t> query,
                      std::optional<int64_t> chunk) {
  if (llvm::is_contained(query, 0))
    return emitError() << "#seqmix.cpu_tiling 'query' must hold sizes >= 1 "
                          "(a query tile covers at least one query per axis)";
  return verifySizes(emitError, "cpu_tiling",
                     {{"threads", threads},
                      {"cache", cache},
                      {"vector", vector},
                      {"query", query}},
                     {{"chunk", chunk}});
}
ArrayRef<int64_t> CpuTilingAttr::getParallelTileSizes() const {
  return getThreads();
}
ArrayRef<int64_t> CpuTilingAttr::getSerialTileSizes() const {
  return getCache();
}
ArrayRef<int64_t> CpuTilingAttr::getVectorTileSizes() const {
  return getVector();
}
std::optional<int64_t> CpuTilingAttr::getChunkSize() const {
  return getChunk();
}
Attribute CpuTilingAttr::withoutLoopLevels() const {
  if (getVector().empty() && getQuery().empty() && !getChunk())
    return {};
  return CpuTilingAttr::get(getContext(), {}, {}, getVector(), getQuery(),
                            getChunk());
}

LogicalResult GpuTilingAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> blocks,
    ArrayRef<int64_t> serial, std::optional<int64_t> warps,
    std::optional<int64_t> stages, std::optional<int64_t> chunk) {
  return verifySizes(emitError, "gpu_tiling",
                     {{"blocks", blocks}, {"serial", serial}},
                     {{"warps", warps}, {"stages", stages}, {"chunk", chunk}});
}
ArrayRef<int64_t> GpuTilingAttr::getParallelTileSizes() const {
  return getBlocks();
}
ArrayRef<int64_t> GpuTilingAttr::getSerialTileSizes() const {
  return getSerial();
}
ArrayRef<int64_t> GpuTilingAttr::getVectorTileSizes() const { return {}; }
std::optional<int64_t> GpuTilingAttr::getChunkSize() const {
  return getChunk();
}
bool GpuTilingAttr::spreadsUnsliceableLoop(LoopStructureOpInterface op) const {
  ArrayRef<int64_t> blocks = getBlocks();
  SmallVector<utils::IteratorType> kinds = op.getLoopKinds();
  for (unsigned l = 0; l < blocks.size() && l < kinds.size(); ++l)
    if (blocks[l] > 0 && kinds[l] == utils::IteratorType::parallel &&
        !op.isLoopTileable(l))
      return true;
  return false;
}
Attribute GpuTilingAttr::withoutLoopLevels() const {
  if (!getWarps() && !getStages() && !getChunk())
    return {};
  return GpuTilingAttr::get(getContext(), {}, {}, getWarps(), getStages(),
                            getChunk());
}

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrInterfaces.cpp.inc"
