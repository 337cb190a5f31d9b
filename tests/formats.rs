//! The export formats on the bundled demo: snapshots of each, each checked by its
//! ecosystem's own validator, and the `--format` / `--output-dir` rules.
//!
//! The validators come from scripts/test.sh, which installs them and exports where they
//! are: `SARIF_MULTITOOL` (Microsoft's SARIF Multitool, the npm package's binary; the SARIF
//! 2.1.0 JSON schema ships beside it) and `VENV_PYTHON` (a Python with
//! tests/requirements.txt: jsonschema, py-ocsf-models, botocore). Without them these tests
//! fail, never skip: they are the evidence that the files are what their consumers accept.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every format written to files in one run.
const FORMATS: &str = "sarif,junit,ocsf,asff,csv,markdown,json";

/// Checks of several severities and categories, for snapshots that stay small and do not
/// change when checks are added to the catalog.
const SNAPSHOT_CHECKS: &str = "root-mfa-enabled,root-hardware-mfa,user-console-mfa,access-key-rotation,password-policy-min-length,user-direct-policies";

/// Mutes one failure of the snapshot checks, so `muted` shows in every snapshot.
const SUPPRESSION: &str = r#"
[[suppress]]
check = "user-direct-policies"
resource = "break-glass"
reason = "break-glass holds AdministratorAccess by design"
"#;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn iamscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamscan"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scan's files in a temporary folder.
struct Scan {
    dir: tempfile::TempDir,
}

impl Scan {
    /// `iamscan scan ARGS --format FORMATS --output-dir DIR`, expecting exit `code`.
    fn run(args: &[&str], code: i32) -> Scan {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = dir.path().join("out");
        let mut all: Vec<&str> = vec!["scan"];
        all.extend(args);
        all.extend(["--format", FORMATS, "--output-dir", out.to_str().unwrap()]);
        let output = iamscan(&all);
        assert_eq!(
            output.status.code(),
            Some(code),
            "iamscan {}: {}",
            all.join(" "),
            text(&output.stderr)
        );
        Scan { dir }
    }

    /// The whole demo, default settings.
    fn demo() -> Scan {
        Scan::run(&["--demo"], 0)
    }

    /// The demo's credential report alone, with a suppression: every status but skipped
    /// (checks needing the authorization details are `error`), and exit 3, incomplete.
    fn partial() -> Scan {
        let config = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            config.path(),
            r#"
[[suppress]]
check = "user-console-mfa"
resource = "carol.diaz"
reason = "carol.diaz is enrolling a security key this week"
"#,
        )
        .unwrap();
        Scan::run(
            &[
                "--credential-report",
                repo("examples/demo/credential-report.json")
                    .to_str()
                    .unwrap(),
                "--config",
                config.path().to_str().unwrap(),
            ],
            3,
        )
    }

    /// The snapshot subset of the demo, with one failure muted.
    fn snapshot() -> Scan {
        let config = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(config.path(), SUPPRESSION).unwrap();
        Scan::run(
            &[
                "--demo",
                "--checks",
                SNAPSHOT_CHECKS,
                "--config",
                config.path().to_str().unwrap(),
            ],
            0,
        )
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_str(&self.read(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    fn report(&self) -> Value {
        self.json("iamscan.json")
    }

    fn findings(&self) -> Vec<Value> {
        self.report()["findings"].as_array().unwrap().clone()
    }

    fn asff_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("out"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("iamscan-asff-"))
            })
            .collect();
        files.sort();
        files
    }
}

/// An executable scripts/test.sh exports; a missing one fails the test with what to do.
fn tool(variable: &str) -> PathBuf {
    let path = std::env::var_os(variable)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("{variable} is not set: run the tests with scripts/test.sh, which installs the format validators and sets it")
        });
    assert!(
        path.is_file(),
        "{variable}={} does not exist: run scripts/test.sh",
        path.display()
    );
    path
}

