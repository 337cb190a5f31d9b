//! The HTML report. Escaping is tested on the rendered text; the page itself is loaded in
//! headless Chromium (Debian's `chromium`), driven by tests/browser/drive.mjs over the
//! DevTools protocol: score and counts rendered, filters used, nothing fetched, no script
//! error, hostile names shown as text, and a screenshot kept in target/test-artifacts/.
//!
//! scripts/test.sh installs Chromium when it is missing and exports `CHROMIUM`; without
//! it the browser test fails, never skips, and says to run scripts/test.sh.

use iamscan::compliance::{ControlResult, ControlStatus, FrameworkResult};
use iamscan::finding::Status;
use iamscan::inventory::Gap;
use iamscan::report::{Report, render_html};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A resource name an attacker who can create IAM entities might try.
const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn iamscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamscan"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn render(report: &Report) -> String {
    let mut page = Vec::new();
    render_html(report, &mut page).expect("rendering to memory does not fail");
    String::from_utf8(page).expect("the page is UTF-8")
}

/// The demo report with hostile text in every place account data reaches: a resource, a
/// message, a suppression's reason, a warning, a gap, the account id.
fn hostile_report() -> Report {
    let mut report = iamscan::run::demo_report();
    let arn = format!("arn:aws:iam::210987654321:user/{HOSTILE_NAME}");
    let failure = report
        .findings
        .iter_mut()
        .find(|finding| finding.status == Status::Fail)
        .expect("the demo has failures");
    failure.resource_arn = arn.clone().into();
    failure.message = format!("user {HOSTILE_NAME} </script><script>alert(2)</script>").into();
    let muted = report
        .findings
        .iter_mut()
        .rfind(|finding| finding.status == Status::Fail)
        .expect("the demo has failures");
    muted.status = Status::Muted;
    muted.muted_reason = Some(r#""><svg onload=alert(3)>"#.into());
    report
        .warnings
        .push(format!("warning about {HOSTILE_NAME}"));
    report.coverage.gaps.push(Gap {
        operation: "GetUser".to_string(),
        error_code: "AccessDenied'\"".to_string(),
        message: format!("denied for {HOSTILE_NAME}"),
        resource: Some(arn),
    });
    report.account_id = Some(format!("1234{HOSTILE_NAME}"));
    report
}

#[test]
fn report_strings_render_as_text_not_markup() {
    let page = render(&hostile_report());
    assert!(
        page.contains("user/<wbr>&lt;img src=x onerror=alert(1)&gt;"),
        "the resource is shown, escaped"
    );
    assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;svg onload=alert(3)&gt;"));
    assert!(page.contains("AccessDenied&#39;&quot;"));
    for markup in ["<img", "<svg onload", "alert(2)</script>"] {
        assert!(
            !page.contains(markup),
            "{markup} reached the page as markup"
        );
    }
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert_eq!(page.matches("</script>").count(), 1);
}

#[test]
fn the_page_is_self_contained() {
    let page = render(&iamscan::run::demo_report());
    for fetching in [
        "<link", " src=", "url(", "@import", "<iframe", "<object", "<embed",
    ] {
        assert!(!page.contains(fetching), "the page contains {fetching}");
    }
    assert!(
        page.contains("default-src 'none'"),
        "a policy forbids every fetch"
    );
}

#[test]
fn an_incomplete_scan_shows_its_coverage_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let output = iamscan(&[
        "scan",
        "--credential-report",
        repo("examples/demo/credential-report.json")
            .to_str()
            .unwrap(),
        "--format",
        "html,json",
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("iamscan.json")).unwrap())
            .unwrap();
    let page = std::fs::read_to_string(dir.path().join("iamscan.html")).unwrap();
    let coverage = report["score"]["coverage_percent"].as_f64().unwrap();
    assert!(coverage < 100.0);
    assert!(
        page.contains(&format!("incomplete: coverage {coverage:.1}%")),
        "the badge shows coverage {coverage}"
    );
    for check in report["coverage"]["errored_checks"].as_array().unwrap() {
        assert!(page.contains(&format!("<code>{}</code>", check.as_str().unwrap())));
    }
    for gap in report["coverage"]["gaps"].as_array().unwrap() {
        assert!(page.contains(gap["operation"].as_str().unwrap()));
    }
    let complete = render(&iamscan::run::demo_report());
    assert!(!complete.contains("incomplete: coverage"));
}

