"""The committed dialect and pass reference (docs/generated/) must match what
mlir-tblgen generates from the .td files (refresh with scripts/docs.sh)."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NAMES = ["SeqMixDialect.md", "SeqMixPasses.md", "SeqMixConversionPasses.md"]


@pytest.mark.parametrize("name", NAMES)
def test_generated_docs_up_to_date(name):
    built = ROOT / "build" / "docs" / "SeqMix" / name
    if not built.exists():
        pytest.skip("build/docs not generated (run scripts/build.sh)")
    committed = ROOT / "docs" / "generated" / name
    assert committed.exists(), f"docs/generated/{name} missing: run scripts/docs.sh"
    assert committed.read_text() == built.read_text(), (
        f"docs/generated/{name} is stale: run scripts/docs.sh")
