#!/usr/bin/env python3
"""The IAM Vulnerable tally for scripts/bench-iam-vulnerable.sh.

    bench_iam_vulnerable_tally.py AUTHORIZATION_DETAILS.json REPORT.json

Ground truth comes from the principals' names, as the benchmark's README explains:
privesc* and fn* principals escalate, except the ones the README names as not escalating
in this export; fp* principals do not. Prints what was caught, what was missed, what was
flagged wrongly, the AssumeRole chain's path, and the administrators reported.
"""

import json
import sys

# The README: the start user has no policy (its role trusts an SSO session), the two
# administrator roles are the targets, and the permissive-trust role has no policy.
NOT_ESCALATORS = {
    "privesc-AssumeRole-start-user",
    "privesc-high-priv-service-role",
    "privesc-AssumeRole-ending-role",
    "privesc-permissive-role-trust",
}
ADMINS = ["privesc-high-priv-service-role", "privesc-AssumeRole-ending-role"]
CHAIN_START = "privesc-AssumeRole-starting-role"


def principals(details):
    """(name, ARN) of every user and role."""
    for user in details.get("UserDetailList", []):
        yield user["UserName"], user["Arn"]
    for role in details.get("RoleDetailList", []):
        yield role["RoleName"], role["Arn"]


def main(details_path, report_path):
    with open(details_path) as handle:
        details = json.load(handle)
    with open(report_path) as handle:
        report = json.load(handle)

    by_arn = {}
    for finding in report["findings"]:
        by_arn.setdefault(finding["resource_arn"], []).append(finding)

    def failing(arn, category):
        return [
            finding
            for finding in by_arn.get(arn, [])
            if finding["status"] == "fail" and category in finding["categories"]
        ]

    named = list(principals(details))
    escalators = [
        (name, arn)
        for name, arn in named
        if name.startswith(("privesc", "fn")) and name not in NOT_ESCALATORS
    ]
    traps = [(name, arn) for name, arn in named if name.startswith("fp")]
    quiet = [(name, arn) for name, arn in named if name in NOT_ESCALATORS]

    caught = [name for name, arn in escalators if failing(arn, "privilege-escalation")]
    missed = [name for name, arn in escalators if not failing(arn, "privilege-escalation")]
    flagged = [name for name, arn in traps if failing(arn, "privilege-escalation")]
    noisy = [name for name, arn in quiet if failing(arn, "privilege-escalation")]

    print(f"escalators caught: {len(caught)}/{len(escalators)} (privesc* and fn* users and roles)")
    for name in missed:
        print(f"  missed: {name}")
    print(f"traps flagged:     {len(flagged)}/{len(traps)} (fp* users and roles; must be 0)")
    for name in flagged:
        print(f"  flagged: {name}")
    print(f"non-escalators flagged: {len(noisy)}/{len(quiet)} ({', '.join(sorted(NOT_ESCALATORS))})")
    for name in noisy:
        print(f"  flagged: {name}")

    arns = dict(named)
    chain = failing(arns.get(CHAIN_START, ""), "privilege-escalation")
    print(f"AssumeRole chain: {chain[0]['message'] if chain else 'NOT REPORTED'}")

    has_admin_check = any("admin-access" in f["categories"] for f in report["findings"])
    for name in ADMINS:
        if not has_admin_check:
            print(f"admin reported: {name}: no admin-access check in this build")
            continue
        reported = bool(failing(arns.get(name, ""), "admin-access"))
        print(f"admin reported: {name}: {'yes' if reported else 'NO'}")

    by_status = {}
    for finding in report["findings"]:
        if "privilege-escalation" in finding["categories"]:
            key = (finding["check_id"], finding["status"])
            by_status[key] = by_status.get(key, 0) + 1
    for (check, status), count in sorted(by_status.items()):
        print(f"  {check}: {count} {status}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
