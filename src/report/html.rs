//! The HTML report: one self-contained page for the people who read a scan rather than
//! pipe it. Score gauge, category bars, a severity chart, the findings with filters and
//! their fixes, the compliance view, coverage and gaps, warnings.
//!
//! Rendered here rather than by a script from embedded JSON: every string that came from
//! the account passes through one escaping function (`Escaped`) that the tests pin down;
//! the page reads and prints in full where scripts are blocked (mail clients, CI artefact
//! viewers); and the script (html/report.js) only shows and hides rows by their `data-`
//! attributes, never writing markup. A Content-Security-Policy admits that one script and
//! that one style sheet by hash and nothing else, so the page fetches nothing, and markup
//! slipped into a resource name could not run even if some escaping were missed.

use super::Report;
use crate::catalog::{Assessment, CheckMeta};
use crate::compliance::ControlStatus;
use crate::finding::{Category, Finding, Severity, Status};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Text made safe for HTML content and for double-quoted attribute values.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(index) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..index])?;
            f.write_str(match rest.as_bytes()[index] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[index + 1..];
        }
        f.write_str(rest)
    }
}

fn esc(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// An ARN, escaped, that may wrap after its separators rather than mid-word.
struct Arn<'a>(&'a str);

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.0.split_inclusive([':', '/', '#']) {
            write!(f, "{}<wbr>", esc(part))?;
        }
        Ok(())
    }
}

/// Catalog prose, escaped, with `backticked` words as code.
struct Prose<'a>(&'a str);

impl fmt::Display for Prose<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, part) in self.0.split('`').enumerate() {
            if index % 2 == 1 {
                write!(f, "<code>{}</code>", esc(part))?;
            } else {
                write!(f, "{}", esc(part))?;
            }
        }
        Ok(())
    }
}

/// `'sha256-…'`, the CSP source that admits exactly this inline text.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("-".to_string(), |score| format!("{score:.1}"))
}

fn grade_class(grade: &str) -> &'static str {
    match grade {
        "A" => "grade-a",
        "B" => "grade-b",
        "C" => "grade-c",
        "D" => "grade-d",
        "F" => "grade-f",
        _ => "grade-none",
    }
}

/// Failures first, then what needs a person's eye, then the rest.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Muted => 2,
        Status::Pass => 3,
        Status::Skipped => 4,
    }
}

const STATUSES: [Status; 5] = [
    Status::Fail,
    Status::Error,
    Status::Muted,
    Status::Pass,
    Status::Skipped,
];

fn control_status(status: ControlStatus) -> (&'static str, &'static str) {
    match status {
        ControlStatus::Pass => ("pass", "status-pass"),
        ControlStatus::Fail => ("fail", "status-fail"),
        ControlStatus::Error => ("error", "status-error"),
        ControlStatus::Muted => ("muted", "status-muted"),
        ControlStatus::Manual => ("manual", "status-manual"),
        ControlStatus::NotCovered => ("not covered", "status-skipped"),
        ControlStatus::Retired => ("retired", "status-skipped"),
    }
}

const CONTROL_STATUSES: [ControlStatus; 7] = [
    ControlStatus::Fail,
    ControlStatus::Error,
    ControlStatus::Muted,
    ControlStatus::Manual,
    ControlStatus::Pass,
    ControlStatus::NotCovered,
    ControlStatus::Retired,
];

/// Renders the report as one HTML page.
pub fn render_html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let account = report.account_id.as_deref().unwrap_or("unknown");
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src {style}; script-src {script}; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<meta name="generator" content="iamscan {version}">
<title>iamscan: account {account}, score {score} ({grade})</title>
<style>{STYLE}</style>
</head>
<body>
<header class="page-header">
<h1>IAM posture report</h1>
"#,
        style = csp_hash(STYLE),
        script = csp_hash(SCRIPT),
        version = esc(&report.tool.version),
        account = esc(account),
        score = score_text(report.score.overall),
        grade = esc(&report.score.grade),
    )?;
    header_facts(report, out)?;
    writeln!(
        out,
        r##"<nav aria-label="Sections"><a href="#summary">Summary</a> <a href="#findings">Findings</a> <a href="#compliance">Compliance</a> <a href="#coverage">Coverage</a></nav>
</header>
<main>"##
    )?;
    warnings(report, out)?;
    summary(report, out)?;
    categories(report, out)?;
    baseline(report, out)?;
    findings(report, out)?;
    compliance(report, out)?;
    coverage(report, out)?;
    write!(
        out,
        "</main>\n<footer><p>iamscan {} · <code>iamscan explain CHECK</code> prints a check's full text.</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&report.tool.version)
    )
}