/// tests/validators.py KIND ARGS in the venv; returns its standard output, fails with its
/// problems.
fn python_validator(kind: &str, args: &[&Path]) -> String {
    let output = Command::new(tool("VENV_PYTHON"))
        .arg(repo("tests/validators.py"))
        .arg(kind)
        .args(args)
        .output()
        .expect("the venv's Python runs");
    assert!(
        output.status.success(),
        "{kind} validation failed:\n{}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn status_counts(findings: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for finding in findings {
        *counts
            .entry(finding["status"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    counts
}

// Snapshots ---------------------------------------------------------------------------------

#[test]
fn sarif_snapshot() {
    insta::assert_json_snapshot!("sarif", Scan::snapshot().json("iamscan.sarif"));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", Scan::snapshot().read("iamscan.junit.xml"));
}

#[test]
fn ocsf_snapshot() {
    let events: Vec<Value> = Scan::snapshot()
        .read("iamscan.ocsf.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON event per line"))
        .collect();
    insta::assert_json_snapshot!("ocsf", events);
}

#[test]
fn asff_snapshot() {
    insta::assert_json_snapshot!("asff", Scan::snapshot().json("iamscan-asff-001.json"));
}

#[test]
fn csv_snapshot() {
    insta::assert_snapshot!("csv", Scan::snapshot().read("iamscan.csv"));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", Scan::snapshot().read("iamscan.md"));
}

#[test]
fn the_same_inventory_gives_the_same_files() {
    let (first, second) = (Scan::demo(), Scan::demo());
    let files = [
        "iamscan.sarif",
        "iamscan.junit.xml",
        "iamscan.ocsf.jsonl",
        "iamscan-asff-001.json",
        "iamscan.csv",
        "iamscan.md",
    ];
    for name in files {
        assert!(
            first.read(name) == second.read(name),
            "{name} differs between two scans of the same inventory: its ids or order are not stable"
        );
    }
}

// SARIF --------------------------------------------------------------------------------------

/// The Multitool's GitHub ingestion rules (and its SARIF rules), errors only: its warnings
/// (no `informationUri`: iamscan has no web page) are advice.
fn multitool_errors(file: &Path) -> Vec<String> {
    let multitool = tool("SARIF_MULTITOOL");
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("validation.sarif");
    let output = Command::new(&multitool)
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
        ])
        .arg("--output")
        .arg(&log)
        .arg(file)
        // A self-contained .NET program: without this it needs the system's ICU.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the SARIF Multitool runs");
    assert!(
        output.status.success(),
        "Sarif.Multitool failed: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let run = &log["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"],
        true,
        "the Multitool did not complete: {}",
        text(&output.stdout)
    );
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["level"] == "error")
        .map(|result| {
            format!(
                "{}: {}",
                result["ruleId"].as_str().unwrap_or_default(),
                result["message"]
            )
        })
        .collect()
}

fn check_sarif(scan: &Scan) {
    let file = scan.path("iamscan.sarif");
    let errors = multitool_errors(&file);
    assert!(errors.is_empty(), "Sarif.Multitool: {errors:#?}");
    let schema = tool("SARIF_MULTITOOL").with_file_name("sarif-2.1.0.json");
    python_validator("sarif", &[&schema, &file]);

    let sarif = scan.json("iamscan.sarif");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    for result in results {
        let location = &result["locations"][0];
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("a result without a location: {result}"));
        assert!(
            !uri.is_empty() && !uri.contains(':') && !uri.starts_with('/'),
            "{uri}"
        );
        assert!(location["logicalLocations"][0]["fullyQualifiedName"].is_string());
        assert!(
            result["partialFingerprints"]
                .as_object()
                .is_some_and(|f| !f.is_empty())
        );
    }
    let findings = scan.findings();
    let reported = |status: &str| findings.iter().filter(|f| f["status"] == status).count();
    let suppressed = results
        .iter()
        .filter(|result| result.get("suppressions").is_some())
        .count();
    assert_eq!(results.len(), reported("fail") + reported("muted"));
    assert_eq!(suppressed, reported("muted"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        scan.report()["checks"].as_array().unwrap().len()
    );
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")), "{}", rule["id"]);
        assert!(rule["help"]["markdown"].is_string(), "{}", rule["id"]);
    }
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notifications.len() >= reported("error"));
}

#[test]
fn sarif_passes_the_multitool_github_rules_and_the_schema() {
    check_sarif(&Scan::demo());
}

#[test]
fn sarif_of_an_incomplete_scan_with_suppressions_passes_them_too() {
    let scan = Scan::partial();
    check_sarif(&scan);
    let findings = scan.findings();
    let counts = status_counts(&findings);
    assert!(
        counts.get("muted") == Some(&1) && counts.contains_key("error"),
        "{counts:?}"
    );
}

// OCSF ----------------------------------------------------------------------------------------

