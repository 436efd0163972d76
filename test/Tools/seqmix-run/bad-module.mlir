// Modules seqmix-run cannot run: invalid IR, unsupported boundary types, no
// unambiguous entry. Each gives a "seqmix-run: " line and exit code 2.

// RUN: sh -c 'seqmix-run %S/Inputs/invalid.mlir --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=INVALID
// INVALID: error: type of return operand 0 ('tensor<2xf32>') doesn't match function result type ('tensor<3xf32>')
// INVALID: seqmix-run: cannot parse {{.*}}invalid.mlir
// INVALID: exit 2

// RUN: sh -c 'seqmix-run %S/Inputs/no-such-file.mlir 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=NOFILE
// NOFILE: seqmix-run: cannot open input file '{{.*}}no-such-file.mlir'
// NOFILE-NEXT: exit 2

// RUN: sh -c 'seqmix-run %S/Inputs/unsupported-arg.mlir --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=ARG
// ARG: seqmix-run: argument #0 ('%a' of @main) has unsupported type tensor<2xf64>: entry functions take and return ranked tensors of f32, f16, bf16, i8, i32, i64 or !quant.uniform<i8:f32, scale>
// ARG-NEXT: exit 2

// RUN: sh -c 'seqmix-run %S/Inputs/unsupported-result.mlir --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=RESULT
// RESULT: seqmix-run: result #1 of @main has unsupported type index
// RESULT-NEXT: exit 2

// RUN: sh -c 'seqmix-run %S/Inputs/two-entries.mlir --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=AMBIGUOUS
// AMBIGUOUS: seqmix-run: {{.*}}two-entries.mlir has several public functions (@f, @g); choose one with --entry=NAME
// AMBIGUOUS-NEXT: exit 2

// RUN: sh -c 'seqmix-run %S/Inputs/two-entries.mlir --entry=decl --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=DECL
// DECL: seqmix-run: @decl is a declaration without a body
// DECL-NEXT: exit 2

// RUN: sh -c 'seqmix-run %s --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s --check-prefix=EMPTY
// EMPTY: seqmix-run: {{.*}}bad-module.mlir has no public func.func with a body to run
// EMPTY-NEXT: exit 2

// With --entry, another public function is never compiled.
// RUN: seqmix-run %S/Inputs/two-entries.mlir --entry=g --random-inputs=1 --dim=3 | FileCheck %s --check-prefix=PICK
// PICK: out0: tensor<2xf32>

func.func private @helper(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}
