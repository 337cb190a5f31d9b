//! The CIS v7.0 section 5 monitoring controls, each with realistic CloudTrail records of
//! the events it must alert on, and [`coverage`]: which of those events a set of metric
//! filter patterns would count.
//!
//! The event lists are those of the CIS recommended filter patterns (as also checked by
//! Prowler's `cloudwatch_log_metric_filter_*` and `cloudwatch_changes_to_*` checks), with
//! two points worth knowing:
//!
//! * 5.10 includes `ModifySecurityGroupRules`, which the v7.0 pattern lists and older
//!   benchmark versions' patterns (and Prowler's check) do not: a filter written from an
//!   older benchmark misses it.
//! * 5.15 is the 18 Organizations events of the CIS pattern. Prowler's check also asks for
//!   `CancelHandshake`, `CreateOrganization` and `EnableAllFeatures`; the benchmark's
//!   pattern does not name them, so they are not required here.
//!
//! Records that a control's pattern must *not* count (service events for 5.3, say) are
//! test material, not part of a control.

use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Value, json};

use super::pattern::FilterPattern;

/// One CIS section 5 control.
#[derive(Debug, Clone)]
pub struct MonitoringControl {
    /// The benchmark's number, e.g. `"5.4"`.
    pub id: &'static str,
    pub title: &'static str,
    /// The benchmark's recommended filter pattern, for remediation text.
    pub recommended_pattern: &'static str,
    /// The events the control must alert on: a label (the event name, or e.g.
    /// `"root ConsoleLogin"`) and a realistic CloudTrail record of it.
    pub events: Vec<(String, Value)>,
}

/// Which of a control's events a set of filter patterns counts, by label, in the
/// control's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub covered: Vec<String>,
    pub missing: Vec<String>,
}

impl Coverage {
    /// Every event is counted by some pattern.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Which of `control`'s events are matched by at least one of `patterns` (the metric
/// filters on the trail's log group that have an alarm).
pub fn coverage(control: &MonitoringControl, patterns: &[&FilterPattern]) -> Coverage {
    let mut out = Coverage::default();
    for (label, record) in &control.events {
        if patterns.iter().any(|p| p.matches(record)) {
            out.covered.push(label.clone());
        } else {
            out.missing.push(label.clone());
        }
    }
    out
}

/// The section 5 controls judged by filter pattern: 5.1 to 5.15.
pub fn controls() -> &'static [MonitoringControl] {
    &CONTROLS
}

/// The control with this id (`"5.4"`).
pub fn control(id: &str) -> Option<&'static MonitoringControl> {
    CONTROLS.iter().find(|c| c.id == id)
}

static CONTROLS: LazyLock<Vec<MonitoringControl>> = LazyLock::new(build);

const ACCOUNT: &str = "111122223333";
const SOURCE_IP: &str = "203.0.113.24";
const REGION: &str = "eu-west-1";
/// IAM, Organizations and sign-in events are recorded in us-east-1.
const GLOBAL_REGION: &str = "us-east-1";
const CLI_AGENT: &str =
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8";
const CONSOLE_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0";

/// An administrator working through an assumed role.
fn admin_role() -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEADMIN1234:alice",
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice"),
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEALICE0001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEADMIN1234",
                "arn": format!("arn:aws:iam::{ACCOUNT}:role/Admin"),
                "accountId": ACCOUNT,
                "userName": "Admin"
            },
            "attributes": {"creationDate": "2026-03-02T09:58:12Z", "mfaAuthenticated": "true"}
        }
    })
}

fn iam_user(with_key: bool) -> Value {
    let mut id = json!({
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEBOB000001",
        "arn": format!("arn:aws:iam::{ACCOUNT}:user/bob"),
        "accountId": ACCOUNT,
        "userName": "bob"
    });
    id["accessKeyId"] = json!(if with_key { "AKIAEXAMPLEBOB000001" } else { "" });
    id
}

fn root(with_key: bool) -> Value {
    let mut id = json!({
        "type": "Root",
        "principalId": ACCOUNT,
        "arn": format!("arn:aws:iam::{ACCOUNT}:root"),
        "accountId": ACCOUNT
    });
    if with_key {
        id["accessKeyId"] = json!("ASIAEXAMPLEROOT00001");
    }
    id
}

