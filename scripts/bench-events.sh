#!/usr/bin/env bash
# A benchmark, not a test: reading CloudTrail log files offline, iamscan's streaming reader
# (events::records::read_tree, through examples/bench_events.rs) beside a plain Python reader
# (gzip + json.load per file) on the same synthetic organization-trail tree, at two sizes to
# show memory staying flat as the tree grows.
#   scripts/bench-events.sh                         250,000 and 1,000,000 records
#   SIZES="100000 400000" PER_FILE=500 scripts/bench-events.sh
#   KEEP_WORK=1 scripts/bench-events.sh             keep the generated trees
#   BENCH_EVENTS_BIN=path/to/bench_events scripts/bench-events.sh   skip the build
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`). Runs on warm page cache:
# each tree is read right after it is written.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-250000 1000000}
per_file=${PER_FILE:-1000}
if [[ ! -x /usr/bin/time ]]; then
    echo "no /usr/bin/time: apt-get install time" >&2
    exit 2
fi

if [[ -n "${BENCH_EVENTS_BIN:-}" ]]; then
    bench=$BENCH_EVENTS_BIN
else
    # Without the default `aws` feature: the example needs only the offline library, and
    # the release build then skips the AWS SDK.
    cargo build --quiet --release --no-default-features --example bench_events
    bench=target/release/examples/bench_events
fi

work=$(mktemp -d)
cleanup() { [[ -n "${KEEP_WORK:-}" ]] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

# Runs "$@" under GNU time; prints "SECONDS RECORDS PEAK_KB" from its report and the
# reader's "records N ..." line.
measure() {
    local log=$work/time.log out=$work/out.log
    /usr/bin/time -v -o "$log" "$@" >"$out"
    local records seconds peak
    records=$(grep -oE '^records [0-9]+' "$out" | tail -1 | cut -d' ' -f2)
    grep '^warning' "$out" >&2 || true
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$log")
    peak=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    echo "$seconds $records $peak"
}

rows=()
for n in $sizes; do
    tree=$work/tree-$n
    started=$(date +%s)
    python3 scripts/bench_events.py generate "$tree" "$n" "$per_file"
    echo "  ($(du -sh "$tree" | cut -f1) on disk, $(( $(date +%s) - started )) s to generate)"
    for reader in iamscan python; do
        if [[ $reader == iamscan ]]; then
            read -r seconds records peak < <(measure "$bench" "$tree")
        else
            read -r seconds records peak < <(measure python3 scripts/bench_events.py read "$tree")
        fi
        if [[ "$records" != "$n" ]]; then
            echo "$reader read $records records, expected $n" >&2
            exit 1
        fi
        rows+=("$(awk -v n="$n" -v r="$reader" -v s="$seconds" -v p="$peak" \
            'BEGIN { printf "%10d  %-8s %8.2f %12.0f %10.1f", n, r, s, n / s, p / 1024 }')")
    done
    [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$tree"
done

echo
echo "$(nproc) cores; records/s from wall-clock time (process start to exit), peak RSS from GNU time"
printf '%10s  %-8s %8s %12s %10s\n' records reader seconds records/s "peak MiB"
printf '%s\n' "${rows[@]}"
