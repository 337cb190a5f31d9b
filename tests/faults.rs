//! What moto cannot do, replayed over HTTP: a small fake IAM endpoint answers each Action
//! from a script (paging, a credential report that is not ready yet, throttling, denial),
//! and the binary's JSON report and exit code show what a user would see.
//!
//! Responses are shaped as IAM's awsQuery XML (the API reference's examples and moto's
//! response templates); the fake account is the same in every test, only the faults differ.
//! The same endpoint answers IAM Access Analyzer's ListAnalyzers (REST-JSON, `GET
//! /analyzer`), which moto does not implement, per region (read from the request's
//! signature scope), and CloudTrail (JSON named by its X-Amz-Target header).
//! Run with `--nocapture` to see each test's faults and outcomes.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

const ACCOUNT: &str = MOTO_ACCOUNT;
/// Every scan here is judged at this time; the fake account's dates are fixed around it.
const SCAN_TIME: &str = "2026-06-01T12:00:00Z";
/// An hour before the scan: fresh, no staleness warning.
const REPORT_GENERATED: &str = "2026-06-01T11:00:00Z";
/// Root's password was used 10 days before the scan: root-recent-use fails.
const ROOT_PASSWORD_LAST_USED: &str = "2026-05-22T09:00:00+00:00";
const CREATED: &str = "2025-01-15T10:00:00Z";
const KEY_ROTATED: &str = "2026-04-01T00:00:00+00:00";
const KEY_USED: &str = "2026-05-30T00:00:00+00:00";
const ADMIN_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const ADMIN_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const PASSWORD_POLICY_CHECK_PREFIX: &str = "password-policy-";

// ---------------------------------------------------------------------------------------
// The fake account

#[derive(Default)]
struct FakeUser {
    name: &'static str,
    console_password: bool,
    virtual_mfa: bool,
    access_keys: usize,
    inline_policy: Option<&'static str>,
    admin_attached: bool,
    groups: &'static [&'static str],
}

struct FakeAccount {
    users: Vec<FakeUser>,
    groups: Vec<&'static str>,
    roles: Vec<&'static str>,
    root_mfa: bool,
}

impl FakeAccount {
    /// Every check can be evaluated on it: a clean run exits 0 or 1, never 3.
    fn baseline() -> Self {
        FakeAccount {
            users: vec![
                FakeUser {
                    name: "alice",
                    console_password: true,
                    access_keys: 1,
                    groups: &["developers"],
                    ..Default::default()
                },
                FakeUser {
                    name: "bob",
                    access_keys: 2,
                    groups: &["developers"],
                    ..Default::default()
                },
                FakeUser {
                    name: "carol",
                    inline_policy: Some("carol-s3"),
                    ..Default::default()
                },
                FakeUser {
                    name: "dave",
                    admin_attached: true,
                    ..Default::default()
                },
                FakeUser {
                    name: "erin",
                    console_password: true,
                    virtual_mfa: true,
                    groups: &["developers"],
                    ..Default::default()
                },
            ],
            groups: vec!["developers", "old-admins"],
            roles: vec!["worker", "reporter"],
            root_mfa: false,
        }
    }

    fn user_arn(name: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:user/{name}")
    }

    fn user_xml(user: &FakeUser) -> String {
        let groups: String = user
            .groups
            .iter()
            .map(|group| format!("<member>{group}</member>"))
            .collect();
        let inline: String = user
            .inline_policy
            .map(|name| format!("<member><PolicyName>{name}</PolicyName><PolicyDocument>{}</PolicyDocument></member>", url_encode(POLICY)))
            .unwrap_or_default();
        let attached = if user.admin_attached {
            format!(
                "<member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>{ADMIN_POLICY_ARN}</PolicyArn></member>"
            )
        } else {
            String::new()
        };
        format!(
            "<member><Path>/</Path><UserName>{name}</UserName><UserId>AIDA{id}</UserId><Arn>{arn}</Arn><CreateDate>{CREATED}</CreateDate>\
             <UserPolicyList>{inline}</UserPolicyList><GroupList>{groups}</GroupList><AttachedManagedPolicies>{attached}</AttachedManagedPolicies></member>",
            name = user.name,
            id = resource_id(user.name),
            arn = Self::user_arn(user.name),
        )
    }

    fn group_xml(group: &str) -> String {
        format!(
            "<member><Path>/</Path><GroupName>{group}</GroupName><GroupId>AGPA{id}</GroupId><Arn>arn:aws:iam::{ACCOUNT}:group/{group}</Arn>\
             <CreateDate>{CREATED}</CreateDate><GroupPolicyList/><AttachedManagedPolicies/></member>",
            id = resource_id(group),
        )
    }

    fn role_xml(role: &str) -> String {
        format!(
            "<member><Path>/</Path><RoleName>{role}</RoleName><RoleId>AROA{id}</RoleId><Arn>arn:aws:iam::{ACCOUNT}:role/{role}</Arn>\
             <CreateDate>{CREATED}</CreateDate><AssumeRolePolicyDocument>{trust}</AssumeRolePolicyDocument><InstanceProfileList/>\
             <RolePolicyList><member><PolicyName>{role}-inline</PolicyName><PolicyDocument>{policy}</PolicyDocument></member></RolePolicyList>\
             <AttachedManagedPolicies/><Tags/><RoleLastUsed/></member>",
            id = resource_id(role),
            trust = url_encode(TRUST),
            policy = url_encode(POLICY),
        )
    }

    /// The AWS managed policy in use, as real IAM lists it: only because it is attached.
    fn admin_policy_xml(&self) -> String {
        let attachments = self.users.iter().filter(|user| user.admin_attached).count();
        if attachments == 0 {
            return String::new();
        }
        format!(
            "<member><PolicyName>AdministratorAccess</PolicyName><PolicyId>ANPAIWMBCKSKIEE64ZLYK</PolicyId><Arn>{ADMIN_POLICY_ARN}</Arn>\
             <Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>{attachments}</AttachmentCount>\
             <PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount><IsAttachable>true</IsAttachable>\
             <CreateDate>2015-02-06T18:39:46Z</CreateDate><UpdateDate>2015-02-06T18:39:46Z</UpdateDate>\
             <PolicyVersionList><member><Document>{document}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion>\
             <CreateDate>2015-02-06T18:39:46Z</CreateDate></member></PolicyVersionList></member>",
            document = url_encode(ADMIN_POLICY),
        )
    }

