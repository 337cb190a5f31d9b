//! The terminal report: score and grade first, categories, then failing findings grouped
//! by severity with the fix, then what could not be evaluated.

use super::Report;
use crate::finding::{Severity, Status};
use comfy_table::{
    Attribute, Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED,
};
use std::io::Write;

pub(super) fn severity_color(severity: Severity) -> Color {
    match severity {
        Severity::Critical => Color::Red,
        Severity::High => Color::DarkRed,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Cyan,
        Severity::Info => Color::Grey,
    }
}

pub(super) fn grade_color(grade: &str) -> Color {
    match grade {
        "A" => Color::Green,
        "B" => Color::DarkGreen,
        "C" => Color::Yellow,
        "D" => Color::DarkYellow,
        _ => Color::Red,
    }
}

pub(super) fn new_table(color: bool, width: u16) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    if !color {
        table.force_no_tty();
    } else {
        table.enforce_styling();
    }
    table
}

/// Writes `table` as `writeln!(out, "{table}")` does, but a line at a time: `Display` joins
/// the lines into one more string first, and the failures' tables of a large account are
/// big (300 MB of output at 100,000 principals).
pub(super) fn write_table(out: &mut dyn Write, table: &Table) -> std::io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub(super) fn score_text(score: Option<f64>) -> String {
    score.map_or("-".to_string(), |score| format!("{score:.1}"))
}

/// The commands of a CLI remediation without its comments, at most a few: the table is a
/// summary, and `iamscan explain` (or the JSON report) has the whole text.
fn short_fix(cli: &str, check_id: &str) -> String {
    const SHOWN: usize = 3;
    let lines: Vec<&str> = cli
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    // A here-document's body is not a command: show up to the line that opens it.
    let shown = lines
        .iter()
        .take(SHOWN)
        .position(|line| line.contains("<<"))
        .map_or(SHOWN.min(lines.len()), |opener| opener);
    let mut text = lines[..shown].join("\n");
    if lines.len() > shown {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("(more: iamscan explain {check_id})"));
    }
    text
}

