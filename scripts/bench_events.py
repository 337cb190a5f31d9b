"""Helper for scripts/bench-events.sh: writes a synthetic CloudTrail tree, or reads one the
plain Python way (gzip + json.load per file) for comparison.

    python3 scripts/bench_events.py generate DIR RECORDS [PER_FILE]
    python3 scripts/bench_events.py read DIR

The tree is an organization trail as delivered to S3 (AWSLogs/o-.../ACCOUNT/CloudTrail/
REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_...json.gz), with a digest file per day beside
it; the records are deterministic (a fixed seed) and about the size of real ones (~1.2 KB).
"""

import gzip
import json
import os
import random
import sys
import time

ORG = "o-bench12345"
ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"]
REGIONS = ["us-east-1", "eu-west-1"]
EVENTS = [
    ("iam.amazonaws.com", "GetUser", True),
    ("iam.amazonaws.com", "ListRoles", True),
    ("iam.amazonaws.com", "CreateUser", False),
    ("iam.amazonaws.com", "AttachRolePolicy", False),
    ("iam.amazonaws.com", "CreateAccessKey", False),
    ("sts.amazonaws.com", "AssumeRole", True),
    ("signin.amazonaws.com", "ConsoleLogin", False),
    ("s3.amazonaws.com", "GetBucketPolicy", True),
    ("ec2.amazonaws.com", "DescribeInstances", True),
    ("kms.amazonaws.com", "Decrypt", True),
]
AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/iam.get-user",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/iam#1.31.2",
]


def record(rng, account, region, when, n):
    source, name, read_only = EVENTS[rng.randrange(len(EVENTS))]
    role = "role-%d" % rng.randrange(50)
    session = "session-%06d" % rng.randrange(1000000)
    rec = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROA%016d:%s" % (rng.randrange(10**16), session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, session),
            "accountId": account,
            "accessKeyId": "ASIA%016d" % rng.randrange(10**16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA%016d" % rng.randrange(10**16),
                    "arn": "arn:aws:iam::%s:role/%s" % (account, role),
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": when, "mfaAuthenticated": "false"},
            },
        },
        "eventTime": when,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.%d" % rng.randrange(256),
        "userAgent": AGENTS[rng.randrange(len(AGENTS))],
        "requestParameters": {"userName": "user-%d" % rng.randrange(1000), "maxItems": 100},
        "responseElements": None,
        "requestID": "%032x" % rng.getrandbits(128),
        "eventID": "%032x" % rng.getrandbits(128),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "%s.amazonaws.com" % source.split(".")[0],
        },
    }
    if name == "ConsoleLogin":
        rec["additionalEventData"] = {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes" if n % 3 else "No",
        }
        rec["responseElements"] = {"ConsoleLogin": "Success"}
    if n % 97 == 0:
        rec["errorCode"] = "AccessDenied"
        rec["errorMessage"] = "User is not authorized to perform this operation"
    return rec


def generate(root, total, per_file):
    rng = random.Random(20261101)
    written = 0
    files = 0
    while written < total:
        account = ACCOUNTS[files % len(ACCOUNTS)]
        region = REGIONS[(files // len(ACCOUNTS)) % len(REGIONS)]
        slot = files // (len(ACCOUNTS) * len(REGIONS))  # one five-minute slot per file set
        day = 1 + (slot // 288) % 28
        minute = (slot % 288) * 5
        stamp = "2026%02d%02dT%02d%02dZ" % (11, day, minute // 60, minute % 60)
        when = "2026-11-%02dT%02d:%02d:00Z" % (day, minute // 60, minute % 60)
        base = os.path.join(root, "AWSLogs", ORG, account)
        folder = os.path.join(base, "CloudTrail", region, "2026", "11", "%02d" % day)
        os.makedirs(folder, exist_ok=True)
        count = min(per_file, total - written)
        records = [record(rng, account, region, when, written + i) for i in range(count)]
        name = "%s_CloudTrail_%s_%s_%08x.json.gz" % (account, region, stamp, rng.getrandbits(32))
        with gzip.open(os.path.join(folder, name), "wb", compresslevel=6) as f:
            f.write(json.dumps({"Records": records}, separators=(",", ":")).encode())
        if minute == 0:
            digest_dir = os.path.join(base, "CloudTrail-Digest", region, "2026", "11", "%02d" % day)
            os.makedirs(digest_dir, exist_ok=True)
            digest = {"awsAccountId": account, "digestStartTime": when, "digestEndTime": when, "logFiles": []}
            path = os.path.join(digest_dir, "%s_CloudTrail-Digest_%s_%s.json.gz" % (account, region, stamp))
            with gzip.open(path, "wb") as f:
                f.write(json.dumps(digest).encode())
        written += count
        files += 1
    print("generated %d records in %d log files under %s" % (written, files, root))


def read(root):
    started = time.monotonic()
    records = 0
    files = 0
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        if "CloudTrail-Digest" in folder.split(os.sep):
            continue
        for name in sorted(names):
            if not name.endswith(".json.gz"):
                continue
            with gzip.open(os.path.join(folder, name)) as f:
                records += len(json.load(f)["Records"])
            files += 1
    elapsed = time.monotonic() - started
    print("records %d files %d seconds %.3f records/s %.0f" % (records, files, elapsed, records / elapsed))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1000)
    elif len(sys.argv) == 3 and sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        sys.exit(__doc__)