    /// GetAccountAuthorizationDetails as `pages` pages: the users, groups and roles are dealt
    /// out in order, each page but the last truncated with a marker naming the next.
    fn authorization_pages(&self, pages: usize) -> Vec<String> {
        let deal = |count: usize, page: usize| {
            let per_page = count.div_ceil(pages);
            (page * per_page).min(count)..((page + 1) * per_page).min(count)
        };
        (0..pages)
            .map(|page| {
                let users: String = self.users[deal(self.users.len(), page)].iter().map(Self::user_xml).collect();
                let groups: String = self.groups[deal(self.groups.len(), page)].iter().map(|group| Self::group_xml(group)).collect();
                let roles: String = self.roles[deal(self.roles.len(), page)].iter().map(|role| Self::role_xml(role)).collect();
                let policies = if page == 0 { self.admin_policy_xml() } else { String::new() };
                let paging = if page + 1 < pages {
                    format!("<IsTruncated>true</IsTruncated><Marker>{}</Marker>", page_marker(page + 1))
                } else {
                    "<IsTruncated>false</IsTruncated>".to_string()
                };
                format!(
                    "<UserDetailList>{users}</UserDetailList><GroupDetailList>{groups}</GroupDetailList>\
                     <RoleDetailList>{roles}</RoleDetailList><Policies>{policies}</Policies>{paging}"
                )
            })
            .collect()
    }

    fn credential_report_csv(&self) -> String {
        let mut csv = String::from(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,\
             access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,\
             access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
             cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
        );
        writeln!(
            csv,
            "<root_account>,arn:aws:iam::{ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,{ROOT_PASSWORD_LAST_USED},not_supported,not_supported,{},\
             false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            self.root_mfa
        )
        .expect("writing to a String");
        for user in &self.users {
            let (password, used, changed) = if user.console_password {
                (
                    "true",
                    "2026-05-28T08:00:00+00:00",
                    "2026-03-01T00:00:00+00:00",
                )
            } else {
                ("false", "N/A", "N/A")
            };
            let key = |slot: usize| {
                if user.access_keys >= slot {
                    format!("true,{KEY_ROTATED},{KEY_USED},us-east-1,s3")
                } else {
                    "false,N/A,N/A,N/A,N/A".to_string()
                }
            };
            writeln!(
                csv,
                "{name},{arn},2025-01-15T10:00:00+00:00,{password},{used},{changed},N/A,{mfa},{key1},{key2},false,N/A,false,N/A",
                name = user.name,
                arn = Self::user_arn(user.name),
                mfa = user.virtual_mfa,
                key1 = key(1),
                key2 = key(2),
            )
            .expect("writing to a String");
        }
        csv
    }

    fn virtual_mfa_devices_xml(&self) -> String {
        let devices: String = self
            .users
            .iter()
            .filter(|user| user.virtual_mfa)
            .map(|user| {
                format!(
                    "<member><SerialNumber>{serial}</SerialNumber><User><Path>/</Path><UserName>{name}</UserName><UserId>AIDA{id}</UserId>\
                     <Arn>{arn}</Arn><CreateDate>{CREATED}</CreateDate></User><EnableDate>2026-02-01T00:00:00Z</EnableDate></member>",
                    serial = mfa_serial(user.name),
                    name = user.name,
                    id = resource_id(user.name),
                    arn = Self::user_arn(user.name),
                )
            })
            .collect();
        format!("<VirtualMFADevices>{devices}</VirtualMFADevices><IsTruncated>false</IsTruncated>")
    }

    fn mfa_devices_xml(&self, user_name: &str) -> String {
        let devices: String = self
            .users
            .iter()
            .filter(|user| user.virtual_mfa && user.name == user_name)
            .map(|user| {
                format!(
                    "<member><UserName>{name}</UserName><SerialNumber>{serial}</SerialNumber><EnableDate>2026-02-01T00:00:00Z</EnableDate></member>",
                    name = user.name,
                    serial = mfa_serial(user.name),
                )
            })
            .collect();
        format!("<MFADevices>{devices}</MFADevices><IsTruncated>false</IsTruncated>")
    }

    fn account_summary_xml(&self) -> String {
        let entries = [
            ("Users", self.users.len()),
            ("Groups", self.groups.len()),
            ("Roles", self.roles.len()),
            ("AccountMFAEnabled", usize::from(self.root_mfa)),
            ("AccountAccessKeysPresent", 0),
            ("AccountSigningCertificatesPresent", 0),
            (
                "MFADevices",
                self.users.iter().filter(|user| user.virtual_mfa).count(),
            ),
            (
                "MFADevicesInUse",
                self.users.iter().filter(|user| user.virtual_mfa).count(),
            ),
        ];
        let entries: String = entries
            .iter()
            .map(|(key, value)| format!("<entry><key>{key}</key><value>{value}</value></entry>"))
            .collect();
        format!("<SummaryMap>{entries}</SummaryMap>")
    }
}

const PASSWORD_POLICY: &str = "<PasswordPolicy><MinimumPasswordLength>10</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>\
    <RequireNumbers>true</RequireNumbers><RequireUppercaseCharacters>true</RequireUppercaseCharacters>\
    <RequireLowercaseCharacters>true</RequireLowercaseCharacters><AllowUsersToChangePassword>true</AllowUsersToChangePassword>\
    <ExpirePasswords>true</ExpirePasswords><MaxPasswordAge>90</MaxPasswordAge><PasswordReusePrevention>24</PasswordReusePrevention>\
    <HardExpiry>false</HardExpiry></PasswordPolicy>";

fn page_marker(page: usize) -> String {
    format!("page-{page}-of-the-authorization-details")
}

fn mfa_serial(user: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:mfa/{user}")
}

/// A stable 17-character upper-case id for a name, as IAM's unique ids look.
fn resource_id(name: &str) -> String {
    let mut id: String = name
        .to_ascii_uppercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    while id.len() < 17 {
        id.push('X');
    }
    id.truncate(17);
    id
}

fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------
// Responses and the script

#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// What the outcome table calls it.
    label: String,
    content_type: &'static str,
}

const IAM_XMLNS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// A successful awsQuery answer to `action` whose result holds `result`.
fn ok(action: &str, result: &str) -> Reply {
    Reply {
        status: 200,
        body: format!(
            "<{action}Response xmlns=\"{IAM_XMLNS}\"><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{action}Response>"
        )
        .into_bytes(),
        label: "200".to_string(),
        content_type: "text/xml",
    }
}

/// A REST-JSON answer (Access Analyzer).
fn ok_json(body: Value) -> Reply {
    Reply {
        status: 200,
        body: body.to_string().into_bytes(),
        label: "200".to_string(),
        content_type: "application/json",
    }
}

/// A REST-JSON error, as Access Analyzer sends it.
fn error_json(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: serde_json::json!({"__type": code, "message": message})
            .to_string()
            .into_bytes(),
        label: format!("{status} {code}"),
        content_type: "application/json",
    }
}

/// ListAnalyzers' answer: (name, type) analyzers, all ACTIVE, and the next page's token.
fn analyzers(region: &str, analyzers: &[(&str, &str)], next_token: Option<&str>) -> Reply {
    let analyzers: Vec<Value> = analyzers
        .iter()
        .map(|(name, kind)| {
            serde_json::json!({
                "arn": format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}"),
                "name": name,
                "type": kind,
                "createdAt": CREATED,
                "status": "ACTIVE",
            })
        })
        .collect();
    let mut body = serde_json::json!({ "analyzers": analyzers });
    if let Some(token) = next_token {
        body["nextToken"] = token.into();
    }
    ok_json(body)
}

/// A CloudTrail (awsJson1.1) answer.
fn ok_cloudtrail(body: Value) -> Reply {
    Reply {
        content_type: "application/x-amz-json-1.1",
        ..ok_json(body)
    }
}

const CBOR: &str = "application/cbor";
const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:security-alerts";

/// A CloudWatch (rpc-v2-cbor) answer: `body` encoded as CBOR.
fn ok_cbor(body: Value) -> Reply {
    let mut bytes = Vec::new();
    ciborium::into_writer(&body, &mut bytes).expect("JSON values encode as CBOR");
    Reply {
        status: 200,
        body: bytes,
        label: "200".to_string(),
        content_type: CBOR,
    }
}

/// A CloudWatch (rpc-v2-cbor) error.
fn error_cbor(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        label: format!("{status} {code}"),
        ..ok_cbor(serde_json::json!({"__type": code, "message": message}))
    }
}

const TRAIL_ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit";

/// The regions the fake answers ListAnalyzers for; scans here ask for exactly these.
const REGIONS: &str = "eu-west-1,us-east-1";

/// An awsQuery error, as IAM sends it.
fn error(status: u16, code: &str, message: &str) -> Reply {
    let fault = if status >= 500 { "Receiver" } else { "Sender" };
    Reply {
        status,
        body: format!(
            "<ErrorResponse xmlns=\"{IAM_XMLNS}\"><Error><Type>{fault}</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>"
        )
        .into_bytes(),
        label: format!("{status} {code}"),
        content_type: "text/xml",
    }
}

fn throttled() -> Reply {
    error(400, "Throttling", "Rate exceeded")
}

fn access_denied(action: &str) -> Reply {
    error(
        403,
        "AccessDenied",
        &format!(
            "User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: iam:{action} on resource: *"
        ),
    )
}

/// Which Action (and, optionally, which value of one parameter) gets which replies. The
/// replies are used in order and the last one repeats.
struct Rule {
    action: String,
    parameter: Option<(String, String)>,
    replies: VecDeque<Reply>,
}

struct Script {
    rules: Vec<Rule>,
}

