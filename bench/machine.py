#!/usr/bin/env python3
"""This machine's limits, measured by bench/machine.cpp: fp32 FMA peak
(GFLOP/s), DRAM triad bandwidth (GB/s) and vectorized expf rate (G exp/s),
for 1 and N threads. Use it to re-measure the roofline numbers before
trusting a roofline share on a new machine.

    python3 bench/machine.py [--threads N]

or, from Python, `measure(threads) -> dict`. Takes a few seconds; the
numbers are only as quiet as the machine is (run nothing else meanwhile).
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "bench" / "machine.cpp"


def _cache_dir():
    # Next to the other build outputs when there is a build tree, so it is
    # cleaned with it; a fixed temp path otherwise, so it is still reused.
    if (ROOT / "build").is_dir():
        d = ROOT / "build" / "bench" / "machine"
    else:
        d = pathlib.Path(tempfile.gettempdir()) / "seqmix-bench-machine"
    d.mkdir(parents=True, exist_ok=True)
    return d


def compile_command(output):
    """The compiler line for `output`: the newest clang first (its libomp is
    the one installed), then any clang, then g++."""
    for cxx in ("clang++-22", "clang++", "g++"):
        if shutil.which(cxx):
            omp = "-fopenmp" if cxx == "g++" else "-fopenmp=libomp"
            return [cxx, "-std=c++17", "-O2", omp, "-march=native",
                    str(SOURCE), "-o", str(output)]
    raise RuntimeError("no C++ compiler found (clang++-22, clang++ or g++)")


def build():
    """Path of the benchmark binary, compiled only when missing or older
    than its source."""
    binary = _cache_dir() / "machine"
    if binary.exists() and binary.stat().st_mtime >= SOURCE.stat().st_mtime:
        return binary
    # Compile to a private name and rename, so a concurrent caller never runs
    # a half-written binary.
    tmp = binary.with_name(f"machine.{os.getpid()}.tmp")
    subprocess.run(compile_command(tmp), check=True)
    os.replace(tmp, binary)
    return binary


LINE = re.compile(r"^machine: threads=(\d+) (.*)$")


def measure(threads: int = 2) -> dict:
    """{"threads1": {...}, "threadsN": {...}, "vector_bits": int}, each inner
    dict holding fma_gflops, dram_gbs and exp_gps."""
    out = subprocess.run([str(build()), f"--threads={threads}"], check=True,
                         capture_output=True, text=True, timeout=600).stdout
    rows, bits = {}, None
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        row = rows.setdefault(int(m.group(1)), {})
        for key, value in (kv.split("=") for kv in m.group(2).split()):
            if key == "vector_bits":
                bits = int(value)
            else:
                row[key] = float(value)
    # With --threads=1 the binary prints the 1-thread rows only.
    return {"threads1": rows[1], "threadsN": rows.get(threads, rows[1]),
            "vector_bits": bits}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    r = measure(args.threads)
    n = args.threads
    print(f"{'':16}{'1 thread':>10}{f'{n} thread' + 's' * (n > 1):>12}")
    for key, label, fmt in (("fma_gflops", "FMA GFLOP/s", "{:.1f}"),
                            ("dram_gbs", "DRAM GB/s", "{:.1f}"),
                            ("exp_gps", "exp G/s", "{:.2f}")):
        print(f"{label:16}{fmt.format(r['threads1'][key]):>10}"
              f"{fmt.format(r['threadsN'][key]):>12}")
    print(f"vector width: {r['vector_bits']} bits")


if __name__ == "__main__":
    sys.exit(main())
