#!/usr/bin/env bash
# Installs what seqmix needs and is missing: LLVM/MLIR 22 from Debian's
# packages, the build tools, nanobind + scikit-build-core for the Python
# extension, and numpy, ml_dtypes and pytest for the Python package and tests.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22
              lld-22 libomp-22-dev ccache ninja-build cmake)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import numpy, pytest, nanobind, scikit_build_core, ml_dtypes" 2>/dev/null; then
  echo "setup: installing numpy, pytest, nanobind, scikit-build-core, ml_dtypes"
  "$PY" -m pip install -q numpy pytest nanobind scikit-build-core ml_dtypes
fi
# `pip install .` into a fresh virtual environment (scripts/test.sh) needs venv.
if ! "$PY" -c "import ensurepip, venv" 2>/dev/null; then
  echo "setup: installing python3-venv"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
