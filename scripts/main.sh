#!/usr/bin/env bash
# Quick start, command 1: install, build, and run the main job on an example
# model graph (examples/mamba2_block.mlir through seqmix-decompose).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "== seqmix-opt --seqmix-decompose examples/mamba2_block.mlir"
build/bin/seqmix-opt examples/mamba2_block.mlir --seqmix-decompose
