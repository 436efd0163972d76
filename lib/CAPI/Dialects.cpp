//===- Dialects.cpp - the seqmix dialect from C ---------------------------===//

#include "seqmix-c/Dialects.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h"
#include "seqmix/Dialect/SeqMix/Transforms/Interfaces.h"
#include "seqmix/Runtime/Runtime.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(SeqMix, seqmix,
                                      mlir::seqmix::SeqMixDialect)

void seqmixRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::seqmix::runtime::registerRuntimeDialects(*unwrap(registry));
}