#[test]
fn ocsf_events_are_detection_findings_of_py_ocsf_models() {
    for scan in [Scan::demo(), Scan::partial()] {
        let file = scan.path("iamscan.ocsf.jsonl");
        python_validator("ocsf", &[&file]);
        let events: Vec<Value> = scan
            .read("iamscan.ocsf.jsonl")
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let findings = scan.findings();
        assert_eq!(events.len(), findings.len());
        for (event, finding) in events.iter().zip(&findings) {
            assert_eq!(event["resources"][0]["uid"], finding["resource_arn"]);
            let verdict = match finding["status"].as_str().unwrap() {
                "muted" => "FAIL".to_string(),
                status => status.to_uppercase(),
            };
            assert_eq!(event["status_code"], verdict);
            assert_eq!(event["cloud"]["account"]["uid"], "210987654321");
            let suppressed = finding["status"] == "muted";
            assert_eq!(event["status"] == "Suppressed", suppressed);
        }
    }
}

// ASFF ----------------------------------------------------------------------------------------

#[test]
fn asff_batches_pass_botocore_validation_of_batch_import_findings() {
    for scan in [Scan::demo(), Scan::partial()] {
        let files = scan.asff_files();
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        assert!(!paths.is_empty());
        python_validator("asff", &paths);
        let findings: Vec<Value> = files
            .iter()
            .flat_map(|file| {
                let batch: Vec<Value> =
                    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
                assert!(batch.len() <= 100, "{}", file.display());
                batch
            })
            .collect();
        let report_findings = scan.findings();
        assert_eq!(findings.len(), report_findings.len());
        for (asff, finding) in findings.iter().zip(&report_findings) {
            let expected = match finding["status"].as_str().unwrap() {
                "pass" => "PASSED",
                "fail" | "muted" => "FAILED",
                _ => "NOT_AVAILABLE",
            };
            assert_eq!(asff["Compliance"]["Status"], expected, "{finding}");
            assert_eq!(
                asff["Workflow"]["Status"] == "SUPPRESSED",
                finding["status"] == "muted"
            );
            assert_eq!(asff["Resources"][0]["Id"], finding["resource_arn"]);
            assert_eq!(
                asff["ProductArn"],
                "arn:aws:securityhub:us-east-1:210987654321:product/210987654321/default"
            );
        }
    }
}

#[test]
fn the_asff_region_comes_from_region_and_stale_batches_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let stale = out.join("iamscan-asff-009.json");
    let unrelated = out.join("notes-asff-009.json");
    std::fs::write(&stale, "[]").unwrap();
    std::fs::write(&unrelated, "keep me").unwrap();
    let output = iamscan(&[
        "scan",
        "--demo",
        "--region",
        "eu-central-1",
        "--format",
        "asff",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        !stale.exists(),
        "a batch file of an earlier, larger scan is left"
    );
    assert!(unrelated.exists());
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("iamscan-asff-001.json")).unwrap())
            .unwrap();
    assert_eq!(
        batch[0]["ProductArn"],
        "arn:aws:securityhub:eu-central-1:210987654321:product/210987654321/default"
    );
}

// JUnit and CSV, parsed back ------------------------------------------------------------------

#[test]
fn junit_parses_back_to_the_findings() {
    for scan in [Scan::demo(), Scan::partial()] {
        let parsed: Value = serde_json::from_str(&python_validator(
            "junit",
            &[&scan.path("iamscan.junit.xml")],
        ))
        .unwrap();
        let findings = scan.findings();
        let cases: Vec<(&str, &Value)> = parsed
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|suite| {
                let name = suite["name"].as_str().unwrap();
                suite["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |case| (name, case))
            })
            .collect();
        assert_eq!(cases.len(), findings.len(), "each finding counted once");
        for finding in &findings {
            let check = finding["check_id"].as_str().unwrap();
            let (suite, case) = cases
                .iter()
                .find(|(_, case)| {
                    case["classname"] == format!("iamscan.{check}")
                        && case["name"] == finding["resource_arn"]
                })
                .unwrap_or_else(|| panic!("no testcase for {finding}"));
            assert_eq!(
                *suite, finding["categories"][0],
                "counted in its first category"
            );
            let expected = match finding["status"].as_str().unwrap() {
                "pass" => "passed",
                "fail" => "failure",
                "error" => "error",
                _ => "skipped",
            };
            assert_eq!(case["outcome"], expected, "{finding}");
            if expected == "failure" {
                assert_eq!(case["message"], finding["message"]);
            }
        }
    }
}

