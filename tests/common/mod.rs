//! What the integration tests share: a moto server per test, a client to seed it, and the
//! binary run as users run it.
//!
//! Each test file uses a different part of this module.
#![allow(dead_code)]

/// The fake AWS endpoint of tests/faults.rs and tests/faults_suite.rs.
pub mod fake;

use serde_json::Value;
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The account moto puts every resource in.
pub const MOTO_ACCOUNT: &str = "123456789012";

/// A run of the binary that takes longer than this has hung: it is killed and the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// How long a fresh moto server may take to answer (it loads ~1,500 AWS managed policies).
const MOTO_START_LIMIT: Duration = Duration::from_secs(30);

/// One moto server on a free loopback port, killed when dropped. One per test: tests run in
/// parallel and must never see each other's resources.
pub struct Moto {
    child: Child,
    pub url: String,
    /// moto's stderr (werkzeug logs one line per request there), kept for failure messages.
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Moto {
        let program = moto_server();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let log = dir.path().join("moto.log");
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("moto's log file"))
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        moto.wait_until_listening(port);
        moto
    }

    fn wait_until_listening(&mut self, port: u16) {
        let started = Instant::now();
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto_server exited ({status}) before answering:\n{}",
                    self.log_text()
                );
            }
            if started.elapsed() > MOTO_START_LIMIT {
                panic!(
                    "moto_server did not answer on port {port} within {MOTO_START_LIMIT:?}:\n{}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A client for seeding this server.
    pub fn client(&self) -> aws_sdk_iam::Client {
        iam_client(&self.url)
    }

    /// Creates an S3 bucket with one unsigned `PUT /bucket`, which moto's server accepts:
    /// CloudTrail refuses a trail whose bucket does not exist, and an S3 SDK is not worth its
    /// build time for one call.
    pub fn create_bucket(&self, bucket: &str) {
        self.unsigned(
            "PUT",
            &format!("/{bucket}"),
            "",
            &format!("create bucket {bucket}"),
        );
    }

    /// Switches moto's IAM authorization on (`POST /moto-api/reset-auth` with body `0`):
    /// from then on, requests are allowed only as their signer's policies say.
    pub fn switch_on_authorization(&self) {
        self.unsigned(
            "POST",
            "/moto-api/reset-auth",
            "0",
            "switch authorization on",
        );
    }

    /// One unsigned request to moto's server, which must answer 200.
    fn unsigned(&self, method: &str, path: &str, body: &str, what: &str) {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("moto answers");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("the request is sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("moto's answer");
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "moto did not {what}: {response}"
        );
    }
}

/// Clients of other services for seeding a moto server, configured as `iam_client` is.
macro_rules! seeding_clients {
    ($($name:ident => $sdk:ident),* $(,)?) => {
        impl Moto {$(
            pub fn $name(&self) -> $sdk::Client {
                let config = $sdk::Config::builder()
                    .behavior_version_latest()
                    .region($sdk::config::Region::new("us-east-1"))
                    .endpoint_url(&self.url)
                    .credentials_provider($sdk::config::Credentials::new(
                        "testing", "testing", None, None, "test",
                    ))
                    .build();
                $sdk::Client::from_conf(config)
            }
        )*}
    };
}

seeding_clients!(
    cloudtrail => aws_sdk_cloudtrail,
    logs => aws_sdk_cloudwatchlogs,
    organizations => aws_sdk_organizations,
    sts => aws_sdk_sts,
);

impl Moto {
    /// An IAM client in member account `account_id`: moto serves requests signed with the
    /// credentials of a role assumed there from that account (its multi-account support),
    /// and its AssumeRole grants any role, existing or not.
    pub async fn iam_in(&self, account_id: &str) -> aws_sdk_iam::Client {
        let assumed = self
            .sts()
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("seeding")
            .send()
            .await
            .expect("AssumeRole");
        let credentials = assumed.credentials().expect("credentials");
        let config = aws_sdk_iam::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                credentials.access_key_id(),
                credentials.secret_access_key(),
                Some(credentials.session_token().to_string()),
                None,
                "test",
            ))
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$MOTO_SERVER` (set by scripts/test.sh), else `moto_server` on PATH. Neither is a failure,
/// never a skip: these tests are the evidence that the scanner works against an API.
fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER").filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "MOTO_SERVER={} does not exist: run scripts/test.sh",
            path.display()
        );
        return path;
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("moto_server")).find(|path| path.is_file()))
        .unwrap_or_else(|| {
            panic!("no moto server: MOTO_SERVER is not set and moto_server is not on PATH; run the tests with scripts/test.sh")
        })
}

/// A port nothing listens on now. The moto process binds it a moment later; another
/// process taking it in between would show as moto failing to start.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// An IAM client with static test credentials, talking to `url`.
pub fn iam_client(url: &str) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

/// Runs async seeding code from a plain `#[test]` (the binary itself is run synchronously).
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON report on standard output.
    pub fn report(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not a JSON report ({error}); stderr:\n{}\nstdout:\n{}",
                self.stderr, self.stdout
            )
        })
    }

    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        self
    }
}

