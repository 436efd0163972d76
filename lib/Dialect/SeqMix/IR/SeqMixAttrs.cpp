//===- SeqMixAttrs.cpp - seqmix attributes --------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
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

/// `<key = int, ...>`; keys are bare identifiers, each at most once.
Attribute TileAttr::parse(AsmParser &parser, Type) {
  NamedAttrList entries;
  llvm::SmallDenseSet<StringRef> seen;
  if (parser.parseLess())
    return {};
  if (succeeded(parser.parseOptionalGreater()))
    return TileAttr::get(parser.getContext(),
                         entries.getDictionary(parser.getContext()));
  do {
    std::string key;
    int64_t value;
    SMLoc keyLoc = parser.getCurrentLocation();
    if (parser.parseKeywordOrString(&key) || parser.parseEqual() ||
        parser.parseInteger(value))
      return {};
    if (entries.get(key)) {
      parser.emitError(keyLoc) << "duplicate #seqmix.tile key '" << key << "'";
      return {};
    }
    entries.append(key, parser.getBuilder().getI64IntegerAttr(value));
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  return parser.getChecked<TileAttr>(
      parser.getContext(), entries.getDictionary(parser.getContext()));
}

void TileAttr::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleaveComma(getEntries(), printer, [&](NamedAttribute e) {
    printer << e.getName().getValue() << " = "
            << cast<IntegerAttr>(e.getValue()).getInt();
  });
  printer << ">";
}

LogicalResult TileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               DictionaryAttr entries) {
  for (NamedAttribute e : entries) {
    auto value = dyn_cast<IntegerAttr>(e.getValue());
    if (!value || value.getInt() <= 0)
      return emitError() << "#seqmix.tile value of '" << e.getName().getValue()
                         << "' must be a positive integer, but got "
                         << e.getValue();
  }
  return success();
}

std::optional<int64_t> TileAttr::getValue(StringRef key) const {
  if (auto v = dyn_cast_or_null<IntegerAttr>(getEntries().get(key)))
    return v.getInt();
  return std::nullopt;
}