impl Script {
    /// The fake account answering every operation the collector uses, without faults.
    fn account(account: &FakeAccount, pages: usize) -> Script {
        let mut script = Script { rules: Vec::new() };
        let authorization = account.authorization_pages(pages);
        for (page, result) in authorization.iter().enumerate() {
            let reply = ok("GetAccountAuthorizationDetails", result);
            if page == 0 {
                script.on("GetAccountAuthorizationDetails", vec![reply]);
            } else {
                script.on_parameter(
                    "GetAccountAuthorizationDetails",
                    "Marker",
                    &page_marker(page),
                    vec![reply],
                );
            }
        }
        script.on(
            "GenerateCredentialReport",
            vec![ok("GenerateCredentialReport", "<State>COMPLETE</State>")],
        );
        script.on("GetCredentialReport", vec![credential_report(account)]);
        script.on(
            "GetAccountPasswordPolicy",
            vec![ok("GetAccountPasswordPolicy", PASSWORD_POLICY)],
        );
        script.on(
            "GetAccountSummary",
            vec![ok("GetAccountSummary", &account.account_summary_xml())],
        );
        script.on(
            "ListVirtualMFADevices",
            vec![ok(
                "ListVirtualMFADevices",
                &account.virtual_mfa_devices_xml(),
            )],
        );
        for user in &account.users {
            script.on_parameter(
                "ListMFADevices",
                "UserName",
                user.name,
                vec![ok("ListMFADevices", &account.mfa_devices_xml(user.name))],
            );
        }
        script.on(
            "ListOpenIDConnectProviders",
            vec![ok(
                "ListOpenIDConnectProviders",
                "<OpenIDConnectProviderList/>",
            )],
        );
        script.on(
            "ListSAMLProviders",
            vec![ok("ListSAMLProviders", "<SAMLProviderList/>")],
        );
        script.on(
            "ListServerCertificates",
            vec![ok(
                "ListServerCertificates",
                "<ServerCertificateMetadataList/><IsTruncated>false</IsTruncated>",
            )],
        );
        script.on(
            "DescribeTrails",
            vec![ok_cloudtrail(serde_json::json!({"trailList": [{
                "Name": "audit", "TrailARN": TRAIL_ARN, "HomeRegion": "us-east-1",
                "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
                "LogFileValidationEnabled": true, "IsOrganizationTrail": false,
                "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/trail",
                "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
                "S3BucketName": "trail-bucket"}]}))],
        );
        script.on(
            "GetTrailStatus",
            vec![ok_cloudtrail(serde_json::json!({"IsLogging": true}))],
        );
        script.on(
            "GetEventSelectors",
            vec![ok_cloudtrail(serde_json::json!({"TrailARN": TRAIL_ARN,
                "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}))],
        );
        // The trail's log group has the CIS filters for root use (5.3) and IAM policy changes
        // (5.4), each with an alarm to a topic one person is subscribed to.
        let filter = |name: &str, control: &str| {
            serde_json::json!({
                "filterName": name,
                "logGroupName": "trail",
                "filterPattern": iamscan::monitoring::controls::control(control)
                    .expect("a CIS control")
                    .recommended_pattern,
                "metricTransformations": [{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
            })
        };
        script.on(
            "DescribeMetricFilters",
            vec![ok_cloudtrail(serde_json::json!({"metricFilters": [
                filter("RootUsage", "5.3"),
                filter("IamPolicyChanges", "5.4"),
            ]}))],
        );
        let alarm = |name: &str| {
            serde_json::json!({
                "AlarmName": name, "Namespace": "CISBenchmark", "MetricName": name,
                "ActionsEnabled": true, "AlarmActions": [TOPIC_ARN],
            })
        };
        script.on(
            "DescribeAlarms",
            vec![ok_cbor(serde_json::json!({"MetricAlarms": [
                alarm("RootUsage"),
                alarm("IamPolicyChanges"),
            ]}))],
        );
        script.on(
            "ListSubscriptionsByTopic",
            vec![ok(
                "ListSubscriptionsByTopic",
                &format!(
                    "<Subscriptions><member><TopicArn>{TOPIC_ARN}</TopicArn><Protocol>email</Protocol>\
                     <SubscriptionArn>{TOPIC_ARN}:0f4b2c1e-8d3a-4e52-9b1f-3c6d7e8f9a0b</SubscriptionArn>\
                     <Owner>{ACCOUNT}</Owner><Endpoint>security@example.com</Endpoint></member></Subscriptions>"
                ),
            )],
        );
        for region in REGIONS.split(',') {
            script.on_parameter(
                "ListAnalyzers",
                "region",
                region,
                vec![analyzers(region, &[("external-access", "ACCOUNT")], None)],
            );
        }
        script
    }

    /// Later rules take precedence over earlier ones for the same request.
    fn on(&mut self, action: &str, replies: Vec<Reply>) -> &mut Script {
        assert!(!replies.is_empty(), "a rule needs a reply");
        self.rules.push(Rule {
            action: action.to_string(),
            parameter: None,
            replies: replies.into(),
        });
        self
    }

    fn on_parameter(
        &mut self,
        action: &str,
        name: &str,
        value: &str,
        replies: Vec<Reply>,
    ) -> &mut Script {
        assert!(!replies.is_empty(), "a rule needs a reply");
        self.rules.push(Rule {
            action: action.to_string(),
            parameter: Some((name.to_string(), value.to_string())),
            replies: replies.into(),
        });
        self
    }

    /// `replies` first, then what the account answers.
    fn first(&mut self, action: &str, mut replies: Vec<Reply>) -> &mut Script {
        let normal = self
            .rules
            .iter()
            .rev()
            .find(|rule| rule.action == action && rule.parameter.is_none())
            .and_then(|rule| rule.replies.back().cloned())
            .unwrap_or_else(|| panic!("{action} has no normal answer to fall back to"));
        replies.push(normal);
        self.on(action, replies)
    }

    fn reply(&mut self, request: &Request) -> Option<Reply> {
        let rule = self.rules.iter_mut().rev().find(|rule| {
            rule.action == request.action
                && rule
                    .parameter
                    .as_ref()
                    .is_none_or(|(name, value)| request.parameters.get(name) == Some(value))
        })?;
        if rule.replies.len() > 1 {
            rule.replies.pop_front()
        } else {
            rule.replies.front().cloned()
        }
    }
}

fn credential_report(account: &FakeAccount) -> Reply {
    ok(
        "GetCredentialReport",
        &format!(
            "<Content>{}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>{REPORT_GENERATED}</GeneratedTime>",
            base64(account.credential_report_csv().as_bytes())
        ),
    )
}

// ---------------------------------------------------------------------------------------
// The HTTP server

#[derive(Clone, Debug)]
struct Request {
    action: String,
    parameters: BTreeMap<String, String>,
}

struct Exchange {
    request: Request,
    reply: String,
}

struct Shared {
    script: Script,
    log: Vec<Exchange>,
}

/// The fake IAM endpoint on a loopback port; stops when dropped.
struct FakeIam {
    url: String,
    shared: Arc<Mutex<Shared>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeIam {
    fn start(script: Script) -> FakeIam {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let url = format!(
            "http://{}",
            listener.local_addr().expect("the bound address")
        );
        let shared = Arc::new(Mutex::new(Shared {
            script,
            log: Vec::new(),
        }));
        runtime.spawn(serve(listener, Arc::clone(&shared)));
        FakeIam {
            url,
            shared,
            _runtime: runtime,
        }
    }

    /// How many requests named `action`.
    fn count(&self, action: &str) -> usize {
        self.shared
            .lock()
            .expect("the log")
            .log
            .iter()
            .filter(|exchange| exchange.request.action == action)
            .count()
    }

    fn requests(&self, action: &str) -> Vec<Request> {
        self.shared
            .lock()
            .expect("the log")
            .log
            .iter()
            .filter(|exchange| exchange.request.action == action)
            .map(|exchange| exchange.request.clone())
            .collect()
    }

    /// Actions the script had no answer for: the collector called something new.
    fn unscripted(&self) -> Vec<String> {
        self.shared
            .lock()
            .expect("the log")
            .log
            .iter()
            .filter(|exchange| exchange.reply == UNSCRIPTED)
            .map(|exchange| exchange.request.action.clone())
            .collect()
    }

    /// `Action: reply, reply, ...` per action, in order of first request.
    fn summary(&self) -> String {
        let shared = self.shared.lock().expect("the log");
        let mut order: Vec<&str> = Vec::new();
        let mut replies: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for exchange in &shared.log {
            let action = exchange.request.action.as_str();
            if !order.contains(&action) {
                order.push(action);
            }
            replies.entry(action).or_default().push(&exchange.reply);
        }
        order
            .iter()
            .map(|action| format!("{action}: {}", replies[action].join(",")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

const UNSCRIPTED: &str = "unscripted";

async fn serve(listener: tokio::net::TcpListener, shared: Arc<Mutex<Shared>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(connection(stream, Arc::clone(&shared)));
    }
}

/// One HTTP/1.1 connection: requests in turn until the client closes it.
async fn connection(mut stream: tokio::net::TcpStream, shared: Arc<Mutex<Shared>>) {
    use tokio::io::AsyncWriteExt;
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let (head_end, content_length, head) = loop {
            if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                break (end + 4, length, head);
            }
            if !read_more(&mut stream, &mut buffer).await {
                return;
            }
        };
        while buffer.len() < head_end + content_length {
            if !read_more(&mut stream, &mut buffer).await {
                return;
            }
        }
        let body =
            String::from_utf8_lossy(&buffer[head_end..head_end + content_length]).into_owned();
        buffer.drain(..head_end + content_length);
        let request = parse_rest(&head)
            .or_else(|| parse_json_target(&head, &body))
            .unwrap_or_else(|| parse_form(&body));
        let reply = {
            let mut shared = shared.lock().expect("the script");
            let reply = shared.script.reply(&request).unwrap_or_else(|| Reply {
                label: UNSCRIPTED.to_string(),
                ..error(
                    400,
                    "InvalidAction",
                    &format!("the fake IAM has no script for {}", request.action),
                )
            });
            shared.log.push(Exchange {
                request,
                reply: reply.label.clone(),
            });
            reply
        };
        let reason = match reply.status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            410 => "Gone",
            _ => "Internal Server Error",
        };
        // rpc-v2-cbor clients check that the answer says it speaks their protocol.
        let protocol = if reply.content_type == CBOR {
            "smithy-protocol: rpc-v2-cbor\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\n{protocol}Content-Length: {}\r\nx-amzn-RequestId: 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE\r\n\r\n",
            reply.status,
            reply.content_type,
            reply.body.len(),
        );
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(&reply.body).await.is_err()
        {
            return;
        }
    }
}

/// Reads what the client sent next into `buffer`; false once the connection is closed.
async fn read_more(stream: &mut tokio::net::TcpStream, buffer: &mut Vec<u8>) -> bool {
    use tokio::io::AsyncReadExt;
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(read) => {
            buffer.extend_from_slice(&chunk[..read]);
            true
        }
    }
}

/// Access Analyzer's `GET /analyzer?nextToken=...`, as the action ListAnalyzers with the
/// region its signature is scoped to and its query parameters. `head` is lower-cased.
fn parse_rest(head: &str) -> Option<Request> {
    // rpc-v2-cbor: POST /service/<service>/operation/<Operation>, the body is CBOR.
    if let Some(operation) = head
        .lines()
        .next()?
        .strip_prefix("post /service/")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|path| path.split("/operation/").nth(1))
    {
        let action = ["DescribeAlarms"]
            .into_iter()
            .find(|known| known.eq_ignore_ascii_case(operation))
            .map_or_else(|| operation.to_string(), str::to_string);
        return Some(Request {
            action,
            parameters: BTreeMap::new(),
        });
    }
    let target = head
        .lines()
        .next()?
        .strip_prefix("get ")?
        .split(' ')
        .next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/analyzer" {
        return None;
    }
    let mut request = parse_form(query);
    request.action = "ListAnalyzers".to_string();
    // Credential=AKID/20260601/eu-west-1/access-analyzer/aws4_request
    let region = head
        .split("credential=")
        .nth(1)?
        .split('/')
        .nth(2)?
        .to_string();
    request.parameters.insert("region".to_string(), region);
    Some(request)
}

/// An awsJson request (CloudTrail): the action is the last part of its X-Amz-Target header
/// (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails`), parameters are
/// the body's top-level strings. `head` is lower-cased.
fn parse_json_target(head: &str, body: &str) -> Option<Request> {
    let target = head
        .lines()
        .find_map(|line| line.strip_prefix("x-amz-target:"))?
        .trim();
    let action = target.rsplit('.').next()?;
    // The header is lower-cased with the rest of the head: the body keeps the case.
    let parameters: BTreeMap<String, String> = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|value| value.as_object().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| value.as_str().map(|text| (key, text.to_string())))
        .collect();
    let action = [
        "DescribeTrails",
        "GetTrailStatus",
        "GetEventSelectors",
        "DescribeMetricFilters",
        "LookupEvents",
    ]
    .into_iter()
    .find(|known| known.eq_ignore_ascii_case(action))
    .map_or_else(|| action.to_string(), str::to_string);
    Some(Request { action, parameters })
}

/// An awsQuery body: `Action=...&Version=...&Name=value`, form-encoded.
fn parse_form(body: &str) -> Request {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    let parameters: BTreeMap<String, String> = body
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (decode(name), decode(value)),
            None => (decode(pair), String::new()),
        })
        .collect();
    Request {
        action: parameters.get("Action").cloned().unwrap_or_default(),
        parameters,
    }
}

// ---------------------------------------------------------------------------------------
// Running scans against it

/// A scan of the fake endpoint, judged at SCAN_TIME, with `extra` arguments.
fn scan(fake: &FakeIam, extra: &[&str]) -> Run {
    let mut args = vec![
        "--scan-time",
        SCAN_TIME,
        "--report-wait",
        "10",
        "--regions",
        REGIONS,
    ];
    args.extend_from_slice(extra);
    scan_endpoint(&fake.url, &args)
}

fn baseline_report() -> Value {
    let fake = FakeIam::start(Script::account(&FakeAccount::baseline(), 1));
    let run = scan(&fake, &[]);
    assert!(
        fake.unscripted().is_empty(),
        "the collector called {:?}, which the fake does not answer",
        fake.unscripted()
    );
    run.expect_code(0);
    run.report()
}

/// One row of the fault table: what was done, what the endpoint answered, what the user saw.
fn outcome_row(fault: &str, fake: &FakeIam, run: &Run) {
    let report: Option<Value> = serde_json::from_str(&run.stdout).ok();
    let seen = report.as_ref().map_or_else(
        || format!("no report: {}", run.stderr.trim()),
        |report| {
            format!(
                "errored {:?}, gaps {}, retries {}",
                errored_checks(report),
                report["coverage"]["gaps"]
                    .as_array()
                    .map(|gaps| {
                        gaps.iter()
                            .map(|gap| {
                                format!(
                                    "{} {}",
                                    gap["operation"].as_str().unwrap_or("?"),
                                    gap["error_code"].as_str().unwrap_or("?")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                report["stats"]["retries"]
            )
        },
    );
    println!("| {fault:<58} | exit {} | {seen}", run.code);
    println!("|   endpoint saw: {}", fake.summary());
}

fn is_password_policy_check(check: &str) -> bool {
    check.starts_with(PASSWORD_POLICY_CHECK_PREFIX)
}

// ---------------------------------------------------------------------------------------
// The faults

#[test]
fn authorization_details_in_two_pages_are_both_scanned() {
    let account = FakeAccount {
        users: vec![
            // Page 1: carol (inline policy); page 2: dave (AdministratorAccess), a member of a
            // group listed on page 1.
            FakeUser {
                name: "carol",
                inline_policy: Some("carol-s3"),
                ..Default::default()
            },
            FakeUser {
                name: "dave",
                admin_attached: true,
                groups: &["page-one-group"],
                ..Default::default()
            },
        ],
        groups: vec!["page-one-group", "page-two-group"],
        roles: vec!["page-one-role", "page-two-role"],
        root_mfa: true,
    };
    let fake = FakeIam::start(Script::account(&account, 2));
    let run = scan(&fake, &[]);
    outcome_row(
        "GetAccountAuthorizationDetails in 2 pages (Marker)",
        &fake,
        &run,
    );
    let report = run.report();

    let markers: Vec<Option<String>> = fake
        .requests("GetAccountAuthorizationDetails")
        .iter()
        .map(|request| request.parameters.get("Marker").cloned())
        .collect();
    assert_eq!(
        markers,
        vec![None, Some(page_marker(1))],
        "the second page is asked for with the first page's marker"
    );
    assert_eq!(
        failing(&report, "user-direct-policies"),
        vec![
            FakeAccount::user_arn("carol"),
            FakeAccount::user_arn("dave")
        ]
    );
    assert!(
        message(
            &report,
            "user-direct-policies",
            &FakeAccount::user_arn("carol")
        )
        .contains("carol-s3")
    );
    assert!(
        message(
            &report,
            "user-direct-policies",
            &FakeAccount::user_arn("dave")
        )
        .contains("AdministratorAccess")
    );
    // Membership read on page 2 counts for the group listed on page 1.
    assert_eq!(
        status(
            &report,
            "group-without-users",
            &format!("arn:aws:iam::{ACCOUNT}:group/page-one-group")
        ),
        "pass"
    );
    assert_eq!(
        status(
            &report,
            "group-without-users",
            &format!("arn:aws:iam::{ACCOUNT}:group/page-two-group")
        ),
        "fail"
    );
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(0);
}

#[test]
fn a_credential_report_not_ready_at_first_is_waited_for() {
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on("GenerateCredentialReport", vec![
        ok("GenerateCredentialReport", "<State>STARTED</State><Description>No report exists. Starting a new report generation task</Description>"),
        ok("GenerateCredentialReport", "<State>INPROGRESS</State>"),
        ok("GenerateCredentialReport", "<State>COMPLETE</State>"),
    ]);
    script.first(
        "GetCredentialReport",
        vec![error(
            404,
            "ReportInProgress",
            "Report generation in progress. Try again later.",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "GenerateCredentialReport STARTED; GetCredentialReport ReportInProgress once",
        &fake,
        &run,
    );
    let report = run.report();

    assert!(
        fake.count("GetCredentialReport") + fake.count("GenerateCredentialReport") >= 3,
        "the scan asked again: {}",
        fake.summary()
    );
    assert_eq!(report["credential_report_generated_at"], REPORT_GENERATED);
    // The report's root row is the evidence, not the account summary.
    let root = account_arn();
    assert_eq!(status(&report, "root-mfa-enabled", &root), "fail");
    assert!(
        message(&report, "root-mfa-enabled", &root).contains("credential report"),
        "{}",
        message(&report, "root-mfa-enabled", &root)
    );
    assert_eq!(
        status(&report, "root-recent-use", &root),
        "fail",
        "evaluated from the root row, not an error"
    );
    assert!(
        message(&report, "root-recent-use", &root).contains("password used 2026-05-22"),
        "{}",
        message(&report, "root-recent-use", &root)
    );
    assert_eq!(errored_checks(&report), Vec::<String>::new());
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]));
    run.expect_code(0);
}

#[test]
fn throttled_calls_are_retried_and_change_no_finding() {
    let baseline = baseline_report();
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    let throttled_actions = [
        "GetAccountAuthorizationDetails",
        "GetCredentialReport",
        "ListVirtualMFADevices",
    ];
    for action in throttled_actions {
        script.first(action, vec![throttled(), throttled()]);
    }
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "first 2 answers to 3 operations: 400 Throttling",
        &fake,
        &run,
    );
    let report = run.report();

    for action in throttled_actions {
        assert_eq!(
            fake.count(action),
            3,
            "{action}: two throttled attempts and one that succeeded: {}",
            fake.summary()
        );
    }
    assert_eq!(
        finding_lines(&report),
        finding_lines(&baseline),
        "throttling changes no finding"
    );
    assert_eq!(report["coverage"]["gaps"], serde_json::json!([]));
    let retries = report["stats"]["retries"]
        .as_u64()
        .expect("stats.retries is a count");
    assert!(
        retries >= 2 * throttled_actions.len() as u64,
        "stats.retries counts the retried attempts: {retries}"
    );
    run.expect_code(0);
}

#[test]
fn a_denied_password_policy_errors_its_checks_only_and_makes_the_scan_incomplete() {
    let baseline = baseline_report();
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "GetAccountPasswordPolicy",
        vec![access_denied("GetAccountPasswordPolicy")],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("GetAccountPasswordPolicy: 403 AccessDenied", &fake, &run);
    run.expect_code(3);
    let report = run.report();

    let password_checks: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(is_password_policy_check)
        })
        .collect();
    assert_eq!(
        password_checks.len(),
        5,
        "one finding per password-policy check: {password_checks:#?}"
    );
    for finding in &password_checks {
        assert_eq!(finding["status"], "error", "{finding:#}");
        let reason = finding["message"].as_str().unwrap_or_default();
        assert!(
            reason.contains("GetAccountPasswordPolicy") && reason.contains("AccessDenied"),
            "the error says why: {reason}"
        );
    }
    let others = |report: &Value| -> Vec<String> {
        finding_lines(report)
            .into_iter()
            .filter(|line| !line.split(' ').nth(1).is_some_and(is_password_policy_check))
            .collect()
    };
    assert_eq!(
        others(&report),
        others(&baseline),
        "every other check is unaffected"
    );
    let gaps = report["coverage"]["gaps"]
        .as_array()
        .expect("gaps is a list");
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["operation"], "GetAccountPasswordPolicy");
    assert_eq!(gaps[0]["error_code"], "AccessDenied");
    assert_eq!(report["score"]["incomplete"], true);

    // The same denial with a gate crossed: the gate's exit code wins over "incomplete".
    assert_eq!(
        status(&report, "root-mfa-enabled", &account_arn()),
        "fail",
        "the account has a critical failure"
    );
    let gated = scan(&fake, &["--fail-on", "critical"]);
    outcome_row(
        "GetAccountPasswordPolicy: 403 AccessDenied, --fail-on critical",
        &fake,
        &gated,
    );
    gated.expect_code(1);
}

#[test]
fn an_unknown_flag_is_a_one_line_usage_error() {
    let run = run_iamscan(&["scan", "--no-such-flag"], &[]);
    println!(
        "| {:<58} | exit {} | {}",
        "iamscan scan --no-such-flag",
        run.code,
        run.stderr.trim()
    );
    run.expect_code(2);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--no-such-flag"),
        "names the flag: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn a_malformed_inventory_is_a_one_line_error_naming_the_place() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("inventory.json");
    // Line 4, column 3: a key without quotes.
    std::fs::write(
        &path,
        "{\n  \"schema_version\": 1,\n  \"source\": \"api\",\n  collected_at: 1\n}\n",
    )
    .expect("writing the file");
    let path_text = path.to_str().expect("a UTF-8 path");
    let run = run_iamscan(&["scan", "--inventory", path_text, "--format", "json"], &[]);
    println!(
        "| {:<58} | exit {} | {}",
        "scan --inventory <malformed JSON>",
        run.code,
        run.stderr.trim()
    );
    run.expect_code(2);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{path_text}:4:3")),
        "names file:line:column: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
}

/// Access Analyzer is regional: a region whose listing is denied is `error` for that region
/// alone, a second page (nextToken) is read before judging, and the other checks and
/// regions are unaffected.
#[test]
fn access_analyzer_is_judged_per_region_across_pages_and_a_denied_region_is_an_error() {
    let baseline = baseline_report();
    for region in ["eu-west-1", "us-east-1"] {
        assert_eq!(
            status(
                &baseline,
                "access-analyzer-enabled",
                &format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer")
            ),
            "pass",
            "{region} has an active ACCOUNT analyzer"
        );
    }
    assert_eq!(
        findings_of(&baseline, "server-certificate-expired")[0]["status"],
        "pass",
        "no certificates stored: nothing expired, seen"
    );

    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    // us-east-1: the first page holds only an unused-access analyzer; the external one is
    // on the second page.
    script.on_parameter(
        "ListAnalyzers",
        "region",
        "us-east-1",
        vec![analyzers(
            "us-east-1",
            &[("unused", "ACCOUNT_UNUSED_ACCESS")],
            Some("page-2"),
        )],
    );
    script.on_parameter(
        "ListAnalyzers",
        "nexttoken",
        "page-2",
        vec![analyzers(
            "us-east-1",
            &[("external-access", "ACCOUNT")],
            None,
        )],
    );
    script.on_parameter(
        "ListAnalyzers",
        "region",
        "eu-west-1",
        vec![error_json(
            403,
            "AccessDeniedException",
            "User is not authorized to perform: access-analyzer:ListAnalyzers",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row(
        "ListAnalyzers: eu-west-1 403, us-east-1 two pages",
        &fake,
        &run,
    );
    assert!(fake.unscripted().is_empty(), "{:?}", fake.unscripted());
    run.expect_code(3);
    let report = run.report();
    let resource = |region: &str| format!("arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer");
    assert_eq!(
        status(&report, "access-analyzer-enabled", &resource("us-east-1")),
        "pass"
    );
    assert_eq!(
        fake.requests("ListAnalyzers").len(),
        3,
        "two pages for us-east-1, one denied call for eu-west-1"
    );
    assert_eq!(
        status(&report, "access-analyzer-enabled", &resource("eu-west-1")),
        "error"
    );
    let reason = message(&report, "access-analyzer-enabled", &resource("eu-west-1"));
    assert!(
        reason.contains("AccessDeniedException"),
        "the error says why: {reason}"
    );
    let gaps = report["coverage"]["gaps"]
        .as_array()
        .expect("gaps is a list");
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["operation"], "ListAnalyzers");
    assert_eq!(gaps[0]["resource"], "eu-west-1");
    assert_eq!(
        report["stats"]["api_calls"]["ListAnalyzers"], 3,
        "Access Analyzer calls are counted with the IAM ones"
    );
    let others = |report: &Value| -> Vec<String> {
        finding_lines(report)
            .into_iter()
            .filter(|line| !line.contains("access-analyzer-enabled"))
            .collect()
    };
    assert_eq!(
        others(&report),
        others(&baseline),
        "every other check is unaffected"
    );
}

/// CloudTrail denied: every logging check is `error` (never pass), the scan is incomplete,
/// and nothing else changes.
#[test]
fn a_denied_cloudtrail_listing_errors_the_logging_checks_only() {
    let baseline = baseline_report();
    assert_eq!(
        status(&baseline, "cloudtrail-enabled", &account_arn()),
        "pass",
        "the fake account's trail records IAM activity"
    );
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "DescribeTrails",
        vec![Reply {
            content_type: "application/x-amz-json-1.1",
            ..error_json(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: cloudtrail:DescribeTrails",
            )
        }],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("DescribeTrails: 400 AccessDeniedException", &fake, &run);
    run.expect_code(3);
    let report = run.report();
    let logging: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("cloudtrail-") || id.starts_with("alarm-"))
        })
        .collect();
    assert_eq!(
        logging.len(),
        6 + 15,
        "six trail checks, fifteen alarm checks: {logging:#?}"
    );
    for finding in logging {
        assert_eq!(finding["status"], "error", "{finding:#}");
        assert!(
            finding["message"]
                .as_str()
                .unwrap_or_default()
                .contains("AccessDeniedException"),
            "{finding:#}"
        );
    }
    assert_eq!(
        fake.count("GetTrailStatus"),
        0,
        "no trail, no per-trail call"
    );
    let others = |report: &Value| -> Vec<String> {
        finding_lines(report)
            .into_iter()
            .filter(|line| !line.contains(" cloudtrail-") && !line.contains(" alarm-"))
            .collect()
    };
    assert_eq!(
        others(&report),
        others(&baseline),
        "every other check is unaffected"
    );
}

