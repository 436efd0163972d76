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
bash scripts/run-tests.sh build-sanitize
