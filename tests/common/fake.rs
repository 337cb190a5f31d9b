//! A fake AWS endpoint for what moto cannot do, shared by tests/faults.rs and
//! tests/faults_suite.rs: it answers each operation a live scan makes from a script (paging,
//! a credential report that is not ready yet, throttling, denial, server errors, connection
//! resets, slow answers), for one fixed fake account.
//!
//! In front of a moto server instead ([`FakeIam::in_front_of`]), it answers only what its
//! script names and passes every other request to moto unchanged: tests/organization_moto.rs
//! denies one member's STS AssumeRole that way, which moto itself always grants.
//!
//! Responses are shaped as IAM's awsQuery XML (the API reference's examples and moto's
//! response templates); IAM Access Analyzer's ListAnalyzers as REST-JSON (`GET /analyzer`),
//! per region (read from the request's signature scope); CloudTrail and CloudWatch Logs as
//! awsJson named by the X-Amz-Target header; CloudWatch as rpc-v2-cbor; SNS as awsQuery.

use super::*;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ACCOUNT: &str = MOTO_ACCOUNT;
/// Every scan here is judged at this time; the fake account's dates are fixed around it.
pub const SCAN_TIME: &str = "2026-06-01T12:00:00Z";
/// An hour before the scan: fresh, no staleness warning.
pub const REPORT_GENERATED: &str = "2026-06-01T11:00:00Z";
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

// ---------------------------------------------------------------------------------------
// The fake account

#[derive(Default)]
pub struct FakeUser {
    pub name: &'static str,
    pub console_password: bool,
    pub virtual_mfa: bool,
    pub access_keys: usize,
    pub inline_policy: Option<&'static str>,
    pub admin_attached: bool,
    pub groups: &'static [&'static str],
}

pub struct FakeAccount {
    pub users: Vec<FakeUser>,
    pub groups: Vec<&'static str>,
    pub roles: Vec<&'static str>,
    pub root_mfa: bool,
}

