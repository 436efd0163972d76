#!/usr/bin/env bash
# Quick start, command 1: install, build, and run the main job: a Mamba-1
# block at a realistic size (d_model 768, d_inner 1536, N 16, T 2048) with
# model-like weights, compiled with the reference and the CPU pipelines;
# prints both times, the speedup, the time per op and the difference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "== python3 examples/mamba_block_main.py"
python3 examples/mamba_block_main.py
