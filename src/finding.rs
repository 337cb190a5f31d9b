//! The vocabulary every check, the score and every renderer share.

use crate::catalog::{self, RemediationTemplate};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

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
///
/// A check's finding keeps its catalog template and the values it names (a few short
/// strings) and fills the texts when a report is rendered: a scan holds hundreds of
/// thousands of failures, and three filled texts each would be its largest allocation.
/// A report loaded back (`--baseline`, `diff`, `merge`) holds the filled texts. Either way
/// it serializes as `{"console": .., "cli": .., "terraform": ..}` (terraform left out when
/// empty), and two remediations are equal when their texts are.
#[derive(Clone)]
pub struct Remediation(Texts);

#[derive(Clone)]
enum Texts {
    Template {
        template: &'static RemediationTemplate,
        /// The finding's placeholder values, `account_id` included; the last of a name wins.
        values: Box<[(&'static str, String)]>,
    },
    Filled {
        console: String,
        cli: String,
        terraform: String,
    },
}

impl Remediation {
    /// A check's remediation: `template` with `values` filled in when it is read. A
    /// placeholder without a value reads as itself in capitals (`<USER_NAME>`), a value to
    /// look up.
    pub fn from_template(
        template: &'static RemediationTemplate,
        values: Box<[(&'static str, String)]>,
    ) -> Self {
        Remediation(Texts::Template { template, values })
    }

    /// Texts already filled in (a remediation loaded back from a report, or a test's).
    pub fn filled(
        console: impl Into<String>,
        cli: impl Into<String>,
        terraform: impl Into<String>,
    ) -> Self {
        Remediation(Texts::Filled {
            console: console.into(),
            cli: cli.into(),
            terraform: terraform.into(),
        })
    }

    pub fn console(&self) -> Cow<'_, str> {
        match &self.0 {
            Texts::Template { template, values } => fill_in(&template.console, values),
            Texts::Filled { console, .. } => Cow::Borrowed(console),
        }
    }

    pub fn cli(&self) -> Cow<'_, str> {
        match &self.0 {
            Texts::Template { template, values } => fill_in(&template.cli, values),
            Texts::Filled { cli, .. } => Cow::Borrowed(cli),
        }
    }

    /// Empty when the check has no Terraform snippet.
    pub fn terraform(&self) -> Cow<'_, str> {
        match &self.0 {
            Texts::Template { template, values } => fill_in(&template.terraform, values),
            Texts::Filled { terraform, .. } => Cow::Borrowed(terraform),
        }
    }
}

/// `template` with the finding's values; a placeholder it has no value for becomes
/// `<NAME>`.
fn fill_in(template: &'static str, values: &[(&'static str, String)]) -> Cow<'static, str> {
    catalog::fill(template, |name, text| {
        match values.iter().rev().find(|(given, _)| *given == name) {
            Some((_, value)) => text.push_str(value),
            None if catalog::PLACEHOLDERS.contains(&name) => {
                text.push('<');
                text.extend(name.chars().map(|c| c.to_ascii_uppercase()));
                text.push('>');
            }
            None => return false,
        }
        true
    })
}

impl PartialEq for Remediation {
    fn eq(&self, other: &Self) -> bool {
        self.console() == other.console()
            && self.cli() == other.cli()
            && self.terraform() == other.terraform()
    }
}

impl Eq for Remediation {}

/// Reads as the plain three texts, as a struct of them would.
impl fmt::Debug for Remediation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Remediation")
            .field("console", &self.console())
            .field("cli", &self.cli())
            .field("terraform", &self.terraform())
            .finish()
    }
}

impl Serialize for Remediation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let terraform = self.terraform();
        let mut state =
            serializer.serialize_struct("Remediation", 2 + usize::from(!terraform.is_empty()))?;
        state.serialize_field("console", &self.console())?;
        state.serialize_field("cli", &self.cli())?;
        if terraform.is_empty() {
            state.skip_field("terraform")?;
        } else {
            state.serialize_field("terraform", &terraform)?;
        }
        state.end()
    }
}

