#!/usr/bin/env bash
# The whole test suite (lit + pytest) on an AddressSanitizer +
# UndefinedBehaviorSanitizer build of the compiler, the runtime and the
# tools (CMake preset "sanitize", in build-sanitize/). JIT-compiled kernels
# are not instrumented; everything around them is. Ends like scripts/test.sh
# with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
if [ ! -f build-sanitize/build.ninja ]; then
  cmake --preset sanitize >/dev/null || exit 1
fi
cmake --build build-sanitize -j"$(nproc)" || exit 1
cmake --build build-sanitize --target mlir-doc >/dev/null || exit 1

# libMLIR.so is not instrumented: leaks it owns at exit are not ours.
# The LLVM allocators inlined into our code poison memory that the
# uninstrumented libMLIR.so then uses legitimately: user poisoning is off.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allow_user_poisoning=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
PY=${PYTHON:-python3}
log=$(mktemp -d)
echo "== lit (sanitized)"
"$LIT" -sv build-sanitize/test 2>&1 | tee "$log/lit.txt"
lit_rc=${PIPESTATUS[0]}
echo "== pytest (sanitized)"
SEQMIX_BIN="$PWD/build-sanitize/bin" "$PY" -m pytest -q test/python 2>&1 | tee "$log/pytest.txt"
py_rc=${PIPESTATUS[0]}
count() { grep -Eo "$1" "$2" | grep -Eo '[0-9]+' | tail -n1; }
lp=$(count 'Passed *: *[0-9]+' "$log/lit.txt"); lp=${lp:-0}
lf=$(count 'Failed *: *[0-9]+' "$log/lit.txt"); lf=${lf:-0}
pp=$(count '[0-9]+ passed' "$log/pytest.txt"); pp=${pp:-0}
pf=$(count '[0-9]+ failed' "$log/pytest.txt"); pf=${pf:-0}
failed=$((lf + pf))
if [ "$lit_rc" -ne 0 ] || [ "$py_rc" -ne 0 ]; then [ "$failed" -eq 0 ] && failed=1; fi
echo "$((lp + pp)) passed, $failed failed"
[ "$lit_rc" -eq 0 ] && [ "$py_rc" -eq 0 ]
