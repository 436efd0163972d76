"""seqmix: Python side of the sequence-mixing MLIR dialect.

Only the numpy reference implementations live here so far
(``seqmix.reference``). They follow the formulas of docs/Ops.md
(docs/Ops.md) one by one and are the independent oracle for the compiler's
execution tests.
"""

from . import reference

__all__ = ["reference"]
