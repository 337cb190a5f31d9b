"""Prints scripts/bench-prowler.sh's table and its ratios against the targets.

    bench_prowler_table.py WORK_DIR

Reads, for each tool NAME in floor, iamscan, prowler: WORK_DIR/NAME.time (GNU time -v),
WORK_DIR/NAME.requests and NAME.statuses (requests moto logged during the run) and
WORK_DIR/NAME.code; and
the tools' outputs: floor.json, iamscan.json, prowler/*.ocsf.json, prowler-calls.json.
"""

import glob
import json
import os
import sys
from collections import Counter

TOOLS = ("floor", "iamscan", "prowler")
LABELS = {"floor": "bare client (boto3)", "iamscan": "iamscan --checks IAM", "prowler": "prowler --service iam"}


def gnu_time(path):
    fields = {}
    with open(path) as lines:
        for line in lines:
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
    clock = [float(part) for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    wall = 0.0
    for part in clock:
        wall = wall * 60 + part
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    return wall, cpu, int(fields["Maximum resident set size (kbytes)"]) / 1024


def read(path, default=None):
    try:
        with open(path) as text:
            return text.read().strip()
    except FileNotFoundError:
        return default


def findings(work, tool):
    """(summary for the table, detail line) of a tool's findings, or None."""
    if tool == "iamscan":
        path = os.path.join(work, "iamscan.json")
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return None
        report = json.load(open(path))
        statuses = Counter(finding["status"] for finding in report["findings"])
        checks = len({finding["check_id"] for finding in report["findings"]}) if report["findings"] and "check_id" in report["findings"][0] else None
        return f"{statuses.get('fail', 0)} fail / {len(report['findings'])}", dict(statuses), checks
    if tool == "prowler":
        files = glob.glob(os.path.join(work, "prowler", "*.ocsf.json"))
        if not files:
            return None
        events = json.load(open(files[0]))
        statuses = Counter(event.get("status_code", "?") for event in events)
        checks = len({event.get("metadata", {}).get("event_code") for event in events})
        return f"{statuses.get('FAIL', 0)} fail / {len(events)}", dict(statuses), checks
    floor = json.load(open(os.path.join(work, "floor.json")))
    return "-", floor["items"], None


def main():
    work = sys.argv[1]
    rows = {}
    for tool in TOOLS:
        if not os.path.exists(os.path.join(work, f"{tool}.time")):
            continue
        wall, cpu, rss = gnu_time(os.path.join(work, f"{tool}.time"))
        requests = int(read(os.path.join(work, f"{tool}.requests"), "0"))
        rows[tool] = {"wall": wall, "cpu": cpu, "rss": rss, "requests": requests,
                      "code": read(os.path.join(work, f"{tool}.code"), "?"), "findings": findings(work, tool)}

    print(f"{'tool':<24}{'exit':>5}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}{'emulator req':>14}  findings")
    for tool, row in rows.items():
        summary = row["findings"][0] if row["findings"] else "none (failed)"
        print(f"{LABELS[tool]:<24}{row['code']:>5}{row['wall']:>9.2f}{row['cpu']:>9.2f}{row['rss']:>14.1f}"
              f"{row['requests']:>14}  {summary}")
    print()
    for tool, row in rows.items():
        if row["findings"]:
            _, detail, checks = row["findings"]
            print(f"  {tool}: {json.dumps(detail)}" + (f", {checks} checks reporting" if checks else ""))
    for tool in rows:
        statuses = read(os.path.join(work, f"{tool}.statuses"))
        if statuses:
            print(f"  {tool}: emulator HTTP status {statuses}")
    floor_detail = json.load(open(os.path.join(work, "floor.json"))) if "floor" in rows else None
    if floor_detail:
        print(f"  floor: fetch alone {floor_detail['fetch_s']} s (the rest is Python and boto3 start-up); "
              f"calls {json.dumps(floor_detail['api_calls'])}")
    iamscan_path = os.path.join(work, "iamscan.json")
    if os.path.exists(iamscan_path) and os.path.getsize(iamscan_path):
        stats = json.load(open(iamscan_path))["stats"]
        print(f"  iamscan's own count: {stats['total_api_calls']} {json.dumps(stats['api_calls'])}")
    calls_path = os.path.join(work, "prowler-calls.json")
    if os.path.exists(calls_path):
        calls = json.load(open(calls_path))
        print(f"  prowler's botocore calls: {sum(calls.values())} {json.dumps(calls)}")

    print("\ntargets:")

    def verdict(ok):
        return "met" if ok else "NOT met"

    if "iamscan" in rows and "prowler" in rows:
        i, p = rows["iamscan"], rows["prowler"]
        speed = p["wall"] / i["wall"]
        memory = i["rss"] / p["rss"]
        print(f"  prowler/iamscan wall      {speed:8.1f}x   (target >= 20x)    {verdict(speed >= 20)}")
        print(f"  prowler/iamscan CPU       {p['cpu'] / max(i['cpu'], 0.01):8.1f}x   (for information)")
        print(f"  iamscan/prowler peak RSS  {memory:8.3f}    (target <= 0.10)   {verdict(memory <= 0.10)}")
        print(f"  prowler/iamscan requests  {p['requests'] / max(i['requests'], 1):8.1f}x   (for information)")
    if "iamscan" in rows:
        calls = rows["iamscan"]["requests"]
        print(f"  iamscan emulator requests {calls:8d}    (target <= ~30)    {verdict(calls <= 30)}")
    if "iamscan" in rows and "floor" in rows:
        ratio = rows["iamscan"]["wall"] / rows["floor"]["wall"]
        print(f"  iamscan/bare client wall  {ratio:8.2f}x   (target <= 1.5x)   {verdict(ratio <= 1.5)}")
        if floor_detail:
            print(f"  iamscan wall/floor fetch  {rows['iamscan']['wall'] / floor_detail['fetch_s']:8.2f}x   "
                  f"(against the client's fetch alone, without its start-up)")


main()