/// CloudWatch alarms denied: every section 5 check is `error` (the filters alone prove no
/// alert), and nothing else changes; with the alarms readable, the two controls the fake
/// account has filters and alarms for pass.
#[test]
fn denied_alarms_error_the_monitoring_checks_only() {
    let baseline = baseline_report();
    for check in ["alarm-root-usage", "alarm-iam-policy-changes"] {
        assert_eq!(status(&baseline, check, &account_arn()), "pass", "{check}");
        assert!(
            message(&baseline, check, &account_arn())
                .contains("topic security-alerts (1 confirmed subscription)"),
            "{}",
            message(&baseline, check, &account_arn())
        );
    }
    assert_eq!(
        status(&baseline, "alarm-unauthorized-api-calls", &account_arn()),
        "fail",
        "no filter for 5.1 in the fake account"
    );
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    script.on(
        "DescribeAlarms",
        vec![error_cbor(
            400,
            "AccessDenied",
            "User is not authorized to perform: cloudwatch:DescribeAlarms",
        )],
    );
    let fake = FakeIam::start(script);
    let run = scan(&fake, &[]);
    outcome_row("DescribeAlarms: 400 AccessDenied (CBOR)", &fake, &run);
    run.expect_code(3);
    let report = run.report();
    let alarms: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            finding["check_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("alarm-"))
        })
        .collect();
    assert_eq!(alarms.len(), 15, "one finding per CIS section 5 control");
    for finding in alarms {
        assert_eq!(finding["status"], "error", "{finding:#}");
    }
    assert_eq!(
        fake.count("ListSubscriptionsByTopic"),
        0,
        "no alarm, no topic to ask about"
    );
    let others = |report: &Value| -> Vec<String> {
        finding_lines(report)
            .into_iter()
            .filter(|line| !line.contains("alarm-"))
            .collect()
    };
    assert_eq!(
        others(&report),
        others(&baseline),
        "every other check is unaffected"
    );
}