/// A deterministic, distinct UUID-shaped id for a record.
fn uuid(seed: &str, salt: u64) -> String {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let l = h.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (l >> 52) & 0xfff,
        l & 0xffff_ffff_ffff
    )
}

/// A successful management API call.
fn api_call(source: &str, name: &str, region: &str, identity: Value, request: Value) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-03-02T10:15:42Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": SOURCE_IP,
        "userAgent": CLI_AGENT,
        "requestParameters": request,
        "responseElements": null,
        "requestID": uuid(&format!("{source}/{name}"), 1),
        "eventID": uuid(&format!("{source}/{name}"), 2),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", source.trim_end_matches(".amazonaws.com"))
        }
    })
}

/// An API call refused for lack of permission.
fn denied(
    source: &str,
    name: &str,
    region: &str,
    request: Value,
    code: &str,
    message: &str,
) -> Value {
    let mut r = api_call(source, name, region, iam_user(true), request);
    r["errorCode"] = json!(code);
    r["errorMessage"] = json!(message);
    r["readOnly"] = json!(name.starts_with("List") || name.starts_with("Get"));
    r
}

/// A console sign-in; `failed` gives the record CloudTrail writes for a wrong password.
fn console_login(identity: Value, mfa: &str, failed: bool) -> Value {
    let seed = format!("{}/{mfa}/{failed}", identity["arn"]);
    let mut r = json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-03-02T08:03:11Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": GLOBAL_REGION,
        "sourceIPAddress": SOURCE_IP,
        "userAgent": CONSOLE_AGENT,
        "requestParameters": null,
        "responseElements": {"ConsoleLogin": if failed { "Failure" } else { "Success" }},
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_0123456789abcdef",
            "MobileVersion": "No",
            "MFAUsed": mfa
        },
        "eventID": uuid(&seed, 2),
        "readOnly": false,
        "eventType": "AwsConsoleSignIn",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "signin.aws.amazon.com"
        }
    });
    if failed {
        r["errorMessage"] = json!("Failed authentication");
    }
    r
}

