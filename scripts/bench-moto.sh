#!/usr/bin/env bash
# A benchmark, not a test: a live scan of a seeded moto account, with figures printed.
#   scripts/bench-moto.sh                 1000 users and 1000 roles
#   USERS=200 ROLES=200 scripts/bench-moto.sh
#   IAMSCAN_BIN=target/release/iamscan scripts/bench-moto.sh
# Uses target/release/iamscan when it exists, else builds and uses the dev binary.
# moto has no IAM Access Analyzer (it answers HTTP 500, which the SDK retries for minutes
# over the default regions), so the scan reads no region: that check reports `error`.
set -euo pipefail
cd "$(dirname "$0")/.."

users=${USERS:-1000}
roles=${ROLES:-1000}
venv=.venv
if [[ ! -x "$venv/bin/moto_server" ]]; then
    echo "no $venv/bin/moto_server: run scripts/test.sh --no-run first" >&2
    exit 2
fi

if [[ -n "${IAMSCAN_BIN:-}" ]]; then
    binary=$IAMSCAN_BIN
elif [[ -x target/release/iamscan ]]; then
    binary=target/release/iamscan
else
    cargo build --quiet --bin iamscan
    binary=target/debug/iamscan
fi
profile=$([[ "$binary" == *release* ]] && echo release || echo "dev (unoptimised)")

# shellcheck source=scripts/lib-moto.sh
source scripts/lib-moto.sh
start_moto

echo "==> seeding $url"
"$venv/bin/python" scripts/bench_moto_seed.py "$url" "$users" "$roles"

requests_before=$(grep -c 'POST / HTTP/1.1' "$work/moto.log" || true)
report="$work/report.json"
echo "==> $binary scan ($profile)"
set +e
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_PROFILE= \
    /usr/bin/time -v -o "$work/time.txt" \
    "$binary" --quiet scan --endpoint-url "$url" --region us-east-1 --regions none \
    --format json --output "$report"
code=$?
set -e
# moto logs a request after answering it: let the last lines land.
sleep 1
requests_after=$(grep -c 'POST / HTTP/1.1' "$work/moto.log" || true)

wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
cpu_user=$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")
cpu_system=$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")
echo
echo "binary:              $binary ($profile)"
echo "account:             $users users, $roles roles"
echo "exit code:           $code"
echo "wall time:           $wall"
echo "cpu time:            ${cpu_user}s user, ${cpu_system}s system"
echo "peak RSS:            $((rss / 1024)) MiB ($rss KiB)"
echo "moto saw:            $((requests_after - requests_before)) requests"
if [[ -s "$report" ]]; then
    "$venv/bin/python" - "$report" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
stats = report["stats"]
print(f"report api calls:    {stats['total_api_calls']} (retries {stats.get('retries', 0)})")
for operation, count in sorted(stats["api_calls"].items()):
    print(f"  {operation:<34} {count}")
print(f"phases (ms):         {json.dumps(stats.get('phase_ms', {}))}, checks {stats.get('checks_ms')}")
statuses = {}
for finding in report["findings"]:
    statuses[finding["status"]] = statuses.get(finding["status"], 0) + 1
print(f"findings:            {len(report['findings'])} {json.dumps(statuses)}")
print(f"score:               {report['score']['overall']} ({report['score']['grade']}), incomplete {report['score']['incomplete']}")
EOF
fi
