//! The IAM credential report: one CSV row per user plus `<root_account>`.
//!
//! Columns are found by header name, not position, so a report with columns added by AWS
//! later still reads. Values such as `N/A`, `no_information` and `not_supported` become
//! `None`; anything else that is not a date or a boolean is an error naming the line.

use super::{LoadError, read_file};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The name the report gives the root user.
pub const ROOT_USER: &str = "<root_account>";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// When AWS generated the report; `None` when only the CSV was given.
    #[serde(default)]
    pub generated_at: Option<DateTime<Utc>>,
    pub rows: Vec<CredentialReportRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlot {
    pub active: bool,
    #[serde(default)]
    pub last_rotated: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_used_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_used_region: Option<String>,
    #[serde(default)]
    pub last_used_service: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialReportRow {
    pub user: String,
    pub arn: String,
    #[serde(default)]
    pub user_creation_time: Option<DateTime<Utc>>,
    /// `None` for the root user, whose report says `not_supported`.
    #[serde(default)]
    pub password_enabled: Option<bool>,
    #[serde(default)]
    pub password_last_used: Option<DateTime<Utc>>,
    #[serde(default)]
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    /// Access key slots 1 and 2, in that order.
    pub access_keys: [KeySlot; 2],
    #[serde(default)]
    pub certificates_active: [bool; 2],
}

impl CredentialReportRow {
    pub fn is_root(&self) -> bool {
        self.user == ROOT_USER
    }

    pub fn has_password(&self) -> bool {
        self.password_enabled == Some(true)
    }

    /// Active key slots with their slot number (1 or 2).
    pub fn active_keys(&self) -> impl Iterator<Item = (usize, &KeySlot)> {
        self.access_keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.active)
            .map(|(index, key)| (index + 1, key))
    }
}

impl CredentialReport {
    pub fn root(&self) -> Option<&CredentialReportRow> {
        self.rows.iter().find(|row| row.is_root())
    }

    pub fn users(&self) -> impl Iterator<Item = &CredentialReportRow> {
        self.rows.iter().filter(|row| !row.is_root())
    }

    /// Parses the CSV as GetCredentialReport returns it (after base64 decoding). `origin`
    /// names the source in errors: a file path or the API operation.
    pub fn parse_csv(
        text: &str,
        origin: &str,
        generated_at: Option<DateTime<Utc>>,
    ) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|error| format!("{origin}: header: {error}"))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|header| header == name)
                .ok_or_else(|| format!("{origin}: not a credential report: no column '{name}'"))
        };
        let columns = Columns {
            user: column("user")?,
            arn: column("arn")?,
            user_creation_time: column("user_creation_time")?,
            password_enabled: column("password_enabled")?,
            password_last_used: column("password_last_used")?,
            password_last_changed: column("password_last_changed")?,
            mfa_active: column("mfa_active")?,
            keys: [key_columns(&column, 1)?, key_columns(&column, 2)?],
            certificates: [column("cert_1_active").ok(), column("cert_2_active").ok()],
        };
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|error| format!("{origin}: {error}"))?;
            let line = record.position().map_or(0, |position| position.line());
            rows.push(
                columns
                    .row(&record)
                    .map_err(|message| format!("{origin}:{line}: {message}"))?,
            );
        }
        Ok(CredentialReport { generated_at, rows })
    }

    /// Loads a credential report saved as CSV (`aws iam get-credential-report --query
    /// Content --output text | base64 -d`).
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = read_file(path)?;
        Self::parse_csv(&text, &path.display().to_string(), None).map_err(|message| {
            LoadError::Invalid {
                path: path.to_path_buf(),
                // parse_csv already names the origin; keep only what follows it.
                message: message
                    .strip_prefix(&path.display().to_string())
                    .map(|rest| rest.trim_start_matches(':').trim_start().to_string())
                    .unwrap_or(message),
            }
        })
    }
}

struct KeyColumns {
    active: usize,
    last_rotated: usize,
    last_used_date: usize,
    last_used_region: usize,
    last_used_service: usize,
}

fn key_columns(
    column: &impl Fn(&str) -> Result<usize, String>,
    slot: u8,
) -> Result<KeyColumns, String> {
    Ok(KeyColumns {
        active: column(&format!("access_key_{slot}_active"))?,
        last_rotated: column(&format!("access_key_{slot}_last_rotated"))?,
        last_used_date: column(&format!("access_key_{slot}_last_used_date"))?,
        last_used_region: column(&format!("access_key_{slot}_last_used_region"))?,
        last_used_service: column(&format!("access_key_{slot}_last_used_service"))?,
    })
}