fn policy_doc() -> &'static str {
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-reports/*"}]}"#
}

fn iam_params(name: &str) -> Value {
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/ReportsReadOnly");
    let inline = "reports-read";
    match name {
        "DeleteGroupPolicy" => json!({"groupName": "analysts", "policyName": inline}),
        "DeleteRolePolicy" => json!({"roleName": "reporting-app", "policyName": inline}),
        "DeleteUserPolicy" => json!({"userName": "bob", "policyName": inline}),
        "PutGroupPolicy" => {
            json!({"groupName": "analysts", "policyName": inline, "policyDocument": policy_doc()})
        }
        "PutRolePolicy" => {
            json!({"roleName": "reporting-app", "policyName": inline, "policyDocument": policy_doc()})
        }
        "PutUserPolicy" => {
            json!({"userName": "bob", "policyName": inline, "policyDocument": policy_doc()})
        }
        "CreatePolicy" => json!({"policyName": "ReportsReadOnly", "policyDocument": policy_doc()}),
        "DeletePolicy" => json!({"policyArn": policy_arn}),
        "CreatePolicyVersion" => {
            json!({"policyArn": policy_arn, "policyDocument": policy_doc(), "setAsDefault": true})
        }
        "DeletePolicyVersion" => json!({"policyArn": policy_arn, "versionId": "v2"}),
        n if n.ends_with("RolePolicy") => {
            json!({"roleName": "reporting-app", "policyArn": policy_arn})
        }
        n if n.ends_with("UserPolicy") => json!({"userName": "bob", "policyArn": policy_arn}),
        _ => json!({"groupName": "analysts", "policyArn": policy_arn}),
    }
}

fn ec2_params(name: &str) -> Value {
    let vpc = "vpc-0a1b2c3d4e5f60718";
    if name == "CreateSecurityGroup" {
        json!({"groupName": "web-tier", "groupDescription": "web tier", "vpcId": vpc})
    } else if name == "ModifySecurityGroupRules" {
        json!({"ModifySecurityGroupRulesRequest": {
            "GroupId": "sg-0123456789abcdef0",
            "SecurityGroupRule": {"SecurityGroupRuleId": "sgr-0fedcba9876543210", "SecurityGroupRule": {
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"
            }}
        }})
    } else if name.contains("SecurityGroup") {
        json!({"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{
            "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
            "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}
        }]}})
    } else if name == "CreateNetworkAcl" {
        json!({"vpcId": vpc})
    } else if name == "ReplaceNetworkAclAssociation" {
        json!({"associationId": "aclassoc-0123456789abcdef0", "networkAclId": "acl-0123456789abcdef0"})
    } else if name.contains("NetworkAcl") {
        json!({"networkAclId": "acl-0123456789abcdef0", "ruleNumber": 100, "egress": false,
               "ruleAction": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0"})
    } else if name == "CreateCustomerGateway" {
        json!({"type": "ipsec.1", "ipAddress": "198.51.100.7", "bgpAsn": 65000})
    } else if name.contains("CustomerGateway") {
        json!({"customerGatewayId": "cgw-0123456789abcdef0"})
    } else if name == "CreateInternetGateway" {
        json!({})
    } else if name.contains("InternetGateway") {
        json!({"internetGatewayId": "igw-0123456789abcdef0", "vpcId": vpc})
    } else if name == "CreateRouteTable" {
        json!({"vpcId": vpc})
    } else if name.contains("Route") {
        json!({"routeTableId": "rtb-0123456789abcdef0", "associationId": "rtbassoc-0123456789abcdef0",
               "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0123456789abcdef0"})
    } else if name == "CreateVpc" {
        json!({"cidrBlock": "10.20.0.0/16", "instanceTenancy": "default"})
    } else if name.contains("Peering") {
        json!({"vpcPeeringConnectionId": "pcx-0123456789abcdef0", "vpcId": vpc,
               "peerVpcId": "vpc-0fedcba9876543210"})
    } else if name.contains("ClassicLink") {
        json!({"vpcId": vpc, "instanceId": "i-0123456789abcdef0"})
    } else {
        json!({"vpcId": vpc, "enableDnsHostnames": {"value": true}})
    }
}

fn s3_params(name: &str) -> Value {
    let sub = name
        .trim_start_matches("PutBucket")
        .trim_start_matches("DeleteBucket")
        .to_ascii_lowercase();
    let mut p = json!({"bucketName": "example-reports", "Host": "example-reports.s3.eu-west-1.amazonaws.com"});
    p[sub] = json!("");
    p
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

/// Events named `list`, all successful calls by an administrator to `source`.
fn calls(
    source: &str,
    region: &str,
    list: &[&str],
    params: fn(&str) -> Value,
) -> Vec<(String, Value)> {
    names(list)
        .into_iter()
        .map(|n| {
            let r = api_call(source, &n, region, admin_role(), params(&n));
            (n, r)
        })
        .collect()
}

const IAM_POLICY_EVENTS: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
];

const ORGANIZATIONS_EVENTS: &[&str] = &[
    "AcceptHandshake",
    "AttachPolicy",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "CreatePolicy",
    "DeclineHandshake",
    "DeleteOrganization",
    "DeleteOrganizationalUnit",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "InviteAccountToOrganization",
    "LeaveOrganization",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "UpdatePolicy",
    "UpdateOrganizationalUnit",
];

fn build() -> Vec<MonitoringControl> {
    vec![
        MonitoringControl {
            id: "5.1",
            title: "Ensure unauthorized API calls are monitored",
            recommended_pattern: r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}"#,
            events: vec![
                (
                    "AccessDenied (iam:ListUsers)".into(),
                    denied(
                        "iam.amazonaws.com",
                        "ListUsers",
                        GLOBAL_REGION,
                        json!({}),
                        "AccessDenied",
                        &format!(
                            "User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action"
                        ),
                    ),
                ),
                (
                    "AccessDeniedException (secretsmanager:GetSecretValue)".into(),
                    denied(
                        "secretsmanager.amazonaws.com",
                        "GetSecretValue",
                        REGION,
                        json!({"secretId": "prod/db/password"}),
                        "AccessDeniedException",
                        &format!(
                            "User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db/password because no identity-based policy allows the secretsmanager:GetSecretValue action"
                        ),
                    ),
                ),
                (
                    "Client.UnauthorizedOperation (ec2:RunInstances)".into(),
                    denied(
                        "ec2.amazonaws.com",
                        "RunInstances",
                        REGION,
                        json!({"instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0", "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.micro"}),
                        "Client.UnauthorizedOperation",
                        "You are not authorized to perform this operation. User: arn:aws:iam::111122223333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:111122223333:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: EXAMPLE",
                    ),
                ),
            ],
        },
        MonitoringControl {
            id: "5.2",
            title: "Ensure management console sign-in without MFA is monitored",
            recommended_pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
            events: vec![(
                "ConsoleLogin without MFA (IAM user)".into(),
                console_login(iam_user(false), "No", false),
            )],
        },
        MonitoringControl {
            id: "5.3",
            title: "Ensure usage of the 'root' account is monitored",
            recommended_pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
            events: vec![
                (
                    "root ConsoleLogin".into(),
                    console_login(root(false), "Yes", false),
                ),
                (
                    "root CreateAccessKey".into(),
                    api_call(
                        "iam.amazonaws.com",
                        "CreateAccessKey",
                        GLOBAL_REGION,
                        root(true),
                        json!({}),
                    ),
                ),
            ],
        },
        MonitoringControl {
            id: "5.4",
            title: "Ensure IAM policy changes are monitored",
            recommended_pattern: "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
            events: calls(
                "iam.amazonaws.com",
                GLOBAL_REGION,
                IAM_POLICY_EVENTS,
                iam_params,
            ),
        },
        MonitoringControl {
            id: "5.5",
            title: "Ensure CloudTrail configuration changes are monitored",
            recommended_pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
            events: calls(
                "cloudtrail.amazonaws.com",
                REGION,
                &[
                    "CreateTrail",
                    "UpdateTrail",
                    "DeleteTrail",
                    "StartLogging",
                    "StopLogging",
                ],
                |n| {
                    let arn =
                        format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events");
                    match n {
                        "CreateTrail" => {
                            json!({"name": "management-events", "s3BucketName": "example-trail-logs", "isMultiRegionTrail": true, "enableLogFileValidation": true})
                        }
                        "UpdateTrail" => json!({"name": arn, "cloudWatchLogsLogGroupArn": ""}),
                        _ => json!({"name": arn}),
                    }
                },
            ),
        },
        MonitoringControl {
            id: "5.6",
            title: "Ensure AWS Management Console authentication failures are monitored",
            recommended_pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
            events: vec![
                (
                    "ConsoleLogin failed authentication (IAM user)".into(),
                    console_login(iam_user(false), "No", true),
                ),
                (
                    "ConsoleLogin failed authentication (root)".into(),
                    console_login(root(false), "No", true),
                ),
            ],
        },
        MonitoringControl {
            id: "5.7",
            title: "Ensure disabling or scheduled deletion of customer created CMKs is monitored",
            recommended_pattern: "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
            events: calls(
                "kms.amazonaws.com",
                REGION,
                &["DisableKey", "ScheduleKeyDeletion"],
                |n| {
                    let key = format!(
                        "arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    );
                    if n == "ScheduleKeyDeletion" {
                        json!({"keyId": key, "pendingWindowInDays": 7})
                    } else {
                        json!({"keyId": key})
                    }
                },
            ),
        },
        MonitoringControl {
            id: "5.8",
            title: "Ensure S3 bucket policy changes are monitored",
            recommended_pattern: "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
            events: calls(
                "s3.amazonaws.com",
                REGION,
                &[
                    "PutBucketAcl",
                    "PutBucketPolicy",
                    "PutBucketCors",
                    "PutBucketLifecycle",
                    "PutBucketReplication",
                    "DeleteBucketPolicy",
                    "DeleteBucketCors",
                    "DeleteBucketLifecycle",
                    "DeleteBucketReplication",
                ],
                s3_params,
            ),
        },
        MonitoringControl {
            id: "5.9",
            title: "Ensure AWS Config configuration changes are monitored",
            recommended_pattern: "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
            events: calls(
                "config.amazonaws.com",
                REGION,
                &[
                    "StopConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "PutDeliveryChannel",
                    "PutConfigurationRecorder",
                ],
                |n| match n {
                    "StopConfigurationRecorder" => json!({"configurationRecorderName": "default"}),
                    "DeleteDeliveryChannel" => json!({"deliveryChannelName": "default"}),
                    "PutDeliveryChannel" => {
                        json!({"deliveryChannel": {"name": "default", "s3BucketName": "example-config-history"}})
                    }
                    _ => {
                        json!({"configurationRecorder": {"name": "default", "roleARN": format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"), "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}}})
                    }
                },
            ),
        },
        MonitoringControl {
            id: "5.10",
            title: "Ensure security group changes are monitored",
            recommended_pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
            events: calls(
                "ec2.amazonaws.com",
                REGION,
                &[
                    "AuthorizeSecurityGroupIngress",
                    "AuthorizeSecurityGroupEgress",
                    "RevokeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress",
                    "CreateSecurityGroup",
                    "DeleteSecurityGroup",
                    "ModifySecurityGroupRules",
                ],
                ec2_params,
            ),
        },
        MonitoringControl {
            id: "5.11",
            title: "Ensure Network Access Control List (NACL) changes are monitored",
            recommended_pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
            events: calls(
                "ec2.amazonaws.com",
                REGION,
                &[
                    "CreateNetworkAcl",
                    "CreateNetworkAclEntry",
                    "DeleteNetworkAcl",
                    "DeleteNetworkAclEntry",
                    "ReplaceNetworkAclEntry",
                    "ReplaceNetworkAclAssociation",
                ],
                ec2_params,
            ),
        },
        MonitoringControl {
            id: "5.12",
            title: "Ensure changes to network gateways are monitored",
            recommended_pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
            events: calls(
                "ec2.amazonaws.com",
                REGION,
                &[
                    "CreateCustomerGateway",
                    "DeleteCustomerGateway",
                    "AttachInternetGateway",
                    "CreateInternetGateway",
                    "DeleteInternetGateway",
                    "DetachInternetGateway",
                ],
                ec2_params,
            ),
        },
        MonitoringControl {
            id: "5.13",
            title: "Ensure route table changes are monitored",
            recommended_pattern: "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
            events: calls(
                "ec2.amazonaws.com",
                REGION,
                &[
                    "CreateRoute",
                    "CreateRouteTable",
                    "ReplaceRoute",
                    "ReplaceRouteTableAssociation",
                    "DeleteRouteTable",
                    "DeleteRoute",
                    "DisassociateRouteTable",
                ],
                ec2_params,
            ),
        },
        MonitoringControl {
            id: "5.14",
            title: "Ensure VPC changes are monitored",
            recommended_pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
            events: calls(
                "ec2.amazonaws.com",
                REGION,
                &[
                    "CreateVpc",
                    "DeleteVpc",
                    "ModifyVpcAttribute",
                    "AcceptVpcPeeringConnection",
                    "CreateVpcPeeringConnection",
                    "DeleteVpcPeeringConnection",
                    "RejectVpcPeeringConnection",
                    "AttachClassicLinkVpc",
                    "DetachClassicLinkVpc",
                    "DisableVpcClassicLink",
                    "EnableVpcClassicLink",
                ],
                ec2_params,
            ),
        },
        MonitoringControl {
            id: "5.15",
            title: "Ensure AWS Organizations changes are monitored",
            recommended_pattern: "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
            events: calls(
                "organizations.amazonaws.com",
                GLOBAL_REGION,
                ORGANIZATIONS_EVENTS,
                |n| {
                    if n.contains("Handshake") {
                        json!({"handshakeId": "h-0123456789abcdef0123456789abcdef"})
                    } else if n.contains("Policy") {
                        json!({"policyId": "p-examplepol1", "targetId": "ou-ab12-cd34ef56"})
                    } else if n.contains("OrganizationalUnit") {
                        json!({"parentId": "r-ab12", "name": "workloads"})
                    } else if n == "CreateAccount" {
                        json!({"email": "aws+sandbox@example.com", "accountName": "sandbox"})
                    } else if n.contains("Account") {
                        json!({"accountId": "444455556666"})
                    } else {
                        json!({})
                    }
                },
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::pattern::parse;
    use std::net::IpAddr;

    fn cov(id: &str, patterns: &[&str]) -> Coverage {
        let parsed: Vec<FilterPattern> = patterns
            .iter()
            .map(|p| parse(p).unwrap_or_else(|e| panic!("{p}: {e}")))
            .collect();
        let refs: Vec<&FilterPattern> = parsed.iter().collect();
        coverage(control(id).expect(id), &refs)
    }

    fn labels(id: &str) -> Vec<String> {
        control(id)
            .unwrap()
            .events
            .iter()
            .map(|(l, _)| l.clone())
            .collect()
    }

    #[test]
    fn controls_5_1_to_5_15_in_order() {
        let ids: Vec<&str> = controls().iter().map(|c| c.id).collect();
        let expected: Vec<String> = (1..=15).map(|i| format!("5.{i}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn records_look_like_cloudtrail() {
        for c in controls() {
            assert!(!c.events.is_empty(), "{}", c.id);
            let mut seen = std::collections::HashSet::new();
            for (label, r) in &c.events {
                assert!(
                    seen.insert(label.as_str()),
                    "{} duplicate label {label}",
                    c.id
                );
                for field in [
                    "eventVersion",
                    "eventTime",
                    "eventSource",
                    "eventName",
                    "awsRegion",
                    "eventID",
                    "eventType",
                    "recipientAccountId",
                ] {
                    assert!(r[field].is_string(), "{} {label}: {field}", c.id);
                }
                assert!(
                    r["eventSource"]
                        .as_str()
                        .unwrap()
                        .ends_with(".amazonaws.com")
                );
                let ip = r["sourceIPAddress"].as_str().unwrap();
                assert!(ip.parse::<IpAddr>().is_ok(), "{} {label}: {ip}", c.id);
                assert!(r["userIdentity"]["type"].is_string(), "{} {label}", c.id);
                let name = r["eventName"].as_str().unwrap();
                assert!(label.contains(name), "{} {label} vs {name}", c.id);
            }
        }
        let ids: std::collections::HashSet<&str> = controls()
            .iter()
            .flat_map(|c| c.events.iter().map(|(_, r)| r["eventID"].as_str().unwrap()))
            .collect();
        let total: usize = controls().iter().map(|c| c.events.len()).sum();
        assert_eq!(ids.len(), total, "event ids distinct");
    }

    #[test]
    fn the_five_required_records_have_the_expected_shape() {
        let one = &control("5.1").unwrap().events;
        let codes: Vec<&str> = one
            .iter()
            .map(|(_, r)| r["errorCode"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"AccessDenied"));
        assert!(codes.contains(&"Client.UnauthorizedOperation"));

        let (_, login) = &control("5.2").unwrap().events[0];
        assert_eq!(login["userIdentity"]["type"], "IAMUser");
        assert_eq!(login["additionalEventData"]["MFAUsed"], "No");
        assert_eq!(login["responseElements"]["ConsoleLogin"], "Success");

        for (_, r) in &control("5.3").unwrap().events {
            assert_eq!(r["userIdentity"]["type"], "Root");
            assert!(r["userIdentity"].get("invokedBy").is_none());
            assert_ne!(r["eventType"], "AwsServiceEvent");
        }
        assert!(
            control("5.3")
                .unwrap()
                .events
                .iter()
                .any(|(_, r)| r["eventType"] == "AwsApiCall")
        );

        assert_eq!(labels("5.4").len(), 16);
        assert!(labels("5.4").contains(&"DeletePolicyVersion".to_string()));

        for (_, r) in &control("5.6").unwrap().events {
            assert_eq!(r["eventName"], "ConsoleLogin");
            assert_eq!(r["errorMessage"], "Failed authentication");
        }
    }

    #[test]
    fn each_recommended_pattern_covers_its_control() {
        for c in controls() {
            let got = cov(c.id, &[c.recommended_pattern]);
            assert!(got.is_complete(), "{}: missing {:?}", c.id, got.missing);
            assert_eq!(got.covered, labels(c.id));
        }
    }

    #[test]
    fn alternative_cis_patterns_also_cover() {
        // 5.2's variant that spares SSO sign-ins.
        let c = cov(
            "5.2",
            &[
                r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
            ],
        );
        assert!(c.is_complete());
        // 5.13's audit text, whose eventSource test binds only to CreateRoute.
        let c = cov(
            "5.13",
            &[
                "{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
            ],
        );
        assert!(c.is_complete());
        // 5.1 without the exclusions, as Prowler's check accepts it.
        let c = cov(
            "5.1",
            &[r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#],
        );
        assert!(c.is_complete());
    }

    #[test]
    fn policy_changes_without_delete_policy_version_miss_exactly_that() {
        let c = cov(
            "5.4",
            &[
                "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
            ],
        );
        assert_eq!(c.missing, vec!["DeletePolicyVersion".to_string()]);
        assert_eq!(c.covered.len(), 15);
        assert!(!c.is_complete());
    }

    #[test]
    fn older_security_group_pattern_misses_modify_security_group_rules() {
        let c = cov(
            "5.10",
            &[
                "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
            ],
        );
        assert_eq!(c.missing, vec!["ModifySecurityGroupRules".to_string()]);
    }

    #[test]
    fn coverage_is_the_union_of_the_patterns() {
        let c = cov(
            "5.7",
            &[
                "{ $.eventName = DisableKey }",
                "{ $.eventName = ScheduleKeyDeletion }",
            ],
        );
        assert!(c.is_complete());
        let c = cov("5.7", &["{ $.eventName = DisableKey }"]);
        assert_eq!(c.missing, vec!["ScheduleKeyDeletion".to_string()]);
        let c = cov("5.7", &[]);
        assert_eq!(c.missing, labels("5.7"));
        assert!(c.covered.is_empty());
    }

    #[test]
    fn catch_all_covers_everything() {
        for c in controls() {
            assert!(
                cov(c.id, &["{ $.eventName = * }"]).is_complete(),
                "{}",
                c.id
            );
            assert!(cov(c.id, &[""]).is_complete(), "{}", c.id);
        }
    }

    #[test]
    fn term_pattern_console_login_covers_5_2() {
        assert!(cov("5.2", &["ConsoleLogin"]).is_complete());
        assert!(cov("5.6", &["ConsoleLogin \"Failed authentication\""]).is_complete());
        assert!(!cov("5.2", &["ConsoleLogin -IAMUser"]).is_complete());
    }

    #[test]
    fn wrong_event_source_does_not_cover() {
        let c = cov(
            "5.7",
            &[
                "{($.eventSource = kms.amazon.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
            ],
        );
        assert_eq!(c.missing, labels("5.7"));
    }

    #[test]
    fn sign_in_with_mfa_is_not_counted_by_5_2() {
        let p = parse(control("5.2").unwrap().recommended_pattern).unwrap();
        assert!(!p.matches(&console_login(iam_user(false), "Yes", false)));
        // A federated console session has no MFAUsed "Yes" either: the plain pattern
        // counts it, the SSO variant does not.
        let mut sso = console_login(
            json!({"type": "AssumedRole", "principalId": "AROAEXAMPLESSO000001:carol@example.com", "accountId": ACCOUNT}),
            "No",
            false,
        );
        sso["additionalEventData"]
            .as_object_mut()
            .unwrap()
            .remove("MFAUsed");
        assert!(
            !p.matches(&sso),
            "MFAUsed absent: '!=' on a missing field is false"
        );
    }

    #[test]
    fn root_pattern_ignores_service_events() {
        let p = parse(control("5.3").unwrap().recommended_pattern).unwrap();
        // A service acting on the account: AwsServiceEvent, no invokedBy.
        let mut service = api_call(
            "sts.amazonaws.com",
            "AssumeRole",
            REGION,
            root(false),
            json!({}),
        );
        service["eventType"] = json!("AwsServiceEvent");
        assert!(!p.matches(&service));
        // A root-identity call that a service made on the root user's behalf.
        let mut invoked = api_call(
            "iam.amazonaws.com",
            "ListAccountAliases",
            GLOBAL_REGION,
            root(false),
            json!({}),
        );
        invoked["userIdentity"]["invokedBy"] = json!("support.amazonaws.com");
        assert!(!p.matches(&invoked));
        // An administrator's call is not root usage.
        let admin = api_call(
            "iam.amazonaws.com",
            "CreateAccessKey",
            GLOBAL_REGION,
            admin_role(),
            json!({}),
        );
        assert!(!p.matches(&admin));
    }

    #[test]
    fn access_denied_head_bucket_is_excluded_by_5_1_but_not_required() {
        let p = parse(control("5.1").unwrap().recommended_pattern).unwrap();
        let head = denied(
            "s3.amazonaws.com",
            "HeadBucket",
            REGION,
            json!({"bucketName": "example-reports"}),
            "AccessDenied",
            "Access Denied",
        );
        assert!(!p.matches(&head));
    }
}
