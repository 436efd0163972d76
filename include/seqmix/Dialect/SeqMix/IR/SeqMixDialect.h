//===- SeqMixDialect.h - seqmix dialect -------------------------*- C++ -*-===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h.inc"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXDIALECT_H
