//===- SeqMixDialect.cpp - seqmix dialect ---------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqmix;

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.cpp.inc"

void SeqMixDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"
      >();
  registerAttributes();
}

/// Checks the discardable `seqmix.*` attributes, above all `seqmix.tile`
/// against the keys the op declares.
LogicalResult SeqMixDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() != kTileAttrName)
    return op->emitError() << "unknown seqmix attribute '"
                           << attr.getName().getValue() << "'";
  auto tile = dyn_cast<TileAttr>(attr.getValue());
  if (!tile)
    return op->emitError() << "'" << kTileAttrName
                           << "' must be a #seqmix.tile<...> attribute, but got "
                           << attr.getValue();
  auto tileable = dyn_cast<TileableOpInterface>(op);
  if (!tileable)
    return op->emitError() << "'" << kTileAttrName
                           << "' is only valid on seqmix ops with block "
                              "sizes, not on '"
                           << op->getName() << "'";
  ArrayRef<TileKey> keys = tileable.getTileKeys();
  for (NamedAttribute entry : tile.getEntries()) {
    const TileKey *key = llvm::find_if(
        keys, [&](const TileKey &k) { return k.name == entry.getName(); });
    if (key == keys.end()) {
      SmallVector<StringRef> names;
      for (const TileKey &k : keys)
        names.push_back(k.name);
      return op->emitOpError()
             << "#seqmix.tile key '" << entry.getName().getValue()
             << "' is not valid here; valid keys: " << llvm::join(names, ", ");
    }
    auto valueAttr = dyn_cast<IntegerAttr>(entry.getValue());
    if (!valueAttr || valueAttr.getInt() <= 0)
      return op->emitOpError() << "#seqmix.tile key '"
                               << entry.getName().getValue()
                               << "' must be a positive integer";
    int64_t value = valueAttr.getInt();
    if (key->powerOfTwo && !llvm::isPowerOf2_64(value))
      return op->emitOpError() << "#seqmix.tile key '"
                               << entry.getName().getValue()
                               << "' must be a power of two, but got " << value;
  }
  return success();
}
