#!/usr/bin/env bash
# A benchmark, not a test: iamscan beside Prowler on the same seeded moto account
# (1000 users, 1000 roles by default), with a bare boto3 client that only fetches the bulk
# data as the floor. One after the other, each under /usr/bin/time -v, requests counted at
# the emulator (the lines moto logs during each run).
#   scripts/bench-prowler.sh
#   USERS=200 ROLES=200 scripts/bench-prowler.sh
#   PROWLER_CALLS=1 scripts/bench-prowler.sh   # also Prowler's calls by operation (a counter in botocore)
#   KEEP_WORK=1 scripts/bench-prowler.sh       # keep the reports and logs
# Like with like: Prowler scans IAM only (`--service iam`), so iamscan runs its IAM checks only
# (every check but access-analyzer-enabled, cloudtrail-* and alarm-*) with `--regions none`,
# and collects only what those checks read.
# Prowler lives in its own venv (.venv-prowler): it pins boto3/botocore versions that moto's
# .venv may not share. PROWLER_VERSION=5.46.0 pins the version installed; default: the latest.
set -euo pipefail
cd "$(dirname "$0")/.."

users=${USERS:-1000}
roles=${ROLES:-1000}
venv=.venv
prowler_venv=.venv-prowler
if [[ ! -x "$venv/bin/moto_server" ]]; then
    echo "no $venv/bin/moto_server: run scripts/test.sh --no-run first" >&2
    exit 2
fi
if [[ ! -x "$prowler_venv/bin/prowler" ]]; then
    echo "==> installing prowler${PROWLER_VERSION:+ $PROWLER_VERSION} into $prowler_venv"
    python3 -m venv "$prowler_venv"
    "$prowler_venv/bin/pip" install --quiet --disable-pip-version-check "prowler${PROWLER_VERSION:+==$PROWLER_VERSION}"
fi
prowler_version=$("$prowler_venv/bin/pip" show prowler | sed -n 's/^Version: //p')

if [[ -n "${IAMSCAN_BIN:-}" ]]; then
    binary=$IAMSCAN_BIN
else
    # Release, as the comparison is about speed; cargo rebuilds only when sources changed.
    cargo build --quiet --release --bin iamscan
    binary=target/release/iamscan
fi
# The IAM checks: all but Access Analyzer, CloudTrail and the CloudWatch alarms.
iam_checks=$("$binary" checks --format json | "$venv/bin/python" -c '
import json, sys
ids = [c["id"] for c in json.load(sys.stdin)]
print(",".join(i for i in ids if i != "access-analyzer-enabled" and not i.startswith(("cloudtrail-", "alarm-"))))')

# shellcheck source=scripts/lib-moto.sh
source scripts/lib-moto.sh
start_moto
echo "==> seeding $users users and $roles roles at $url"
"$venv/bin/python" scripts/bench_moto_seed.py "$url" "$users" "$roles"

# Every tool then finds a credential report ready, as one younger than 4 hours is in AWS: none
# waits for its generation, and the order of the runs does not matter.
"$venv/bin/python" - "$url" <<'PYTHON'
import sys, time, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
while iam.generate_credential_report()["State"] != "COMPLETE":
    time.sleep(0.5)
PYTHON

# Werkzeug logs one line per request, e.g. `127.0.0.1 - - [date] "POST / HTTP/1.1" 200 -`, the
# request in colour when the status is not 200 (404 NoSuchEntity, 500 not implemented): count
# status fields, not lines, so colour codes and lines interleaved by moto's threads count too.
# The requests a run made: those logged after the log's size before it (a byte offset).
statuses_since() { tail -c +$(($1 + 1)) "$work/moto.log" | grep -aoE 'HTTP/1\.[01][^"]{0,12}" [0-9]{3} ' | awk '{ print $NF }'; }

measure() { # name, command... (with the dummy credentials, the region and nothing else of AWS's)
    local name=$1 before code
    shift
    echo "==> $name"
    before=$(stat -c %s "$work/moto.log")
    set +e
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
        "${extra_env[@]}" \
        /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>&1
    code=$?
    set -e
    echo "$code" >"$work/$name.code"
    # moto logs a request after answering it: let the last lines land.
    sleep 1
    statuses_since "$before" | wc -l >"$work/$name.requests"
    statuses_since "$before" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }' >"$work/$name.statuses"
    echo "    exit $code, $(cat "$work/$name.requests") requests (HTTP status: $(cat "$work/$name.statuses"))"
}

extra_env=()
measure floor "$venv/bin/python" scripts/bench_prowler_floor.py "$url" "$work/floor.json"
measure iamscan "$binary" --quiet scan --endpoint-url "$url" --region us-east-1 --regions none \
    --checks "$iam_checks" --format json --output "$work/iamscan.json"
# Prowler has no endpoint option: boto3 reads AWS_ENDPOINT_URL for every service it calls.
extra_env=(AWS_ENDPOINT_URL="$url")
prowler=("$prowler_venv/bin/prowler")
if [[ -n "${PROWLER_CALLS:-}" ]]; then
    prowler=("$prowler_venv/bin/python" scripts/bench_prowler_count.py "$work/prowler-calls.json")
fi
prowler_args=(aws --service iam --region us-east-1 --no-banner --no-color --output-formats json-ocsf
    --output-directory "$work/prowler" --ignore-exit-code-3)
measure prowler "${prowler[@]}" "${prowler_args[@]}"

for name in floor iamscan prowler; do
    if [[ "$(cat "$work/$name.code")" != 0 ]] && ! grep -q "findings" "$work/$name.out" "$work/$name.json" 2>/dev/null; then
        echo "--- $name exited $(cat "$work/$name.code"); its output ends:"
        tail -15 "$work/$name.out"
    fi
done
echo
echo "account: $users users, $roles roles (moto $("$venv/bin/pip" show moto | sed -n 's/^Version: //p'))," \
    "iamscan: $binary, prowler $prowler_version"
echo "prowler command: AWS_ENDPOINT_URL=$url prowler ${prowler_args[*]}"
echo
"$venv/bin/python" scripts/bench_prowler_table.py "$work"