struct Columns {
    user: usize,
    arn: usize,
    user_creation_time: usize,
    password_enabled: usize,
    password_last_used: usize,
    password_last_changed: usize,
    mfa_active: usize,
    keys: [KeyColumns; 2],
    certificates: [Option<usize>; 2],
}

const ABSENT: [&str; 4] = ["N/A", "no_information", "not_supported", ""];

impl Columns {
    fn row(&self, record: &csv::StringRecord) -> Result<CredentialReportRow, String> {
        let field = |index: usize| record.get(index).unwrap_or("");
        let date = |index: usize, name: &str| -> Result<Option<DateTime<Utc>>, String> {
            let value = field(index);
            if ABSENT.contains(&value) {
                return Ok(None);
            }
            DateTime::parse_from_rfc3339(value)
                .map(|date| Some(date.with_timezone(&Utc)))
                .map_err(|_| format!("column {name}: '{value}' is not a date"))
        };
        let flag = |index: usize, name: &str| -> Result<Option<bool>, String> {
            match field(index) {
                "true" | "TRUE" | "True" => Ok(Some(true)),
                "false" | "FALSE" | "False" => Ok(Some(false)),
                value if ABSENT.contains(&value) => Ok(None),
                value => Err(format!("column {name}: '{value}' is not true or false")),
            }
        };
        let text = |index: usize| {
            Some(field(index))
                .filter(|value| !ABSENT.contains(value))
                .map(str::to_owned)
        };
        let key = |columns: &KeyColumns, slot: u8| -> Result<KeySlot, String> {
            Ok(KeySlot {
                active: flag(columns.active, &format!("access_key_{slot}_active"))?
                    .unwrap_or(false),
                last_rotated: date(
                    columns.last_rotated,
                    &format!("access_key_{slot}_last_rotated"),
                )?,
                last_used_date: date(
                    columns.last_used_date,
                    &format!("access_key_{slot}_last_used_date"),
                )?,
                last_used_region: text(columns.last_used_region),
                last_used_service: text(columns.last_used_service),
            })
        };
        let user = field(self.user).to_string();
        if user.is_empty() {
            return Err("column user is empty".into());
        }
        let certificate = |index: Option<usize>, name: &str| -> Result<bool, String> {
            Ok(match index {
                Some(index) => flag(index, name)?.unwrap_or(false),
                None => false,
            })
        };
        Ok(CredentialReportRow {
            arn: field(self.arn).to_string(),
            user_creation_time: date(self.user_creation_time, "user_creation_time")?,
            password_enabled: flag(self.password_enabled, "password_enabled")?,
            password_last_used: date(self.password_last_used, "password_last_used")?,
            password_last_changed: date(self.password_last_changed, "password_last_changed")?,
            mfa_active: flag(self.mfa_active, "mfa_active")?.unwrap_or(false),
            access_keys: [key(&self.keys[0], 1)?, key(&self.keys[1], 2)?],
            certificates_active: [
                certificate(self.certificates[0], "cert_1_active")?,
                certificate(self.certificates[1], "cert_2_active")?,
            ],
            user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn root_row_and_user_rows_parse_with_not_applicable_values() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::123456789012:user/alice,2023-02-01T00:00:00+00:00,true,no_information,2023-02-01T00:00:00+00:00,N/A,false,true,2023-02-01T00:00:00+00:00,2024-01-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let report = CredentialReport::parse_csv(&text, "report.csv", None).unwrap();
        let root = report.root().unwrap();
        assert_eq!(root.password_enabled, None);
        assert!(root.mfa_active);
        let alice = report.users().next().unwrap();
        assert!(alice.has_password());
        assert_eq!(alice.password_last_used, None);
        assert_eq!(
            alice
                .active_keys()
                .map(|(slot, _)| slot)
                .collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(
            alice.access_keys[0].last_used_service.as_deref(),
            Some("s3")
        );
    }

    #[test]
    fn a_bad_value_names_the_origin_line_and_column() {
        let text = format!(
            "{HEADER}\nbob,arn:aws:iam::123456789012:user/bob,2023-02-01T00:00:00+00:00,maybe,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let error = CredentialReport::parse_csv(&text, "report.csv", None).unwrap_err();
        assert_eq!(
            error,
            "report.csv:2: column password_enabled: 'maybe' is not true or false"
        );
    }

    #[test]
    fn a_file_without_the_report_columns_is_rejected_by_name() {
        let error =
            CredentialReport::parse_csv("name,email\nx,y\n", "people.csv", None).unwrap_err();
        assert_eq!(
            error,
            "people.csv: not a credential report: no column 'user'"
        );
    }
}
