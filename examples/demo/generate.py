#!/usr/bin/env python3
"""Writes the demo account's AWS CLI exports into this folder.

This script is the source of truth for examples/demo: edit the account here, run
`python3 examples/demo/generate.py`, then regenerate the bundled inventory with
`cargo run -- collect --exports examples/demo --output examples/demo-inventory.json`.
The story and the findings it should produce are in README.md.

Every file has the shape the AWS CLI v2 prints (`--output json`, four-space indent,
dates as `2026-11-20T09:00:00+00:00`). Ids are derived from names, so the output is the
same on every run. Standard library only.
"""

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCOUNT = "210987654321"
AUDITOR_ACCOUNT = "111122223333"  # the third-party auditor that assumes security-audit
MANAGEMENT_ACCOUNT = "998877665544"  # the AWS Organizations management account
GENERATED = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)


def ago(days, hour=9, minute=0, second=0):
    """A moment `days` before the report was generated, at the given time of day."""
    day = GENERATED - timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=second)


def iso(moment):
    return moment.isoformat()


def unique_id(prefix, name):
    """An IAM-style unique id (AIDA..., AROA...): prefix and 17 base32 characters."""
    digest = hashlib.sha256(f"{ACCOUNT}/{prefix}/{name}".encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:17]


def arn(resource):
    return f"arn:aws:iam::{ACCOUNT}:{resource}"


def aws_policy_arn(path_and_name):
    return f"arn:aws:iam::aws:policy/{path_and_name}"


def document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


# Managed policies: (name, path, versions as (id, create date, document), default version).

ADMINISTRATOR_ACCESS = aws_policy_arn("AdministratorAccess")
READ_ONLY_ACCESS = aws_policy_arn("ReadOnlyAccess")
SSM_CORE = aws_policy_arn("AmazonSSMManagedInstanceCore")
SUPPORT_SERVICE_ROLE = aws_policy_arn("aws-service-role/AWSSupportServiceRolePolicy")
CLOUDSHELL_FULL_ACCESS = aws_policy_arn("AWSCloudShellFullAccess")