fn header_facts(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        r#"<dl class="facts">
<div><dt>Account</dt><dd id="account">{}</dd></div>
<div><dt>Scanned</dt><dd>{}</dd></div>
<div><dt>Source</dt><dd>{}</dd></div>
"#,
        esc(report.account_id.as_deref().unwrap_or("unknown")),
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        esc(&report.inventory_source),
    )?;
    if let Some(generated) = report.credential_report_generated_at {
        writeln!(
            out,
            "<div><dt>Credential report</dt><dd>{} ({})</dd></div>",
            generated.format("%Y-%m-%d %H:%M UTC"),
            esc(&super::human_age(report.generated_at - generated)),
        )?;
    }
    writeln!(
        out,
        "<div><dt>Tool</dt><dd>iamscan {}</dd></div>\n</dl>",
        esc(&report.tool.version)
    )
}

fn warnings(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.warnings.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        r#"<section class="warnings" aria-labelledby="warnings-title">
<h2 id="warnings-title">Warnings</h2>
<ul>"#
    )?;
    for warning in &report.warnings {
        writeln!(out, "<li>{}</li>", esc(warning))?;
    }
    writeln!(out, "</ul>\n</section>")
}

fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let score = &report.score;
    writeln!(
        out,
        r#"<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<div class="cards">
<div class="card score-card">"#
    )?;
    gauge(report, out)?;
    write!(
        out,
        r#"<div class="verdict">
<p class="grade-label">Grade</p>
<p id="grade" class="grade {}">{}</p>
"#,
        grade_class(&score.grade),
        esc(&score.grade),
    )?;
    if report.is_incomplete() {
        writeln!(
            out,
            r##"<p><a id="incomplete" class="badge badge-incomplete" href="#coverage">incomplete: coverage {}%</a></p>"##,
            score_text(Some(score.coverage_percent))
        )?;
    } else {
        writeln!(out, r#"<p class="badge badge-complete">complete scan</p>"#)?;
    }
    writeln!(out, "</div>\n</div>")?;
    severity_chart(report, out)?;
    totals(report, out)?;
    writeln!(out, "</div>\n</section>")
}

fn gauge(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    const RADIUS: f64 = 52.0;
    let score = &report.score;
    let circumference = 2.0 * std::f64::consts::PI * RADIUS;
    let filled = score.overall.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0 * circumference;
    write!(
        out,
        r#"<svg class="gauge" viewBox="0 0 120 120" width="168" height="168" role="img" aria-labelledby="gauge-title">
<title id="gauge-title">Score {score} out of 100, grade {grade}</title>
<circle class="gauge-track" cx="60" cy="60" r="{RADIUS}" fill="none" stroke-width="11"/>
"#,
        score = score_text(score.overall),
        grade = esc(&score.grade),
    )?;
    if filled > 0.0 {
        writeln!(
            out,
            r#"<circle class="gauge-fill {class}" cx="60" cy="60" r="{RADIUS}" fill="none" stroke-width="11" stroke-linecap="round" stroke-dasharray="{filled:.2} {circumference:.2}" transform="rotate(-90 60 60)"/>"#,
            class = grade_class(&score.grade),
        )?;
    }
    writeln!(
        out,
        r#"<text id="score" class="gauge-score" x="60" y="56" text-anchor="middle" dominant-baseline="central">{}</text>
<text class="gauge-max" x="60" y="80" text-anchor="middle" dominant-baseline="central">out of 100</text>
</svg>"#,
        score_text(score.overall)
    )
}