/// The serialized form: what a report loaded back holds.
#[derive(Deserialize)]
#[serde(rename = "Remediation")]
struct FilledTexts {
    console: String,
    cli: String,
    #[serde(default)]
    terraform: String,
}

impl<'de> Deserialize<'de> for Remediation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let FilledTexts {
            console,
            cli,
            terraform,
        } = FilledTexts::deserialize(deserializer)?;
        Ok(Remediation::filled(console, cli, terraform))
    }
}

/// Text a finding shares with every other finding of its check: the check catalog's own
/// when a check emits it, interned otherwise (a resource kind, a report loaded back). A
/// scan holds a million findings, most of them passes; one copy of each title serves them
/// all, and each finding holds one pointer to it. It serializes as the plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(&'static String);

impl SharedStr {
    /// A text of the check catalog, which lives as long as the process.
    pub const fn of(text: &'static String) -> Self {
        SharedStr(text)
    }

    /// Any text: its interned copy.
    pub fn new(text: &str) -> Self {
        static TABLE: Interned<str, String> = OnceLock::new();
        SharedStr(intern(&TABLE, text, str::to_owned))
    }

    pub fn as_str(&self) -> &str {
        self.0
    }
}

/// A finding's categories: its check's list, shared as [`SharedStr`] shares texts. It
/// serializes as the plain list.
#[derive(Clone, PartialEq, Eq)]
pub struct CategoryList(&'static Vec<Category>);

impl CategoryList {
    /// A list of the check catalog.
    pub const fn of(list: &'static Vec<Category>) -> Self {
        CategoryList(list)
    }

    /// Any list: its interned copy.
    pub fn new(list: &[Category]) -> Self {
        static TABLE: Interned<[Category], Vec<Category>> = OnceLock::new();
        CategoryList(intern(&TABLE, list, <[Category]>::to_vec))
    }
}

impl From<Vec<Category>> for CategoryList {
    fn from(list: Vec<Category>) -> Self {
        CategoryList::new(&list)
    }
}

impl Deref for CategoryList {
    type Target = [Category];
    fn deref(&self) -> &[Category] {
        self.0
    }
}

impl fmt::Debug for CategoryList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Serialize for CategoryList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CategoryList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(CategoryList::new(&Vec::<Category>::deserialize(
            deserializer,
        )?))
    }
}

/// Values interned for the rest of the process, by their borrowed form.
type Interned<B, O> = OnceLock<Mutex<HashMap<&'static B, &'static O>>>;

/// The one copy of `value` for the rest of the process. Only for what findings share
/// (check ids, titles, resource kinds, category lists): a report has a few hundred distinct
/// ones however many findings it holds, so what stays allocated is bounded by the reports
/// read.
fn intern<B, O>(table: &'static Interned<B, O>, value: &B, own: impl FnOnce(&B) -> O) -> &'static O
where
    B: ?Sized + Hash + Eq,
    O: Borrow<B> + Send + Sync + 'static,
    &'static B: Send,
{
    let mut table = table
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(interned) = table.get(value) {
        return interned;
    }
    let interned: &'static O = Box::leak(Box::new(own(value)));
    table.insert(interned.borrow(), interned);
    interned
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        Ok(SharedStr::new(&text))
    }
}

/// Text of one finding (its resource's ARN, its message), held exactly as long as it is:
/// a String's spare capacity, a million findings over, is memory a scan of a large account
/// does not have to spare. It serializes as the plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(Box<str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text(text.into_boxed_str())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(text.into())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr::new(text)
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr::new(&text)
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