impl FakeAccount {
    /// Every check can be evaluated on it: a clean run exits 0 or 1, never 3.
    pub fn baseline() -> Self {
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

    pub fn user_arn(name: &str) -> String {
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

    /// ListVirtualMFADevices' members.
    fn virtual_mfa_devices(&self) -> Vec<String> {
        self.users
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
            .collect()
    }

    /// ListMFADevices' members for one user.
    fn mfa_devices(&self, user_name: &str) -> Vec<String> {
        self.users
            .iter()
            .filter(|user| user.virtual_mfa && user.name == user_name)
            .map(|user| {
                format!(
                    "<member><UserName>{name}</UserName><SerialNumber>{serial}</SerialNumber><EnableDate>2026-02-01T00:00:00Z</EnableDate></member>",
                    name = user.name,
                    serial = mfa_serial(user.name),
                )
            })
            .collect()
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

pub fn page_marker(page: usize) -> String {
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
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// What the outcome table calls it.
    pub label: String,
    pub content_type: &'static str,
    /// How long the endpoint waits before it answers.
    pub delay: Duration,
    /// Close the connection with a TCP reset instead of answering.
    pub reset: bool,
}

const IAM_XMLNS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// STS's answer to an AssumeRole the caller may not make (as AWS words it).
pub fn assume_role_denied(caller_arn: &str, role_arn: &str) -> Reply {
    error(
        403,
        "AccessDenied",
        &format!(
            "User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        ),
    )
}

/// An Organizations (awsJson1.1) error, as AWS sends it.
pub fn organizations_error(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        content_type: "application/x-amz-json-1.1",
        ..error_json(status, code, message)
    }
}

/// A successful awsQuery answer to `action` whose result holds `result`.
pub fn ok(action: &str, result: &str) -> Reply {
    Reply {
        status: 200,
        body: format!(
            "<{action}Response xmlns=\"{IAM_XMLNS}\"><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{action}Response>"
        )
        .into_bytes(),
        label: "200".to_string(),
        content_type: "text/xml",
        delay: Duration::ZERO,
        reset: false,
    }
}

/// A REST-JSON answer (Access Analyzer).
pub fn ok_json(body: Value) -> Reply {
    Reply {
        status: 200,
        body: body.to_string().into_bytes(),
        label: "200".to_string(),
        content_type: "application/json",
        delay: Duration::ZERO,
        reset: false,
    }
}

/// A REST-JSON error, as Access Analyzer sends it.
pub fn error_json(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: serde_json::json!({"__type": code, "message": message})
            .to_string()
            .into_bytes(),
        label: format!("{status} {code}"),
        content_type: "application/json",
        delay: Duration::ZERO,
        reset: false,
    }
}

/// ListAnalyzers' answer: (name, type) analyzers, all ACTIVE, and the next page's token.
pub fn analyzers(region: &str, analyzers: &[(&str, &str)], next_token: Option<&str>) -> Reply {
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
pub fn ok_cloudtrail(body: Value) -> Reply {
    Reply {
        content_type: "application/x-amz-json-1.1",
        ..ok_json(body)
    }
}

const CBOR: &str = "application/cbor";
const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:security-alerts";

/// A CloudWatch (rpc-v2-cbor) answer: `body` encoded as CBOR.
pub fn ok_cbor(body: Value) -> Reply {
    let mut bytes = Vec::new();
    ciborium::into_writer(&body, &mut bytes).expect("JSON values encode as CBOR");
    Reply {
        status: 200,
        body: bytes,
        label: "200".to_string(),
        content_type: CBOR,
        delay: Duration::ZERO,
        reset: false,
    }
}

/// A CloudWatch (rpc-v2-cbor) error.
pub fn error_cbor(status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        label: format!("{status} {code}"),
        ..ok_cbor(serde_json::json!({"__type": code, "message": message}))
    }
}

const TRAIL_ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit";

/// The regions the fake answers ListAnalyzers for; scans here ask for exactly these.
pub const REGIONS: &str = "eu-west-1,us-east-1";

/// An awsQuery error, as IAM sends it.
pub fn error(status: u16, code: &str, message: &str) -> Reply {
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
        delay: Duration::ZERO,
        reset: false,
    }
}

pub fn throttled() -> Reply {
    error(400, "Throttling", "Rate exceeded")
}

pub fn access_denied(action: &str) -> Reply {
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

pub struct Script {
    rules: Vec<Rule>,
    faults: Option<Faults>,
}

impl Script {
    /// No answers yet: for [`FakeIam::in_front_of`], where what the script does not name
    /// goes to the server behind.
    pub fn empty() -> Script {
        Script {
            rules: Vec::new(),
            faults: None,
        }
    }

    /// The fake account answering every operation the collector uses, without faults, its
    /// authorization details in `pages` pages.
    pub fn account(account: &FakeAccount, pages: usize) -> Script {
        Script::build(account, pages, 1)
    }

    /// The same account with every list the collectors page through in `pages` pages:
    /// authorization details, virtual and per-user MFA devices, server certificates,
    /// analyzers, metric filters, alarms and subscriptions. A list is dealt out in order, so
    /// a short one leaves the first pages empty (still truncated, as AWS may answer).
    pub fn account_in_pages(account: &FakeAccount, pages: usize) -> Script {
        Script::build(account, pages, pages)
    }

    fn build(account: &FakeAccount, authorization_pages: usize, pages: usize) -> Script {
        let mut script = Script {
            rules: Vec::new(),
            faults: None,
        };
        let authorization = account.authorization_pages(authorization_pages);
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
        let iam_list = |action: &'static str, list: &'static str| {
            move |members: &[String], marker: Option<&str>| {
                let paging = marker.map_or_else(
                    || "<IsTruncated>false</IsTruncated>".to_string(),
                    |marker| format!("<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>"),
                );
                ok(
                    action,
                    &format!("<{list}>{}</{list}>{paging}", members.concat()),
                )
            }
        };
        script.paged(
            "ListVirtualMFADevices",
            None,
            "Marker",
            &account.virtual_mfa_devices(),
            pages,
            iam_list("ListVirtualMFADevices", "VirtualMFADevices"),
        );
        for user in &account.users {
            script.paged(
                "ListMFADevices",
                Some(("UserName", user.name)),
                "Marker",
                &account.mfa_devices(user.name),
                pages,
                iam_list("ListMFADevices", "MFADevices"),
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
        script.paged(
            "ListServerCertificates",
            None,
            "Marker",
            &[],
            pages,
            iam_list("ListServerCertificates", "ServerCertificateMetadataList"),
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
        script.paged(
            "DescribeMetricFilters",
            None,
            "nextToken",
            &[
                filter("RootUsage", "5.3"),
                filter("IamPolicyChanges", "5.4"),
            ],
            pages,
            |filters, next| ok_cloudtrail(json_page("metricFilters", filters, "nextToken", next)),
        );
        let alarm = |name: &str| {
            serde_json::json!({
                "AlarmName": name, "Namespace": "CISBenchmark", "MetricName": name,
                "ActionsEnabled": true, "AlarmActions": [TOPIC_ARN],
            })
        };
        script.paged(
            "DescribeAlarms",
            None,
            "NextToken",
            &[alarm("RootUsage"), alarm("IamPolicyChanges")],
            pages,
            |alarms, next| ok_cbor(json_page("MetricAlarms", alarms, "NextToken", next)),
        );
        script.paged(
            "ListSubscriptionsByTopic",
            None,
            "NextToken",
            &[format!(
                "<member><TopicArn>{TOPIC_ARN}</TopicArn><Protocol>email</Protocol>\
                 <SubscriptionArn>{TOPIC_ARN}:0f4b2c1e-8d3a-4e52-9b1f-3c6d7e8f9a0b</SubscriptionArn>\
                 <Owner>{ACCOUNT}</Owner><Endpoint>security@example.com</Endpoint></member>"
            )],
            pages,
            |subscriptions, next| {
                let next = next
                    .map(|next| format!("<NextToken>{next}</NextToken>"))
                    .unwrap_or_default();
                ok(
                    "ListSubscriptionsByTopic",
                    &format!("<Subscriptions>{}</Subscriptions>{next}", subscriptions.concat()),
                )
            },
        );
        for region in REGIONS.split(',') {
            script.paged(
                "ListAnalyzers",
                Some(("region", region)),
                // Read from the request line, which the fake lower-cases.
                "nexttoken",
                &[("external-access", "ACCOUNT")],
                pages,
                |listed, next| analyzers(region, listed, next),
            );
        }
        script
    }

    /// `items` as the answer to `action` in `pages` pages, each built by `answer` from its
    /// share of the items and the token of the next page (none on the last). The first page
    /// answers the action's requests, or with `first` those with that parameter's value; a
    /// later page answers the request carrying its token in parameter `token`.
    fn paged<T>(
        &mut self,
        action: &str,
        first: Option<(&str, &str)>,
        token: &str,
        items: &[T],
        pages: usize,
        answer: impl Fn(&[T], Option<&str>) -> Reply,
    ) {
        let scope = first.map_or("all", |(_, value)| value);
        // Lower case: the fake lower-cases the request line, where ListAnalyzers' token is.
        let token_of = |page: usize| format!("{action}-{scope}-page-{}", page + 1).to_lowercase();
        for page in 0..pages {
            let share = &items[page * items.len() / pages..(page + 1) * items.len() / pages];
            let next = (page + 1 < pages).then(|| token_of(page + 1));
            let reply = answer(share, next.as_deref());
            match (page, first) {
                (0, None) => self.on(action, vec![reply]),
                (0, Some((name, value))) => self.on_parameter(action, name, value, vec![reply]),
                _ => self.on_parameter(action, token, &token_of(page), vec![reply]),
            };
        }
    }

    /// Later rules take precedence over earlier ones for the same request.
    pub fn on(&mut self, action: &str, replies: Vec<Reply>) -> &mut Script {
        assert!(!replies.is_empty(), "a rule needs a reply");
        self.rules.push(Rule {
            action: action.to_string(),
            parameter: None,
            replies: replies.into(),
        });
        self
    }

    pub fn on_parameter(
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
    pub fn first(&mut self, action: &str, mut replies: Vec<Reply>) -> &mut Script {
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

    /// Every answer scripted so far for `action` comes after `delay`.
    pub fn slow(&mut self, action: &str, delay: Duration) -> &mut Script {
        for rule in self.rules.iter_mut().filter(|rule| rule.action == action) {
            for reply in &mut rule.replies {
                reply.delay = delay;
            }
        }
        self
    }

    /// Every scripted answer from now on may be replaced by one of `faults`.
    pub fn with_faults(&mut self, faults: Faults) -> &mut Script {
        self.faults = Some(faults);
        self
    }

    /// The answer to `request`, and whether it is an injected fault.
    fn reply(&mut self, request: &Request) -> Option<(Reply, bool)> {
        let index = self.rules.iter().rposition(|rule| {
            rule.action == request.action
                && rule
                    .parameter
                    .as_ref()
                    .is_none_or(|(name, value)| request.parameters.get(name) == Some(value))
        })?;
        let rule = &mut self.rules[index];
        // A faulted attempt leaves the scripted answers in place for the retry.
        if let Some(fault) = self.faults.as_mut().and_then(|faults| faults.roll(request)) {
            let like = rule.replies.front().expect("a rule has a reply");
            return Some((fault.reply(&request.action, like), true));
        }
        let reply = if rule.replies.len() > 1 {
            rule.replies.pop_front()
        } else {
            rule.replies.front().cloned()
        };
        reply.map(|reply| (reply, false))
    }
}

/// What can go wrong with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The protocol's throttling error: `Throttling` (IAM, SNS, CloudWatch), IAM's
    /// `LimitExceeded` to GenerateCredentialReport (which the SDK does not retry), and
    /// `ThrottlingException` (CloudTrail, CloudWatch Logs, Access Analyzer with HTTP 429).
    Throttle,
    /// HTTP 500 with the protocol's internal error.
    ServerError,
    /// HTTP 503 with the protocol's unavailable error.
    Unavailable,
    /// The request is read, then the connection is closed with a TCP reset.
    Reset,
}

impl Fault {
    /// This fault in the protocol of `like`, a normal answer to `action`.
    fn reply(self, action: &str, like: &Reply) -> Reply {
        let (status, code) = match (self, like.content_type) {
            (Fault::Reset, _) => {
                return Reply {
                    status: 0,
                    body: Vec::new(),
                    label: "reset".to_string(),
                    reset: true,
                    ..like.clone()
                };
            }
            (Fault::Throttle, "text/xml") if action == "GenerateCredentialReport" => {
                (409, "LimitExceeded")
            }
            (Fault::Throttle, "application/json") => (429, "ThrottlingException"),
            (Fault::Throttle, "text/xml" | CBOR) => (400, "Throttling"),
            (Fault::Throttle, _) => (400, "ThrottlingException"),
            (Fault::ServerError, "text/xml") => (500, "ServiceFailure"),
            (Fault::ServerError, "application/json") => (500, "InternalServerException"),
            (Fault::ServerError, CBOR) => (500, "InternalServiceError"),
            (Fault::ServerError, _) => (500, "InternalFailure"),
            (Fault::Unavailable, "text/xml" | CBOR) => (503, "ServiceUnavailable"),
            (Fault::Unavailable, _) => (503, "ServiceUnavailableException"),
        };
        let message = "injected by the fake endpoint";
        match like.content_type {
            "text/xml" => error(status, code, message),
            CBOR => error_cbor(status, code, message),
            // REST-JSON and awsJson errors look alike; the content type tells them apart.
            json => Reply {
                content_type: json,
                ..error_json(status, code, message)
            },
        }
    }
}

/// Faults injected into about `percent` of requests, deterministically: whether a request
/// fails, and how, is a hash of the seed, the request (action and parameters) and how many
/// times the same request came before, so a scan meets the same faults whatever order its
/// concurrent calls take. The first request of each action named in `always_first` fails
/// too, whatever the hash says. One request fails at most `max_in_a_row` times running, so
/// that every retry loop ends within the SDK's attempts.
pub struct Faults {
    seed: u64,
    percent: u64,
    kinds: Vec<Fault>,
    max_in_a_row: usize,
    always_first: Vec<String>,
    /// Per request: (attempts so far, faults in a row).
    history: BTreeMap<String, (u64, usize)>,
}

impl Faults {
    pub fn new(seed: u64, percent: u64, kinds: &[Fault]) -> Faults {
        assert!(!kinds.is_empty(), "at least one kind of fault");
        Faults {
            seed,
            percent,
            kinds: kinds.to_vec(),
            max_in_a_row: 2,
            always_first: Vec::new(),
            history: BTreeMap::new(),
        }
    }

    /// The first request of each of `actions` fails (so that a test meets every protocol's
    /// faults whatever the seed).
    pub fn always_first(mut self, actions: &[&str]) -> Faults {
        self.always_first = actions.iter().map(|action| action.to_string()).collect();
        self
    }

    fn roll(&mut self, request: &Request) -> Option<Fault> {
        let first_of_action = !self
            .history
            .keys()
            .any(|key| key.split(' ').next() == Some(request.action.as_str()));
        let pinned = first_of_action && self.always_first.contains(&request.action);
        let key = format!("{} {:?}", request.action, request.parameters);
        let roll = mix(
            self.seed,
            &key,
            self.history.get(&key).map_or(0, |seen| seen.0),
        );
        let (attempts, in_a_row) = self.history.entry(key).or_default();
        *attempts += 1;
        if pinned || (roll % 100 < self.percent && *in_a_row < self.max_in_a_row) {
            *in_a_row += 1;
            Some(self.kinds[(roll >> 32) as usize % self.kinds.len()])
        } else {
            *in_a_row = 0;
            None
        }
    }
}

/// FNV-1a over the seed, `key` and `attempt`, finished with splitmix64: stable across
/// platforms and Rust versions, unlike std's hashers.
fn mix(seed: u64, key: &str, attempt: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed
        .to_le_bytes()
        .iter()
        .chain(key.as_bytes())
        .chain(&attempt.to_le_bytes())
    {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// A JSON (or CBOR) page: `{list: items, token: next}`, no token on the last page.
fn json_page(list: &str, items: &[Value], token: &str, next: Option<&str>) -> Value {
    let mut body = serde_json::Map::new();
    body.insert(list.to_string(), Value::from(items.to_vec()));
    if let Some(next) = next {
        body.insert(token.to_string(), next.into());
    }
    Value::Object(body)
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
pub struct Request {
    pub action: String,
    pub parameters: BTreeMap<String, String>,
}

struct Exchange {
    request: Request,
    reply: String,
    /// The reply is an injected fault (`Script::with_faults`).
    injected: bool,
}

struct Shared {
    script: Script,
    log: Vec<Exchange>,
    /// `host:port` of the server that answers what the script does not.
    upstream: Option<String>,
}

/// The fake IAM endpoint on a loopback port; stops when dropped.
pub struct FakeIam {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeIam {
    pub fn start(script: Script) -> FakeIam {
        FakeIam::serve(script, None)
    }

    /// An endpoint that answers what `script` names and passes every other request, as
    /// it came, to the server at `upstream` (`http://127.0.0.1:PORT`, a moto server), and its
    /// answer back. Passed requests are logged with the reply `passed`.
    pub fn in_front_of(upstream: &str, script: Script) -> FakeIam {
        let address = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .trim_end_matches('/');
        FakeIam::serve(script, Some(address.to_string()))
    }

    fn serve(script: Script, upstream: Option<String>) -> FakeIam {
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
            upstream,
        }));
        runtime.spawn(serve(listener, Arc::clone(&shared)));
        FakeIam {
            url,
            shared,
            _runtime: runtime,
        }
    }

    /// How many requests named `action`.
    pub fn count(&self, action: &str) -> usize {
        self.requests(action).len()
    }

    pub fn requests(&self, action: &str) -> Vec<Request> {
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
    pub fn unscripted(&self) -> Vec<String> {
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
    pub fn summary(&self) -> String {
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

    /// How many requests the endpoint has seen.
    pub fn total(&self) -> usize {
        self.shared.lock().expect("the log").log.len()
    }

    /// The injected faults, as `reply label: count`.
    pub fn injected(&self) -> BTreeMap<String, usize> {
        let mut injected = BTreeMap::new();
        for exchange in &self.shared.lock().expect("the log").log {
            if exchange.injected {
                *injected.entry(exchange.reply.clone()).or_default() += 1;
            }
        }
        injected
    }

    /// The actions that met an injected fault, sorted.
    pub fn faulted_actions(&self) -> Vec<String> {
        let mut actions: Vec<String> = self
            .shared
            .lock()
            .expect("the log")
            .log
            .iter()
            .filter(|exchange| exchange.injected)
            .map(|exchange| exchange.request.action.clone())
            .collect();
        actions.sort();
        actions.dedup();
        actions
    }
}

const UNSCRIPTED: &str = "unscripted";
const PASSED: &str = "passed";

/// Sends a request as it came to `upstream` and returns its whole answer. The upstream (moto's
/// server) closes the connection after each answer, which is where the answer ends.
async fn pass_on(upstream: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(upstream).await?;
    stream.write_all(request).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
        .await
        .map_err(|_| std::io::Error::other("the upstream did not finish its answer in 60 s"))??;
    Ok(answer)
}

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
        let raw_request: Vec<u8> = buffer.drain(..head_end + content_length).collect();
        let raw_body = &raw_request[head_end..];
        let body = String::from_utf8_lossy(raw_body).into_owned();
        let request = parse_rest(&head, raw_body)
            .or_else(|| parse_json_target(&head, &body))
            .unwrap_or_else(|| parse_form(&body));
        // A scripted reply, or (in front of an upstream) the upstream's name to pass it to.
        let decision = {
            let mut shared = shared.lock().expect("the script");
            let scripted = shared.script.reply(&request);
            let (decision, label, injected) = match (scripted, shared.upstream.clone()) {
                (Some((reply, injected)), _) => {
                    let label = reply.label.clone();
                    (Ok(reply), label, injected)
                }
                (None, Some(upstream)) => (Err(upstream), PASSED.to_string(), false),
                (None, None) => {
                    let reply = Reply {
                        label: UNSCRIPTED.to_string(),
                        ..error(
                            400,
                            "InvalidAction",
                            &format!("the fake IAM has no script for {}", request.action),
                        )
                    };
                    (Ok(reply), UNSCRIPTED.to_string(), false)
                }
            };
            shared.log.push(Exchange {
                request,
                reply: label,
                injected,
            });
            decision
        };
        let reply = match decision {
            Ok(reply) => reply,
            Err(upstream) => {
                let Ok(answer) = pass_on(&upstream, &raw_request).await else {
                    return;
                };
                if stream.write_all(&answer).await.is_err() {
                    return;
                }
                continue;
            }
        };
        // The request is logged first: a test can see that a delayed one arrived.
        tokio::time::sleep(reply.delay).await;
        if reply.reset {
            // Closed with SO_LINGER 0: a TCP reset instead of an answer.
            let _ = stream.set_zero_linger();
            return;
        }
        let reason = match reply.status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            410 => "Gone",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
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
fn parse_rest(head: &str, body: &[u8]) -> Option<Request> {
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
        let parameters = top_level_strings(ciborium::from_reader::<Value, _>(body).ok());
        return Some(Request { action, parameters });
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
    let parameters = top_level_strings(serde_json::from_str::<Value>(body).ok());
    let action = [
        "DescribeTrails",
        "GetTrailStatus",
        "GetEventSelectors",
        "DescribeMetricFilters",
        "LookupEvents",
        "ListParents",
        "ListPoliciesForTarget",
        "DescribePolicy",
    ]
    .into_iter()
    .find(|known| known.eq_ignore_ascii_case(action))
    .map_or_else(|| action.to_string(), str::to_string);
    Some(Request { action, parameters })
}

/// A JSON or CBOR body's top-level strings (a page token among them).
fn top_level_strings(body: Option<Value>) -> BTreeMap<String, String> {
    body.and_then(|value| value.as_object().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| value.as_str().map(|text| (key, text.to_string())))
        .collect()
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
pub fn scan(fake: &FakeIam, extra: &[&str]) -> Run {
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

pub fn baseline_report() -> Value {
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
pub fn outcome_row(fault: &str, fake: &FakeIam, run: &Run) {
    let report: Option<Value> = serde_json::from_str(&run.stdout).ok();
    let seen = report.as_ref().map_or_else(
        || format!("no report: {}", run.stderr.trim()),
        |report| {
            format!(
                "errored {:?}, gaps {}, retries {}",
                errored_checks(report),
                gap_list(report),
                report["stats"]["retries"]
            )
        },
    );
    println!("| {fault:<58} | exit {} | {seen}", run.code);
    println!("|   endpoint saw: {}", fake.summary());
}

/// The report's coverage gaps as `Operation ErrorCode, ...`.
pub fn gap_list(report: &Value) -> String {
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
        .unwrap_or_default()
}
