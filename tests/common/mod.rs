//! What the integration tests share: a moto server per test, a client to seed it, and the
//! binary run as users run it.
//!
//! Each test file uses a different part of this module.
#![allow(dead_code)]

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
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("moto answers");
        write!(
            stream,
            "PUT /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("the request is sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("moto's answer");
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "moto did not create bucket {bucket}: {response}"
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

seeding_clients!(cloudtrail => aws_sdk_cloudtrail, logs => aws_sdk_cloudwatchlogs);

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
