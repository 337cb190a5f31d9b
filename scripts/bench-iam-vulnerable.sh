#!/usr/bin/env bash
# A benchmark, not a test: the offline scan of Bishop Fox's IAM Vulnerable account (an
# authorization-details export, ../shared/benchmarks/iam-vulnerable/), with the tally of
# escalators caught, traps flagged and administrators reported, and the wall time.
#   scripts/bench-iam-vulnerable.sh
#   IAMSCAN_BIN=target/release/iamscan scripts/bench-iam-vulnerable.sh
#   AUTH_DETAILS=/path/to/authorization-details.json scripts/bench-iam-vulnerable.sh
# Uses target/release/iamscan when it exists, else builds and uses the dev binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

input=${AUTH_DETAILS:-$here/../../shared/benchmarks/iam-vulnerable/authorization-details.json}
if [[ ! -r "$input" ]]; then
    echo "no IAM Vulnerable export at $input (set AUTH_DETAILS)" >&2
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="$work/report.json"

echo "==> $binary scan --auth-details $(basename "$input") ($profile)"
set +e
/usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$binary" --quiet scan --auth-details "$input" --format json --output "$report"
code=$?
set -e
# 0 clean, 1 findings over the gate, 3 incomplete (an authorization-details export alone
# has no credential report or password policy): all three wrote a report.
if [[ $code -ne 0 && $code -ne 1 && $code -ne 3 ]]; then
    echo "iamscan exited with $code" >&2
    exit "$code"
fi
read -r seconds kilobytes < <(tail -n 1 "$work/time.txt")

python3 "$here/bench_iam_vulnerable_tally.py" "$input" "$report"
echo "wall time ${seconds}s, peak RSS $((kilobytes / 1024)) MB ($profile build)"
