// Every combination of optional operands and results, in custom and generic
// form. The functions come from Inputs/gen_op_combinations.py. The state init
// and final-state result of the recurrences are always present, so only the
// other optional operands (and the optional lse) vary.
// RUN: %python %S/Inputs/gen_op_combinations.py | seqmix-opt | seqmix-opt --mlir-print-op-generic | seqmix-opt | FileCheck %s

// CHECK-COUNT-32: seqmix.linear_attention ins(
// CHECK-COUNT-32: seqmix.selective_scan ins(
// CHECK-COUNT-48: seqmix.ssd ins(
// CHECK-COUNT-4: seqmix.causal_conv1d ins(
// CHECK-COUNT-12: seqmix.neighborhood_attention ins(
// CHECK-COUNT-2: seqmix.sliding_window_attention ins(
// CHECK-NOT: seqmix.