#[test]
fn the_compliance_view_lists_each_control_with_its_status() {
    let mut report = iamscan::run::demo_report();
    let control = |id: &str, status: ControlStatus, evidence: &str| ControlResult {
        id: id.to_string(),
        title: format!("control {id}"),
        status,
        checks: vec!["user-console-mfa".to_string()],
        passed: 0,
        failed: 0,
        errored: 0,
        evidence: evidence.to_string(),
    };
    report.compliance = vec![FrameworkResult {
        framework: "example".to_string(),
        name: "Example Framework v1".to_string(),
        controls: vec![
            control("1.1", ControlStatus::Fail, "1 failing finding(s)"),
            control("1.2", ControlStatus::Manual, "CIS marks it Manual"),
            control("1.3", ControlStatus::NotCovered, "needs EC2 data"),
        ],
    }];
    let page = render(&report);
    assert!(page.contains("Example Framework v1"));
    for (id, label, evidence) in [
        ("1.1", "fail", "1 failing finding(s)"),
        ("1.2", "manual", "CIS marks it Manual"),
        ("1.3", "not covered", "needs EC2 data"),
    ] {
        let row = format!(r#"<tr><th scope="row">{id}</th><td><span class="status status-"#);
        let start = page.find(&row).unwrap_or_else(|| panic!("no row {id}"));
        let rest = &page[start..];
        let row = &rest[..rest.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{label}</span>")), "{row}");
        assert!(row.contains(evidence), "{row}");
    }
}

/// An executable scripts/test.sh provides; without it the test fails and says what to do.
fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("CHROMIUM is not set: run the tests with scripts/test.sh, which installs Debian's chromium when missing and sets CHROMIUM=/usr/bin/chromium")
        });
    assert!(
        path.is_file(),
        "CHROMIUM={} does not exist: run scripts/test.sh, which installs it",
        path.display()
    );
    path
}

/// Runs tests/browser/drive.mjs on `plan`; returns what it saw on each page.
fn drive(plan: &Value) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(repo("tests/browser/drive.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("node: {error} (scripts/test.sh needs node and npm)"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(plan.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the browser driver failed: {}",
        text(&output.stderr)
    );
    let observations: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("driver output ({error}): {}", text(&output.stdout)));
    observations["pages"].as_array().unwrap().clone()
}

