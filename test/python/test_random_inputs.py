"""seqmix-run --random-inputs draws model-like values from what each argument
feeds (WorkloadOpInterface hints and projection fan-in), so the benchmark
cases compute finite outputs. The benchmarks are run here at a small T."""

import importlib.util
import pathlib

import numpy as np
import pytest

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench" / "bench.py"


def bench_cases():
    spec = importlib.util.spec_from_file_location("seqmix_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CASES


@pytest.mark.parametrize("name", sorted(bench_cases()))
def test_bench_case_random_inputs_are_finite(compiled, name):
    module = bench_cases()[name][0](64)  # (builder, pipelines, baseline)
    outs = compiled.run(module, [], extra=["--random-inputs=0"])
    assert outs
    for i, out in enumerate(outs):
        assert np.isfinite(out).all(), f"{name}: output {i} is not finite"
