#!/usr/bin/env python3
"""Tabulates scripts/bench-scale.sh's runs: WORK holds, per size N and run R,
out-N-R.txt (examples/bench_scale.rs's output), time-N-R.log (GNU time -v), phases-N.txt
(one `run --phases`: index, analysis and each check timed apart) and input-N.txt
("BYTES FILES GENERATE_SECONDS").

    bench_scale_table.py WORK N [N ...]

Times are medians over the runs, peak RSS the largest of the runs. "x linear" is the cost
per principal at this size divided by the cost per principal at the previous size: 1.0 is
linear growth, 10 on a tenfold size step is quadratic.
"""

import statistics
import sys
from pathlib import Path

# A phase or check is flagged super-linear when its cost per principal grows by more than
# this from the first size of at least MIN_FLAG_SIZE principals to the largest, and it
# takes at least FLAG_SECONDS at the largest.
GROWTH_FLAG = 2.0
MIN_FLAG_SIZE = 10_000
FLAG_SECONDS = 0.05


def parse_run(out: Path, log: Path) -> dict:
    run = {"phase": {}, "check": {}, "memory": {}}
    for line in out.read_text().splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "phase":
            run["phase"][words[1]] = float(words[2])
        elif words[0] == "check":
            if words[2] != "-":
                run["check"][words[1]] = float(words[2])
        elif words[0] == "memory":
            run["memory"][words[1]] = float(words[3])
        elif words[0] == "summary":
            pairs = dict(zip(words[1::2], words[2::2]))
            run["summary"] = pairs
    for line in log.read_text().splitlines() if log.exists() else []:
        key, _, value = line.strip().partition(": ")
        if key == "Elapsed (wall clock) time (h:mm:ss or m:ss)":
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            run["wall"] = seconds
        elif key == "Maximum resident set size (kbytes)":
            run["peak_mib"] = int(value) / 1024
    return run


def main() -> None:
    work = Path(sys.argv[1])
    sizes = [int(n) for n in sys.argv[2:]]
    table = []
    for n in sizes:
        runs = [
            parse_run(out, work / out.name.replace("out-", "time-").replace(".txt", ".log"))
            for out in sorted(work.glob(f"out-{n}-*.txt"))
        ]
        if not runs:
            continue
        size_bytes, files, generate = (work / f"input-{n}.txt").read_text().split()
        apart = parse_run(work / f"phases-{n}.txt", work / "none")
        median = lambda values: statistics.median(values)  # noqa: E731
        phases = {
            name: median([run["phase"][name] for run in runs]) for name in runs[0]["phase"]
        }
        checks = apart["check"]
        summary = runs[0]["summary"]
        table.append(
            {
                "n": n,
                "runs": len(runs),
                "input_mib": int(size_bytes) / 2**20,
                "files": int(files),
                "generate": float(generate),
                "phases": phases,
                "apart": apart["phase"],
                "apart_memory": apart["memory"],
                "checks": checks,
                "wall": median([run["wall"] for run in runs]),
                "peak": max(run["peak_mib"] for run in runs),
                "memory": runs[0]["memory"],
                "summary": summary,
            }
        )

    print(
        f"{'principals':>10} {'input MiB':>9} {'load s':>7} {'checks s':>8} "
        f"{'report s':>8} {'total s':>8} {'wall s':>7} {'peak MiB':>8} {'findings':>9} "
        f"{'us/princ':>8} {'x linear':>8} {'KiB/princ':>9}"
    )
    previous = None
    for row in table:
        p, n = row["phases"], row["n"]
        report = p["report"] + p["render-json"]
        per = p["total"] / n * 1e6
        growth = f"{per / previous:8.2f}" if previous else f"{'-':>8}"
        previous = per
        print(
            f"{n:>10} {row['input_mib']:>9.1f} {p['load']:>7.2f} {p['checks']:>8.2f} "
            f"{report:>8.2f} {p['total']:>8.2f} {row['wall']:>7.2f} {row['peak']:>8.0f} "
            f"{int(row['summary']['findings']):>9} {per:>8.1f} {growth} {row['peak'] * 1024 / n:>9.1f}"
        )
    print()
    print("checks = every check as a scan runs them, with the permission index and the escalation")
    print("analysis they share; report = Report::build + JSON rendering into a byte counter;")
    print("total = in-process, wall = process")
    print(f"(GNU time), both medians of {table[0]['runs'] if table else 0} runs; peak = max RSS of the runs.")
    print("x linear = time per principal / the previous size's (1.0 = linear).")
    print()
    print("taken apart (one `run --phases` per size), seconds (x linear against the previous size):")
    names = list(table[0]["apart"]) if table else []
    print(f"{'phase':<22}" + "".join(f"{row['n']:>18}" for row in table))
    for name in names:
        cells, before = [], None
        for row in table:
            value = row["apart"][name]
            per = value / row["n"]
            ratio = f"({per / before:.1f}x)" if before and before > 0 else ""
            before = per
            cells.append(f"{value:>10.3f} {ratio:>7}")
        print(f"{name:<22}" + "".join(cells))
    print()
    print("resident memory after each phase, MiB (first run; then the run taken apart, which")
    print("keeps the index and the analysis to the end):")
    print(f"{'after':<28}" + "".join(f"{row['n']:>12}" for row in table))
    for name in table[0]["memory"] if table else []:
        print(f"{name:<28}" + "".join(f"{row['memory'][name]:>12.0f}" for row in table))
    for name in table[0]["apart_memory"] if table else []:
        print(
            f"{name + ' (apart)':<28}"
            + "".join(f"{row['apart_memory'][name]:>12.0f}" for row in table)
        )
    print()
    print("input: generation (not in the timings above) and files:")
    for row in table:
        print(
            f"  {row['n']:>7} principals: {row['input_mib']:.1f} MiB in {row['files']} files, "
            f"generated in {row['generate']:.2f} s; {row['summary']['users']} users, "
            f"{row['summary']['roles']} roles, {row['summary']['groups']} groups, "
            f"{row['summary']['policies']} managed policies; {row['summary']['fail']} failing "
            f"findings, score {row['summary']['score']} ({row['summary']['grade']})"
        )

    # Super-linear: from the first size >= MIN_FLAG_SIZE to the largest.
    base = next((row for row in table if row["n"] >= MIN_FLAG_SIZE), None)
    last = table[-1] if table else None
    if base is None or last is None or base is last:
        return
    step = last["n"] / base["n"]
    flagged = []
    for kind in ("apart", "checks"):
        for name, value in last[kind].items():
            before = base[kind].get(name, 0.0)
            if value < FLAG_SECONDS or before <= 0:
                continue
            growth = (value / last["n"]) / (before / base["n"])
            if growth > GROWTH_FLAG:
                flagged.append((value, "phase" if kind == "apart" else "check", name, before, growth))
    print()
    print(
        f"super-linear from {base['n']} to {last['n']} principals (x{step:.0f} in size): cost per "
        f"principal grown more than {GROWTH_FLAG}x, at least {FLAG_SECONDS} s at {last['n']}"
    )
    if not flagged:
        print("  none")
    for value, kind, name, before, growth in sorted(flagged, reverse=True):
        print(
            f"  {kind} {name}: {before:.3f} s -> {value:.3f} s "
            f"(x{value / before:.0f} for x{step:.0f} principals; per principal x{growth:.1f})"
        )


if __name__ == "__main__":
    main()
