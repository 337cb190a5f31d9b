#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs them.
#   scripts/test.sh            all tests
#   scripts/test.sh ARGS...    these arguments to `cargo test` instead (e.g. --test moto)
#
# Everything installed goes under .venv (gitignored), pinned, and is reinstalled only when
# its pin changes: the IAM emulator and the Python format validators from
# tests/requirements.txt, and Microsoft's SARIF Multitool from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if ! "$venv/bin/python" -c 'import moto, flask, jsonschema, py_ocsf_models, botocore' 2>/dev/null \
    || ! cmp -s tests/requirements.txt "$venv/.requirements"; then
    echo "==> installing the IAM emulator (moto) and the format validators into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$venv/.requirements"
fi
# The integration tests start their own moto servers from here.
export MOTO_SERVER="$PWD/$venv/bin/moto_server"
# tests/formats.rs runs tests/validators.py with it.
export VENV_PYTHON="$PWD/$venv/bin/python"

# The SARIF Multitool: a self-contained Linux x64 program inside an npm package, with the
# SARIF 2.1.0 JSON schema beside it. Its install script (a chmod) is done here instead.
multitool_version=5.7.0
multitool_dir="$venv/npm/node_modules/@microsoft/sarif-multitool-linux"
if ! grep -qs "\"version\": \"$multitool_version\"" "$multitool_dir/package.json" \
    || [ ! -f "$multitool_dir/Sarif.Multitool" ]; then
    echo "==> installing the SARIF Multitool $multitool_version into $venv/npm"
    npm install --prefix "$venv/npm" --no-save --no-audit --no-fund --ignore-scripts \
        --loglevel=error "@microsoft/sarif-multitool-linux@$multitool_version"
fi
chmod u+x "$multitool_dir/Sarif.Multitool"
export SARIF_MULTITOOL="$PWD/$multitool_dir/Sarif.Multitool"

# Headless Chromium for tests/html.rs: Debian's package (no browser download), driven by
# tests/browser/drive.mjs under node. CI runs as root on a fresh Debian machine.
if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium (apt-get)"
    apt_log=$(mktemp)
    if ! { apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        echo "could not install chromium; tests/html.rs needs it" >&2
        exit 1
    fi
    rm -f "$apt_log"
fi
export CHROMIUM=/usr/bin/chromium

echo "==> cargo test"
if [ $# -eq 0 ]; then
    cargo test --all-targets
else
    cargo test "$@"
fi
