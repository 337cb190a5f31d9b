"""Seeds a moto server for scripts/bench-moto.sh.

    bench_moto_seed.py URL USERS ROLES

Users: each with an access key, an inline policy and a group membership; every third also
has a console password. Roles: each with a trust policy, an inline policy and an attached
customer managed policy. Requests go out from a thread pool (moto's server is threaded),
except where moto is not safe to call concurrently.
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

GROUPS = 20
WORKERS = 8

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
    }
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def client(url):
    return boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=WORKERS),
    )


def seed_user(iam, index):
    name = f"bench-user-{index:05d}"
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="s3-read", PolicyDocument=POLICY)
    iam.add_user_to_group(GroupName=f"bench-group-{index % GROUPS:02d}", UserName=name)
    if index % 3 == 0:
        iam.create_login_profile(UserName=name, Password="Bench-Password-123!")


def role_name(index):
    return f"bench-role-{index:05d}"


def seed_role(iam, index, policy_arn):
    name = role_name(index)
    iam.put_role_policy(RoleName=name, PolicyName="s3-read", PolicyDocument=POLICY)
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)


def main():
    url, users, roles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    iam = client(url)
    started = time.monotonic()
    for group in range(GROUPS):
        iam.create_group(GroupName=f"bench-group-{group:02d}")
    policy_arn = iam.create_policy(PolicyName="bench-s3-read", PolicyDocument=POLICY)["Policy"]["Arn"]
    with ThreadPoolExecutor(WORKERS) as pool:
        # list() re-raises the first seeding error instead of dropping it.
        list(pool.map(lambda index: seed_user(iam, index), range(users)))
        # moto's CreateRole and role lookups iterate over all roles: creating roles while
        # others are looked up fails with "dictionary changed size during iteration" (500).
        for index in range(roles):
            iam.create_role(RoleName=role_name(index), AssumeRolePolicyDocument=TRUST)
        list(pool.map(lambda index: seed_role(iam, index, policy_arn), range(roles)))
    print(f"seeded {users} users, {roles} roles, {GROUPS} groups in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
