"""The floor for scripts/bench-prowler.sh: a bare boto3 client that only fetches the bulk data
iamscan's IAM checks read, and nothing else.

    bench_prowler_floor.py URL OUTPUT_JSON

GetAccountAuthorizationDetails (every page, 1000 items a page, the most the API gives) and,
at the same time on a second thread, GenerateCredentialReport until it answers COMPLETE (a
pause of 1 s doubling to 8 s between calls, as the API asks) then GetCredentialReport. Writes
its call counts, item counts and its own fetch time (without Python's start-up) as JSON.
"""

import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

calls = Counter()
lock = threading.Lock()


def count(operation):
    with lock:
        calls[operation] += 1


def authorization_details(iam):
    items = Counter()
    marker = None
    while True:
        arguments = {"MaxItems": 1000}
        if marker:
            arguments["Marker"] = marker
        page = iam.get_account_authorization_details(**arguments)
        count("GetAccountAuthorizationDetails")
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            items[key] += len(page.get(key, []))
        if not page.get("IsTruncated"):
            return dict(items)
        marker = page["Marker"]


def credential_report(iam):
    delay = 1.0
    while True:
        state = iam.generate_credential_report()["State"]
        count("GenerateCredentialReport")
        if state == "COMPLETE":
            break
        time.sleep(delay)
        delay = min(delay * 2, 8.0)
    content = iam.get_credential_report()["Content"]
    count("GetCredentialReport")
    return content.count(b"\n")  # rows after the header line


def main():
    url, output = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    iam = boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )
    with ThreadPoolExecutor(2) as pool:
        details = pool.submit(authorization_details, iam)
        report = pool.submit(credential_report, iam)
        items, report_rows = details.result(), report.result()
    fetch_s = time.monotonic() - started
    with open(output, "w") as out:
        json.dump(
            {"api_calls": dict(calls), "total_api_calls": sum(calls.values()), "items": items,
             "credential_report_rows": report_rows, "fetch_s": round(fetch_s, 3)},
            out,
        )


main()