AWS_MANAGED = [
    {
        "arn": ADMINISTRATOR_ACCESS,
        "path": "/",
        "created": datetime(2015, 2, 6, 18, 39, 46, tzinfo=timezone.utc),
        "updated": datetime(2015, 2, 6, 18, 39, 46, tzinfo=timezone.utc),
        "version": "v1",
        "document": document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    },
    {
        # Abbreviated: the real document lists several hundred Get*/List*/Describe* actions.
        "arn": READ_ONLY_ACCESS,
        "path": "/",
        "created": datetime(2015, 2, 6, 18, 39, 48, tzinfo=timezone.utc),
        "updated": datetime(2026, 10, 29, 17, 11, 3, tzinfo=timezone.utc),
        "version": "v131",
        "document": document(
            {
                "Sid": "ReadOnlyActions",
                "Effect": "Allow",
                "Action": [
                    "cloudtrail:Describe*",
                    "cloudtrail:Get*",
                    "cloudtrail:List*",
                    "cloudwatch:Describe*",
                    "cloudwatch:Get*",
                    "cloudwatch:List*",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Describe*",
                    "dynamodb:GetItem",
                    "dynamodb:List*",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "ec2:Describe*",
                    "ec2:Get*",
                    "ecr:BatchGetImage",
                    "ecr:Describe*",
                    "ecr:Get*",
                    "ecr:List*",
                    "iam:Generate*",
                    "iam:Get*",
                    "iam:List*",
                    "iam:Simulate*",
                    "kms:Describe*",
                    "kms:Get*",
                    "kms:List*",
                    "lambda:Get*",
                    "lambda:List*",
                    "logs:Describe*",
                    "logs:FilterLogEvents",
                    "logs:Get*",
                    "s3:Describe*",
                    "s3:Get*",
                    "s3:List*",
                    "secretsmanager:Describe*",
                    "secretsmanager:GetResourcePolicy",
                    "secretsmanager:List*",
                    "ssm:Describe*",
                    "ssm:Get*",
                    "ssm:List*",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
            }
        ),
    },
    {
        "arn": CLOUDSHELL_FULL_ACCESS,
        "path": "/",
        "created": datetime(2020, 12, 15, 19, 0, 34, tzinfo=timezone.utc),
        "updated": datetime(2020, 12, 15, 19, 0, 34, tzinfo=timezone.utc),
        "version": "v1",
        "document": document({"Effect": "Allow", "Action": ["cloudshell:*"], "Resource": "*"}),
    },
    {
        "arn": SSM_CORE,
        "path": "/",
        "created": datetime(2019, 3, 15, 17, 22, 12, tzinfo=timezone.utc),
        "updated": datetime(2023, 5, 23, 16, 23, 2, tzinfo=timezone.utc),
        "version": "v2",
        "document": document(
            {
                "Effect": "Allow",
                "Action": [
                    "ssm:DescribeAssociation",
                    "ssm:GetDeployablePatchSnapshotForInstance",
                    "ssm:GetDocument",
                    "ssm:DescribeDocument",
                    "ssm:GetManifest",
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:ListAssociations",
                    "ssm:ListInstanceAssociations",
                    "ssm:PutInventory",
                    "ssm:PutComplianceItems",
                    "ssm:PutConfigurePackageResult",
                    "ssm:UpdateAssociationStatus",
                    "ssm:UpdateInstanceAssociationStatus",
                    "ssm:UpdateInstanceInformation",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ec2messages:AcknowledgeMessage",
                    "ec2messages:DeleteMessage",
                    "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint",
                    "ec2messages:GetMessages",
                    "ec2messages:SendReply",
                ],
                "Resource": "*",
            },
        ),
    },
    {
        # Abbreviated: the real document is several pages of read-only service actions.
        "arn": SUPPORT_SERVICE_ROLE,
        "path": "/aws-service-role/",
        "created": datetime(2018, 4, 19, 18, 4, 44, tzinfo=timezone.utc),
        "updated": datetime(2026, 9, 16, 20, 31, 52, tzinfo=timezone.utc),
        "version": "v38",
        "document": document(
            {
                "Sid": "AWSSupportReadOnly",
                "Effect": "Allow",
                "Action": [
                    "cloudformation:DescribeStacks",
                    "cloudtrail:DescribeTrails",
                    "ec2:DescribeInstances",
                    "iam:GetAccountSummary",
                    "iam:ListRoles",
                    "s3:GetBucketPolicy",
                ],
                "Resource": "*",
            }
        ),
    },
]

DEVELOPER_ACCESS = arn("policy/developer-access")
WEB_DEPLOY = arn("policy/web-deploy")
LEGACY_FULL_ACCESS = arn("policy/legacy-full-access")
BILLING_READONLY = arn("policy/billing-readonly-2019")

CUSTOMER_MANAGED = [
    {
        "arn": DEVELOPER_ACCESS,
        "created": ago(1520, 14, 2, 11),
        "versions": [
            (
                "v1",
                ago(1520, 14, 2, 11),
                document(
                    {
                        "Effect": "Allow",
                        "Action": ["ec2:Describe*", "logs:Get*", "logs:Describe*"],
                        "Resource": "*",
                    }
                ),
            ),
            (
                "v2",
                ago(402, 10, 47, 30),
                document(
                    {
                        "Sid": "ReadWorkloads",
                        "Effect": "Allow",
                        "Action": [
                            "ec2:Describe*",
                            "ecs:Describe*",
                            "ecs:List*",
                            "logs:Describe*",
                            "logs:FilterLogEvents",
                            "logs:Get*",
                            "cloudwatch:Describe*",
                            "cloudwatch:Get*",
                            "cloudwatch:List*",
                        ],
                        "Resource": "*",
                    },
                    {
                        "Sid": "DevBuckets",
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                        "Resource": ["arn:aws:s3:::acme-dev-*", "arn:aws:s3:::acme-dev-*/*"],
                    },
                    {
                        "Sid": "ManageOwnCredentials",
                        "Effect": "Allow",
                        "Action": [
                            "iam:ChangePassword",
                            "iam:CreateAccessKey",
                            "iam:DeleteAccessKey",
                            "iam:ListAccessKeys",
                            "iam:UpdateAccessKey",
                            "iam:CreateVirtualMFADevice",
                            "iam:EnableMFADevice",
                            "iam:ListMFADevices",
                            "iam:ResyncMFADevice",
                        ],
                        "Resource": [
                            arn("user/${aws:username}"),
                            arn("mfa/${aws:username}"),
                        ],
                    },
                ),
            ),
        ],
        "default": "v2",
    },
    {
        "arn": WEB_DEPLOY,
        "created": ago(601, 16, 20, 5),
        "versions": [
            (
                "v1",
                ago(601, 16, 20, 5),
                document(
                    {
                        "Sid": "SyncSite",
                        "Effect": "Allow",
                        "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        "Resource": ["arn:aws:s3:::acme-web-prod", "arn:aws:s3:::acme-web-prod/*"],
                    },
                    {
                        "Sid": "InvalidateCache",
                        "Effect": "Allow",
                        "Action": "cloudfront:CreateInvalidation",
                        "Resource": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHAPOMQZL",
                    },
                ),
            )
        ],
        "default": "v1",
    },
    {
        # Narrow at first, then "temporarily" widened to everything for a release.
        "arn": LEGACY_FULL_ACCESS,
        "created": ago(830, 11, 5, 42),
        "versions": [
            (
                "v1",
                ago(830, 11, 5, 42),
                document({"Effect": "Allow", "Action": ["s3:*", "ecr:*"], "Resource": "*"}),
            ),
            (
                "v2",
                ago(640, 23, 48, 19),
                document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            ),
        ],
        "default": "v2",
    },
    {
        # Nobody uses it any more; the aws-portal actions it grants are retired.
        "arn": BILLING_READONLY,
        "created": ago(2580, 15, 30, 0),
        "versions": [
            (
                "v1",
                ago(2580, 15, 30, 0),
                document(
                    {
                        "Effect": "Allow",
                        "Action": ["aws-portal:ViewBilling", "aws-portal:ViewUsage", "ce:Get*"],
                        "Resource": "*",
                    }
                ),
            )
        ],
        "default": "v1",
    },
]

# Groups, users and roles. "policies" are managed policy ARNs attached to the entity.

GROUPS = [
    {"name": "Admins", "created": ago(2070, 16, 25, 3), "policies": [ADMINISTRATOR_ACCESS]},
    # CloudShell was added for "a quick look at the logs" during an incident in 2024.
    {
        "name": "Developers",
        "created": ago(1520, 14, 1, 58),
        "policies": [DEVELOPER_ACCESS, CLOUDSHELL_FULL_ACCESS],
    },
    {"name": "Auditors", "created": ago(1100, 9, 12, 40), "policies": [READ_ONLY_ACCESS]},
    # The contractor programme ended; its group stayed.
    {"name": "Contractors", "created": ago(900, 13, 44, 10), "policies": [DEVELOPER_ACCESS]},
]

# Per user: the GAAD entry and the credential report row. Dates are days before the
# report; `None` means never. Keys are (last rotated, last used, region, service).
USERS = [
    {
        "name": "alice.nguyen",  # the administrator: hardware TOTP token
        "created": ago(1689, 14, 3, 27),
        "groups": ["Admins"],
        "password": {"last_used": ago(1, 17, 42, 9), "last_changed": ago(354, 8, 30, 0)},
        "mfa": "hardware",
        "keys": [],
    },
    {
        "name": "bob.martin",  # developer with a security key and one fresh access key
        "created": ago(1530, 10, 15, 0),
        "groups": ["Developers"],
        "password": {"last_used": ago(2, 8, 55, 31), "last_changed": ago(210, 9, 2, 44)},
        "mfa": "fido",
        "keys": [(ago(80, 8, 20, 0), ago(1, 16, 4, 0), "us-east-1", "s3")],
    },
    {
        "name": "carol.diaz",  # developer who started enrolling a virtual MFA device and stopped
        "created": ago(494, 9, 37, 12),
        "groups": ["Developers"],
        "password": {"last_used": ago(3, 14, 12, 50), "last_changed": ago(494, 9, 37, 12)},
        "mfa": None,
        "keys": [],
    },
    {
        "name": "ci-deploy",  # CI user: a rotation started three weeks ago and never finished
        "created": ago(835, 12, 0, 3),
        "groups": [],
        "policies": [LEGACY_FULL_ACCESS],
        "tags": [{"Key": "owner", "Value": "platform-team"}],
        "password": None,
        "mfa": None,
        "keys": [
            (ago(400, 8, 12, 5), ago(0, 7, 41, 0), "us-east-1", "ecr"),
            (ago(21, 15, 33, 48), ago(1, 22, 10, 0), "us-east-1", "s3"),
        ],
    },
    {
        "name": "dmitri.ivanov",  # left the company in April; nobody removed the user
        "created": ago(1844, 9, 0, 0),
        "groups": ["Developers"],
        "password": {"last_used": ago(210, 8, 2, 11), "last_changed": ago(620, 9, 15, 0)},
        "mfa": "fido",
        "keys": [(ago(1281, 8, 20, 31), ago(202, 8, 58, 0), "us-west-2", "s3")],
    },
    {
        "name": "erin.walsh",  # auditor; the onboarding script also made an access key
        "created": ago(263, 8, 15, 0),
        "groups": ["Auditors"],
        "password": {"last_used": ago(6, 13, 20, 5), "last_changed": ago(263, 8, 15, 0)},
        "mfa": "fido",
        "keys": [(ago(263, 8, 15, 2), None, None, None)],
    },
    {
        "name": "break-glass",  # emergency administrator; the MFA seed lives in the safe
        "path": "/emergency/",
        "created": ago(2501, 11, 0, 0),
        "groups": [],
        "policies": [ADMINISTRATOR_ACCESS],
        "password": {"last_used": ago(38, 8, 5, 12), "last_changed": ago(38, 8, 1, 40)},
        "mfa": "virtual",
        "keys": [],
    },
    {
        "name": "grace.kim",  # developer doing everything right
        "created": ago(1369, 15, 45, 0),
        "groups": ["Developers"],
        "password": {"last_used": ago(0, 8, 12, 0), "last_changed": ago(75, 9, 0, 0)},
        "mfa": "fido",
        "keys": [(ago(56, 8, 30, 0), ago(1, 19, 2, 0), "us-east-1", "lambda")],
    },
]

ROOT = {
    "created": ago(2810, 16, 20, 11),
    "password_last_used": ago(170, 8, 14, 55),  # changed the support plan in June
}

OIDC_PROVIDER = arn("oidc-provider/token.actions.githubusercontent.com")
SAML_PROVIDER = arn("saml-provider/okta")


def trust(principal, action="sts:AssumeRole", condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return document(statement)


ROLES = [
    {
        "name": "github-actions-web-deploy",
        "created": ago(601, 16, 22, 40),
        "trust": trust(
            {"Federated": OIDC_PROVIDER},
            "sts:AssumeRoleWithWebIdentity",
            {
                "StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": "repo:acme/web:ref:refs/heads/main",
                }
            },
        ),
        "policies": [WEB_DEPLOY],
        "last_used": (ago(0, 6, 12, 44), "us-east-1"),
        "tags": [{"Key": "repository", "Value": "acme/web"}],
    },
    {
        "name": "web-app-ec2",
        "created": ago(1400, 13, 5, 9),
        "trust": trust({"Service": "ec2.amazonaws.com"}),
        "policies": [SSM_CORE],
        "inline": {
            "read-app-config": document(
                {
                    "Effect": "Allow",
                    "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
                    "Resource": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/web/*",
                },
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/6f1c2b9e-3d4a-4c8e-9a51-0b7d2e4f8a13",
                },
            )
        },
        "instance_profile": True,
        "last_used": (ago(0, 8, 59, 2), "us-east-1"),
    },
    {
        "name": "security-audit",
        "created": ago(700, 10, 0, 30),
        "trust": trust(
            {"AWS": f"arn:aws:iam::{AUDITOR_ACCOUNT}:root"},
            condition={"StringEquals": {"sts:ExternalId": "acme-7f3c9e52-audit"}},
        ),
        "policies": [READ_ONLY_ACCESS],
        "last_used": (ago(12, 3, 30, 0), "us-east-1"),
        "tags": [{"Key": "vendor", "Value": "example-auditor"}],
    },
    {
        "name": "okta-engineers",
        "created": ago(1640, 12, 10, 0),
        "trust": trust(
            {"Federated": SAML_PROVIDER},
            "sts:AssumeRoleWithSAML",
            {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        ),
        "policies": [DEVELOPER_ACCESS],
        "last_used": (ago(1, 7, 30, 18), "eu-west-1"),
    },
    {
        "name": "OrganizationAccountAccessRole",
        "created": ago(2810, 16, 20, 40),
        "trust": trust({"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"}),
        "policies": [ADMINISTRATOR_ACCESS],
        "last_used": (ago(644, 14, 3, 0), "us-east-1"),
    },
    {
        "name": "AWSServiceRoleForSupport",
        "path": "/aws-service-role/support.amazonaws.com/",
        "created": ago(2810, 16, 21, 2),
        "trust": trust({"Service": "support.amazonaws.com"}),
        "policies": [SUPPORT_SERVICE_ROLE],
        "last_used": None,
    },
]

# Virtual MFA devices: the root's, break-glass's, and the one carol never finished.
VIRTUAL_DEVICES = [
    {"serial": arn("mfa/root-account-mfa-device"), "user": "<root>", "enabled": ago(2809, 16, 40, 0)},
    {"serial": arn("mfa/break-glass"), "user": "break-glass", "enabled": ago(2500, 11, 10, 0)},
    {"serial": arn("mfa/carol.diaz"), "user": None, "enabled": None},
]


def user_path(user):
    return user.get("path", "/")


def user_arn(user):
    return arn(f"user{user_path(user)}{user['name']}")


def find_user(name):
    return next(user for user in USERS if user["name"] == name)


def attachments(policy_arn):
    entities = [*GROUPS, *USERS, *ROLES]
    return sum(policy_arn in entity.get("policies", []) for entity in entities)


def attached(policy_arns):
    return [{"PolicyName": policy.rsplit("/", 1)[1], "PolicyArn": policy} for policy in policy_arns]


def role_json(role):
    path = role.get("path", "/")
    entry = {
        "Path": path,
        "RoleName": role["name"],
        "RoleId": unique_id("AROA", role["name"]),
        "Arn": arn(f"role{path}{role['name']}"),
        "CreateDate": iso(role["created"]),
        "AssumeRolePolicyDocument": role["trust"],
    }
    return entry


def authorization_details():
    users = []
    for user in USERS:
        entry = {
            "Path": user_path(user),
            "UserName": user["name"],
            "UserId": unique_id("AIDA", user["name"]),
            "Arn": user_arn(user),
            "CreateDate": iso(user["created"]),
            "GroupList": user["groups"],
            "AttachedManagedPolicies": attached(user.get("policies", [])),
        }
        if user.get("tags"):
            entry["Tags"] = user["tags"]
        users.append(entry)
    groups = [
        {
            "Path": "/",
            "GroupName": group["name"],
            "GroupId": unique_id("AGPA", group["name"]),
            "Arn": arn(f"group/{group['name']}"),
            "CreateDate": iso(group["created"]),
            "GroupPolicyList": [],
            "AttachedManagedPolicies": attached(group["policies"]),
        }
        for group in GROUPS
    ]
    roles = []
    for role in ROLES:
        entry = role_json(role)
        profiles = []
        if role.get("instance_profile"):
            profiles.append(
                {
                    "Path": "/",
                    "InstanceProfileName": role["name"],
                    "InstanceProfileId": unique_id("AIPA", role["name"]),
                    "Arn": arn(f"instance-profile/{role['name']}"),
                    "CreateDate": iso(role["created"]),
                    "Roles": [role_json(role)],
                }
            )
        entry["InstanceProfileList"] = profiles
        entry["RolePolicyList"] = [
            {"PolicyName": name, "PolicyDocument": policy} for name, policy in role.get("inline", {}).items()
        ]
        entry["AttachedManagedPolicies"] = attached(role["policies"])
        entry["Tags"] = role.get("tags", [])
        last_used = role["last_used"]
        entry["RoleLastUsed"] = {"LastUsedDate": iso(last_used[0]), "Region": last_used[1]} if last_used else {}
        roles.append(entry)
    policies = []
    for policy in CUSTOMER_MANAGED:
        name = policy["arn"].rsplit("/", 1)[1]
        versions = sorted(policy["versions"], key=lambda version: version[0], reverse=True)
        policies.append(
            {
                "PolicyName": name,
                "PolicyId": unique_id("ANPA", name),
                "Arn": policy["arn"],
                "Path": "/",
                "DefaultVersionId": policy["default"],
                "AttachmentCount": attachments(policy["arn"]),
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": iso(policy["created"]),
                "UpdateDate": iso(max(created for _, created, _ in versions)),
                "PolicyVersionList": [
                    {
                        "Document": body,
                        "VersionId": version,
                        "IsDefaultVersion": version == policy["default"],
                        "CreateDate": iso(created),
                    }
                    for version, created, body in versions
                ],
            }
        )
    for policy in AWS_MANAGED:
        name = policy["arn"].rsplit("/", 1)[1]
        policies.append(
            {
                "PolicyName": name,
                "PolicyId": unique_id("ANPA", name),
                "Arn": policy["arn"],
                "Path": policy["path"],
                "DefaultVersionId": policy["version"],
                "AttachmentCount": attachments(policy["arn"]),
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": iso(policy["created"]),
                "UpdateDate": iso(policy["updated"]),
                "PolicyVersionList": [
                    {
                        "Document": policy["document"],
                        "VersionId": policy["version"],
                        "IsDefaultVersion": True,
                        "CreateDate": iso(policy["updated"]),
                    }
                ],
            }
        )
    return {
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    }


REPORT_COLUMNS = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
]


def key_cells(key):
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    rotated, used, region, service = key
    if used is None:
        return ["true", iso(rotated), "N/A", "N/A", "N/A"]
    return ["true", iso(rotated), iso(used), region, service]


def credential_report_csv():
    rows = [
        [
            "<root_account>",
            f"arn:aws:iam::{ACCOUNT}:root",
            iso(ROOT["created"]),
            "not_supported",
            iso(ROOT["password_last_used"]),
            "not_supported",
            "not_supported",
            "true",
            *key_cells(None),
            *key_cells(None),
            "false",
            "N/A",
            "false",
            "N/A",
        ]
    ]
    for user in USERS:
        password = user["password"]
        if password:
            last_used = iso(password["last_used"]) if password["last_used"] else "no_information"
            password_cells = ["true", last_used, iso(password["last_changed"]), "N/A"]
        else:
            password_cells = ["false", "N/A", "N/A", "N/A"]
        keys = user["keys"] + [None] * (2 - len(user["keys"]))
        rows.append(
            [
                user["name"],
                user_arn(user),
                iso(user["created"]),
                *password_cells,
                "true" if user["mfa"] else "false",
                *key_cells(keys[0]),
                *key_cells(keys[1]),
                "false",
                "N/A",
                "false",
                "N/A",
            ]
        )
    lines = [",".join(REPORT_COLUMNS)] + [",".join(row) for row in rows]
    return "\n".join(lines)


def credential_report():
    return {
        "Content": base64.b64encode(credential_report_csv().encode()).decode(),
        "ReportFormat": "text/csv",
        "GeneratedTime": iso(GENERATED),
    }


def password_policy():
    # Weak: 8 characters, no symbols, only the last 5 passwords remembered, no expiry.
    return {
        "PasswordPolicy": {
            "MinimumPasswordLength": 8,
            "RequireSymbols": False,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
            "AllowUsersToChangePassword": True,
            "ExpirePasswords": False,
            "PasswordReusePrevention": 5,
        }
    }


def account_summary():
    assigned_virtual = sum(device["user"] is not None for device in VIRTUAL_DEVICES)
    hardware = sum(user["mfa"] in ("hardware", "fido") for user in USERS)
    customer_versions = sum(len(policy["versions"]) for policy in CUSTOMER_MANAGED)
    return {
        "SummaryMap": {
            "GroupPolicySizeQuota": 5120,
            "InstanceProfilesQuota": 1000,
            "Policies": len(CUSTOMER_MANAGED),
            "GroupsPerUserQuota": 10,
            "InstanceProfiles": sum(bool(role.get("instance_profile")) for role in ROLES),
            "AttachedPoliciesPerUserQuota": 10,
            "Users": len(USERS),
            "PoliciesQuota": 1500,
            "Providers": 2,
            "AccountMFAEnabled": 1,
            "AccessKeysPerUserQuota": 2,
            "AssumeRolePolicySizeQuota": 2048,
            "PolicyVersionsInUseQuota": 10000,
            "GlobalEndpointTokenVersion": 1,
            "VersionsPerPolicyQuota": 5,
            "AttachedPoliciesPerGroupQuota": 10,
            "PolicySizeQuota": 6144,
            "Groups": len(GROUPS),
            "AccountSigningCertificatesPresent": 0,
            "UsersQuota": 5000,
            "ServerCertificatesQuota": 20,
            "MFADevices": len(VIRTUAL_DEVICES) + hardware,
            "UserPolicySizeQuota": 2048,
            "PolicyVersionsInUse": customer_versions,
            "ServerCertificates": 0,
            "Roles": len(ROLES),
            "RolesQuota": 1000,
            "SigningCertificatesPerUserQuota": 2,
            "MFADevicesInUse": assigned_virtual + hardware,
            "RolePolicySizeQuota": 10240,
            "AttachedPoliciesPerRoleQuota": 10,
            "AccountAccessKeysPresent": 0,
            "AccountPasswordPresent": 1,
            "GroupsQuota": 300,
        }
    }


def virtual_mfa_devices():
    # ListVirtualMFADevices can return each device's Base32StringSeed and QRCodePNG; an
    # export handed to an auditor must not carry them, and this one does not.
    devices = []
    for device in VIRTUAL_DEVICES:
        entry = {"SerialNumber": device["serial"]}
        if device["user"] == "<root>":
            entry["User"] = {
                "Path": "/",
                "UserName": "",
                "UserId": ACCOUNT,
                "Arn": f"arn:aws:iam::{ACCOUNT}:root",
                "CreateDate": iso(ROOT["created"]),
                "PasswordLastUsed": iso(ROOT["password_last_used"]),
            }
        elif device["user"]:
            user = find_user(device["user"])
            entry["User"] = {
                "Path": user_path(user),
                "UserName": user["name"],
                "UserId": unique_id("AIDA", user["name"]),
                "Arn": user_arn(user),
                "CreateDate": iso(user["created"]),
                "PasswordLastUsed": iso(user["password"]["last_used"]),
            }
        if device["enabled"]:
            entry["EnableDate"] = iso(device["enabled"])
        devices.append(entry)
    return {"VirtualMFADevices": devices}


def mfa_devices(user_name):
    """ListMFADevices for a user the virtual list names: only the virtual device."""
    devices = [
        {"UserName": user_name, "SerialNumber": device["serial"], "EnableDate": iso(device["enabled"])}
        for device in VIRTUAL_DEVICES
        if device["user"] == user_name
    ]
    return {"MFADevices": devices}


def oidc_providers():
    return {"OpenIDConnectProviderList": [{"Arn": OIDC_PROVIDER}]}


def oidc_provider():
    return {
        "Url": "token.actions.githubusercontent.com",
        "ClientIDList": ["sts.amazonaws.com"],
        "ThumbprintList": [
            "6938fd4d98bab03faadb97b34396831e3780aea1",
            "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
        ],
        "CreateDate": iso(ago(601, 16, 18, 2)),
        "Tags": [],
    }


def saml_providers():
    created = ago(1640, 12, 8, 31)
    return {
        "SAMLProviderList": [
            {
                "Arn": SAML_PROVIDER,
                "ValidUntil": iso(created.replace(year=created.year + 100)),
                "CreateDate": iso(created),
            }
        ]
    }


def server_certificates():
    """Two certificates for the old Classic Load Balancer: last year's, expired, and its
    replacement."""

    def certificate(name, uploaded, expires):
        return {
            "Path": "/cloudfront/",
            "ServerCertificateName": name,
            "ServerCertificateId": unique_id("ASCA", name),
            "Arn": arn(f"server-certificate/cloudfront/{name}"),
            "UploadDate": iso(uploaded),
            "Expiration": iso(expires),
        }

    return {
        "ServerCertificateMetadataList": [
            certificate("www-acme-2025", ago(420, 11, 2, 9), ago(55, 23, 59, 59)),
            certificate("www-acme-2026", ago(60, 10, 41, 37), GENERATED + timedelta(days=310)),
        ]
    }


def access_analyzers(region):
    """us-east-1 has the external access analyzer; eu-west-1, where the data lake lives,
    only the unused-access analyzer someone tried out."""
    created = ago(300, 15, 12, 0)
    analyzers = {
        "us-east-1": [("external-access", "ACCOUNT")],
        "eu-west-1": [("unused-access-trial", "ACCOUNT_UNUSED_ACCESS")],
    }[region]
    return {
        "analyzers": [
            {
                "arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}",
                "name": name,
                "type": kind,
                "createdAt": iso(created),
                "status": "ACTIVE",
            }
            for name, kind in analyzers
        ]
    }


TRAIL = "acme-audit"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{TRAIL}"


def trails():
    """One multi-region trail since the account's first year: logging, validated, but with
    S3-managed encryption and no CloudWatch Logs delivery."""
    return {
        "trailList": [
            {
                "Name": TRAIL,
                "S3BucketName": f"acme-cloudtrail-{ACCOUNT}",
                "IncludeGlobalServiceEvents": True,
                "IsMultiRegionTrail": True,
                "HomeRegion": "us-east-1",
                "TrailARN": TRAIL_ARN,
                "LogFileValidationEnabled": True,
                "HasCustomEventSelectors": False,
                "HasInsightSelectors": False,
                "IsOrganizationTrail": False,
            }
        ]
    }


def trail_status():
    return {
        "IsLogging": True,
        "LatestDeliveryTime": iso(ago(0, 8, 57, 12)),
        "LatestDigestDeliveryTime": iso(ago(0, 8, 31, 40)),
        "StartLoggingTime": iso(ago(1790, 10, 4, 2)),
        "TimeLoggingStarted": iso(ago(1790, 10, 4, 2)),
    }


def event_selectors():
    return {
        "TrailARN": TRAIL_ARN,
        "EventSelectors": [
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [],
                "ExcludeManagementEventSources": [],
            }
        ],
    }


def main():
    files = {
        "authorization-details.json": authorization_details(),
        "credential-report.json": credential_report(),
        "password-policy.json": password_policy(),
        "account-summary.json": account_summary(),
        "virtual-mfa-devices.json": virtual_mfa_devices(),
        "oidc-providers.json": oidc_providers(),
        "oidc-provider-token.actions.githubusercontent.com.json": oidc_provider(),
        "saml-providers.json": saml_providers(),
        "server-certificates.json": server_certificates(),
        "access-analyzers-us-east-1.json": access_analyzers("us-east-1"),
        "access-analyzers-eu-west-1.json": access_analyzers("eu-west-1"),
        "trails.json": trails(),
        f"trail-status-{TRAIL}.json": trail_status(),
        f"event-selectors-{TRAIL}.json": event_selectors(),
    }
    for device in VIRTUAL_DEVICES:
        if device["user"] not in (None, "<root>"):
            files[f"mfa-devices-{device['user']}.json"] = mfa_devices(device["user"])
    for name, content in files.items():
        (HERE / name).write_text(json.dumps(content, indent=4) + "\n")


if __name__ == "__main__":
    main()