/// The page ran without a script error, a refused style or script, a dialog, or a
/// request for anything but itself.
fn assert_clean(page: &Value) {
    let url = page["url"].as_str().unwrap();
    assert_eq!(page["exceptions"], json!([]), "{url}: script exceptions");
    assert_eq!(page["dialogs"], json!([]), "{url}: a dialog opened");
    assert_eq!(page["requests"], json!([url]), "{url}: fetched something");
    let complaints: Vec<&Value> = page["console"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page["log"].as_array().unwrap())
        .filter(|entry| entry["level"] == "error" || entry["level"] == "warning")
        .collect();
    assert!(complaints.is_empty(), "{url}: {complaints:?}");
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

const VISIBLE: &str = "tbody.finding:not([hidden])";

fn visible(property: &str) -> Value {
    json!({ "eval": format!("Array.from(document.querySelectorAll('{VISIBLE}')).map((finding) => {property})") })
}

fn text_of(id: &str) -> Value {
    json!({ "eval": format!("document.getElementById('{id}').textContent") })
}

#[test]
fn the_demo_report_in_chromium() {
    let chromium = chromium();
    let artifacts = repo("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let page_path = artifacts.join("html-report.html");
    let screenshot = artifacts.join("html-report.png");
    let _ = std::fs::remove_file(&screenshot);
    let output = iamscan(&[
        "scan",
        "--demo",
        "--format",
        "html",
        "--output",
        page_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json_output = iamscan(&["scan", "--demo", "--format", "json"]);
    let report: Value = serde_json::from_slice(&json_output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let failing = findings.iter().filter(|f| f["status"] == "fail").count();
    let critical = findings
        .iter()
        .filter(|f| f["severity"] == "critical")
        .count();
    assert!(critical > 0 && critical < findings.len());
    let mut ci_deploy_failures: Vec<&str> = findings
        .iter()
        .filter(|f| f["status"] == "fail")
        .filter(|f| {
            ["resource_arn", "message"]
                .iter()
                .any(|field| f[field].as_str().unwrap().contains("ci-deploy"))
        })
        .map(|f| f["resource_arn"].as_str().unwrap())
        .collect();
    ci_deploy_failures.sort();
    assert!(!ci_deploy_failures.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let hostile_path = dir.path().join("hostile.html");
    std::fs::write(&hostile_path, render(&hostile_report())).unwrap();

    let demo_steps = json!([
        text_of("score"),
        text_of("grade"),
        text_of("findings-count"),
        text_of("fail-count"),
        visible("1"),
        text_of("shown-count"),
        { "select": "#filter-severity", "value": "critical" },
        visible("finding.dataset.severity"),
        text_of("shown-count"),
        { "click": "#filter-reset" },
        { "select": "#filter-status", "value": "fail" },
        { "type": "#filter-search", "text": "ci-deploy" },
        visible("finding.querySelector('code.arn').textContent"),
        { "click": format!("{VISIBLE} summary") },
        { "eval": format!("document.querySelector('{VISIBLE} details[open] pre.cli').textContent") },
        { "click": "#filter-reset" },
        visible("1"),
        { "eval": "document.documentElement.scrollWidth <= window.innerWidth" },
        // The screenshot shows the failures, the first one opened to its fix.
        { "select": "#filter-status", "value": "fail" },
        { "click": format!("{VISIBLE} summary") },
        { "screenshot": screenshot.to_str().unwrap(), "full_page": true },
    ]);
    let hostile_steps = json!([
        { "eval": "document.querySelectorAll('img, iframe, [onerror], [onload]').length" },
        { "eval": "document.querySelectorAll('script').length" },
        { "eval": "Array.from(document.querySelectorAll('code.arn')).map((code) => code.textContent)" },
        text_of("account"),
        { "type": "#filter-search", "text": "onerror" },
        text_of("shown-count"),
    ]);
    let pages = drive(&json!({
        "chromium": chromium,
        "width": 1280,
        "height": 900,
        "timeout_ms": 90_000,
        "pages": [
            { "url": url(&page_path), "steps": demo_steps },
            { "url": url(&hostile_path), "steps": hostile_steps },
        ],
    }));

    let demo = &pages[0];
    assert_clean(demo);
    let results = demo["results"].as_array().unwrap();
    let score = report["score"]["overall"].as_f64().unwrap();
    assert_eq!(results[0], json!(format!("{score:.1}")), "the score");
    assert_eq!(results[1], report["score"]["grade"], "the grade");
    assert_eq!(results[2], json!(findings.len().to_string()), "findings");
    assert_eq!(results[3], json!(failing.to_string()), "failing findings");
    assert_eq!(results[4].as_array().unwrap().len(), findings.len());
    assert_eq!(
        results[5],
        json!(format!("Showing {0} of {0} findings", findings.len()))
    );
    assert_eq!(
        results[7],
        json!(vec!["critical"; critical]),
        "severity=critical shows the critical findings and only them"
    );
    assert_eq!(
        results[8],
        json!(format!("Showing {critical} of {} findings", findings.len()))
    );
    let mut shown: Vec<&str> = results[12]
        .as_array()
        .unwrap()
        .iter()
        .map(|arn| arn.as_str().unwrap())
        .collect();
    shown.sort();
    assert_eq!(shown, ci_deploy_failures, "status=fail and a search");
    let cli = results[14].as_str().unwrap();
    assert!(
        cli.contains("--user-name ci-deploy"),
        "the expanded finding's CLI fix names the user: {cli}"
    );
    assert_eq!(
        results[16].as_array().unwrap().len(),
        findings.len(),
        "Clear filters shows every finding again"
    );
    assert_eq!(results[17], json!(true), "nothing overflows the width");
    let shot = &results[20];
    assert!(
        shot["height"].as_u64().unwrap() > 900,
        "a full-page screenshot"
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 50_000);

    let hostile = &pages[1];
    assert_clean(hostile);
    let results = hostile["results"].as_array().unwrap();
    assert_eq!(results[0], json!(0), "no element came from report data");
    assert_eq!(results[1], json!(1), "only the page's own script");
    assert!(
        results[2].as_array().unwrap().contains(&json!(format!(
            "arn:aws:iam::210987654321:user/{HOSTILE_NAME}"
        ))),
        "the hostile resource is shown as text"
    );
    assert_eq!(results[3], json!(format!("1234{HOSTILE_NAME}")));
    assert_eq!(
        results[5],
        json!(format!("Showing 1 of {} findings", findings.len())),
        "the search finds it as text"
    );
}