/// Renders the report. `color` is decided by the caller (terminal and NO_COLOR).
pub fn render_table(
    report: &Report,
    out: &mut dyn Write,
    color: bool,
    width: u16,
) -> std::io::Result<()> {
    let paint = |cell: Cell, colour: Color| if color { cell.fg(colour) } else { cell };
    writeln!(
        out,
        "iamscan {} | account {} | source {} | scanned {}",
        report.tool.version,
        report.account_id.as_deref().unwrap_or("unknown"),
        report.inventory_source,
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
    )?;
    if let Some(generated) = report.credential_report_generated_at {
        writeln!(
            out,
            "credential report generated {} ({})",
            generated.format("%Y-%m-%d %H:%M UTC"),
            super::human_age(report.generated_at - generated)
        )?;
    }

    let mut summary = new_table(color, width);
    let incomplete = if report.is_incomplete() {
        format!("INCOMPLETE: coverage {:.1}%", report.score.coverage_percent)
    } else {
        "complete".to_string()
    };
    summary.set_header(vec!["Score", "Grade", "Scan"]);
    summary.add_row(vec![
        Cell::new(format!("{} / 100", score_text(report.score.overall)))
            .add_attribute(Attribute::Bold),
        paint(
            Cell::new(&report.score.grade).add_attribute(Attribute::Bold),
            grade_color(&report.score.grade),
        ),
        paint(
            Cell::new(incomplete),
            if report.is_incomplete() {
                Color::Yellow
            } else {
                Color::Green
            },
        ),
    ]);
    write_table(out, &summary)?;

    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }

    let mut categories = new_table(color, width);
    categories.set_header(vec!["Category", "Score", "Grade", "Pass", "Fail", "Error"]);
    for (name, category) in &report.score.categories {
        categories.add_row(vec![
            Cell::new(name),
            Cell::new(score_text(category.score)),
            paint(Cell::new(&category.grade), grade_color(&category.grade)),
            Cell::new(category.passed),
            Cell::new(category.failed),
            Cell::new(category.errored),
        ]);
    }
    write_table(out, &categories)?;

    let failures = report.failures();
    if failures.is_empty() {
        writeln!(out, "No failing findings.")?;
    }
    for severity in Severity::ALL {
        let group: Vec<_> = failures
            .iter()
            .filter(|finding| finding.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        writeln!(
            out,
            "\n{} ({})",
            severity.as_str().to_uppercase(),
            group.len()
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Check", "Finding", "Fix (CLI)"]);
        for finding in group {
            table.add_row(vec![
                paint(Cell::new(&finding.check_id), severity_color(severity)),
                Cell::new(&finding.message),
                Cell::new(
                    finding
                        .remediation
                        .as_ref()
                        .map_or(String::new(), |remediation| {
                            short_fix(&remediation.cli(), &finding.check_id)
                        }),
                ),
            ]);
        }
        write_table(out, &table)?;
    }

    let muted: Vec<_> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Muted)
        .collect();
    if !muted.is_empty() {
        writeln!(
            out,
            "\nSUPPRESSED ({}): failures muted by the configuration, with its reason",
            muted.len()
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Check", "Finding", "Reason"]);
        for finding in muted {
            table.add_row(vec![
                Cell::new(&finding.check_id),
                Cell::new(&finding.message),
                Cell::new(finding.muted_reason.as_deref().unwrap_or_default()),
            ]);
        }
        write_table(out, &table)?;
    }

    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Error)
        .collect();
    if !errors.is_empty() {
        writeln!(
            out,
            "\nNOT EVALUATED ({}): these checks had no evidence and are not passes",
            errors.len()
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Check", "Resource", "Why"]);
        for finding in errors {
            table.add_row(vec![
                paint(Cell::new(&finding.check_id), Color::Yellow),
                Cell::new(&finding.resource_arn),
                Cell::new(&finding.message),
            ]);
        }
        write_table(out, &table)?;
    }
    if !report.coverage.gaps.is_empty() {
        writeln!(
            out,
            "\nGAPS ({}): operations that failed or data that could not be read",
            report.coverage.gaps.len()
        )?;
        let mut table = new_table(color, width);
        table.set_header(vec!["Operation", "Error", "Message"]);
        for gap in &report.coverage.gaps {
            table.add_row(vec![
                Cell::new(&gap.operation),
                Cell::new(&gap.error_code),
                Cell::new(&gap.message),
            ]);
        }
        write_table(out, &table)?;
    }
    let counts = |status: Status| {
        report
            .findings
            .iter()
            .filter(|finding| finding.status == status)
            .count()
    };
    writeln!(
        out,
        "\n{} checks, {} findings: {} pass, {} fail, {} error, {} skipped, {} muted. `iamscan explain CHECK` shows a check's rationale and full remediation.",
        report.checks.len(),
        report.findings.len(),
        counts(Status::Pass),
        counts(Status::Fail),
        counts(Status::Error),
        counts(Status::Skipped),
        counts(Status::Muted),
    )?;
    if report.baseline.is_some() {
        writeln!(out)?;
        render_diff(report, out)?;
    }
    if let Some(activity) = &report.activity {
        writeln!(out)?;
        render_activity_table(activity, out, color, width)?;
    }
    let stats = &report.stats.collection;
    if stats.total_api_calls > 0 {
        writeln!(
            out,
            "{} API calls ({} retries) in {} ms.",
            stats.total_api_calls,
            stats.retries,
            stats.phase_ms.get("total").copied().unwrap_or_default()
        )?;
    }
    Ok(())
}

/// A framework's controls, one row each, with the checks behind them and the evidence.
pub fn render_compliance_table(
    result: &crate::compliance::FrameworkResult,
    report: &Report,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use crate::compliance::ControlStatus;
    writeln!(
        out,
        "{} | account {} | scanned {}",
        result.name,
        report.account_id.as_deref().unwrap_or("unknown"),
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
    )?;
    let mut table = new_table(false, 160);
    table.set_header(vec!["Control", "Status", "Title", "Checks", "Evidence"]);
    for control in &result.controls {
        let status = serde_json::to_value(control.status)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        table.add_row(vec![
            Cell::new(&control.id),
            Cell::new(status),
            Cell::new(&control.title),
            Cell::new(control.checks.join("\n")),
            Cell::new(&control.evidence),
        ]);
    }
    write_table(out, &table)?;
    let count = |status: ControlStatus| {
        result
            .controls
            .iter()
            .filter(|control| control.status == status)
            .count()
    };
    writeln!(
        out,
        "{} controls: {} pass, {} fail, {} error, {} muted, {} manual, {} not covered, {} retired.",
        result.controls.len(),
        count(ControlStatus::Pass),
        count(ControlStatus::Fail),
        count(ControlStatus::Error),
        count(ControlStatus::Muted),
        count(ControlStatus::Manual),
        count(ControlStatus::NotCovered),
        count(ControlStatus::Retired),
    )
}

/// The baseline comparison: score delta, new failures, resolved ones.
pub fn render_diff(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(comparison) = &report.baseline else {
        return Ok(());
    };
    let delta = comparison
        .score_delta
        .map_or("-".to_string(), |delta| format!("{delta:+.1}"));
    writeln!(
        out,
        "since {}: score {} ({delta}), {} new failure(s), {} unchanged, {} resolved",
        comparison
            .baseline_generated_at
            .format("%Y-%m-%d %H:%M UTC"),
        score_text(report.score.overall),
        comparison.new,
        comparison.unchanged,
        comparison.resolved.len()
    )?;
    let new: Vec<_> = report
        .failures()
        .into_iter()
        .filter(|finding| finding.change == Some(crate::baseline::Change::New))
        .collect();
    if !new.is_empty() {
        let mut table = new_table(false, 160);
        table.set_header(vec!["New", "Severity", "Finding"]);
        for finding in new {
            table.add_row(vec![
                Cell::new(&finding.check_id),
                Cell::new(finding.severity),
                Cell::new(&finding.message),
            ]);
        }
        write_table(out, &table)?;
    }
    if !comparison.resolved.is_empty() {
        let mut table = new_table(false, 160);
        table.set_header(vec!["Resolved", "Severity", "Resource"]);
        for resolved in &comparison.resolved {
            table.add_row(vec![
                Cell::new(&resolved.check_id),
                Cell::new(resolved.severity),
                Cell::new(&resolved.resource_arn),
            ]);
        }
        write_table(out, &table)?;
    }
    Ok(())
}

/// The activity section: what was read, then each finding, most severe first.
pub fn render_activity_table(
    activity: &crate::events::analysis::ActivityReport,
    out: &mut dyn Write,
    color: bool,
    width: u16,
) -> std::io::Result<()> {
    writeln!(
        out,
        "CloudTrail activity from {}: {} records read{}{}, {} finding(s){}",
        activity.source,
        activity.records_read,
        if activity.records_skipped > 0 {
            format!(" ({} skipped)", activity.records_skipped)
        } else {
            String::new()
        },
        if activity.accounts.len() > 1 {
            format!(" across {} accounts", activity.accounts.len())
        } else {
            String::new()
        },
        activity.activities.len(),
        if activity.correlated {
            ", judged against the current posture"
        } else {
            ", not correlated (no inventory)"
        },
    )?;
    for warning in &activity.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    if activity.activities.is_empty() {
        return Ok(());
    }
    let mut table = new_table(color, width);
    table.set_header(vec!["Severity", "When (UTC)", "Event", "Who", "Details"]);
    for item in &activity.activities {
        let severity = Cell::new(item.severity.as_str()).add_attribute(Attribute::Bold);
        let severity = if color {
            severity.fg(severity_color(item.severity))
        } else {
            severity
        };
        let mut details: Vec<String> = item
            .parameters
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        if let Some(code) = &item.error_code {
            details.push(format!("failed: {code}"));
        }
        if let Some(ip) = &item.source_ip {
            details.push(format!("from {ip}"));
        }
        details.extend(item.notes.iter().cloned());
        table.add_row(vec![
            severity,
            Cell::new(item.time.format("%Y-%m-%d %H:%M").to_string()),
            Cell::new(format!("{}\n{}", item.event, item.title)),
            Cell::new(if item.account_id.is_empty() {
                item.actor.describe()
            } else {
                format!("{}\n(account {})", item.actor.describe(), item.account_id)
            }),
            Cell::new(details.join("\n")),
        ]);
    }
    write_table(out, &table)
}

#[cfg(test)]
mod tests {
    use super::{Table, new_table, short_fix, write_table};

    /// The report's tables are written a line at a time: the bytes must be those of
    /// `writeln!(out, "{table}")`: with rows that wrap, with none, and with no header.
    #[test]
    fn a_table_written_line_by_line_is_what_display_writes() {
        let written = |table: &Table| {
            let mut out = Vec::new();
            write_table(&mut out, table).unwrap();
            String::from_utf8(out).unwrap()
        };
        for rows in [0, 1, 3] {
            let mut table = new_table(true, 60);
            table.set_header(vec!["Check", "Finding"]);
            for row in 0..rows {
                table.add_row(vec![
                    format!("check-{row}"),
                    "a finding long enough to wrap at sixty columns; ".repeat(3),
                ]);
            }
            assert_eq!(written(&table), format!("{table}\n"), "{rows} rows");
        }
        let nothing = Table::new();
        assert_eq!(written(&nothing), format!("{nothing}\n"));
    }

    #[test]
    fn the_short_fix_stops_before_a_here_document() {
        let cli = "# look\naws iam get-role --role-name r > trust.json\ncat > trust.json <<'JSON'\n{\n}\nJSON\naws iam update-assume-role-policy --role-name r";
        assert_eq!(
            short_fix(cli, "trust-public"),
            "aws iam get-role --role-name r > trust.json\n(more: iamscan explain trust-public)"
        );
        assert_eq!(
            short_fix("aws iam a\naws iam b", "x"),
            "aws iam a\naws iam b"
        );
    }
}
