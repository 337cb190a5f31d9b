#!/usr/bin/env bash
# A benchmark, not a test: an offline scan of synthetic accounts of growing size, to show how
# time and memory grow with the number of principals. examples/bench_scale.rs writes each
# account as AWS CLI exports (half users, half roles, with their groups, policies, trust
# policies, credential report and MFA devices; seeded, so the same bytes every time), then
# loads it, runs every check as a scan does, builds the report and renders it as JSON,
# timing each phase; one more run per size (`--phases`) times the permission index, the
# escalation analysis and each check apart.
#   scripts/bench-scale.sh                          1k, 10k, 30k and 100k principals, 3 runs each
#   SIZES="1000 10000" RUNS=5 scripts/bench-scale.sh
#   SEED=7 scripts/bench-scale.sh                   another account of the same shape
#   KEEP_WORK=1 scripts/bench-scale.sh              keep the exports and every run's output
#   BENCH_SCALE_BIN=path/to/bench_scale scripts/bench-scale.sh   skip the build
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`). Generation is timed
# apart and excluded; each size's runs read the exports from a warm page cache.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-1000 10000 30000 100000}
runs=${RUNS:-3}
seed=${SEED:-20261120}
if [[ ! -x /usr/bin/time ]]; then
    echo "no /usr/bin/time: apt-get install time" >&2
    exit 2
fi

if [[ -n "${BENCH_SCALE_BIN:-}" ]]; then
    bench=$BENCH_SCALE_BIN
else
    # Without the default `aws` feature: the example needs only the offline library, and
    # the release build then skips the AWS SDK.
    cargo build --quiet --release --no-default-features --example bench_scale
    bench=target/release/examples/bench_scale
fi

work=$(mktemp -d)
cleanup() { [[ -n "${KEEP_WORK:-}" ]] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

for n in $sizes; do
    dir=$work/exports-$n
    started=$(date +%s.%N)
    "$bench" generate "$dir" "$n" --seed "$seed" --demo examples/demo >/dev/null
    generated=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    bytes=$(du -sb "$dir" | cut -f1)
    files=$(find "$dir" -type f | wc -l)
    echo "$bytes $files $generated" >"$work/input-$n.txt"
    echo "$n principals: $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB in $files files, generated in $generated s" >&2
    for run in $(seq 1 "$runs"); do
        /usr/bin/time -v -o "$work/time-$n-$run.log" "$bench" run "$dir" >"$work/out-$n-$run.txt"
        echo "  run $run: total $(awk '$1 == "phase" && $2 == "total" { print $3 }' "$work/out-$n-$run.txt") s" >&2
    done
    # Once more with the checks' part taken apart (index, analysis, each check timed).
    "$bench" run "$dir" --phases >"$work/phases-$n.txt"
    [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$dir"
done

echo
echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); seed $seed; $(date -u +%Y-%m-%d)"
# shellcheck disable=SC2086
python3 scripts/bench_scale_table.py "$work" $sizes