#[test]
fn csv_parses_back_to_the_findings() {
    for scan in [Scan::demo(), Scan::partial()] {
        let rows: Vec<BTreeMap<String, String>> =
            serde_json::from_str(&python_validator("csv", &[&scan.path("iamscan.csv")])).unwrap();
        let findings = scan.findings();
        assert_eq!(rows.len(), findings.len());
        for (row, finding) in rows.iter().zip(&findings) {
            for column in [
                "check_id",
                "severity",
                "status",
                "resource_type",
                "resource_arn",
                "title",
                "message",
            ] {
                assert_eq!(row[column], finding[column].as_str().unwrap(), "{column}");
            }
            let categories: Vec<&str> = finding["categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|category| category.as_str().unwrap())
                .collect();
            assert_eq!(row["categories"], categories.join(";"));
            assert_eq!(
                row["remediation_cli"],
                finding["remediation"]["cli"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
            );
            assert_eq!(
                row["muted_reason"],
                finding["muted_reason"].as_str().unwrap_or_default()
            );
        }
    }
}

// Markdown ------------------------------------------------------------------------------------

#[test]
fn markdown_leads_with_the_score_and_lists_failures_worst_first() {
    let scan = Scan::demo();
    let markdown = scan.read("iamscan.md");
    let report = scan.report();
    let first = markdown.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "## iamscan: {:.1} / 100, grade {}",
            report["score"]["overall"].as_f64().unwrap(),
            report["score"]["grade"].as_str().unwrap()
        )
    );
    let failures = scan
        .findings()
        .iter()
        .filter(|f| f["status"] == "fail")
        .count();
    assert!(
        markdown.contains(&format!("### {failures} failing finding(s)")),
        "{markdown}"
    );
    let severities: Vec<&str> = markdown
        .lines()
        .filter_map(|line| line.strip_prefix("| "))
        .filter_map(|line| line.split(" | ").next())
        .filter(|cell| ["critical", "high", "medium", "low", "info"].contains(cell))
        .collect();
    let rank = |severity: &&str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|s| s == severity)
    };
    assert!(
        severities
            .windows(2)
            .all(|pair| rank(&pair[0]) <= rank(&pair[1])),
        "{severities:?}"
    );

    let partial = Scan::partial().read("iamscan.md");
    assert!(partial.contains("**incomplete**"), "{partial}");
    assert!(partial.contains("### Not evaluated"), "{partial}");
    assert!(partial.contains("### Suppressed (1)"), "{partial}");
}

// The command line ----------------------------------------------------------------------------

#[test]
fn two_formats_without_an_output_dir_are_a_usage_error() {
    for args in [
        &["scan", "--demo", "--format", "sarif", "--format", "json"][..],
        &["scan", "--demo", "--format", "sarif,csv"][..],
        &["scan", "--demo", "--format", "asff"][..],
    ] {
        let output = iamscan(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("--output-dir"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    let output = iamscan(&[
        "scan",
        "--demo",
        "--output",
        "x.json",
        "--output-dir",
        "out",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr).lines().count(), 1);
}

#[test]
fn each_format_goes_to_its_own_file_in_the_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("folder");
    let output = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "table",
        "--format",
        "sarif,junit,ocsf,asff,csv,markdown,json,json",
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // ASFF goes in batches of 100 findings, one file each.
    let findings = std::fs::read_to_string(out.join("iamscan.json")).unwrap();
    let findings: serde_json::Value = serde_json::from_str(&findings).unwrap();
    let batches = findings["findings"].as_array().unwrap().len().div_ceil(100);
    let mut expected: Vec<String> = (1..=batches)
        .map(|batch| format!("iamscan-asff-{batch:03}.json"))
        .collect();
    expected.extend(
        [
            "iamscan.csv",
            "iamscan.json",
            "iamscan.junit.xml",
            "iamscan.md",
            "iamscan.ocsf.jsonl",
            "iamscan.sarif",
            "iamscan.txt",
        ]
        .map(String::from),
    );
    assert!(batches > 1, "the demo spans several ASFF batches");
    assert_eq!(names, expected);
    let single = iamscan(&["scan", "--demo", "--format", "csv"]);
    assert_eq!(single.status.code(), Some(0));
    assert_eq!(
        text(&single.stdout),
        std::fs::read_to_string(out.join("iamscan.csv")).unwrap(),
        "one format without --output-dir goes to standard output"
    );
}
