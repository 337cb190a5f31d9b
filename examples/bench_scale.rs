//! Scale benchmark: a synthetic account of N principals, scanned offline.
//!
//! ```text
//! bench_scale generate DIR N [--seed S] [--demo examples/demo]   write AWS CLI exports
//! bench_scale run DIR [--phases]                                  load, check, report, time
//! ```
//!
//! `generate` writes the folder `iamscan scan --exports DIR` reads: an authorization-details
//! export with N principals (half users, half roles), their groups and customer managed
//! policies, a credential report, the virtual MFA device list and the per-user
//! `mfa-devices-<user>.json` files, plus the account-level files (password policy, summary,
//! providers, trails, analyzers) copied from the demo account, whose account id the
//! synthetic one shares. Everything is drawn from a seeded generator: the same N and seed
//! give the same bytes.
//!
//! The account is made to give every check family work: users in team groups and a few in
//! Admins; inline and attached policies with conditions, NotAction, NotResource, service
//! wildcards, iam:PassRole to the team's Lambda and ECS roles, sts:AssumeRole on team role
//! patterns and on specific roles; role trust policies naming services, users and roles
//! of the account (real escalation edges), the account root, other accounts (with and
//! without an external id), the GitHub OIDC provider (with and without a `sub` pin), the
//! SAML provider, and now and then anyone; rare self-escalation grants (attach a policy to
//! itself, write a policy version, create another user's keys); credential report rows of
//! every age.
//!
//! `run` does what `iamscan scan --exports DIR --format json` does: load the exports, run
//! every check as a scan does (`run_checks`), build the report, render it as JSON into a
//! byte counter. With `--phases` the checks' part is taken apart to see where the time goes:
//! the shared permission index and the escalation analysis built first, then every check on
//! its own, each timed (the index and the analysis then stay for the whole run, so the
//! memory figures are a scan's only without `--phases`). It prints one `phase` line per
//! phase, one `check` line per check (a time only with `--phases`) and a `summary` line;
//! scripts/bench-scale.sh reads them. Peak memory is measured from outside (GNU time).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use iamscan::catalog;
use iamscan::checks::{Context, Settings, run_check, run_checks};
use iamscan::finding::Status;
use iamscan::inventory::{ExportPaths, load_exports};
use iamscan::report::{Report, Stats, render_json};

/// The demo account's id: the copied account-level files name it.
const ACCOUNT: &str = "210987654321";
const OTHER_ACCOUNTS: &[&str] = &[
    "111122223333",
    "444455556666",
    "777788889999",
    "123456789012",
    "998877665544",
    "135792468024",
];
const OIDC_PROVIDER: &str = "token.actions.githubusercontent.com";
const SAML_PROVIDER: &str = "okta";
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"];

fn scan_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
}

fn main() {
    // As the iamscan binary does.
    iamscan::allocator::tune();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") if args.len() >= 3 => {
            let dir = PathBuf::from(&args[1]);
            let n: usize = args[2].parse().unwrap_or_else(|_| usage());
            let mut seed = 20261120u64;
            let mut demo = PathBuf::from("examples/demo");
            let mut rest = args[3..].iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().unwrap_or_else(|| usage());
                match flag.as_str() {
                    "--seed" => seed = value.parse().unwrap_or_else(|_| usage()),
                    "--demo" => demo = PathBuf::from(value),
                    _ => usage(),
                }
            }
            let started = Instant::now();
            if let Err(error) = generate(&dir, n, seed, &demo) {
                eprintln!("{}: {error}", dir.display());
                std::process::exit(1);
            }
            println!(
                "generated {n} principals in {} ({:.2} s)",
                dir.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Some("run") if args.len() == 2 => run(Path::new(&args[1]), false),
        Some("run") if args.len() == 3 && args[2] == "--phases" => run(Path::new(&args[1]), true),
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: bench_scale generate DIR N [--seed S] [--demo DIR] | bench_scale run DIR [--phases]"
    );
    std::process::exit(2);
}

// ---------------------------------------------------------------------------------------
// run