fn severity_chart(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    const ROW: usize = 30;
    const LABEL: usize = 74;
    const BAR: f64 = 190.0;
    let failures = report.failures();
    let counts: Vec<(Severity, usize)> = Severity::ALL
        .iter()
        .map(|&severity| {
            let count = failures
                .iter()
                .filter(|finding| finding.severity == severity)
                .count();
            (severity, count)
        })
        .collect();
    let max = counts.iter().map(|(_, count)| *count).max().unwrap_or(0);
    let description = counts
        .iter()
        .map(|(severity, count)| format!("{severity} {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    write!(
        out,
        r#"<div class="card">
<h3>Failing findings by severity</h3>
<svg class="chart" viewBox="0 0 300 {height}" width="300" height="{height}" role="img" aria-labelledby="severity-chart-title">
<title id="severity-chart-title">Failing findings by severity: {description}</title>
"#,
        height = ROW * counts.len(),
    )?;
    for (row, (severity, count)) in counts.iter().enumerate() {
        let middle = row * ROW + ROW / 2;
        let width = if max == 0 {
            0.0
        } else {
            *count as f64 / max as f64 * BAR
        };
        writeln!(
            out,
            r#"<text class="chart-label" x="0" y="{middle}" dominant-baseline="central">{severity}</text>
<rect class="sev-fill-{severity}" x="{LABEL}" y="{top}" width="{width:.1}" height="20" rx="3"/>
<text class="chart-count" x="{count_x:.1}" y="{middle}" dominant-baseline="central" data-severity="{severity}">{count}</text>"#,
            top = middle - 10,
            count_x = LABEL as f64 + width + 6.0,
        )?;
    }
    writeln!(out, "</svg>")?;
    if failures.is_empty() {
        writeln!(out, r#"<p class="note">No failing findings.</p>"#)?;
    }
    writeln!(out, "</div>")
}

fn count_status(report: &Report, status: Status) -> usize {
    report
        .findings
        .iter()
        .filter(|finding| finding.status == status)
        .count()
}

fn totals(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        r#"<div class="card">
<h3>Findings</h3>
<p class="total"><span id="findings-count">{}</span> findings from <span id="checks-count">{}</span> checks</p>
<ul class="status-counts">
"#,
        report.findings.len(),
        report.checks.len(),
    )?;
    for status in STATUSES {
        writeln!(
            out,
            r#"<li><span class="status status-{status}">{status}</span> <span id="{status}-count">{}</span></li>"#,
            count_status(report, status),
        )?;
    }
    writeln!(out, "</ul>\n</div>")
}

fn categories(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        r#"<section id="categories" aria-labelledby="categories-title">
<h2 id="categories-title">Categories</h2>
<table class="categories">
<thead><tr><th scope="col">Category</th><th scope="col">Grade</th><th scope="col">Score</th><th scope="col" class="bar-column"><span class="visually-hidden">Score bar</span></th><th scope="col" class="number">Pass</th><th scope="col" class="number">Fail</th><th scope="col" class="number">Error</th></tr></thead>
<tbody>"#
    )?;
    for (name, category) in &report.score.categories {
        let width = category.score.unwrap_or(0.0).clamp(0.0, 100.0);
        writeln!(
            out,
            r#"<tr><th scope="row">{name}</th><td><span class="grade-chip {class}">{grade}</span></td><td class="number">{score}</td><td class="bar-column"><svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" width="100%" height="10" aria-hidden="true"><rect class="bar-track" width="100" height="8" rx="2"/><rect class="bar-fill {class}" width="{width:.1}" height="8" rx="2"/></svg></td><td class="number">{passed}</td><td class="number">{failed}</td><td class="number">{errored}</td></tr>"#,
            name = esc(name),
            class = grade_class(&category.grade),
            grade = esc(&category.grade),
            score = score_text(category.score),
            passed = category.passed,
            failed = category.failed,
            errored = category.errored,
        )?;
    }
    writeln!(out, "</tbody>\n</table>\n</section>")
}

fn baseline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(comparison) = &report.baseline else {
        return Ok(());
    };
    let delta = comparison
        .score_delta
        .map_or("-".to_string(), |delta| format!("{delta:+.1}"));
    write!(
        out,
        r#"<section id="changes" aria-labelledby="changes-title">
<h2 id="changes-title">Since the baseline</h2>
<p>Against the scan of {}: score {} ({delta}), <strong>{}</strong> new failure(s), {} unchanged, {} resolved.</p>
"#,
        comparison
            .baseline_generated_at
            .format("%Y-%m-%d %H:%M UTC"),
        score_text(report.score.overall),
        comparison.new,
        comparison.unchanged,
        comparison.resolved.len(),
    )?;
    if !comparison.resolved.is_empty() {
        writeln!(
            out,
            r#"<table>
<caption>Resolved: failing in the baseline, not any more</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Check</th><th scope="col">Resource</th></tr></thead>
<tbody>"#
        )?;
        for resolved in &comparison.resolved {
            writeln!(
                out,
                r#"<tr><td><span class="sev sev-{severity}">{severity}</span></td><td>{title}<br><code>{id}</code></td><td><code class="arn">{arn}</code></td></tr>"#,
                severity = resolved.severity,
                title = esc(&resolved.title),
                id = esc(&resolved.check_id),
                arn = Arn(&resolved.resource_arn),
            )?;
        }
        writeln!(out, "</tbody>\n</table>")?;
    }
    writeln!(out, "</section>")
}

