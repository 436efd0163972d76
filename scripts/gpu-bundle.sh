#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a GPU machine that has the CUDA
# toolkit but no LLVM/MLIR 22 and reaches no package registry: the built
# seqmix-run, the CUDA host runtime and every shared
# library they load except the C and C++ runtimes, which the target has in
# a newer version. Writes .gpu-bundle/seqmix-gpu.tar.xz (ignored by git;
# carry .gpu-bundle with the working tree, about 58 MiB of the 64 a GPU
# machine's copy of the tree may take). Run it after scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/bin/seqmix-run ] || { echo "gpu-bundle: build/bin/seqmix-run is missing (run scripts/build.sh)" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp build/bin/seqmix-run "$stage/bin/"
strip --strip-unneeded "$stage"/bin/*
# The libraries the JIT opens by path (OpenMP, MLIR's C runner utilities)
# are looked for beside the tool's libraries when their build path is not
# there.
jit_libs=$(strings build/bin/seqmix-run | grep -E '^/.*/lib(omp|mlir_c_runner_utils)\.so$' || true)
{ ldd build/bin/seqmix-run | awk '/=> \//{print $3}'; echo "$jit_libs"; } |
  grep . | sort -u |
while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|ld-linux*|\
    libgcc_s.so.*|libstdc++.so.*) ;;
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done
mkdir -p .gpu-bundle
tar -C "$stage" -cf - bin lib | xz -T0 -9e > .gpu-bundle/seqmix-gpu.tar.xz
echo "gpu-bundle: .gpu-bundle/seqmix-gpu.tar.xz ($(du -h .gpu-bundle/seqmix-gpu.tar.xz | cut -f1)," \
     "$(ls "$stage/lib" | wc -l) libraries)"