/// Counts what the JSON renderer writes, without keeping it.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// Resident memory now and at its peak so far, in MiB (Linux; zeros elsewhere).
fn memory() -> (f64, f64) {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn run(dir: &Path, phases: bool) {
    let now = scan_time();
    let started = Instant::now();

    let phase = Instant::now();
    let paths = ExportPaths {
        dir: Some(dir.to_path_buf()),
        ..ExportPaths::default()
    };
    let mut inventory = load_exports(&paths, now).unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1);
    });
    // As `iamscan scan --exports` does: the data is as of the credential report.
    if let Some(generated) = inventory
        .credential_report
        .as_ref()
        .and_then(|report| report.generated_at)
    {
        inventory.collected_at = generated;
    }
    let checks_catalog = catalog::catalog();
    let load = phase.elapsed();
    let mut timings = vec![("load", load)];
    let mut memory_after = vec![("load", memory())];
    if inventory.authorization.is_none() {
        eprintln!("no authorization details in {}", dir.display());
        std::process::exit(1);
    }

    let settings = Settings::default();
    let mut context = Context::new(&inventory, &settings, now);
    let phase = Instant::now();
    let mut per_check = Vec::new();
    let findings = if phases {
        // The two structures checks share, built on first use in a scan: built here first,
        // so that their cost is not charged to whichever check happens to come first.
        let one = Instant::now();
        let _ = context.permissions();
        timings.push(("permission-index", one.elapsed()));
        memory_after.push(("permissions", memory()));
        let one = Instant::now();
        let _ = context.escalation();
        timings.push(("escalation-analysis", one.elapsed()));
        memory_after.push(("escalation", memory()));
        // Every check on its own, in catalog order, each timed.
        let one = Instant::now();
        let mut findings = Vec::new();
        for meta in checks_catalog {
            let started = Instant::now();
            let found = run_check(&context, &meta.id);
            per_check.push((meta.id.as_str(), Some(started.elapsed()), tally(&found)));
            findings.extend(found);
        }
        timings.push(("checks", one.elapsed()));
        findings
    } else {
        // As a scan runs them: the index and the analysis built by the first check that
        // reads them, and freed before the checks that do not.
        let findings = run_checks(&mut context, &[]);
        timings.push(("checks", phase.elapsed()));
        for meta in checks_catalog {
            let found: Vec<_> = findings
                .iter()
                .filter(|finding| finding.check_id == meta.id.as_str())
                .collect();
            let tally = (
                found.len(),
                found.iter().filter(|f| f.status == Status::Fail).count(),
                found.iter().filter(|f| f.status == Status::Error).count(),
            );
            per_check.push((meta.id.as_str(), None, tally));
        }
        findings
    };
    let checks = phase.elapsed();
    drop(context);
    memory_after.push(("checks", memory()));

    let phase = Instant::now();
    let stats = Stats {
        checks_ms: checks.as_millis() as u64,
        findings: findings.len(),
        ..Stats::default()
    };
    let report = Report::build(&inventory, checks_catalog.to_vec(), findings, now, stats);
    timings.push(("report", phase.elapsed()));
    memory_after.push(("report", memory()));

    let phase = Instant::now();
    let mut sink = Counter(0);
    render_json(&report, &mut sink).expect("rendering into memory");
    timings.push(("render-json", phase.elapsed()));
    let total = started.elapsed();
    timings.push(("total", total));
    // To look at what the synthetic account produced (not timed).
    if let Some(path) = std::env::var_os("BENCH_SCALE_REPORT") {
        let mut out = BufWriter::new(File::create(&path).expect("BENCH_SCALE_REPORT"));
        render_json(&report, &mut out).expect("writing BENCH_SCALE_REPORT");
    }

    let details = inventory.authorization.as_ref().expect("checked above");
    let count = |status: Status| {
        report
            .findings
            .iter()
            .filter(|finding| finding.status == status)
            .count()
    };
    for (name, duration) in &timings {
        println!("phase {name} {:.4}", secs(*duration));
    }
    for (phase, (rss, peak)) in &memory_after {
        println!("memory after-{phase} rss {rss:.1} peak {peak:.1}");
    }
    for (id, duration, (found, failed, errored)) in &per_check {
        let seconds = duration.map_or("-".to_string(), |duration| format!("{:.4}", secs(duration)));
        println!("check {id} {seconds} findings {found} fail {failed} error {errored}");
    }
    println!(
        "summary principals {} users {} roles {} groups {} policies {} findings {} fail {} error {} gaps {} json_bytes {} score {} grade {}",
        details.users.len() + details.roles.len(),
        details.users.len(),
        details.roles.len(),
        details.groups.len(),
        details.policies.len(),
        report.findings.len(),
        count(Status::Fail),
        count(Status::Error),
        inventory.gaps.len(),
        sink.0,
        report
            .score
            .overall
            .map_or("none".to_string(), |score| format!("{score:.1}")),
        report.score.grade,
    );
}

/// Findings, failures and errors.
fn tally(findings: &[iamscan::finding::Finding]) -> (usize, usize, usize) {
    let count = |status: Status| findings.iter().filter(|f| f.status == status).count();
    (findings.len(), count(Status::Fail), count(Status::Error))
}

// ---------------------------------------------------------------------------------------
// generate

/// SplitMix64: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    /// An independent stream per item, so that any item can be drawn again on its own
    /// (the credential report redraws the users the export drew).
    fn for_item(seed: u64, stream: u64, index: usize) -> Rng {
        let mut rng = Rng(seed
            ^ stream.wrapping_mul(0xA076_1D64_78BD_642F)
            ^ (index as u64).wrapping_mul(0xE703_7ED1_A0B4_28DB));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn permille(&mut self, p: usize) -> bool {
        self.below(1000) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A date `min..max` days before the scan, at some second of the day.
    fn days_ago(&mut self, min: usize, max: usize) -> String {
        let days = min + self.below(max - min + 1);
        let seconds = self.below(86_400);
        date(
            scan_time()
                - chrono::Duration::days(days as i64)
                - chrono::Duration::seconds(seconds as i64),
        )
    }
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

const USER_STREAM: u64 = 1;
const ROLE_STREAM: u64 = 2;
const GROUP_STREAM: u64 = 3;
const POLICY_STREAM: u64 = 4;

/// How an account of N principals is laid out. Users are numbered 0..users, roles
/// 0..roles; both are dealt to teams in blocks (users by ten, roles by twenty) so that every
/// team gets every kind.
struct Shape {
    seed: u64,
    users: usize,
    roles: usize,
    teams: usize,
    misc_policies: usize,
    legacy_groups: usize,
}

impl Shape {
    fn new(n: usize, seed: u64) -> Shape {
        let users = n / 2;
        let teams = (n / 250).max(4);
        Shape {
            seed,
            users,
            roles: n - users,
            teams,
            misc_policies: (n / 100).max(5),
            legacy_groups: teams / 10 + 1,
        }
    }

    fn user_team(&self, i: usize) -> usize {
        (i / 10) % self.teams
    }

    fn role_team(&self, j: usize) -> usize {
        (j / 20) % self.teams
    }

    /// A user of team `t`: human (digit 0..7 of its block) or machine (7..10).
    fn team_user(&self, t: usize, machine: bool, rng: &mut Rng) -> Option<usize> {
        let blocks = self.users.div_ceil(10 * self.teams);
        for _ in 0..8 {
            let digit = if machine {
                7 + rng.below(3)
            } else {
                rng.below(7)
            };
            let i = (rng.below(blocks) * self.teams + t) * 10 + digit;
            if i < self.users {
                return Some(i);
            }
        }
        None
    }

    /// A role of team `t` of one kind.
    fn team_role(&self, t: usize, kind: RoleKind, rng: &mut Rng) -> Option<usize> {
        let residues: Vec<usize> = (0..20).filter(|r| role_kind(*r) == kind).collect();
        let blocks = self.roles.div_ceil(20 * self.teams);
        for _ in 0..8 {
            let j = (rng.below(blocks) * self.teams + t) * 20 + *rng.pick(&residues);
            if j < self.roles {
                return Some(j);
            }
        }
        None
    }
}

fn is_machine(i: usize) -> bool {
    i % 10 >= 7
}

fn user_name(shape: &Shape, i: usize) -> String {
    let t = shape.user_team(i);
    if is_machine(i) {
        format!("svc-{t}-{i}")
    } else {
        format!("t{t}.user{i}")
    }
}

fn user_path(i: usize) -> &'static str {
    if is_machine(i) { "/service/" } else { "/" }
}

fn user_arn(shape: &Shape, i: usize) -> String {
    format!(
        "arn:aws:iam::{ACCOUNT}:user{}{}",
        user_path(i),
        user_name(shape, i)
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RoleKind {
    Lambda,
    Ecs,
    Ec2,
    App,
    Shared,
    CrossAccount,
    GitHub,
    Saml,
    Chain,
    Misc,
}

fn role_kind(j: usize) -> RoleKind {
    match j % 20 {
        0 | 1 => RoleKind::Lambda,
        2 | 3 => RoleKind::Ecs,
        4 => RoleKind::Ec2,
        5..=8 => RoleKind::App,
        9 | 10 => RoleKind::Shared,
        11 | 12 => RoleKind::CrossAccount,
        13 | 14 => RoleKind::GitHub,
        15 | 16 => RoleKind::Saml,
        17 | 18 => RoleKind::Chain,
        _ => RoleKind::Misc,
    }
}

fn kind_slug(kind: RoleKind) -> &'static str {
    match kind {
        RoleKind::Lambda => "lambda",
        RoleKind::Ecs => "ecs",
        RoleKind::Ec2 => "ec2",
        RoleKind::App => "app",
        RoleKind::Shared => "shared",
        RoleKind::CrossAccount => "xacct",
        RoleKind::GitHub => "gha",
        RoleKind::Saml => "sso",
        RoleKind::Chain => "chain",
        RoleKind::Misc => "misc",
    }
}

/// About one role in two thousand is service-linked.
fn is_service_linked(j: usize) -> bool {
    role_kind(j) == RoleKind::Misc && (j / 20) % 100 == 7
}

fn role_name(shape: &Shape, j: usize) -> String {
    if is_service_linked(j) {
        return format!("AWSServiceRoleForSupport{j}");
    }
    format!(
        "team-{}-{}-{j}",
        shape.role_team(j),
        kind_slug(role_kind(j))
    )
}

fn role_path(j: usize) -> &'static str {
    if is_service_linked(j) {
        "/aws-service-role/support.amazonaws.com/"
    } else {
        "/"
    }
}

fn role_arn(shape: &Shape, j: usize) -> String {
    format!(
        "arn:aws:iam::{ACCOUNT}:role{}{}",
        role_path(j),
        role_name(shape, j)
    )
}

fn iam_arn(resource: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{resource}")
}

fn policy_arn(name: &str) -> String {
    if AWS_MANAGED.contains(&name) {
        let path = if name == "AWSSupportServiceRolePolicy" {
            "aws-service-role/"
        } else {
            ""
        };
        format!("arn:aws:iam::aws:policy/{path}{name}")
    } else {
        iam_arn(&format!("policy/{name}"))
    }
}

/// AWS managed policies the synthetic principals attach; their documents come from the
/// demo's export.
const AWS_MANAGED: &[&str] = &[
    "AdministratorAccess",
    "ReadOnlyAccess",
    "AWSCloudShellFullAccess",
    "AmazonSSMManagedInstanceCore",
    "AWSSupportServiceRolePolicy",
];

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn mfa_condition() -> Value {
    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})
}

