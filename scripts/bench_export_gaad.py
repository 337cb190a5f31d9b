"""Writes a moto account's authorization details as `aws iam get-account-authorization-details`
prints them (documents decoded to JSON objects, pages merged), for scripts/bench-cloudsplaining.sh.

    bench_export_gaad.py URL OUTPUT
"""

import json
import sys

import boto3


def main():
    url, output = sys.argv[1], sys.argv[2]
    iam = boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    merged = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in merged:
            merged[key].extend(page.get(key, []))
    # moto leaves out names and ids the real API gives; both tools need them.
    for policy in merged["Policies"]:
        policy.setdefault("PolicyName", policy["Arn"].rsplit("/", 1)[-1])
        policy.setdefault("PolicyId", "ANPA" + format(abs(hash(policy["Arn"])), "016X")[:17])
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for entity in merged[key]:
            for attached in entity.get("AttachedManagedPolicies", []):
                attached.setdefault("PolicyName", attached["PolicyArn"].rsplit("/", 1)[-1])
    with open(output, "w") as out:
        json.dump(merged, out, default=str)


main()
