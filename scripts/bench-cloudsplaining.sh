#!/usr/bin/env bash
# A benchmark, not a test: iamscan's offline scan beside Cloudsplaining's on the same
# authorization-details export of a seeded moto account (1000 users, 1000 roles by default).
#   scripts/bench-cloudsplaining.sh
#   USERS=200 ROLES=200 scripts/bench-cloudsplaining.sh
set -euo pipefail
cd "$(dirname "$0")/.."

users=${USERS:-1000}
roles=${ROLES:-1000}
venv=.venv
if [[ ! -x "$venv/bin/moto_server" ]]; then
    echo "no $venv/bin/moto_server: run scripts/test.sh --no-run first" >&2
    exit 2
fi
if [[ ! -x "$venv/bin/cloudsplaining" ]]; then
    echo "==> installing cloudsplaining into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cloudsplaining
fi
if [[ -x target/release/iamscan ]]; then binary=target/release/iamscan; else cargo build --quiet --bin iamscan; binary=target/debug/iamscan; fi

# shellcheck source=scripts/lib-moto.sh
source scripts/lib-moto.sh
start_moto
echo "==> seeding $users users and $roles roles"
"$venv/bin/python" scripts/bench_moto_seed.py "$url" "$users" "$roles" >/dev/null
gaad="$work/authorization-details.json"
"$venv/bin/python" scripts/bench_export_gaad.py "$url" "$gaad"
echo "export: $(du -h "$gaad" | cut -f1) ($gaad)"

measure() { # name, command...
    local name=$1
    shift
    /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1 || true
    local wall rss user sys
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$name.time")
    user=$(sed -n 's/.*User time (seconds): //p' "$work/$name.time")
    sys=$(sed -n 's/.*System time (seconds): //p' "$work/$name.time")
    # CPU time as well as wall: on a shared machine the wall clock includes waiting.
    printf '%-16s wall %-10s cpu %6.2f s   peak RSS %6d MiB\n' "$name" "$wall" \
        "$(awk "BEGIN { print $user + $sys }")" "$((rss / 1024))"
}
echo
measure iamscan "$binary" --quiet scan --auth-details "$gaad" --format json --output "$work/iamscan.json"
mkdir -p "$work/cloudsplaining"
measure cloudsplaining "$venv/bin/cloudsplaining" scan --input-file "$gaad" --output "$work/cloudsplaining"
# A tool that failed has no figures worth comparing.
grep -q '"findings"' "$work/iamscan.json" || { echo "iamscan failed:"; cat "$work/iamscan.out"; exit 1; }
ls "$work/cloudsplaining"/*.json >/dev/null 2>&1 || { echo "cloudsplaining failed:"; tail -5 "$work/cloudsplaining.out"; exit 1; }
echo "(iamscan: $binary, every check; cloudsplaining $("$venv/bin/pip" show cloudsplaining | sed -n 's/^Version: //p'))"