/// One of the conditions real policies carry, at random.
fn some_condition(rng: &mut Rng, t: usize) -> Value {
    match rng.below(6) {
        0 => mfa_condition(),
        1 => json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}),
        2 => json!({"StringEquals": {"aws:RequestedRegion": [*rng.pick(REGIONS), "us-east-1"]}}),
        3 => json!({"StringEquals": {"aws:PrincipalTag/team": format!("team-{t}")}}),
        4 => json!({"DateLessThan": {"aws:CurrentTime": "2027-06-30T00:00:00Z"}}),
        _ => json!({"StringEquals": {"aws:ResourceTag/team": format!("team-{t}")}}),
    }
}

const SERVICES: &[(&str, &[&str])] = &[
    (
        "s3",
        &["GetObject", "PutObject", "ListBucket", "DeleteObject"],
    ),
    ("dynamodb", &["GetItem", "PutItem", "Query", "UpdateItem"]),
    ("sqs", &["SendMessage", "ReceiveMessage", "DeleteMessage"]),
    ("sns", &["Publish", "Subscribe"]),
    ("lambda", &["InvokeFunction", "GetFunction"]),
    ("logs", &["CreateLogStream", "PutLogEvents", "GetLogEvents"]),
    ("kms", &["Decrypt", "GenerateDataKey", "Encrypt"]),
    ("secretsmanager", &["GetSecretValue", "DescribeSecret"]),
    ("ssm", &["GetParameter", "GetParametersByPath"]),
    (
        "ecr",
        &["BatchGetImage", "GetDownloadUrlForLayer", "PutImage"],
    ),
    ("ecs", &["RunTask", "DescribeTasks", "UpdateService"]),
    ("cloudwatch", &["PutMetricData", "GetMetricData"]),
    ("events", &["PutEvents", "PutRule"]),
    ("states", &["StartExecution", "DescribeExecution"]),
    ("kinesis", &["PutRecord", "GetRecords"]),
    ("athena", &["StartQueryExecution", "GetQueryResults"]),
    ("glue", &["GetTable", "GetDatabase"]),
    ("rds", &["DescribeDBInstances", "CreateDBSnapshot"]),
];

fn service_resource(service: &str, t: usize, k: usize) -> Value {
    let region = REGIONS[k % REGIONS.len()];
    match service {
        "s3" => json!([
            format!("arn:aws:s3:::acme-team-{t}-{k}"),
            format!("arn:aws:s3:::acme-team-{t}-{k}/*")
        ]),
        "dynamodb" => json!(format!(
            "arn:aws:dynamodb:{region}:{ACCOUNT}:table/team-{t}-table-{k}"
        )),
        "sqs" => json!(format!("arn:aws:sqs:{region}:{ACCOUNT}:team-{t}-queue-{k}")),
        "sns" => json!(format!("arn:aws:sns:{region}:{ACCOUNT}:team-{t}-topic-{k}")),
        "lambda" => json!(format!(
            "arn:aws:lambda:{region}:{ACCOUNT}:function:team-{t}-*"
        )),
        "logs" => json!(format!(
            "arn:aws:logs:{region}:{ACCOUNT}:log-group:/team-{t}/*"
        )),
        "kms" => json!(format!("arn:aws:kms:{region}:{ACCOUNT}:key/*")),
        "secretsmanager" => json!(format!(
            "arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:team-{t}/*"
        )),
        "ssm" => json!(format!(
            "arn:aws:ssm:{region}:{ACCOUNT}:parameter/team-{t}/*"
        )),
        "ecr" => json!(format!(
            "arn:aws:ecr:{region}:{ACCOUNT}:repository/team-{t}-*"
        )),
        _ => json!("*"),
    }
}

