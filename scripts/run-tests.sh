#!/usr/bin/env bash
# Runs every test (lit + pytest) against one build directory (default
# build/) and ends with one line "N passed, M failed" over both suites.
# scripts/test.sh and scripts/sanitize.sh call it after building.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
PY=${PYTHON:-python3}
log=$(mktemp -d)

echo "== lit ($BUILD)"
"$LIT" -sv "$BUILD/test" 2>&1 | tee "$log/lit.txt"
lit_rc=${PIPESTATUS[0]}

echo "== pytest ($BUILD)"
SEQMIX_BIN="$PWD/$BUILD/bin" "$PY" -m pytest -q test/python 2>&1 | tee "$log/pytest.txt"
py_rc=${PIPESTATUS[0]}

# Totals: lit prints "Passed: N" / "Failed: N"; pytest "N passed, M failed".
count() { grep -aEo "$1" "$2" | grep -Eo '[0-9]+' | tail -n1; }
lp=$(count 'Passed *: *[0-9]+' "$log/lit.txt"); lp=${lp:-0}
lf=$(count 'Failed *: *[0-9]+' "$log/lit.txt"); lf=${lf:-0}
pp=$(count '[0-9]+ passed' "$log/pytest.txt"); pp=${pp:-0}
pf=$(count '[0-9]+ failed' "$log/pytest.txt"); pf=${pf:-0}
pe=$(count '[0-9]+ errors?' "$log/pytest.txt"); pe=${pe:-0}
passed=$((lp + pp))
failed=$((lf + pf + pe))
rc=0
if [ "$lit_rc" -ne 0 ] || [ "$py_rc" -ne 0 ]; then
  rc=1
  [ "$failed" -eq 0 ] && failed=1
fi
echo "$passed passed, $failed failed"
exit $rc
