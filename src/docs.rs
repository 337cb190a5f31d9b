//! The check reference in docs/checks/, generated from checks/*.toml. A test fails when
//! the committed pages differ from what the catalog generates.

use crate::catalog::{Assessment, CheckMeta};
use std::fmt::Write;

/// The file name of a check's page.
pub fn page_name(meta: &CheckMeta) -> String {
    format!("{}.md", meta.id)
}

fn framework_name(framework: &str) -> &str {
    match framework {
        "cis-aws-foundations-7.0" => "CIS AWS Foundations Benchmark v7.0",
        "aws-security-hub" => "AWS Security Hub",
        other => other,
    }
}

/// One check's page: what, why, how to fix, compliance, references.
pub fn page(meta: &CheckMeta) -> String {
    let mut text = String::new();
    let categories: Vec<String> = meta
        .categories
        .iter()
        .map(|category| format!("`{category}`"))
        .collect();
    let _ = writeln!(text, "# {}: {}\n", meta.id, meta.title);
    let _ = writeln!(
        text,
        "Severity **{}** · categories {} · resource `{}`\n",
        meta.severity,
        categories.join(", "),
        meta.resource_type
    );
    let _ = writeln!(text, "## What it checks\n\n{}\n", meta.description.trim());
    let _ = writeln!(text, "## Why it matters\n\n{}\n", meta.risk.trim());
    let _ = writeln!(
        text,
        "## Fix it\n\n### Console\n\n{}\n",
        meta.remediation.console.trim()
    );
    let _ = writeln!(
        text,
        "### CLI\n\n```sh\n{}\n```\n",
        meta.remediation.cli.trim()
    );
    if !meta.remediation.terraform.trim().is_empty() {
        let _ = writeln!(
            text,
            "### Terraform\n\n```hcl\n{}\n```\n",
            meta.remediation.terraform.trim()
        );
    }
    let _ = writeln!(
        text,
        "Placeholders in braces (`{{user_name}}`, `{{account_id}}`, ...) are filled with the finding's real values in reports.\n"
    );
    if !meta.compliance.is_empty() {
        let _ = writeln!(
            text,
            "## Compliance\n\n| framework | control | notes |\n|---|---|---|"
        );
        for mapping in &meta.compliance {
            let notes = match (mapping.assessment, mapping.standards.is_empty()) {
                (Some(Assessment::Automated), _) => "automated".to_string(),
                (Some(Assessment::Manual), _) => "manual".to_string(),
                (None, false) => format!("in {}", mapping.standards.join(", ")),
                (None, true) => String::new(),
            };
            let _ = writeln!(
                text,
                "| {} | {} | {notes} |",
                framework_name(&mapping.framework),
                mapping.control
            );
        }
        text.push('\n');
    }
    if !meta.references.is_empty() {
        let _ = writeln!(text, "## References\n");
        for reference in &meta.references {
            let _ = writeln!(text, "- <{reference}>");
        }
    }
    text
}

/// docs/checks/README.md: every check, by category of its first listing.
pub fn index(catalog: &[CheckMeta]) -> String {
    let mut text = String::from(
        "# Check reference\n\nGenerated from `checks/*.toml` by `iamscan docs docs/checks`; do not edit by hand.\n\n| check | severity | categories | title |\n|---|---|---|---|\n",
    );
    for meta in catalog {
        let categories: Vec<&str> = meta
            .categories
            .iter()
            .map(|category| category.as_str())
            .collect();
        let _ = writeln!(
            text,
            "| [{id}]({page}) | {} | {} | {} |",
            meta.severity,
            categories.join(", "),
            meta.title,
            id = meta.id,
            page = page_name(meta)
        );
    }
    text
}

/// Every generated file: (file name, contents).
pub fn generate(catalog: &[CheckMeta]) -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_string(), index(catalog))];
    files.extend(catalog.iter().map(|meta| (page_name(meta), page(meta))));
    files
}