/// A statement of ordinary application permissions, sometimes conditional, sometimes a
/// service wildcard, sometimes a Deny.
fn app_statement(rng: &mut Rng, t: usize) -> Value {
    let (service, actions) = *rng.pick(SERVICES);
    let k = rng.below(8);
    let resource = service_resource(service, t, k);
    match rng.below(10) {
        0 => json!({"Effect": "Allow", "Action": format!("{service}:*"), "Resource": resource}),
        1 => json!({
            "Effect": "Allow",
            "Action": [format!("{service}:Get*"), format!("{service}:List*"), format!("{service}:Describe*")],
            "Resource": "*"
        }),
        2 => json!({
            "Effect": "Deny",
            "Action": format!("{service}:Delete*"),
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        }),
        3 | 4 => json!({
            "Effect": "Allow",
            "Action": actions.iter().map(|a| format!("{service}:{a}")).collect::<Vec<_>>(),
            "Resource": resource,
            "Condition": some_condition(rng, t)
        }),
        _ => {
            let n = 1 + rng.below(actions.len());
            json!({
                "Effect": "Allow",
                "Action": actions[..n].iter().map(|a| format!("{service}:{a}")).collect::<Vec<_>>(),
                "Resource": resource
            })
        }
    }
}

fn manage_own_credentials() -> Value {
    json!({
        "Sid": "ManageOwnCredentials",
        "Effect": "Allow",
        "Action": ["iam:ChangePassword", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                   "iam:UpdateAccessKey", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices"],
        "Resource": [iam_arn("user/${aws:username}"), iam_arn("mfa/${aws:username}")]
    })
}

fn pass_role_to_lambda(t: usize) -> Vec<Value> {
    vec![
        json!({
            "Sid": "PassTeamLambdaRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": iam_arn(&format!("role/team-{t}-lambda-*")),
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
        }),
        json!({
            "Effect": "Allow",
            "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:InvokeFunction", "lambda:AddPermission"],
            "Resource": format!("arn:aws:lambda:*:{ACCOUNT}:function:team-{t}-*")
        }),
    ]
}

fn pass_role_to_ecs(t: usize) -> Vec<Value> {
    vec![
        json!({
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": iam_arn(&format!("role/team-{t}-ecs-*"))
        }),
        json!({
            "Effect": "Allow",
            "Action": ["ecs:RunTask", "ecs:RegisterTaskDefinition", "ecs:StartTask"],
            "Resource": "*"
        }),
    ]
}

