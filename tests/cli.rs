//! The binary as users run it, on offline inputs: the bundled demo, saved inventories,
//! the catalog commands, gates and exit codes.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn iamscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamscan"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)))
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn findings<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .filter(|finding| finding["check_id"] == check)
        .collect()
}

#[test]
fn the_demo_scan_prints_a_scored_table_with_fixes() {
    let output = iamscan(&["scan", "--demo"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Score") && text.contains("Grade"), "{text}");
    assert!(text.contains("CRITICAL") || text.contains("HIGH"), "{text}");
    assert!(
        text.contains("aws iam "),
        "the table shows CLI fixes: {text}"
    );
}

#[test]
fn the_demo_findings_are_stable() {
    let output = iamscan(&["scan", "--demo", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["schema_version"], "1.2");
    assert_eq!(report["inventory_source"], "inventory-file");
    let summary: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            format!(
                "{} {} {} | {}",
                finding["status"].as_str().unwrap(),
                finding["check_id"].as_str().unwrap(),
                finding["resource_arn"].as_str().unwrap(),
                finding["message"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_json_snapshot!("demo_findings", summary);
    insta::assert_json_snapshot!("demo_score", report["score"]);
}

#[test]
fn the_bundled_demo_inventory_is_what_the_demo_exports_load_to() {
    let directory = tempfile::tempdir().unwrap();
    let regenerated = directory.path().join("demo-inventory.json");
    let output = iamscan(&[
        "collect",
        "--exports",
        repo("examples/demo").to_str().unwrap(),
        "--output",
        regenerated.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let regenerated: Value =
        serde_json::from_str(&std::fs::read_to_string(regenerated).unwrap()).unwrap();
    let bundled: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("examples/demo-inventory.json")).unwrap(),
    )
    .unwrap();
    assert!(
        regenerated == bundled,
        "examples/demo-inventory.json is stale: run `cargo run -- collect --exports examples/demo --output examples/demo-inventory.json`"
    );
}

#[test]
fn a_saved_inventory_scans_to_the_same_findings_as_its_source() {
    let directory = tempfile::tempdir().unwrap();
    let report_path = directory.path().join("report.json");
    let scan_time = "2026-11-20T09:00:00Z";
    let from_exports = iamscan(&[
        "scan",
        "--exports",
        repo("examples/demo").to_str().unwrap(),
        "--scan-time",
        scan_time,
        "--format",
        "json",
        "--output",
        report_path.to_str().unwrap(),
    ]);
    assert_eq!(code(&from_exports), 0, "{}", stderr(&from_exports));
    assert!(
        stdout(&from_exports).is_empty(),
        "--output keeps stdout clean"
    );
    let from_exports: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let from_inventory = json(&iamscan(&[
        "scan",
        "--inventory",
        repo("examples/demo-inventory.json").to_str().unwrap(),
        "--scan-time",
        scan_time,
        "--format",
        "json",
    ]));
    assert_eq!(from_exports["findings"], from_inventory["findings"]);
    assert_eq!(from_exports["inventory_source"], "exports");
    assert_eq!(from_inventory["inventory_source"], "inventory-file");
}

#[test]
fn gates_turn_failures_into_exit_code_1() {
    let by_severity = iamscan(&["scan", "--demo", "--fail-on", "high", "--quiet"]);
    assert_eq!(code(&by_severity), 1, "{}", stderr(&by_severity));
    let by_score = iamscan(&["scan", "--demo", "--fail-under", "100", "--quiet"]);
    assert_eq!(code(&by_score), 1);
    let passing = iamscan(&["scan", "--demo", "--fail-under", "0", "--quiet"]);
    assert_eq!(code(&passing), 0);
}

#[test]
fn an_inventory_missing_data_is_scanned_as_incomplete_with_exit_code_3() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("partial.json");
    let mut inventory: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("examples/demo-inventory.json")).unwrap(),
    )
    .unwrap();
    inventory["password_policy"] = Value::Null;
    inventory["gaps"] = serde_json::json!([{"operation": "GetAccountPasswordPolicy", "error_code": "AccessDenied", "message": "not authorized"}]);
    std::fs::write(&path, inventory.to_string()).unwrap();
    let output = iamscan(&[
        "scan",
        "--inventory",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["score"]["incomplete"], true);
    for finding in findings(&report, "password-policy-min-length") {
        assert_eq!(finding["status"], "error");
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .contains("AccessDenied"),
            "{finding}"
        );
    }
    assert!(!findings(&report, "root-mfa-enabled").is_empty());
    assert!(
        findings(&report, "root-mfa-enabled")
            .iter()
            .all(|finding| finding["status"] != "error")
    );
    // A gate failure outranks an incomplete scan.
    let gated = iamscan(&[
        "scan",
        "--inventory",
        path.to_str().unwrap(),
        "--fail-on",
        "low",
        "--quiet",
    ]);
    assert_eq!(code(&gated), 1);
}

#[test]
fn selecting_checks_runs_only_those_and_an_unknown_id_is_a_usage_error() {
    let report = json(&iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--checks",
        "root-mfa-enabled,user-console-mfa",
    ]));
    let ran: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["check_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ran.into_iter().collect::<Vec<_>>(),
        vec!["root-mfa-enabled", "user-console-mfa"]
    );
    let unknown = iamscan(&[
        "scan",
        "--demo",
        "--checks",
        "root-mfa-enabled,no-such-check",
    ]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(
        stderr(&unknown).trim(),
        "error: --checks: unknown check id(s): no-such-check (see `iamscan checks`)"
    );
}

#[test]
fn checks_lists_the_catalog_and_explain_prints_the_remediation() {
    let listing = iamscan(&["checks", "--format", "json"]);
    assert_eq!(code(&listing), 0);
    let catalog = json(&listing);
    let ids: Vec<&str> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|meta| meta["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"root-mfa-enabled") && ids.contains(&"password-policy-min-length"),
        "{ids:?}"
    );
    let table = stdout(&iamscan(&["checks"]));
    assert!(
        table.contains("root-mfa-enabled") && table.contains("critical"),
        "{table}"
    );

    let explained = iamscan(&["explain", "root-access-keys"]);
    assert_eq!(code(&explained), 0);
    let text = stdout(&explained);
    for section in [
        "WHAT IT CHECKS",
        "RISK",
        "REMEDIATION: CONSOLE",
        "REMEDIATION: CLI",
        "COMPLIANCE",
    ] {
        assert!(text.contains(section), "{section} missing from: {text}");
    }
    let unknown = iamscan(&["explain", "nope"]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(
        stderr(&unknown).trim(),
        "error: unknown check id 'nope' (see `iamscan checks`)"
    );
}

#[test]
fn a_report_file_is_written_whole_or_not_at_all() {
    let directory = tempfile::tempdir().unwrap();
    let missing_dir = directory.path().join("no/such/dir/report.json");
    let output = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--output",
        missing_dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("report.json"),
        "{}",
        stderr(&output)
    );
    assert!(!missing_dir.exists());
    let leftovers: Vec<_> = std::fs::read_dir(directory.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file is left behind: {leftovers:?}"
    );
}

#[test]
fn docs_offline_md_names_every_export_file() {
    let docs = std::fs::read_to_string(repo("docs/offline.md")).unwrap();
    for (name, command) in iamscan::inventory::EXPORT_FILES {
        assert!(
            docs.contains(&format!("`{name}`")),
            "docs/offline.md does not list {name} ({command})"
        );
    }
}

#[test]
fn the_committed_check_reference_is_what_the_catalog_generates() {
    let directory = tempfile::tempdir().unwrap();
    let output = iamscan(&["docs", directory.path().to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let listing = |dir: &Path| -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    assert!(
        listing(directory.path()) == listing(&repo("docs/checks")),
        "docs/checks is stale: run `cargo run -- docs docs/checks`"
    );
}

#[test]
fn a_config_file_mutes_failures_with_their_reason_and_reports_expired_suppressions() {
    let directory = tempfile::tempdir().unwrap();
    let config = directory.path().join("iamscan.toml");
    std::fs::write(
        &config,
        r#"
[thresholds]
key_max_age_days = 365

[[suppress]]
check = "user-direct-policies"
resource = "break-glass"
reason = "the break-glass user holds AdministratorAccess by design"

[[suppress]]
check = "group-without-users"
resource = "*"
reason = "contractors come back in spring"
expires = 2026-01-01
"#,
    )
    .unwrap();
    let output = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let break_glass = findings(&report, "user-direct-policies")
        .into_iter()
        .find(|finding| {
            finding["resource_arn"]
                .as_str()
                .unwrap()
                .ends_with("user/emergency/break-glass")
        })
        .expect("break-glass is judged");
    assert_eq!(break_glass["status"], "muted");
    assert_eq!(
        break_glass["muted_reason"],
        "the break-glass user holds AdministratorAccess by design"
    );
    // The other direct-policy failure stays a failure.
    assert!(
        findings(&report, "user-direct-policies")
            .iter()
            .any(|finding| finding["status"] == "fail")
    );
    // The expired suppression mutes nothing and says so.
    assert!(
        findings(&report, "group-without-users")
            .iter()
            .any(|finding| finding["status"] == "fail")
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("expired on 2026-01-01"), "{warnings}");
    // The threshold from the file applies: ci-deploy's 400-day key fails, erin's 263-day key passes.
    let rotation: Vec<(String, String)> = findings(&report, "access-key-rotation")
        .iter()
        .map(|finding| {
            (
                finding["resource_arn"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                finding["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        rotation.contains(&("ci-deploy#access_key_1".to_string(), "fail".to_string())),
        "{rotation:?}"
    );
    assert!(
        rotation.contains(&("erin.walsh#access_key_1".to_string(), "pass".to_string())),
        "{rotation:?}"
    );

    std::fs::write(
        &config,
        "[thresholds]\nunused = 3\n\n[[suppress]]\ncheck = \"nope\"\nresource = \"*\"\n",
    )
    .unwrap();
    let broken = iamscan(&["scan", "--demo", "--config", config.to_str().unwrap()]);
    assert_eq!(code(&broken), 2);
    let message = stderr(&broken);
    for problem in [
        ":2: unknown key 'unused'",
        ":5: unknown check id 'nope'",
        ":4: [[suppress]] needs reason",
    ] {
        assert!(
            message.contains(problem),
            "{problem} missing from: {message}"
        );
    }
}

#[test]
fn a_baseline_marks_new_failures_and_fail_on_new_gates_only_on_them() {
    let directory = tempfile::tempdir().unwrap();
    let today = directory.path().join("today.json");
    let output = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--output",
        today.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));

    // Against itself, nothing is new and --fail-on-new passes although failures exist.
    let same = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--baseline",
        today.to_str().unwrap(),
        "--fail-on-new",
    ]);
    assert_eq!(code(&same), 0, "{}", stderr(&same));
    let report = json(&same);
    assert_eq!(report["baseline"]["new"], 0);
    assert!(report["baseline"]["unchanged"].as_u64().unwrap() > 0);

    // A baseline where carol still had MFA: her failure is new, and gates on it.
    let mut earlier: Value =
        serde_json::from_str(&std::fs::read_to_string(&today).unwrap()).unwrap();
    for finding in earlier["findings"].as_array_mut().unwrap() {
        if finding["check_id"] == "user-console-mfa"
            && finding["resource_arn"]
                .as_str()
                .unwrap()
                .ends_with("user/carol.diaz")
        {
            finding["status"] = Value::from("pass");
        }
    }
    let earlier_path = directory.path().join("earlier.json");
    std::fs::write(&earlier_path, earlier.to_string()).unwrap();
    let gated = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--baseline",
        earlier_path.to_str().unwrap(),
        "--fail-on-new",
    ]);
    assert_eq!(code(&gated), 1);
    let report = json(&gated);
    assert_eq!(report["baseline"]["new"], 1);
    let new: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["change"] == "new")
        .collect();
    assert_eq!(new.len(), 1);
    assert!(
        new[0]["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with("user/carol.diaz")
    );
    // A new failure below the --fail-on threshold does not gate.
    let below = iamscan(&[
        "scan",
        "--demo",
        "--baseline",
        earlier_path.to_str().unwrap(),
        "--fail-on-new",
        "--fail-on",
        "critical",
        "--quiet",
    ]);
    assert_eq!(code(&below), 0);

    // `iamscan diff` says the same without scanning, the other way round too.
    let diff = iamscan(&[
        "diff",
        today.to_str().unwrap(),
        earlier_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&diff), 0, "{}", stderr(&diff));
    let comparison = json(&diff);
    assert_eq!(comparison["new"], 0);
    assert_eq!(comparison["resolved"].as_array().unwrap().len(), 1);
    assert!(
        comparison["resolved"][0]["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with("user/carol.diaz")
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    let bash = iamscan(&["completions", "bash"]);
    assert_eq!(code(&bash), 0, "{}", stderr(&bash));
    let script = stdout(&bash);
    for word in ["--auth-details", "--fail-on", "compliance", "explain"] {
        assert!(
            script.contains(word),
            "{word} missing from the bash completions"
        );
    }
    let man = iamscan(&["man"]);
    assert_eq!(code(&man), 0);
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH iamscan"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains("scan"), "the man page lists the subcommands");
    let unknown = iamscan(&["completions", "tcsh"]);
    assert_eq!(code(&unknown), 2);
}

#[test]
fn compliance_shows_each_control_and_never_passes_a_manual_one() {
    let output = iamscan(&[
        "compliance",
        "--framework",
        "cis-aws-7.0",
        "--demo",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let result = json(&output);
    assert_eq!(result["framework"], "cis-aws-foundations-7.0");
    let status = |id: &str| -> String {
        result["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|control| control["id"] == id)
            .unwrap_or_else(|| panic!("control {id} is listed"))["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        status("2.8"),
        "fail",
        "the demo's password policy is 8 characters"
    );
    assert_eq!(status("2.5"), "pass", "the demo's root has MFA");
    assert_eq!(
        status("2.6"),
        "manual",
        "CIS marks hardware root MFA Manual: never a plain pass or fail"
    );
    assert_eq!(status("2.2"), "manual");
    assert_eq!(status("2.15"), "fail", "no role holds AWSSupportAccess");
    assert_eq!(
        status("2.16"),
        "not-covered",
        "instance roles need EC2 data, which iamscan does not collect"
    );
    assert_eq!(status("2.17"), "fail", "www-acme-2025 expired");
    assert_eq!(
        status("2.18"),
        "fail",
        "eu-west-1 has no external access analyzer"
    );
    assert_eq!(
        status("2.20"),
        "manual",
        "CIS marks CloudShell access Manual, even with a holder found"
    );
    assert_eq!(status("4.1"), "manual");
    assert_eq!(
        status("2.14"),
        "fail",
        "the demo's legacy-full-access policy allows '*' on '*'"
    );
    // --output-dir names the view's file after the framework.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir_arg = dir.path().to_str().expect("a UTF-8 path");
    let written = iamscan(&[
        "compliance",
        "--framework",
        "cis-aws-7.0",
        "--demo",
        "--format",
        "json",
        "--output-dir",
        dir_arg,
    ]);
    assert_eq!(stdout(&written), "", "nothing on standard output");
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("iamscan-compliance-cis-aws-foundations-7.0.json"),
        )
        .expect("the view is written into the folder"),
    )
    .expect("JSON");
    assert_eq!(saved["framework"], "cis-aws-foundations-7.0");

    let unknown = iamscan(&["compliance", "--framework", "iso-27001", "--demo"]);
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("unknown framework 'iso-27001'"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn a_weak_trust_into_an_administrator_role_is_raised_a_severity_step() {
    let report = json(&iamscan(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--checks",
        "trust-cross-account",
    ]));
    let failing: Vec<&Value> = findings(&report, "trust-cross-account")
        .into_iter()
        .filter(|finding| finding["status"] == "fail")
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    let organization_role = failing[0];
    assert!(
        organization_role["resource_arn"]
            .as_str()
            .unwrap()
            .ends_with("role/OrganizationAccountAccessRole")
    );
    // The check is high; this role holds AdministratorAccess.
    assert_eq!(report["checks"][0]["severity"], "high");
    assert_eq!(organization_role["severity"], "critical");
    assert!(
        organization_role["message"]
            .as_str()
            .unwrap()
            .contains("administrator"),
        "{organization_role}"
    );
}
