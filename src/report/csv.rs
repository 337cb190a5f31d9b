//! CSV: one row per finding, every status, in report order, quoted as RFC 4180 says
//! (fields with commas, quotes or line breaks in double quotes, quotes doubled, CRLF
//! between records) so spreadsheets and `csv` readers agree on it.

use super::Report;
use std::io::Write;

pub const CSV_COLUMNS: [&str; 10] = [
    "check_id",
    "severity",
    "status",
    "categories",
    "resource_type",
    "resource_arn",
    "title",
    "message",
    "remediation_cli",
    "muted_reason",
];

pub fn render_csv(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    for finding in &report.findings {
        let categories: Vec<&str> = finding
            .categories
            .iter()
            .map(|category| category.as_str())
            .collect();
        let cli = finding
            .remediation
            .as_ref()
            .map(|remediation| remediation.cli())
            .unwrap_or_default();
        writer.write_record([
            finding.check_id.as_str(),
            finding.severity.as_str(),
            finding.status.as_str(),
            &categories.join(";"),
            &finding.resource_type,
            &finding.resource_arn,
            &finding.title,
            &finding.message,
            cli.trim(),
            finding.muted_reason.as_deref().unwrap_or_default(),
        ])?;
    }
    writer.flush()
}
