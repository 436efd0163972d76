// The GPU pipeline's kernels for every op variant (each combination of
// optional operands and results, from Inputs/gen_op_combinations.py), run
// on the CPU by seqmix-gpu-emulation-pipeline (blocks and threads one after
// another, last to first), give the reference pipeline's results on random
// inputs: the tiles, blocks, thread bodies and local copies of the GPU code
// are right, on a machine without a GPU.
//
// RUN: %python %S/../Dialect/SeqMix/Inputs/gen_op_combinations.py > %t.mlir
// RUN: for f in $(grep -o 'func.func @[a-z_0-9]*' %t.mlir | cut -d@ -f2); do \
// RUN:   seqmix-run %t.mlir --entry=$f --pipeline=gpu-emulated \
// RUN:     --random-inputs=1 --check=reference 2>&1 || echo "ERROR $f"; \
// RUN: done | %python -c "import sys; t = sys.stdin.read(); \
// RUN:   print(t.count('PASS'), 'PASS', t.count('FAIL'), 'FAIL', \
// RUN:         t.count('ERROR'), 'ERROR')" | FileCheck %s
// CHECK: {{[1-9][0-9]+}} PASS 0 FAIL 0 ERROR
