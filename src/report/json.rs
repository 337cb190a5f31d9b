//! The JSON report: the `Report` value as documented in docs/report-schema.md.

use super::Report;
use std::io::Write;

pub fn render_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