/// The account's customer managed policies: (name, document), in a fixed order.
fn customer_policies(shape: &Shape) -> Vec<(String, Value)> {
    let mut policies = Vec::new();
    policies.push((
        "force-mfa".to_string(),
        doc(vec![json!({
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                          "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken", "iam:ChangePassword"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        })]),
    ));
    policies.push((
        "ci-deploy".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": iam_arn("role/team-*-lambda-*")}),
            json!({"Effect": "Allow", "Action": ["cloudformation:*", "s3:*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:InvokeFunction"], "Resource": "*"}),
        ]),
    ));
    policies.push((
        "power-user".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*"}),
        ]),
    ));
    policies.push((
        "legacy-full-access".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        ]),
    ));
    policies.push((
        "passrole-any".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances", "ec2:Describe*"], "Resource": "*"}),
        ]),
    ));
    policies.push((
        "assume-any".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
        ]),
    ));
    policies.push((
        "billing-readonly".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "Action": ["aws-portal:View*", "ce:Get*", "ce:Describe*", "budgets:View*"], "Resource": "*"}),
        ]),
    ));
    policies.push((
        "boundary-developer".to_string(),
        doc(vec![
            json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
            json!({"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:PassRole"], "Resource": "*"}),
            json!({"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::acme-team-*", "arn:aws:s3:::acme-team-*/*"]}),
        ]),
    ));
    policies.push((
        "prod-data-readers".to_string(),
        doc(vec![json!({
            "Effect": "Allow",
            "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::acme-prod-secrets", "arn:aws:s3:::acme-prod-secrets/*"]
        })]),
    ));
    for t in 0..shape.teams {
        let rng = &mut Rng::for_item(shape.seed, POLICY_STREAM, t);
        let mut developer = vec![
            json!({
                "Sid": "ReadWorkloads",
                "Effect": "Allow",
                "Action": ["ec2:Describe*", "ecs:Describe*", "ecs:List*", "logs:Describe*", "logs:FilterLogEvents",
                           "logs:Get*", "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
                "Resource": "*"
            }),
            json!({
                "Sid": "TeamBuckets",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::acme-team-{t}-*"), format!("arn:aws:s3:::acme-team-{t}-*/*")]
            }),
            json!({
                "Sid": "AssumeTeamApps",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": iam_arn(&format!("role/team-{t}-app-*")),
                "Condition": mfa_condition()
            }),
            manage_own_credentials(),
        ];
        developer.extend(pass_role_to_ecs(t));
        if rng.percent(10) {
            developer.push(json!({
                "Effect": "Allow",
                "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
                "Resource": iam_arn(&format!("role/team-{t}-*")),
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
            }));
        }
        policies.push((format!("team-{t}-developer"), doc(developer)));
        policies.push((
            format!("team-{t}-read"),
            doc(vec![
                json!({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "dynamodb:Describe*", "dynamodb:Query", "logs:Get*"],
                       "Resource": [format!("arn:aws:s3:::acme-team-{t}-*"), format!("arn:aws:s3:::acme-team-{t}-*/*"),
                                    format!("arn:aws:dynamodb:*:{ACCOUNT}:table/team-{t}-*"), "arn:aws:logs:*:*:*".to_string()]}),
                json!({"Effect": "Deny", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::acme-team-{t}-secrets/*")}),
            ]),
        ));
        let mut app: Vec<Value> = (0..2 + rng.below(4))
            .map(|_| app_statement(rng, t))
            .collect();
        app.push(json!({
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": format!("arn:aws:secretsmanager:*:{ACCOUNT}:secret:team-{t}/*"),
            "Condition": {"StringEquals": {"aws:ResourceTag/team": format!("team-{t}")}}
        }));
        policies.push((format!("team-{t}-app"), doc(app)));
    }
    for k in 0..shape.misc_policies {
        let rng = &mut Rng::for_item(shape.seed, POLICY_STREAM, 1_000_000 + k);
        let t = rng.below(shape.teams);
        let mut statements: Vec<Value> = (0..2 + rng.below(4))
            .map(|_| app_statement(rng, t))
            .collect();
        if rng.percent(10) {
            statements.push(json!({"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": format!("arn:aws:s3:::acme-team-{t}-*")}));
        }
        if rng.percent(8) {
            statements.extend(pass_role_to_lambda(t));
        }
        if rng.percent(5) {
            statements.push(json!({
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": iam_arn(&format!("role/team-{t}-chain-*"))
            }));
        }
        policies.push((format!("misc-{k}"), doc(statements)));
    }
    policies
}

/// Attachment and permissions-boundary counts of managed policies, by name, filled as
/// principals are written.
#[derive(Default)]
struct Attachments(HashMap<String, i32>, HashMap<String, i32>);

impl Attachments {
    fn boundary(&mut self, name: &str) -> Value {
        *self.1.entry(name.to_string()).or_default() += 1;
        json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": policy_arn(name)})
    }

    fn attach(&mut self, names: &[String]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|name| {
                    *self.0.entry(name.clone()).or_default() += 1;
                    json!({"PolicyName": name, "PolicyArn": policy_arn(name)})
                })
                .collect(),
        )
    }
}

fn inline(name: String, statements: Vec<Value>) -> Value {
    json!({"PolicyName": name, "PolicyDocument": doc(statements)})
}

fn tags(rng: &mut Rng, t: usize) -> Value {
    let mut tags = vec![json!({"Key": "team", "Value": format!("team-{t}")})];
    if rng.percent(60) {
        tags.push(
            json!({"Key": "env", "Value": *rng.pick(&["prod", "staging", "dev", "sandbox-1"])}),
        );
    }
    Value::Array(tags)
}

/// What the generator decided about a user's credentials: the same in the export, the
/// credential report and the MFA device files.
struct Credentials {
    created: String,
    password: bool,
    mfa: bool,
    virtual_mfa: bool,
    /// Whether `mfa-devices-<user>.json` is written (ListMFADevices answered for it).
    device_file: bool,
    hardware_too: bool,
}

fn user_credentials(shape: &Shape, i: usize) -> (Rng, Credentials) {
    let mut rng = Rng::for_item(shape.seed, USER_STREAM, i);
    let created = rng.days_ago(30, 2500);
    let password = !is_machine(i) && rng.percent(90) || i % 997 == 5;
    let mfa = password && rng.percent(75);
    let virtual_mfa = mfa && rng.percent(55);
    let device_file = virtual_mfa && rng.percent(90);
    let hardware_too = device_file && rng.percent(20);
    (
        rng,
        Credentials {
            created,
            password,
            mfa,
            virtual_mfa,
            device_file,
            hardware_too,
        },
    )
}

fn user_detail(shape: &Shape, i: usize, attachments: &mut Attachments) -> Value {
    let (mut rng, credentials) = user_credentials(shape, i);
    let rng = &mut rng;
    let t = shape.user_team(i);
    let name = user_name(shape, i);
    let mut groups = Vec::new();
    let mut attached = Vec::new();
    let mut inline_policies = Vec::new();
    let mut boundary = None;
    if is_machine(i) {
        if rng.percent(50) {
            groups.push(format!("team-{t}-deployers"));
        }
        if rng.percent(60) {
            attached.push(match rng.below(3) {
                0 => "ci-deploy".to_string(),
                1 => format!("team-{t}-app"),
                _ => format!("misc-{}", rng.below(shape.misc_policies)),
            });
        }
        if i % 4999 == 17 {
            attached.push("legacy-full-access".to_string());
        }
        if rng.percent(40) {
            let mut statements: Vec<Value> = (0..1 + rng.below(3))
                .map(|_| app_statement(rng, t))
                .collect();
            if rng.percent(30) {
                statements.extend(pass_role_to_ecs(t));
            }
            if rng.permille(5) {
                statements.push(json!({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}));
            }
            inline_policies.push(inline(format!("{name}-inline"), statements));
        }
    } else {
        groups.push(if rng.percent(70) {
            format!("team-{t}-developers")
        } else {
            format!("team-{t}-readers")
        });
        if rng.percent(30) {
            groups.push("ForceMFA".to_string());
        }
        if i % 1009 == 3 {
            groups.push("Admins".to_string());
        }
        if rng.percent(2) {
            groups.push("Auditors".to_string());
        }
        if rng.percent(1) {
            groups.push("Billing".to_string());
        }
        if rng.permille(5) {
            groups.push("CloudShell".to_string());
        }
        if rng.percent(8) {
            attached.push(if rng.percent(50) {
                "billing-readonly".to_string()
            } else {
                format!("misc-{}", rng.below(shape.misc_policies))
            });
        }
        if rng.percent(20) {
            boundary = Some("boundary-developer");
        }
        if rng.percent(10) {
            let mut statements = vec![json!({
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": iam_arn(&format!("role/team-{t}-app-*")),
            })];
            if rng.percent(50) {
                statements[0]["Condition"] = mfa_condition();
            }
            statements.push(app_statement(rng, t));
            if rng.permille(30) {
                statements.push(json!({"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": iam_arn("user/${aws:username}")}));
            }
            if rng.permille(30) {
                statements.push(json!({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                                       "Resource": iam_arn(&format!("user/service/svc-{t}-*"))}));
            }
            if rng.permille(20) {
                statements.push(json!({"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": iam_arn("group/Admins")}));
            }
            inline_policies.push(inline(format!("{name}-extra"), statements));
        }
    }
    let mut user = json!({
        "Path": user_path(i),
        "UserName": name,
        "UserId": format!("AIDA{:017X}", rng.next() >> 4),
        "Arn": user_arn(shape, i),
        "CreateDate": credentials.created,
        "GroupList": groups,
        "AttachedManagedPolicies": attachments.attach(&attached),
        "UserPolicyList": inline_policies,
        "Tags": tags(rng, t),
    });
    if let Some(boundary) = boundary {
        user["PermissionsBoundary"] = attachments.boundary(boundary);
    }
    user
}

fn service_trust(services: &[&str]) -> Value {
    json!({"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"})
}

fn trust_policy(shape: &Shape, j: usize, rng: &mut Rng) -> Value {
    let t = shape.role_team(j);
    let mut statements = Vec::new();
    if is_service_linked(j) {
        statements.push(service_trust(&["support.amazonaws.com"]));
        return doc(statements);
    }
    match role_kind(j) {
        RoleKind::Lambda => statements.push(service_trust(&["lambda.amazonaws.com"])),
        RoleKind::Ecs => statements.push(service_trust(&["ecs-tasks.amazonaws.com"])),
        RoleKind::Ec2 => statements.push(service_trust(&["ec2.amazonaws.com"])),
        RoleKind::App => {
            let mut principals: Vec<String> = (0..1 + rng.below(2))
                .filter_map(|_| shape.team_user(t, false, rng))
                .map(|i| user_arn(shape, i))
                .collect();
            if rng.percent(40)
                && let Some(other) = shape.team_role(t, RoleKind::GitHub, rng)
            {
                principals.push(role_arn(shape, other));
            }
            if rng.percent(20)
                && let Some(i) = shape.team_user(t, true, rng)
            {
                principals.push(user_arn(shape, i));
            }
            if principals.is_empty() {
                principals.push(iam_arn("root"));
            }
            let mut statement = json!({"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"});
            if rng.percent(50) {
                statement["Condition"] = mfa_condition();
            }
            statements.push(statement);
        }
        RoleKind::Shared => {
            let mut statement = json!({"Effect": "Allow", "Principal": {"AWS": iam_arn("root")}, "Action": ["sts:AssumeRole", "sts:TagSession"]});
            if rng.percent(40) {
                statement["Condition"] =
                    json!({"ArnLike": {"aws:PrincipalArn": iam_arn(&format!("role/team-{t}-*"))}});
            }
            statements.push(statement);
        }
        RoleKind::CrossAccount => {
            let account = *rng.pick(OTHER_ACCOUNTS);
            let principal = if rng.percent(15) {
                format!("arn:aws:iam::{account}:role/auditor")
            } else {
                format!("arn:aws:iam::{account}:root")
            };
            let mut statement = json!({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"});
            if rng.percent(60) {
                statement["Condition"] = json!({"StringEquals": {"sts:ExternalId": format!("ext-{:08x}", rng.next() as u32)}});
            }
            statements.push(statement);
        }
        RoleKind::GitHub => {
            let mut condition =
                json!({"StringEquals": {format!("{OIDC_PROVIDER}:aud"): "sts.amazonaws.com"}});
            match rng.below(20) {
                0 => {}
                1 | 2 => {
                    condition["StringLike"] =
                        json!({format!("{OIDC_PROVIDER}:sub"): "repo:acme/*"});
                }
                _ => {
                    condition["StringLike"] = json!({format!("{OIDC_PROVIDER}:sub"):
                        format!("repo:acme/service-{j}:ref:refs/heads/main")});
                }
            }
            statements.push(json!({
                "Effect": "Allow",
                "Principal": {"Federated": iam_arn(&format!("oidc-provider/{OIDC_PROVIDER}"))},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition
            }));
        }
        RoleKind::Saml => statements.push(json!({
            "Effect": "Allow",
            "Principal": {"Federated": iam_arn(&format!("saml-provider/{SAML_PROVIDER}"))},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        })),
        RoleKind::Chain => {
            let principals: Vec<String> = (0..1 + rng.below(2))
                .filter_map(|_| shape.team_role(t, RoleKind::App, rng))
                .map(|other| role_arn(shape, other))
                .collect();
            if !principals.is_empty() {
                statements.push(json!({"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}));
            }
        }
        RoleKind::Misc => {
            statements.push(service_trust(&[
                "lambda.amazonaws.com",
                "states.amazonaws.com",
            ]));
            statements.push(json!({
                "Effect": "Allow",
                "Principal": {"AWS": iam_arn("root")},
                "Action": "sts:AssumeRole",
                "Condition": mfa_condition()
            }));
        }
    }
    // Now and then, anyone: inside the organization, and once without any condition.
    if j % 4999 == 9 {
        statements.push(json!({
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
        }));
    }
    if j % 49_999 == 37 {
        statements.push(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}));
    }
    if statements.is_empty() {
        statements.push(service_trust(&["ec2.amazonaws.com"]));
    }
    doc(statements)
}

fn role_detail(shape: &Shape, j: usize, attachments: &mut Attachments) -> Value {
    let rng = &mut Rng::for_item(shape.seed, ROLE_STREAM, j);
    let t = shape.role_team(j);
    let name = role_name(shape, j);
    let kind = role_kind(j);
    let trust = trust_policy(shape, j, rng);
    let mut attached = Vec::new();
    let mut inline_policies = Vec::new();
    if is_service_linked(j) {
        attached.push("AWSSupportServiceRolePolicy".to_string());
    } else {
        if j % 997 == 5 {
            attached.push("AdministratorAccess".to_string());
        }
        if rng.percent(80) {
            attached.push(format!("team-{t}-app"));
        }
        if rng.percent(5) {
            attached.push("ReadOnlyAccess".to_string());
        }
        if rng.percent(30) {
            attached.push(format!("misc-{}", rng.below(shape.misc_policies)));
        }
        if kind == RoleKind::Ec2 {
            attached.push("AmazonSSMManagedInstanceCore".to_string());
        }
        if j % 1499 == 11 {
            attached.push("power-user".to_string());
        }
        if j % 1999 == 13 {
            attached.push("passrole-any".to_string());
        }
        if j % 2999 == 17 {
            attached.push("assume-any".to_string());
        }
        if j % 3001 == 21 {
            attached.push("prod-data-readers".to_string());
        }
        let mut statements = Vec::new();
        match kind {
            RoleKind::Lambda => {
                statements.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": format!("arn:aws:logs:*:{ACCOUNT}:log-group:/aws/lambda/{name}:*")
                }));
                statements.push(app_statement(rng, t));
            }
            RoleKind::Ecs => {
                statements.push(json!({
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/*"),
                    "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
                }));
                statements.push(app_statement(rng, t));
            }
            RoleKind::App | RoleKind::GitHub => {
                statements.extend(pass_role_to_lambda(t));
                statements.push(json!({
                    "Effect": "Allow",
                    "Action": "cloudformation:*",
                    "Resource": format!("arn:aws:cloudformation:*:{ACCOUNT}:stack/team-{t}-*/*")
                }));
            }
            RoleKind::Chain => statements.push(json!({
                "Effect": "Allow",
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Resource": iam_arn(&format!("role/team-{t}-app-*"))
            })),
            _ => {
                if rng.percent(50) {
                    statements.push(app_statement(rng, t));
                }
            }
        }
        if rng.permille(5) {
            statements.push(
                json!({"Effect": "Allow", "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
                                   "Resource": iam_arn(&format!("role/team-{t}-*"))}),
            );
        }
        if rng.permille(3)
            && let Some(other) = shape.team_role(t, RoleKind::Shared, rng)
        {
            statements.push(json!({"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": role_arn(shape, other)}));
        }
        if rng.permille(2) {
            statements.push(json!({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": policy_arn(&format!("team-{t}-app"))}));
        }
        if rng.permille(3) {
            statements.push(json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": iam_arn(&format!("user/service/svc-{t}-*"))}));
        }
        if !statements.is_empty() {
            inline_policies.push(inline(format!("{name}-permissions"), statements));
        }
    }
    let mut role = json!({
        "Path": role_path(j),
        "RoleName": name,
        "RoleId": format!("AROA{:017X}", rng.next() >> 4),
        "Arn": role_arn(shape, j),
        "CreateDate": rng.days_ago(30, 2000),
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": inline_policies,
        "AttachedManagedPolicies": attachments.attach(&attached),
        "Tags": tags(rng, t),
    });
    match rng.below(10) {
        0..=5 => {
            role["RoleLastUsed"] =
                json!({"LastUsedDate": rng.days_ago(0, 30), "Region": *rng.pick(REGIONS)});
        }
        6 | 7 => {
            role["RoleLastUsed"] =
                json!({"LastUsedDate": rng.days_ago(31, 700), "Region": *rng.pick(REGIONS)});
        }
        _ => role["RoleLastUsed"] = json!({}),
    }
    if kind == RoleKind::App && rng.percent(30) {
        role["PermissionsBoundary"] = attachments.boundary("boundary-developer");
    }
    role
}

/// The groups: (name, attached, inline statements).
fn groups(shape: &Shape) -> Vec<(String, Vec<String>, Vec<Value>)> {
    let mut groups = vec![
        (
            "Admins".to_string(),
            vec!["AdministratorAccess".to_string()],
            vec![],
        ),
        (
            "ForceMFA".to_string(),
            vec!["force-mfa".to_string()],
            vec![],
        ),
        (
            "Auditors".to_string(),
            vec!["ReadOnlyAccess".to_string()],
            vec![
                json!({"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::acme-audit-*/*"}),
            ],
        ),
        (
            "Billing".to_string(),
            vec!["billing-readonly".to_string()],
            vec![],
        ),
        (
            "CloudShell".to_string(),
            vec!["AWSCloudShellFullAccess".to_string()],
            vec![],
        ),
    ];
    for t in 0..shape.teams {
        let rng = &mut Rng::for_item(shape.seed, GROUP_STREAM, t);
        let mut developer_inline = Vec::new();
        if rng.percent(30) {
            developer_inline.push(json!({
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": iam_arn(&format!("role/team-{t}-shared-*")),
                "Condition": mfa_condition()
            }));
        }
        groups.push((
            format!("team-{t}-developers"),
            vec![format!("team-{t}-developer"), format!("team-{t}-read")],
            developer_inline,
        ));
        groups.push((
            format!("team-{t}-readers"),
            vec![format!("team-{t}-read")],
            vec![],
        ));
        groups.push((
            format!("team-{t}-deployers"),
            vec!["ci-deploy".to_string()],
            vec![],
        ));
    }
    for k in 0..shape.legacy_groups {
        groups.push((
            format!("legacy-{k}"),
            vec![format!("misc-{}", k % shape.misc_policies)],
            vec![],
        ));
    }
    groups
}

fn write_list<W: Write>(
    out: &mut W,
    key: &str,
    items: impl Iterator<Item = Value>,
    last: bool,
) -> io::Result<()> {
    write!(out, "\"{key}\":[")?;
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &item)?;
    }
    write!(out, "]{}", if last { "" } else { ",\n" })
}