/// Runs `iamscan ARGS` with test credentials from the environment and nothing from the
/// machine's AWS configuration. `env` adds or overrides variables.
pub fn run_iamscan(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let nowhere = dir.path().join("no-aws-config");
    let mut command = Command::new(env!("CARGO_BIN_EXE_iamscan"));
    command
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("IAMSCAN_LOG")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("a stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("a stderr file"));
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the iamscan binary runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for iamscan") {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "iamscan {} hung for {RUN_LIMIT:?}; stderr so far:\n{}",
                args.join(" "),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status
            .code()
            .unwrap_or_else(|| panic!("iamscan was killed by a signal ({status})")),
        stdout: std::fs::read_to_string(&out_path).expect("iamscan's stdout"),
        stderr: std::fs::read_to_string(&err_path).expect("iamscan's stderr"),
    }
}

/// Moto 5.2.5 has no IAM Access Analyzer: it answers that API with HTTP 500, which the SDK
/// retries as a server fault. Scans against moto read no region (`--regions none`), so
/// access-analyzer-enabled is `error` there, a declared gap; tests/faults.rs covers the
/// Access Analyzer collector over replayed HTTP.
pub const MOTO_REGIONS: [&str; 2] = ["--regions", "none"];

/// `iamscan scan` against moto, JSON report on stdout, plus `extra` arguments.
pub fn scan_live(url: &str, extra: &[&str]) -> Run {
    let mut args = MOTO_REGIONS.to_vec();
    args.extend_from_slice(extra);
    scan_endpoint(url, &args)
}

/// `iamscan scan` against any endpoint, JSON report on stdout, plus `extra` arguments.
pub fn scan_endpoint(url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "scan",
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_iamscan(&args, &[])
}

/// Every finding of the report.
pub fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().expect("findings is a list")
}

/// The findings of one check.
pub fn findings_of<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    findings(report)
        .iter()
        .filter(|finding| finding["check_id"] == check)
        .collect()
}

/// The one finding of `check` on `resource`; fails the test if there is none or several.
pub fn finding<'a>(report: &'a Value, check: &str, resource: &str) -> &'a Value {
    let matching: Vec<&Value> = findings_of(report, check)
        .into_iter()
        .filter(|finding| finding["resource_arn"] == resource)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one {check} finding on {resource}, got {matching:#?}\nall {check} findings: {:#?}",
        findings_of(report, check)
    );
    matching[0]
}

pub fn status<'a>(report: &'a Value, check: &str, resource: &str) -> &'a str {
    finding(report, check, resource)["status"]
        .as_str()
        .expect("status is a string")
}

pub fn message<'a>(report: &'a Value, check: &str, resource: &str) -> &'a str {
    finding(report, check, resource)["message"]
        .as_str()
        .expect("message is a string")
}