/// The findings, failures first and worst first.
fn sorted_findings(report: &Report) -> Vec<&Finding> {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| {
        status_rank(a.status)
            .cmp(&status_rank(b.status))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.resource_arn.cmp(&b.resource_arn))
    });
    findings
}

fn filter_option(out: &mut dyn Write, value: &str, count: usize) -> io::Result<()> {
    writeln!(
        out,
        r#"<option value="{value}">{value} ({count})</option>"#,
        value = esc(value)
    )
}

fn filters(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let count = |keep: &dyn Fn(&Finding) -> bool| {
        report
            .findings
            .iter()
            .filter(|finding| keep(finding))
            .count()
    };
    writeln!(
        out,
        r#"<form id="filters" class="filters" role="search" aria-label="Filter findings" hidden>
<label>Severity <select id="filter-severity" name="severity">
<option value="">all</option>"#
    )?;
    for severity in Severity::ALL {
        filter_option(
            out,
            severity.as_str(),
            count(&|finding| finding.severity == severity),
        )?;
    }
    writeln!(
        out,
        r#"</select></label>
<label>Category <select id="filter-category" name="category">
<option value="">all</option>"#
    )?;
    for &category in Category::ALL {
        let found = count(&|finding| finding.categories.contains(&category));
        if found > 0 {
            filter_option(out, category.as_str(), found)?;
        }
    }
    writeln!(
        out,
        r#"</select></label>
<label>Status <select id="filter-status" name="status">
<option value="">all</option>"#
    )?;
    for status in STATUSES {
        let found = count(&|finding| finding.status == status);
        if found > 0 {
            filter_option(out, status.as_str(), found)?;
        }
    }
    writeln!(
        out,
        r#"</select></label>
<label class="search">Search <input type="search" id="filter-search" name="search" placeholder="check, resource or message" autocomplete="off"></label>
<button type="button" id="filter-reset">Clear filters</button>
</form>"#
    )
}

fn findings(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let checks: BTreeMap<&str, &CheckMeta> = report
        .checks
        .iter()
        .map(|meta| (meta.id.as_str(), meta))
        .collect();
    writeln!(
        out,
        r#"<section id="findings" aria-labelledby="findings-title">
<h2 id="findings-title">Findings</h2>"#
    )?;
    filters(report, out)?;
    writeln!(
        out,
        r#"<p id="shown-count" class="shown" role="status" aria-live="polite">{count} findings</p>
<table class="findings" aria-labelledby="findings-title">
<thead><tr><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Resource</th><th scope="col">Finding</th></tr></thead>"#,
        count = report.findings.len()
    )?;
    for (index, finding) in sorted_findings(report).into_iter().enumerate() {
        finding_rows(
            out,
            index,
            finding,
            checks.get(finding.check_id.as_str()).copied(),
            report,
        )?;
    }
    writeln!(
        out,
        r#"</table>
<p id="no-match" class="note" hidden>No finding matches these filters.</p>
</section>"#
    )
}

