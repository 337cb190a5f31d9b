"""Runs Prowler with a count of its AWS API calls, for scripts/bench-prowler.sh (PROWLER_CALLS=1).

    .venv-prowler/bin/python bench_prowler_count.py OUTPUT_JSON aws --service iam ...

Prowler runs exactly as its `prowler` console script runs it; the only addition is a counter,
under a lock, in botocore's BaseClient._make_api_call (one call per request botocore makes
before retries: the emulator's count includes retries). At exit the counts, by
service.operation, go to OUTPUT_JSON.
"""

import atexit
import json
import sys
import threading
from collections import Counter

from botocore.client import BaseClient

calls = Counter()
lock = threading.Lock()
make_api_call = BaseClient._make_api_call


def counted(self, operation_name, api_params):
    with lock:
        calls[f"{self.meta.service_model.service_name}.{operation_name}"] += 1
    return make_api_call(self, operation_name, api_params)


BaseClient._make_api_call = counted
output = sys.argv.pop(1)


@atexit.register
def write():
    with open(output, "w") as out:
        json.dump(dict(sorted(calls.items())), out, indent=1)


from prowler.__main__ import prowler  # noqa: E402  (after the patch, as the console script would)

sys.argv[0] = "prowler"
sys.exit(prowler())
