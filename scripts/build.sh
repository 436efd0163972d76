#!/usr/bin/env bash
# Configures (once) and builds seqmix with clang-22, lld, ccache and the
# shared libMLIR (CMakePresets.json, preset "default").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  cmake --preset default >/dev/null
fi
cmake --build build -j"$(nproc)"
# Dialect and pass docs from the .td files (compared with docs/generated/).
cmake --build build --target mlir-doc >/dev/null
