//! A Markdown summary for a pull request comment or a CI job summary
//! (`>> "$GITHUB_STEP_SUMMARY"`): score, grade and coverage first, the categories, the
//! worst failures with their first fix command (the rest counted, not listed: a comment
//! has a size limit and a reader a patience limit), then what was muted, what could not be
//! evaluated and what failed to collect.

use super::Report;
use crate::finding::{Finding, Severity, Status};
use std::io::Write;

/// Failures listed one by one; the others are counted.
pub const TOP_FAILURES: usize = 25;

/// Text for a table cell: Markdown and HTML syntax escaped, line breaks kept as `<br>`.
fn cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\n' => escaped.push_str("<br>"),
            '\r' => {}
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

/// A code span for a table cell: pipes escaped (GitHub reads `\|` as `|` inside a span in
/// a table), delimited by more backticks than the text holds.
fn code(text: &str) -> String {
    let text = text.trim().replace('\n', " ").replace('|', "\\|");
    if text.is_empty() {
        return String::new();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("-".to_string(), |score| format!("{score:.1}"))
}

/// The first command of a CLI remediation (comments skipped).
fn first_command(finding: &Finding) -> String {
    finding
        .remediation
        .as_ref()
        .and_then(|remediation| {
            remediation
                .cli()
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_string)
        })
        .unwrap_or_default()
}

pub fn render_markdown(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let account = report.account_id.as_deref().unwrap_or("unknown");
    writeln!(
        out,
        "## iamscan: {} / 100, grade {}\n",
        score_text(report.score.overall),
        report.score.grade
    )?;
    let scan = if report.is_incomplete() {
        format!(
            "**incomplete**: coverage {:.1}%, some checks could not be evaluated",
            report.score.coverage_percent
        )
    } else {
        format!("complete (coverage {:.1}%)", report.score.coverage_percent)
    };
    writeln!(
        out,
        "Account `{account}` · scanned {} · source {} · {scan}\n",
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        cell(&report.inventory_source),
    )?;
    for warning in &report.warnings {
        writeln!(out, "> [!WARNING]\n> {}\n", cell(warning))?;
    }
    if let Some(comparison) = &report.baseline {
        let delta = comparison
            .score_delta
            .map_or("-".to_string(), |delta| format!("{delta:+.1}"));
        writeln!(
            out,
            "Since {}: score {delta}, {} new failure(s), {} unchanged, {} resolved.\n",
            comparison
                .baseline_generated_at
                .format("%Y-%m-%d %H:%M UTC"),
            comparison.new,
            comparison.unchanged,
            comparison.resolved.len()
        )?;
    }

    if !report.score.categories.is_empty() {
        writeln!(out, "| Category | Score | Grade | Pass | Fail | Error |")?;
        writeln!(out, "|---|---:|:---:|---:|---:|---:|")?;
        for (name, category) in &report.score.categories {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(name),
                score_text(category.score),
                category.grade,
                category.passed,
                category.failed,
                category.errored
            )?;
        }
        writeln!(out)?;
    }

    let failures = report.failures();
    if failures.is_empty() {
        writeln!(out, "### No failing findings\n")?;
    } else {
        writeln!(out, "### {} failing finding(s)\n", failures.len())?;
        let by_severity: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|severity| {
                let count = failures
                    .iter()
                    .filter(|finding| finding.severity == *severity)
                    .count();
                (count > 0).then(|| format!("{count} {severity}"))
            })
            .collect();
        writeln!(out, "{}\n", by_severity.join(" · "))?;
        writeln!(
            out,
            "| Severity | Check | Resource | Finding | Fix (first command) |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for finding in failures.iter().take(TOP_FAILURES) {
            let new = if finding.change == Some(crate::baseline::Change::New) {
                "**new** · "
            } else {
                ""
            };
            writeln!(
                out,
                "| {} | {} | {} | {new}{} | {} |",
                finding.severity,
                code(&finding.check_id),
                code(&finding.resource_arn),
                cell(&finding.message),
                code(&first_command(finding)),
            )?;
        }
        if failures.len() > TOP_FAILURES {
            writeln!(
                out,
                "\n…and {} more: the full report (`--format json` or `table`) lists them all.",
                failures.len() - TOP_FAILURES
            )?;
        }
        writeln!(
            out,
            "\n`iamscan explain CHECK` prints a check's rationale and full remediation.\n"
        )?;
    }

    let with_status = |status: Status| -> Vec<&Finding> {
        report
            .findings
            .iter()
            .filter(|finding| finding.status == status)
            .collect()
    };
    let muted = with_status(Status::Muted);
    if !muted.is_empty() {
        writeln!(out, "### Suppressed ({})\n", muted.len())?;
        writeln!(out, "| Check | Resource | Reason |")?;
        writeln!(out, "|---|---|---|")?;
        for finding in muted {
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&finding.check_id),
                code(&finding.resource_arn),
                cell(finding.muted_reason.as_deref().unwrap_or_default())
            )?;
        }
        writeln!(out)?;
    }
    let errors = with_status(Status::Error);
    if !errors.is_empty() {
        writeln!(
            out,
            "### Not evaluated ({}): no evidence, not passes\n",
            errors.len()
        )?;
        writeln!(out, "| Check | Resource | Why |")?;
        writeln!(out, "|---|---|---|")?;
        for finding in errors {
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&finding.check_id),
                code(&finding.resource_arn),
                cell(&finding.message)
            )?;
        }
        writeln!(out)?;
    }
    if !report.coverage.gaps.is_empty() {
        writeln!(
            out,
            "### Gaps ({}): data that could not be collected\n",
            report.coverage.gaps.len()
        )?;
        writeln!(out, "| Operation | Error | Message |")?;
        writeln!(out, "|---|---|---|")?;
        for gap in &report.coverage.gaps {
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&gap.operation),
                code(&gap.error_code),
                cell(&gap.message)
            )?;
        }
        writeln!(out)?;
    }
    if !report.compliance.is_empty() {
        use crate::compliance::ControlStatus;
        writeln!(out, "### Compliance\n")?;
        writeln!(
            out,
            "| Framework | Pass | Fail | Error | Muted | Manual | Not covered |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
        for framework in &report.compliance {
            let count = |status: ControlStatus| {
                framework
                    .controls
                    .iter()
                    .filter(|control| control.status == status)
                    .count()
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&framework.name),
                count(ControlStatus::Pass),
                count(ControlStatus::Fail),
                count(ControlStatus::Error),
                count(ControlStatus::Muted),
                count(ControlStatus::Manual),
                count(ControlStatus::NotCovered),
            )?;
        }
        writeln!(out)?;
    }
    let count = |status: Status| with_status(status).len();
    writeln!(
        out,
        "<sub>iamscan {}: {} checks, {} findings: {} pass, {} fail, {} error, {} skipped, {} muted.</sub>",
        report.tool.version,
        report.checks.len(),
        report.findings.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Error),
        count(Status::Skipped),
        count(Status::Muted),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(
            cell("a|b *c* <img> [x](y)\nz"),
            r"a\|b \*c\* &lt;img&gt; \[x\](y)<br>z"
        );
    }

    #[test]
    fn code_spans_escape_pipes_and_outgrow_backticks() {
        assert_eq!(
            code("aws iam list-users | jq"),
            r"`aws iam list-users \| jq`"
        );
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(""), "");
    }
}