fn generate(dir: &Path, n: usize, seed: u64, demo: &Path) -> io::Result<()> {
    if n < 100 {
        return Err(io::Error::other("N must be at least 100"));
    }
    fs::create_dir_all(dir)?;
    let shape = Shape::new(n, seed);
    let demo_details: Value = serde_json::from_str(&fs::read_to_string(
        demo.join("authorization-details.json"),
    )?)?;

    // authorization-details.json, streamed principal by principal.
    let mut attachments = Attachments::default();
    let mut out = BufWriter::new(File::create(dir.join("authorization-details.json"))?);
    out.write_all(b"{")?;
    write_list(
        &mut out,
        "UserDetailList",
        (0..shape.users).map(|i| user_detail(&shape, i, &mut attachments)),
        false,
    )?;
    write_list(
        &mut out,
        "RoleDetailList",
        (0..shape.roles).map(|j| role_detail(&shape, j, &mut attachments)),
        false,
    )?;
    let group_list: Vec<Value> = groups(&shape)
        .into_iter()
        .map(|(name, attached, statements)| {
            let inline_policies: Vec<Value> = if statements.is_empty() {
                vec![]
            } else {
                vec![inline(format!("{name}-inline"), statements)]
            };
            json!({
                "Path": "/",
                "GroupName": name,
                "GroupId": format!("AGPA{:017X}", name.len() * 7919 + name.bytes().map(usize::from).sum::<usize>()),
                "Arn": iam_arn(&format!("group/{name}")),
                "CreateDate": "2021-03-21T16:25:03+00:00",
                "GroupPolicyList": inline_policies,
                "AttachedManagedPolicies": attachments.attach(&attached),
            })
        })
        .collect();
    write_list(&mut out, "GroupDetailList", group_list.into_iter(), false)?;
    let mut policies: Vec<Value> = customer_policies(&shape)
        .into_iter()
        .enumerate()
        .map(|(k, (name, document))| {
            json!({
                "PolicyName": name,
                "PolicyId": format!("ANPA{k:017X}"),
                "Arn": policy_arn(&name),
                "Path": "/",
                "DefaultVersionId": "v2",
                "AttachmentCount": attachments.0.get(&name).copied().unwrap_or(0),
                "PermissionsBoundaryUsageCount": attachments.1.get(&name).copied().unwrap_or(0),
                "IsAttachable": true,
                "CreateDate": "2022-09-22T14:02:11+00:00",
                "UpdateDate": "2025-10-14T10:47:30+00:00",
                "PolicyVersionList": [
                    {"Document": document, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2025-10-14T10:47:30+00:00"},
                    {"Document": doc(vec![json!({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})]),
                     "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2022-09-22T14:02:11+00:00"}
                ]
            })
        })
        .collect();
    // The AWS managed policies, as the demo's export has them, with this account's counts.
    for policy in demo_details["Policies"].as_array().into_iter().flatten() {
        let name = policy["PolicyName"].as_str().unwrap_or_default();
        if AWS_MANAGED.contains(&name) {
            let mut policy = policy.clone();
            policy["AttachmentCount"] = json!(attachments.0.get(name).copied().unwrap_or(0));
            policies.push(policy);
        }
    }
    write_list(&mut out, "Policies", policies.into_iter(), true)?;
    out.write_all(b"}\n")?;
    out.flush()?;

    // The credential report (the JSON form, which carries the generation time).
    let mut csv = String::from(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
    );
    csv.push_str(&format!(
        "<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-12T16:20:11+00:00,not_supported,2026-06-03T08:14:55+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    ));
    let mut virtual_devices = vec![json!({
        "SerialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"),
        "User": {"Path": "/", "UserName": "", "UserId": ACCOUNT, "Arn": iam_arn("root"), "CreateDate": "2019-03-12T16:20:11+00:00"},
        "EnableDate": "2019-03-13T16:40:00+00:00"
    })];
    let mut device_files = 0usize;
    for i in 0..shape.users {
        // A stream of its own: the export's draws above are not disturbed.
        let rng = &mut Rng::for_item(shape.seed, USER_STREAM + 100, i);
        let (_, credentials) = user_credentials(&shape, i);
        let name = user_name(&shape, i);
        let arn = user_arn(&shape, i);
        let (password_used, password_changed) = if credentials.password {
            let used = match rng.below(10) {
                0..=6 => rng.days_ago(0, 30),
                7 | 8 => rng.days_ago(46, 500),
                _ => "no_information".to_string(),
            };
            (used, rng.days_ago(1, 400))
        } else {
            ("N/A".to_string(), "N/A".to_string())
        };
        let key_active = |rng: &mut Rng, p: usize| rng.percent(p);
        let key = |rng: &mut Rng, active: bool| -> String {
            if !active {
                return if rng.percent(20) {
                    format!("false,{},N/A,N/A,N/A", rng.days_ago(200, 900))
                } else {
                    "false,N/A,N/A,N/A,N/A".to_string()
                };
            }
            let rotated = rng.days_ago(1, 1000);
            if rng.percent(12) {
                format!("true,{rotated},N/A,N/A,N/A")
            } else {
                let service = *rng.pick(&["s3", "iam", "sts", "ec2", "dynamodb", "lambda"]);
                format!(
                    "true,{rotated},{},{},{service}",
                    rng.days_ago(0, 120),
                    rng.pick(REGIONS)
                )
            }
        };
        let first = key_active(rng, if is_machine(i) { 90 } else { 35 });
        let second = key_active(rng, 8);
        let key_1 = key(rng, first);
        let key_2 = key(rng, second);
        csv.push_str(&format!(
            "{name},{arn},{},{},{password_used},{password_changed},N/A,{},{key_1},{key_2},false,N/A,false,N/A\n",
            credentials.created, credentials.password, credentials.mfa,
        ));
        if credentials.virtual_mfa {
            let serial = format!("arn:aws:iam::{ACCOUNT}:mfa/{name}");
            virtual_devices.push(json!({
                "SerialNumber": serial,
                "User": {"Path": user_path(i), "UserName": name, "UserId": "AIDAEXAMPLE", "Arn": arn,
                         "CreateDate": credentials.created},
                "EnableDate": credentials.created
            }));
            if credentials.device_file {
                let mut devices = vec![
                    json!({"UserName": name, "SerialNumber": serial, "EnableDate": credentials.created}),
                ];
                if credentials.hardware_too {
                    devices.push(json!({"UserName": name, "SerialNumber": format!("GAHT{:08}", i), "EnableDate": credentials.created}));
                }
                fs::write(
                    dir.join(format!("mfa-devices-{name}.json")),
                    serde_json::to_vec(&json!({"MFADevices": devices}))?,
                )?;
                device_files += 1;
            }
        }
    }
    fs::write(
        dir.join("credential-report.json"),
        serde_json::to_vec(&json!({
            "Content": base64::engine::general_purpose::STANDARD.encode(csv.as_bytes()),
            "ReportFormat": "text/csv",
            "GeneratedTime": date(scan_time()),
        }))?,
    )?;
    fs::write(
        dir.join("virtual-mfa-devices.json"),
        serde_json::to_vec(&json!({"VirtualMFADevices": virtual_devices}))?,
    )?;

    // Account-level files from the demo account: they do not grow with principals.
    let mut copied = 0;
    for entry in fs::read_dir(demo)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let generated = matches!(
            name.as_str(),
            "authorization-details.json"
                | "credential-report.json"
                | "credential-report.csv"
                | "virtual-mfa-devices.json"
        ) || name.starts_with("mfa-devices-");
        if name.ends_with(".json") && !generated {
            fs::copy(entry.path(), dir.join(&name))?;
            copied += 1;
        }
    }
    println!(
        "users {} roles {} teams {} device files {device_files} account files copied {copied}",
        shape.users, shape.roles, shape.teams
    );
    Ok(())
}
