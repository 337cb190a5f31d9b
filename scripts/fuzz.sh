#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ one after the other, each for a set time.
#   scripts/fuzz.sh                       every target, 60 s each
#   scripts/fuzz.sh 300                   every target, 300 s each
#   scripts/fuzz.sh 120 policy_document   the named targets only
#
# Each target starts from its committed seeds (fuzz/seeds/<target>/, read only) plus a
# scratch corpus (fuzz/corpus/<target>/, gitignored) that keeps what earlier runs found.
# Prints per target the executions run, the corpus size and the crashes found (a panic,
# an input slower than 10 s, running out of memory, a sanitizer report); each crashing
# input is saved under fuzz/artifacts/<target>/ (replay it with
# `cargo +nightly fuzz run <target> <file>`). Exits 1 if any target crashed.
# Fuzzing itself takes SECONDS_PER_TARGET per target; the first build about 3 minutes.
# Environment: FUZZ_SANITIZER (default address; `none` runs about twice as fast),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=16384").
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for file in fuzz/fuzz_targets/*.rs; do
        targets+=("$(basename "$file" .rs)")
    done
fi
for target in "${targets[@]}"; do
    if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
        echo "unknown fuzz target '$target' (see fuzz/fuzz_targets/)" >&2
        exit 2
    fi
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi
# cargo-fuzz needs nightly flags (-Z sanitizer, coverage instrumentation).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
sanitizer=${FUZZ_SANITIZER:-address}
read -r -a extra_args <<<"${FUZZ_ARGS:-}"

echo "==> building the fuzz targets (sanitizer: $sanitizer)"
mkdir -p fuzz/logs
if ! "${fuzz[@]}" build --sanitizer "$sanitizer" >fuzz/logs/build.log 2>&1; then
    tail -n 30 fuzz/logs/build.log >&2
    exit 1
fi
bin_dir=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

crashed=()
summary=()
for target in "${targets[@]}"; do
    corpus=fuzz/corpus/$target
    artifacts=fuzz/artifacts/$target
    log=fuzz/logs/$target.log
    mkdir -p "$corpus" "$artifacts"
    started=fuzz/logs/$target.started
    touch "$started"
    dict=()
    if [ -f "fuzz/dicts/$target.dict" ]; then
        dict=("-dict=fuzz/dicts/$target.dict")
    fi
    echo "==> fuzzing $target for ${seconds}s (log: $log)"
    status=0
    # The binary built above, run directly: `cargo fuzz run` would rebuild first whenever
    # a source changed meanwhile, and every target should fuzz the same build.
    "$bin_dir/$target" "$corpus" "fuzz/seeds/$target" -artifact_prefix="$artifacts/" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -max_len=8192 \
        "${dict[@]}" "${extra_args[@]}" >"$log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    found=$(find "$artifacts" -type f -newer "$started")
    crashes=$(printf '%s' "$found" | grep -c . || true)
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        # A failure that left no artifact (a startup error): show the end of the log.
        tail -n 20 "$log" >&2
        crashes=1
    fi
    # libFuzzer's last status line: "#N  DONE  cov: C ft: F corp: ENTRIES/SIZE ...".
    entries=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
    line=$(printf '%-22s executions: %-9s corpus: %-11s scratch: %-6s crashes: %s' \
        "$target" "${executions:-?}" "${entries:-?}" "$(find "$corpus" -type f | wc -l)" \
        "$crashes")
    echo "$line"
    summary+=("$line")
    if [ "$crashes" -ne 0 ]; then
        crashed+=("$target")
        grep -m 1 -A 3 "panicked at\|ERROR: libFuzzer\|ERROR: AddressSanitizer" "$log" >&2 || true
        printf '%s\n' "$found" | head -n 5 >&2
    fi
done

echo "==> summary (${seconds}s per target; corpus: entries/bytes in libFuzzer's corpus at the end;"
echo "    scratch: files in fuzz/corpus/<target>, what all runs so far added to the seeds)"
printf '%s\n' "${summary[@]}"
if [ ${#crashed[@]} -ne 0 ]; then
    echo "crashes in: ${crashed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
