"""bf16 and f16 inputs for the Python tests: rounding, the raw words
seqmix-run reads, and the error bound of products on tensor cores."""

import numpy as np


def to_bf16_bits(x):
    """Rounds f32 to bf16 (nearest even) and returns the raw 16-bit words
    (how .npy files carry bf16 for seqmix-run)."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return bits.astype(np.uint16)


def from_bf16_bits(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def half_inputs(dtype, arrays):
    """Rounds f32 arrays to bf16 or f16: (the Args' data, the rounded
    values as f32 for the reference)."""
    if dtype == "bf16":
        raw = [to_bf16_bits(a) for a in arrays]
        return raw, [from_bf16_bits(r) for r in raw]
    raw = [a.astype(np.float16) for a in arrays]
    return raw, [r.astype(np.float32) for r in raw]


def close_to_scale(got, want, rel):
    """|got - want| <= rel * max|want|: the error of products whose
    operands are rounded to a 16-bit float, summed into f32."""
    want = np.asarray(want, np.float32)
    np.testing.assert_allclose(got, want, rtol=0,
                               atol=rel * float(np.abs(want).max()))


# On GPU pipelines bf16/f16 chunked recurrences and windowed attention run
# their products on tensor cores: the operands (q, k, v, the masked and
# decayed scores or the probabilities, the state, the decayed keys) are
# rounded to the inputs' type, the sums are f32. The bound is a few
# roundings of the operands: 2^-6 of the output's scale for bf16 (8 bits),
# 2^-9 for f16 (11 bits).
HALF_REL = {"bf16": 2 ** -6, "f16": 2 ** -9}
