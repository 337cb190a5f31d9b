# Sourced by the benchmark scripts that need a moto server (run from the project root with
# $venv set): a scratch folder in $work, kept on exit only with KEEP_WORK=1, and
# `start_moto`, which starts .venv's moto_server with the AWS managed policies on a free
# loopback port and waits for it: $url, $moto_pid, its log in $work/moto.log.

work=$(mktemp -d)
moto_pid=
cleanup() {
    if [[ -n "$moto_pid" ]]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
    if [[ -n "${KEEP_WORK:-}" ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

start_moto() {
    local port
    port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    url="http://127.0.0.1:$port"
    MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>"$work/moto.log" &
    moto_pid=$!
    for _ in $(seq 300); do
        if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('$url/moto-api/')" 2>/dev/null; then return 0; fi
        if ! kill -0 "$moto_pid" 2>/dev/null; then echo "moto_server exited:" >&2; cat "$work/moto.log" >&2; exit 2; fi
        sleep 0.1
    done
    echo "moto_server did not answer at $url" >&2
    exit 2
}
