#!/usr/bin/env python3
"""The main job: a Mamba-1 block at a realistic size (d_model 768, d_inner
1536, N = 16, dt_rank 48, conv width 4, T = 2048), weights initialized as
the model initializes them, compiled with the reference pipeline and with
the CPU pipeline. Prints both times, the speedup, the CPU pipeline's time
per op, and the largest difference between the two outputs.

    python3 examples/mamba_block_main.py [--T 2048] [--d-model 768] [--threads N]
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import numpy as np  # noqa: E402

from seqmix import models  # noqa: E402
from seqmix.run import parse_bench, tool  # noqa: E402

def run(module, inputs, pipeline, out_dir, iters, threads, profile=False):
    cmd = [tool("seqmix-run"), str(module), f"--pipeline={pipeline}",
           f"--output-dir={out_dir}", f"--bench={iters}"]
    cmd += [f"--input={p}" for p in inputs]
    if threads:
        cmd.append(f"--threads={threads}")
    if profile:
        cmd.append("--profile")
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"seqmix-run ({pipeline}) failed:\n{out.stderr}")
    ms = parse_bench(out.stdout)["median_ms"]
    prof = [l for l in out.stdout.splitlines() if l.startswith("profile:")]
    return ms, np.load(pathlib.Path(out_dir) / "out0.npy"), prof


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--T", type=int, default=2048)
    p.add_argument("--d-model", type=int, default=768)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--iters", type=int, default=5)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        module = tmp / "mamba_block.mlir"
        module.write_text(models.mamba_block(d_model=a.d_model))
        inputs = []
        for i, x in enumerate(models.mamba_block_inputs(rng, a.T, a.d_model)):
            inputs.append(tmp / f"in{i}.npy")
            np.save(inputs[-1], x)
        print(f"Mamba-1 block: d_model {a.d_model}, d_inner {2 * a.d_model}, "
              f"N 16, T {a.T}, batch 1, fp32")
        (tmp / "ref").mkdir()
        (tmp / "cpu").mkdir()
        # The naive loops take tens of seconds at this size: one timed call.
        ref_ms, ref, _ = run(module, inputs, "reference", tmp / "ref", 1, 0)
        cpu_ms, out, prof = run(module, inputs, "cpu", tmp / "cpu", a.iters,
                                a.threads, profile=True)
    err = np.abs(out.astype(np.float64) - ref)
    print(f"reference pipeline: {ref_ms:10.1f} ms")
    print(f"cpu pipeline:       {cpu_ms:10.1f} ms   speedup {ref_ms / cpu_ms:.1f}x")
    print("cpu pipeline, time per op:")
    for line in prof:
        print("  " + line[len("profile: "):])
    print(f"output: mean |y| {np.abs(out).mean():.3g}, max |y| {np.abs(out).max():.3g}; "
          f"max |cpu - reference| {err.max():.3g} "
          f"(relative to max |y|: {err.max() / np.abs(ref).max():.2g})")
    ok = np.allclose(out, ref, rtol=1e-4, atol=1e-5 * np.abs(ref).max())
    print("check:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
