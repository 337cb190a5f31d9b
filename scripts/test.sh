#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs them.
#   scripts/test.sh            all tests
#   scripts/test.sh ARGS...    these arguments to `cargo test` instead (e.g. --test moto)
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
if [ $# -eq 0 ]; then
    cargo test --all-targets
else
    cargo test "$@"
fi
