//===- SeqMixAttrs.h - seqmix attributes ------------------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h.inc"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_H