fn finding_rows(
    out: &mut dyn Write,
    index: usize,
    finding: &Finding,
    meta: Option<&CheckMeta>,
    report: &Report,
) -> io::Result<()> {
    let categories = finding
        .categories
        .iter()
        .map(|category| category.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    write!(
        out,
        r#"<tbody id="finding-{index}" class="finding" data-severity="{severity}" data-status="{status}" data-categories="{categories}">
<tr><td><span class="sev sev-{severity}">{severity}</span></td><td><span class="status status-{status}">{status}</span>"#,
        severity = finding.severity,
        status = finding.status,
        categories = esc(&categories),
    )?;
    if finding.change == Some(crate::baseline::Change::New) {
        write!(out, r#" <span class="badge badge-new">new</span>"#)?;
    }
    write!(
        out,
        r#"</td><td><span class="check-title">{title}</span><br><code>{id}</code></td><td><code class="arn">{arn}</code></td><td class="message">{message}"#,
        title = esc(&finding.title),
        id = esc(&finding.check_id),
        arn = Arn(&finding.resource_arn),
        message = esc(&finding.message),
    )?;
    if let Some(reason) = &finding.muted_reason {
        write!(
            out,
            r#"<br><span class="muted-reason"><strong>Muted:</strong> {}</span>"#,
            esc(reason)
        )?;
    }
    writeln!(out, "</td></tr>")?;
    let summary = match finding.status {
        Status::Fail | Status::Error | Status::Muted => "Details and fix",
        Status::Pass | Status::Skipped => "Details",
    };
    writeln!(
        out,
        r#"<tr class="more"><td colspan="5"><details><summary>{summary}</summary>
<div class="detail">"#
    )?;
    if let Some(reason) = &finding.muted_reason {
        writeln!(
            out,
            r#"<p><span class="muted-reason"><strong>Muted:</strong> {}</span></p>"#,
            esc(reason)
        )?;
    }
    if let Some(meta) = meta {
        if meta.severity != finding.severity {
            writeln!(
                out,
                r#"<p class="note">Raised to {} from the check's {}.</p>"#,
                finding.severity, meta.severity
            )?;
        }
        writeln!(
            out,
            "<h4>What the check does</h4>\n<p>{}</p>\n<h4>Why it matters</h4>\n<p>{}</p>",
            Prose(&meta.description),
            Prose(&meta.risk),
        )?;
    }
    if let Some(remediation) = &finding.remediation {
        writeln!(
            out,
            "<h4>How to fix</h4>\n<h5>Console</h5>\n<p class=\"steps\">{}</p>\n<h5>AWS CLI</h5>\n<pre class=\"cli\"><code>{}</code></pre>",
            esc(remediation.console().trim()),
            esc(remediation.cli().trim()),
        )?;
        let terraform = remediation.terraform();
        if !terraform.trim().is_empty() {
            writeln!(
                out,
                "<h5>Terraform</h5>\n<pre class=\"terraform\"><code>{}</code></pre>",
                esc(terraform.trim())
            )?;
        }
    }
    write!(
        out,
        r#"<p class="facts-line">Resource type <code>{}</code>"#,
        esc(&finding.resource_type)
    )?;
    if let Some(meta) = meta {
        compliance_mappings(out, meta, report)?;
        references(out, meta)?;
    }
    writeln!(out, "</p>\n</div>\n</details></td></tr>\n</tbody>")
}

fn compliance_mappings(out: &mut dyn Write, meta: &CheckMeta, report: &Report) -> io::Result<()> {
    if meta.compliance.is_empty() {
        return Ok(());
    }
    write!(out, " · Compliance ")?;
    for (index, mapping) in meta.compliance.iter().enumerate() {
        let framework = report
            .compliance
            .iter()
            .find(|result| result.framework == mapping.framework)
            .map_or(mapping.framework.as_str(), |result| result.name.as_str());
        let manual = if mapping.assessment == Some(Assessment::Manual) {
            " (manual)"
        } else {
            ""
        };
        write!(
            out,
            "{}{} {}{manual}",
            if index == 0 { "" } else { "; " },
            esc(framework),
            esc(&mapping.control),
        )?;
    }
    Ok(())
}

fn references(out: &mut dyn Write, meta: &CheckMeta) -> io::Result<()> {
    let links: Vec<&String> = meta
        .references
        .iter()
        .filter(|reference| reference.starts_with("https://"))
        .collect();
    if links.is_empty() {
        return Ok(());
    }
    write!(out, " · References")?;
    for (index, link) in links.iter().enumerate() {
        write!(
            out,
            r#" <a href="{link}" rel="noreferrer">[{}]</a>"#,
            index + 1,
            link = esc(link),
        )?;
    }
    Ok(())
}

fn compliance(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        r#"<section id="compliance" aria-labelledby="compliance-title">
<h2 id="compliance-title">Compliance</h2>"#
    )?;
    if report.compliance.is_empty() {
        writeln!(out, r#"<p class="note">No framework was evaluated.</p>"#)?;
    }
    for (index, framework) in report.compliance.iter().enumerate() {
        write!(
            out,
            r#"<section class="framework" aria-labelledby="framework-{index}">
<h3 id="framework-{index}">{name}</h3>
<p class="control-counts">{total} controls:"#,
            name = esc(&framework.name),
            total = framework.controls.len(),
        )?;
        for status in CONTROL_STATUSES {
            let count = framework
                .controls
                .iter()
                .filter(|control| control.status == status)
                .count();
            if count > 0 {
                let (label, class) = control_status(status);
                write!(
                    out,
                    r#" <span class="status {class}">{label}</span> {count}"#
                )?;
            }
        }
        writeln!(
            out,
            r#"</p>
<table class="controls" aria-labelledby="framework-{index}">
<thead><tr><th scope="col">Control</th><th scope="col">Status</th><th scope="col">Title</th><th scope="col">Checks</th><th scope="col">Evidence</th></tr></thead>
<tbody>"#
        )?;
        for control in &framework.controls {
            let (label, class) = control_status(control.status);
            let checks = control
                .checks
                .iter()
                .map(|check| format!("<code>{}</code>", esc(check)))
                .collect::<Vec<_>>()
                .join("<br>");
            writeln!(
                out,
                r#"<tr><th scope="row">{id}</th><td><span class="status {class}">{label}</span></td><td>{title}</td><td>{checks}</td><td>{evidence}</td></tr>"#,
                id = esc(&control.id),
                title = esc(&control.title),
                evidence = esc(&control.evidence),
            )?;
        }
        writeln!(out, "</tbody>\n</table>\n</section>")?;
    }
    writeln!(out, "</section>")
}

fn coverage(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let coverage = &report.coverage;
    write!(
        out,
        r#"<section id="coverage" aria-labelledby="coverage-title">
<h2 id="coverage-title">Coverage</h2>
<p>{} of {} checks evaluated without error (coverage {}%).</p>
"#,
        coverage.evaluated,
        report.checks.len(),
        score_text(Some(report.score.coverage_percent)),
    )?;
    if !coverage.errored_checks.is_empty() {
        let checks = coverage
            .errored_checks
            .iter()
            .map(|check| format!("<code>{}</code>", esc(check)))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            r#"<p class="problem">Not evaluated, and so not passes: {checks}.</p>"#
        )?;
    }
    if coverage.gaps.is_empty() {
        writeln!(
            out,
            "<p>No gaps: every operation the scan needed succeeded.</p>"
        )?;
    } else {
        writeln!(
            out,
            r#"<table class="gaps">
<caption>Gaps: operations that failed or data that could not be read</caption>
<thead><tr><th scope="col">Operation</th><th scope="col">Error</th><th scope="col">Resource</th><th scope="col">Message</th></tr></thead>
<tbody>"#
        )?;
        for gap in &coverage.gaps {
            writeln!(
                out,
                r#"<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>"#,
                esc(&gap.operation),
                esc(&gap.error_code),
                esc(gap.resource.as_deref().unwrap_or("")),
                esc(&gap.message),
            )?;
        }
        writeln!(out, "</tbody>\n</table>")?;
    }
    let stats = &report.stats;
    if stats.collection.total_api_calls > 0 {
        writeln!(
            out,
            "<p>{} API calls ({} retries) in {} ms; checks ran in {} ms.</p>",
            stats.collection.total_api_calls,
            stats.collection.retries,
            stats
                .collection
                .phase_ms
                .get("total")
                .copied()
                .unwrap_or_default(),
            stats.checks_ms,
        )?;
    }
    writeln!(out, "</section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_both_quotes() {
        assert_eq!(
            esc(r#"<a href="x" title='y'>&amp;</a>"#).to_string(),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(esc("plain text").to_string(), "plain text");
    }

    #[test]
    fn prose_sets_backticked_words_as_escaped_code() {
        assert_eq!(
            Prose("uses `a<b>` and `c`").to_string(),
            "uses <code>a&lt;b&gt;</code> and <code>c</code>"
        );
    }

    #[test]
    fn the_assets_hold_nothing_that_fetches() {
        for asset in [STYLE, SCRIPT] {
            for needle in [
                "url(",
                "@import",
                "http:",
                "https:",
                "fetch(",
                "XMLHttpRequest",
            ] {
                assert!(!asset.contains(needle), "an asset contains {needle}");
            }
        }
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("</script"));
    }
}
