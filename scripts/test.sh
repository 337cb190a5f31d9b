#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs them.
#   scripts/test.sh            all tests
#   scripts/test.sh ARGS...    extra arguments go to `cargo test` (e.g. a test name filter)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if ! "$venv/bin/python" -c 'import moto, flask' 2>/dev/null \
    || ! cmp -s tests/requirements.txt "$venv/.requirements"; then
    echo "==> installing the IAM emulator (moto) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$venv/.requirements"
fi
# The integration tests start their own moto servers from here.
export MOTO_SERVER="$PWD/$venv/bin/moto_server"

echo "==> cargo test"
cargo test --all-targets "$@"