/// `iamscan events` live: LookupEvents is asked once per event source (IAM, then sign-in),
/// each event's record is read from its CloudTrailEvent text, and the account collected
/// alongside is the posture they are judged against.
#[test]
fn lookup_events_feeds_live_events_through_the_same_analysis() {
    let account = FakeAccount::baseline();
    let mut script = Script::account(&account, 1);
    let event = |record: Value| {
        serde_json::json!({
            "EventId": record["eventID"],
            "EventName": record["eventName"],
            "CloudTrailEvent": record.to_string(),
        })
    };
    let identity = serde_json::json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE",
        "accountId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:user/carol"), "userName": "carol"});
    let iam_record = serde_json::json!({
        "eventVersion": "1.08", "userIdentity": identity, "eventTime": "2026-05-31T10:00:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7", "requestParameters": {"userName": "dave"},
        "eventID": "e1", "recipientAccountId": ACCOUNT,
    });
    let login = serde_json::json!({
        "eventVersion": "1.08", "eventTime": "2026-05-31T09:00:00Z",
        "userIdentity": {"type": "Root", "principalId": ACCOUNT, "accountId": ACCOUNT,
            "arn": format!("arn:aws:iam::{ACCOUNT}:root")},
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.9", "additionalEventData": {"MFAUsed": "No"},
        "responseElements": {"ConsoleLogin": "Success"}, "eventID": "e2", "recipientAccountId": ACCOUNT,
    });
    script.on(
        "LookupEvents",
        vec![
            ok_cloudtrail(serde_json::json!({"Events": [event(iam_record)]})),
            ok_cloudtrail(serde_json::json!({"Events": [event(login)]})),
        ],
    );
    let fake = FakeIam::start(script);
    let run = run_iamscan(
        &[
            "events",
            "--endpoint-url",
            &fake.url,
            "--region",
            "us-east-1",
            "--regions",
            REGIONS,
            "--since",
            "2026-05-01T00:00:00Z",
            "--format",
            "json",
            "--report-wait",
            "10",
        ],
        &[],
    );
    println!(
        "| {:<58} | exit {} | endpoint saw: {}",
        "events: LookupEvents, two sources",
        run.code,
        fake.summary()
    );
    run.expect_code(0);
    assert_eq!(fake.count("LookupEvents"), 2, "one query per event source");
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["records_read"], 2);
    assert_eq!(
        report["correlated"], true,
        "the live account is the posture"
    );
    let events: Vec<(&str, &str)> = report["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|activity| {
            (
                activity["event"].as_str().unwrap_or(""),
                activity["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![("ConsoleLogin-root", "high"), ("CreateAccessKey", "high")],
        "carol is no administrator, so a key for dave is an escalation signal"
    );
}
