#!/usr/bin/env bash
# Regenerates the dialect and pass reference from the .td files into
# docs/generated/ (run after changing any .td file; a test checks they match).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target mlir-doc >/dev/null
mkdir -p docs/generated
cp build/docs/SeqMix/SeqMixDialect.md build/docs/SeqMix/SeqMixPasses.md \
   build/docs/SeqMix/SeqMixConversionPasses.md docs/generated/
echo "docs/generated updated"