/// The resources a check failed, sorted.
pub fn failing(report: &Value, check: &str) -> Vec<String> {
    let mut resources: Vec<String> = findings_of(report, check)
        .into_iter()
        .filter(|finding| finding["status"] == "fail")
        .map(|finding| {
            finding["resource_arn"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    resources.sort();
    resources
}

/// One line per finding (`status check resource | message`), sorted: what two reports are
/// compared by.
/// Asserts that every finding of a check `affected` does not select is the same in both
/// reports: a fault changed only what it should.
pub fn assert_others_unchanged(report: &Value, baseline: &Value, affected: impl Fn(&str) -> bool) {
    let others = |report: &Value| -> Vec<String> {
        finding_lines(report)
            .into_iter()
            .filter(|line| !line.split(' ').nth(1).is_some_and(&affected))
            .collect()
    };
    assert_eq!(
        others(report),
        others(baseline),
        "every other check is unaffected"
    );
}

pub fn finding_lines(report: &Value) -> Vec<String> {
    let mut lines: Vec<String> = findings(report)
        .iter()
        .map(|finding| {
            format!(
                "{} {} {} | {}",
                finding["status"].as_str().unwrap_or_default(),
                finding["check_id"].as_str().unwrap_or_default(),
                finding["resource_arn"].as_str().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    lines
}

/// The ids of the checks with an `error` finding, sorted.
pub fn errored_checks(report: &Value) -> Vec<String> {
    let mut checks: Vec<String> = findings(report)
        .iter()
        .filter(|finding| finding["status"] == "error")
        .filter_map(|finding| finding["check_id"].as_str().map(str::to_owned))
        .collect();
    checks.sort();
    checks.dedup();
    checks
}

pub fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:user/{name}")
}

pub fn group_arn(name: &str) -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:group/{name}")
}

pub fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:role/{name}")
}

pub fn account_arn() -> String {
    format!("arn:aws:iam::{MOTO_ACCOUNT}:root")
}

/// Standard base64 with padding (the encoding of IAM's blobs on the wire).
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The console password of every seeded user that has one.
pub const PASSWORD: &str = "Correct-Horse-Battery-9!";
pub const INLINE_POLICY: &str = "read-reports";
pub const ADMIN_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
pub const READ_REPORTS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;

/// What a seeded user is given.
pub struct UserSeed {
    pub name: &'static str,
    pub console_password: bool,
    pub virtual_mfa: bool,
    pub access_keys: usize,
    pub inline_policy: bool,
    pub admin_attached: bool,
    pub group: Option<&'static str>,
}

pub const NOBODY: UserSeed = UserSeed {
    name: "",
    console_password: false,
    virtual_mfa: false,
    access_keys: 0,
    inline_policy: false,
    admin_attached: false,
    group: None,
};

/// The secrets moto handed back (or was given) while seeding: none may reach a saved
/// inventory or a report.
#[derive(Default)]
pub struct Secrets {
    pub passwords: Vec<String>,
    pub mfa_seeds: Vec<Vec<u8>>,
    pub qr_codes: Vec<Vec<u8>>,
    pub secret_access_keys: Vec<String>,
    /// Server certificates' private keys, uploaded with them.
    pub private_keys: Vec<String>,
    /// Not secret, and in reports by design; `--redact` masks them.
    pub access_key_ids: Vec<String>,
}

/// Creates user `name` with what `user` describes (its own `name` is ignored).
pub async fn seed_user(
    client: &aws_sdk_iam::Client,
    name: &str,
    user: &UserSeed,
    secrets: &mut Secrets,
) {
    client
        .create_user()
        .user_name(name)
        .send()
        .await
        .expect("CreateUser");
    if user.console_password {
        client
            .create_login_profile()
            .user_name(name)
            .password(PASSWORD)
            .send()
            .await
            .expect("CreateLoginProfile");
        secrets.passwords.push(PASSWORD.to_string());
    }
    if user.virtual_mfa {
        let created = client
            .create_virtual_mfa_device()
            .virtual_mfa_device_name(name)
            .send()
            .await
            .expect("CreateVirtualMFADevice");
        let device = created.virtual_mfa_device().expect("a device");
        let seed = device
            .base32_string_seed()
            .expect("moto returns a seed")
            .as_ref()
            .to_vec();
        let qr_code = device
            .qr_code_png()
            .expect("moto returns a QR code")
            .as_ref()
            .to_vec();
        assert!(!seed.is_empty() && !qr_code.is_empty());
        secrets.mfa_seeds.push(seed);
        secrets.qr_codes.push(qr_code);
        // moto accepts any two codes.
        client
            .enable_mfa_device()
            .user_name(name)
            .serial_number(device.serial_number())
            .authentication_code1("123456")
            .authentication_code2("654321")
            .send()
            .await
            .expect("EnableMFADevice");
    }
    for _ in 0..user.access_keys {
        let created = client
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey");
        let key = created.access_key().expect("a key");
        secrets
            .secret_access_keys
            .push(key.secret_access_key().to_string());
        secrets.access_key_ids.push(key.access_key_id().to_string());
    }
    if user.inline_policy {
        client
            .put_user_policy()
            .user_name(name)
            .policy_name(INLINE_POLICY)
            .policy_document(READ_REPORTS)
            .send()
            .await
            .expect("PutUserPolicy");
    }
    if user.admin_attached {
        client
            .attach_user_policy()
            .user_name(name)
            .policy_arn(ADMIN_POLICY_ARN)
            .send()
            .await
            .expect("AttachUserPolicy");
    }
    if let Some(group) = user.group {
        client
            .add_user_to_group()
            .group_name(group)
            .user_name(name)
            .send()
            .await
            .expect("AddUserToGroup");
    }
}

/// Uploads server certificate `name` with a private key (moto stores the body as given and
/// dates every certificate's expiry 2012-05-08).
pub async fn upload_server_certificate(
    client: &aws_sdk_iam::Client,
    name: &str,
    secrets: &mut Secrets,
) {
    let private_key = format!(
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC{}\n-----END PRIVATE KEY-----",
        "k".repeat(40)
    );
    client
        .upload_server_certificate()
        .server_certificate_name(name)
        .certificate_body("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----")
        .private_key(&private_key)
        .send()
        .await
        .expect("UploadServerCertificate");
    secrets.private_keys.push(private_key);
}

/// A leaked fragment this long or longer is a leak: a table cell may wrap a secret.
const FRAGMENT: usize = 16;

impl Secrets {
    /// Each secret found in `text`, as `what (encoding)`: raw, base64 of its bytes, its
    /// bytes as a decimal or hex list, a PEM marker, or a fragment of 16+ characters of any
    /// of these (a wrapped table cell). `text` is searched as written and with JSON,
    /// HTML and percent escapes undone.
    pub fn leaks_in(&self, text: &str) -> Vec<String> {
        let decoded = unescape(text);
        let compact: String = decoded.chars().filter(|c| !c.is_whitespace()).collect();
        let mut leaks = Vec::new();
        for (what, forms) in self.forms() {
            for (encoding, form) in forms {
                let found = [text, decoded.as_str(), compact.as_str()]
                    .iter()
                    .any(|haystack| contains_fragment(haystack, &form));
                if found {
                    leaks.push(format!("{what} ({encoding})"));
                }
            }
        }
        leaks.sort();
        leaks.dedup();
        leaks
    }

    /// Every secret with the forms it could take in a file.
    fn forms(&self) -> Vec<(String, Vec<(&'static str, String)>)> {
        let bytes_forms = |bytes: &[u8]| -> Vec<(&'static str, String)> {
            let head = &bytes[..bytes.len().min(FRAGMENT)];
            let decimal: Vec<String> = head.iter().map(u8::to_string).collect();
            let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
            vec![
                ("base64", base64(bytes)),
                ("decimal bytes", decimal.join(",")),
                ("hex", hex),
            ]
        };
        let mut all = Vec::new();
        for (index, password) in self.passwords.iter().enumerate() {
            all.push((
                format!("password {}", index + 1),
                vec![("raw", password.clone())],
            ));
        }
        for (index, key) in self.secret_access_keys.iter().enumerate() {
            let mut forms = vec![("raw", key.clone())];
            forms.extend(bytes_forms(key.as_bytes()));
            all.push((format!("secret access key {}", index + 1), forms));
        }
        for (index, seed) in self.mfa_seeds.iter().enumerate() {
            let mut forms = vec![("raw", String::from_utf8_lossy(seed).into_owned())];
            forms.extend(bytes_forms(seed));
            all.push((format!("MFA seed {}", index + 1), forms));
        }
        for (index, qr_code) in self.qr_codes.iter().enumerate() {
            all.push((format!("MFA QR code {}", index + 1), bytes_forms(qr_code)));
        }
        for (index, key) in self.private_keys.iter().enumerate() {
            let mut forms = vec![("PEM marker", "PRIVATE KEY".to_string())];
            forms.extend(
                key.lines()
                    .filter(|line| !line.starts_with("-----"))
                    .map(|line| ("body", line.to_string())),
            );
            forms.extend(bytes_forms(key.as_bytes()));
            all.push((format!("private key {}", index + 1), forms));
        }
        all
    }
}

/// Whether `haystack` holds `needle`, or a piece of it of `FRAGMENT` characters or more.
fn contains_fragment(haystack: &str, needle: &str) -> bool {
    if needle.len() <= FRAGMENT {
        return haystack.contains(needle);
    }
    // Any piece of 2 * FRAGMENT characters holds one of these windows whole.
    (0..=needle.len() - FRAGMENT)
        .step_by(FRAGMENT)
        .chain([needle.len() - FRAGMENT])
        .filter_map(|start| needle.get(start..start + FRAGMENT))
        .any(|window| haystack.contains(window))
}

/// `text` with JSON `\uXXXX` and `\/`, HTML `&#NN;`, `&#xHH;` and `&amp;`-style entities,
/// and `%HH` escapes of ASCII undone (each is how a renderer may write a secret's `/`, `+`
/// or `=`).
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (decoded, used) = match c {
            '\\' if rest.starts_with("\\/") => (Some('/'), 2),
            '\\' if rest.starts_with("\\u") => (
                rest.get(2..6)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32),
                6,
            ),
            '%' => (
                rest.get(1..3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .filter(u8::is_ascii)
                    .map(char::from),
                3,
            ),
            '&' => match rest.find(';').filter(|end| *end <= 8) {
                Some(end) => (entity(&rest[1..end]), end + 1),
                None => (None, 0),
            },
            _ => (None, 0),
        };
        match decoded {
            Some(decoded) => {
                out.push(decoded);
                rest = &rest[used..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn entity(name: &str) -> Option<char> {
    let number = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(decimal) = name.strip_prefix('#') {
        decimal.parse().ok()
    } else {
        return match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "sol" => Some('/'),
            "plus" => Some('+'),
            "equals" => Some('='),
            _ => None,
        };
    };
    number.and_then(char::from_u32)
}
