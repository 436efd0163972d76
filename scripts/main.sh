#!/usr/bin/env bash
# Quick start, command 1: install, build, and run the main job: compile
# examples/mamba_block.mlir (a Mamba-1 block) for the CPU, run it on random
# inputs, print the max error against the reference pipeline and the time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "== seqmix-run examples/mamba_block.mlir --pipeline=cpu --random-inputs=0 --check=reference --bench=10"
build/bin/seqmix-run examples/mamba_block.mlir --pipeline=cpu --random-inputs=0 \
  --check=reference --bench=10
