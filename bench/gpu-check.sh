#!/usr/bin/env bash
# The GPU check of seqmix: one prepared run on a machine with an NVIDIA GPU
# and the CUDA toolkit (an H100 or H200), meant to finish in under 8
# minutes from the working tree alone:
#   1. the tools: build/bin if its seqmix-run starts; else the bundle of
#      scripts/gpu-bundle.sh (.gpu-bundle/, made on the build machine and
#      carried with the tree, for a GPU machine without LLVM/MLIR 22 that
#      reaches no package registry); else scripts/build.sh;
#   2. the numerical matrix on the GPU: the Python tests that run compiled
#      code through seqmix-run, on the gpu pipeline, against the numpy
#      references (python/seqmix/reference.py);
#   3. the GPU benchmark table (bench/bench.py --gpu).
# The logs and the table's JSON go to $OUT when it is set, else to
# build/gpu-check/.
#
#   bench/gpu-check.sh             on a GPU
#   bench/gpu-check.sh --dry-run   the same steps on the CPU emulation of the
#                                  GPU pipeline, a few tests and small sizes
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pipeline=gpu
tests=(test/python/test_mixers.py test/python/test_recurrences.py
       test/python/test_tiling.py test/python/test_random_inputs.py)
select="gpu and not emulated"
bench=(--gpu=gpu)
if [ "${1:-}" = "--dry-run" ]; then
  pipeline=gpu-emulated
  tests=(test/python/test_mixers.py)
  select="gpu-emulated and (sliding or neighborhood or segment)"
  bench=(--gpu=gpu-emulated --quick --only=na2d)
fi
out=${OUT:-$root/build/gpu-check}
mkdir -p "$out"
start=$SECONDS
step() { echo "== $* ($((SECONDS - start)) s)"; }

step "tools"
bin=$root/build/bin
if ! "$bin/seqmix-run" --help >/dev/null 2>&1; then
  if [ -f .gpu-bundle/seqmix-gpu.tar.xz ]; then
    dir=$(mktemp -d)
    tar -C "$dir" -xJf .gpu-bundle/seqmix-gpu.tar.xz
    # The bundle's libraries for seqmix-run alone: Python and the rest keep
    # the machine's own (newer) ones.
    mkdir -p "$dir/wrap"
    cat > "$dir/wrap/seqmix-run" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$dir/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dir/bin/seqmix-run" "\$@"
WRAP
    chmod +x "$dir/wrap/seqmix-run"
    bin=$dir/wrap
  else
    bash scripts/build.sh > "$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
  fi
fi
export SEQMIX_BIN=$bin
"$bin/seqmix-run" --help >/dev/null 2>&1 || { echo "gpu-check: $bin/seqmix-run does not start"; "$bin/seqmix-run" --help 2>&1 | tail -2; exit 1; }
if [ "$pipeline" = gpu ]; then
  nvidia-smi -L || true
  # One call first: a missing driver or toolkit says so in one line.
  "$bin/seqmix-run" examples/na2d_block.mlir --pipeline=gpu --random-inputs=0 \
    --check=reference --atol=1e-5 || exit 1
fi

step "numerical matrix on the $pipeline pipeline"
# Each test compiles its kernels (ptxas included): spread over the CPUs
# where pytest-xdist is there.
parallel=()
if python3 -c "import xdist" 2>/dev/null; then
  parallel=(-n "$(( $(nproc) > 8 ? 8 : $(nproc) ))")
fi
timeout 330 python3 -m pytest -q -p no:cacheprovider "${parallel[@]}" "${tests[@]}" -k "$select" \
  2>&1 | tee "$out/tests.log" | tail -15
tests_rc=${PIPESTATUS[0]}

step "benchmark table"
timeout 240 python3 bench/bench.py "${bench[@]}" --json "$out/gpu-bench.json" \
  2>&1 | tee "$out/gpu-bench.txt"
bench_rc=${PIPESTATUS[0]}

step "done: tests exit $tests_rc, bench exit $bench_rc"
[ "$tests_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ]
