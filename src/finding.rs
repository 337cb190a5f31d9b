//! The vocabulary every check, the score and every renderer share.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a failing check is. Ordered from least to most severe so that
/// `severity >= Severity::High` reads naturally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected critical, high, medium, low or info)")
            })
    }
}

/// The outcome of one check on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// The check could not be evaluated: its data is missing or was denied.
    Error,
    /// The check does not apply to this account (for example no users at all).
    Skipped,
    /// A failure that a suppression hides; it stays visible in every output.
    Muted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Muted => "muted",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! categories {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// The fixed category vocabulary. A finding may carry more than one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Category {
            $(#[serde(rename = $name)] $variant,)+
        }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Category::$variant => $name,)+
                }
            }
        }
    };
}

categories! {
    Root => "root",
    Mfa => "mfa",
    AccessKeys => "access-keys",
    UnusedCredentials => "unused-credentials",
    PasswordPolicy => "password-policy",
    AdminAccess => "admin-access",
    PrivilegeEscalation => "privilege-escalation",
    WildcardPermissions => "wildcard-permissions",
    TrustPublic => "trust-public",
    TrustCrossAccount => "trust-cross-account",
    TrustFederation => "trust-federation",
    TrustService => "trust-service",
    IdentityProviders => "identity-providers",
    LeastPrivilegeStructure => "least-privilege-structure",
    Logging => "logging",
    AccountConfig => "account-config",
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .iter()
            .copied()
            .find(|category| category.as_str() == s)
            .ok_or_else(|| format!("unknown category '{s}'"))
    }
}

/// Concrete remediation for one finding, with the finding's real names filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Remediation {
    pub console: String,
    pub cli: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub terraform: String,
}

/// One check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub categories: Vec<Category>,
    pub status: Status,
    pub resource_arn: String,
    pub resource_type: String,
    pub message: String,
    /// Present on failures (and on errors, where it says how to give the scanner access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
    /// Against a baseline (`--baseline`): whether this failure is new or was there before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<crate::baseline::Change>,
    /// Why a suppression mutes this failure (status `muted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted_reason: Option<String>,
}