/// One check's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: SharedStr,
    pub title: SharedStr,
    pub severity: Severity,
    /// Borrowed from the catalog like the title.
    pub categories: CategoryList,
    pub status: Status,
    pub resource_arn: Text,
    pub resource_type: SharedStr,
    pub message: Text,
    /// Present on failures (and on errors, where it says how to give the scanner access).
    /// Boxed: most findings are passes, and an empty box costs a pointer, not three strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Box<Remediation>>,
    /// Against a baseline (`--baseline`): whether this failure is new or was there before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<crate::baseline::Change>,
    /// Why a suppression mutes this failure (status `muted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted_reason: Option<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check's remediation is filled from its template when read; loaded back from JSON
    /// it holds the texts. Both must write the same bytes and compare equal.
    #[test]
    fn template_backed_and_loaded_remediations_write_the_same_json_and_compare_equal() {
        for (terraform, written_terraform) in [
            ("", ""),
            (
                r#"resource "x" "{user_name}" { policy = jsonencode({"Version": "2012-10-17"}) }"#,
                r#","terraform":"resource \"x\" \"bob\" { policy = jsonencode({\"Version\": \"2012-10-17\"}) }""#,
            ),
        ] {
            let template: &'static RemediationTemplate =
                Box::leak(Box::new(RemediationTemplate {
                    console: "IAM > Users > {user_name} in {account_id}".into(),
                    cli: "aws iam delete-access-key --user-name {user_name} --access-key-id {access_key_id} {other} {}".into(),
                    terraform: terraform.into(),
                }));
            let values = vec![
                ("user_name", "alice".to_string()),
                ("user_name", "bob".to_string()),
                ("account_id", "123456789012".to_string()),
            ];
            let emitted = Remediation::from_template(template, values.into_boxed_slice());
            let json = serde_json::to_string(&emitted).unwrap();
            assert_eq!(
                json,
                format!(
                    "{}{}{}}}",
                    r#"{"console":"IAM > Users > bob in 123456789012","#,
                    r#""cli":"aws iam delete-access-key --user-name bob --access-key-id <ACCESS_KEY_ID> {other} {}""#,
                    written_terraform
                )
            );
            let loaded: Remediation = serde_json::from_str(&json).unwrap();
            assert!(matches!(loaded.0, Texts::Filled { .. }));
            assert_eq!(loaded, emitted);
            assert_eq!(emitted, loaded);
            assert_eq!(format!("{loaded:?}"), format!("{emitted:?}"));
            assert_eq!(serde_json::to_string(&loaded).unwrap(), json);
        }
    }

    /// Findings a check emits borrow their shared text; a report loaded back owns it. Both
    /// must write the same bytes and compare equal (`--baseline`, `diff` and `merge` load
    /// reports back).
    #[test]
    fn borrowed_and_loaded_findings_write_the_same_json_and_compare_equal() {
        let emitted = Finding {
            check_id: SharedStr::new("root-mfa-enabled"),
            title: SharedStr::new("The root user has MFA"),
            severity: Severity::Critical,
            categories: CategoryList::new(&[Category::Root, Category::Mfa]),
            status: Status::Fail,
            resource_arn: "arn:aws:iam::123456789012:root".into(),
            resource_type: SharedStr::new("AwsAccount"),
            message: "no MFA".into(),
            remediation: Some(Box::new(Remediation::filled(
                "IAM > Security credentials",
                "aws iam list-mfa-devices",
                "",
            ))),
            change: None,
            muted_reason: None,
        };
        let json = serde_json::to_string(&emitted).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"check_id":"root-mfa-enabled","title":"The root user has MFA","#,
                r#""severity":"critical","categories":["root","mfa"],"status":"fail","#,
                r#""resource_arn":"arn:aws:iam::123456789012:root","#,
                r#""resource_type":"AwsAccount","message":"no MFA","#,
                r#""remediation":{"console":"IAM > Security credentials","#,
                r#""cli":"aws iam list-mfa-devices"}}"#
            )
        );
        let loaded: Finding = serde_json::from_str(&json).unwrap();
        // Loaded back, the categories are the one interned copy of that list.
        assert!(std::ptr::eq(
            loaded.categories.0,
            CategoryList::new(&[Category::Root, Category::Mfa]).0
        ));
        assert_eq!(loaded, emitted);
        assert_eq!(serde_json::to_string(&loaded).unwrap(), json);
    }
}
