"""The committed dialect and pass reference (docs/generated/) must match what
mlir-tblgen generates from the .td files (refresh with scripts/docs.sh)."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The build whose binaries the tests run ($SEQMIX_BIN is its bin/).
BUILD = (pathlib.Path(os.environ["SEQMIX_BIN"]).parent
         if os.environ.get("SEQMIX_BIN") else ROOT / "build")
NAMES = ["SeqMixDialect.md", "SeqMixPasses.md", "SeqMixConversionPasses.md"]


@pytest.mark.parametrize("name", NAMES)
def test_generated_docs_up_to_date(name):
    built = BUILD / "docs" / "SeqMix" / name
    if not built.exists():
        pytest.skip("build/docs not generated (run scripts/build.sh)")
    committed = ROOT / "docs" / "generated" / name
    assert committed.exists(), f"docs/generated/{name} missing: run scripts/docs.sh"
    assert committed.read_text() == built.read_text(), (
        f"docs/generated/{name} is stale: run scripts/docs.sh")
