//! Matching action names and resource ARNs against the patterns of a policy statement.
//!
//! Actions match case-insensitively, resources case-sensitively; both with `*` (any run of
//! characters, `:` and `/` included, as AWS does) and `?` (exactly one character).
//!
//! Policy variables in `Resource` (`${aws:username}`, `${aws:PrincipalTag/team}`, ...) are
//! resolved against the [`Requester`]. A variable that cannot be resolved makes the pattern
//! match nothing: it must never make a resource look as if it covered other principals
//! (`user/${aws:username}` is "this user", whatever the requester is).
//!
//! A *query* resource that contains `*` or `?` denotes a set ("every role":
//! `arn:aws:iam::123456789012:role/*`, "everything": `*`). A statement covers such a query
//! when its pattern matches the query text itself (so a `*` in the pattern covers a `*` in
//! the query), and a `NotResource` covers it when none of its patterns matches the query
//! text nor names the action's service as a whole (`arn:aws:s3:::*` for `s3:GetObject`).
//! That is "essentially all of the set": a Deny on one bucket does not stop an
//! administrator from being one, and a Deny on everything but one bucket does.

use super::document::{ActionSpec, ResourceSpec, Statement};

/// Who makes the request, for resolving policy variables. Unknown values stay `None`: a
/// variable that needs them matches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requester<'r> {
    /// `aws:PrincipalArn`: the user's or role's ARN.
    pub principal_arn: Option<&'r str>,
    /// `aws:username`: users only.
    pub user_name: Option<&'r str>,
    /// `aws:userid`: a user's unique id (`AIDA...`). For a role it includes the caller's
    /// session name, so it is unknown.
    pub user_id: Option<&'r str>,
    /// `aws:PrincipalAccount`.
    pub account_id: Option<&'r str>,
    /// `aws:PrincipalType`: `User` or `AssumedRole`.
    pub principal_type: Option<&'r str>,
    /// `aws:PrincipalTag/<key>`.
    pub tags: Option<&'r crate::inventory::Tags>,
}

impl<'r> Requester<'r> {
    /// The value of a condition or variable key (`aws:username`, case-insensitive), when known.
    pub fn value(&self, key: &str) -> Option<&'r str> {
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "aws:username" => self.user_name,
            "aws:userid" => self.user_id,
            "aws:principalarn" => self.principal_arn,
            "aws:principalaccount" => self.account_id,
            "aws:principaltype" => self.principal_type,
            _ => {
                let tag = lower.strip_prefix("aws:principaltag/")?;
                let tags = self.tags?;
                // Tag keys are case-insensitive in condition keys; values are not.
                tags.iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(tag))
                    .map(|(_, value)| value.as_str())
            }
        }
    }
}

/// One element of a pattern after variables are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Byte(u8),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Run,
}

fn pieces_of(pattern: &str, out: &mut Vec<Piece>) {
    out.extend(pattern.bytes().map(|byte| match byte {
        b'*' => Piece::Run,
        b'?' => Piece::One,
        other => Piece::Byte(other),
    }));
}

fn literal_pieces(text: &str, out: &mut Vec<Piece>) {
    out.extend(text.bytes().map(Piece::Byte));
}

/// The length of the UTF-8 character that starts with `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Wildcard matching with backtracking to the last `*` only: linear in practice, and at
/// worst pattern length × text length, never exponential.
fn match_pieces(pattern: &[Piece], text: &[u8], ignore_case: bool) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Piece::Run) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(Piece::One) => {
                p += 1;
                t += char_len(text[t]).min(text.len() - t);
                continue;
            }
            Some(Piece::Byte(byte))
                if *byte == text[t] || (ignore_case && byte.eq_ignore_ascii_case(&text[t])) =>
            {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, star_t)) => {
                // Let the last `*` swallow one more character and retry from there.
                let next = star_t + char_len(text[star_t]).min(text.len() - star_t);
                star = Some((star_p, next));
                p = star_p + 1;
                t = next;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|piece| *piece == Piece::Run)
}

/// A pattern parsed once, for matching many times (action patterns of compiled policies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pieces: Vec<Piece>,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        let mut pieces = Vec::with_capacity(pattern.len());
        pieces_of(pattern, &mut pieces);
        Glob { pieces }
    }

    /// Case-sensitive match.
    pub fn matches(&self, text: &str) -> bool {
        match_pieces(&self.pieces, text.as_bytes(), false)
    }

    /// Match ignoring ASCII case, as action names are compared.
    pub fn matches_ignore_case(&self, text: &str) -> bool {
        match_pieces(&self.pieces, text.as_bytes(), true)
    }
}

/// `*` and `?` glob matching, case-sensitive (resource ARNs, condition values).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut pieces = Vec::with_capacity(pattern.len());
    pieces_of(pattern, &mut pieces);
    match_pieces(&pieces, text.as_bytes(), false)
}

/// `*` and `?` glob matching ignoring ASCII case (action names, `StringEqualsIgnoreCase`).
pub fn glob_match_ignore_case(pattern: &str, text: &str) -> bool {
    let mut pieces = Vec::with_capacity(pattern.len());
    pieces_of(pattern, &mut pieces);
    match_pieces(&pieces, text.as_bytes(), true)
}

/// Whether an `Action` pattern (`iam:Create*`, `s3:Get?bject`, `*`) names `action`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob_match_ignore_case(pattern, action)
}

/// The service prefix of an action (`iam` of `iam:CreateUser`), lower-cased.
pub fn service_of(action: &str) -> String {
    action
        .split_once(':')
        .map_or(action, |(service, _)| service)
        .to_ascii_lowercase()
}

/// Resolves the policy variables of `pattern` into pieces. `None` when a variable has no
/// known value (and no default): the pattern then matches nothing.
fn resolve(pattern: &str, requester: &Requester) -> Option<Vec<Piece>> {
    let mut pieces = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        pieces_of(&rest[..start], &mut pieces);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // Not a variable after all: IAM reads the text as it stands.
            pieces_of(&rest[start..], &mut pieces);
            return Some(pieces);
        };
        let inside = &after[..end];
        match inside {
            "*" | "?" | "$" => literal_pieces(inside, &mut pieces),
            _ => {
                // `${key, 'default'}`: the default applies when the key has no value.
                let (key, default) = match inside.split_once(',') {
                    Some((key, default)) => {
                        let default = default.trim();
                        let default = default
                            .strip_prefix('\'')
                            .and_then(|text| text.strip_suffix('\''))
                            .unwrap_or(default);
                        (key.trim(), Some(default))
                    }
                    None => (inside.trim(), None),
                };
                let value = requester.value(key).or(default)?;
                literal_pieces(value, &mut pieces);
            }
        }
        rest = &after[end + 1..];
    }
    pieces_of(rest, &mut pieces);
    Some(pieces)
}

/// A `Resource` pattern with its variables replaced by the requester's values (the escapes
/// `${*}`, `${?}`, `${$}` become the bare characters); `None` when a variable has no value.
pub fn resolve_pattern(pattern: &str, requester: &Requester) -> Option<String> {
    if !pattern.contains("${") {
        return Some(pattern.to_string());
    }
    let bytes: Vec<u8> = resolve(pattern, requester)?
        .into_iter()
        .map(|piece| match piece {
            Piece::Byte(byte) => byte,
            Piece::One => b'?',
            Piece::Run => b'*',
        })
        .collect();
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether a `Resource` pattern (variables resolved for `requester`) matches `resource`.
/// A query resource with wildcards is a set: see the module documentation.
pub fn resource_matches(pattern: &str, resource: &str, requester: &Requester) -> bool {
    if !pattern.contains("${") {
        return glob_match(pattern, resource);
    }
    resolve(pattern, requester)
        .is_some_and(|pieces| match_pieces(&pieces, resource.as_bytes(), false))
}

/// Whether `pattern` (a `NotResource` entry) names the whole of `service`: its service
/// field matches the service and everything after it is wildcards.
fn names_whole_service(pattern: &str, service: &str) -> bool {
    if pattern.bytes().all(|byte| byte == b'*' || byte == b'?') {
        return true;
    }
    let mut fields = pattern.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(pattern_service)) =
        (fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    glob_match_ignore_case(pattern_service, service)
        && fields.all(|field| field.bytes().all(|byte| matches!(byte, b'*' | b'?' | b'/')))
}

fn is_set_query(resource: &str) -> bool {
    resource.contains(['*', '?'])
}

/// Whether the statement's `Action`/`NotAction` covers `action`.
pub fn statement_covers_action(statement: &Statement, action: &str) -> bool {
    match &statement.action {
        ActionSpec::Action(patterns) => patterns
            .iter()
            .any(|pattern| action_matches(pattern, action)),
        ActionSpec::NotAction(patterns) => !patterns
            .iter()
            .any(|pattern| action_matches(pattern, action)),
    }
}

/// Whether a `Resource`/`NotResource` element covers `resource` for `action` (whose
/// service decides what a `NotResource` takes away from a set query). A statement without
/// either (a trust policy's) covers nothing here.
pub fn resources_cover(
    spec: Option<&ResourceSpec>,
    action: &str,
    resource: &str,
    requester: &Requester,
) -> bool {
    match spec {
        None => false,
        Some(ResourceSpec::Resource(patterns)) => patterns
            .iter()
            .any(|pattern| resource_matches(pattern, resource, requester)),
        Some(ResourceSpec::NotResource(patterns)) => {
            let set = is_set_query(resource);
            let service = service_of(action);
            !patterns.iter().any(|pattern| {
                resource_matches(pattern, resource, requester)
                    || (set && names_whole_service(pattern, &service))
            })
        }
    }
}

/// Whether the statement applies to `action` on `resource` (conditions aside).
pub fn statement_covers(
    statement: &Statement,
    action: &str,
    resource: &str,
    requester: &Requester,
) -> bool {
    statement_covers_action(statement, action)
        && resources_cover(statement.resource.as_ref(), action, resource, requester)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice_tags() -> crate::inventory::Tags {
        [("team".to_string(), "payments".to_string())]
            .into_iter()
            .collect()
    }

    fn alice(tags: &crate::inventory::Tags) -> Requester<'_> {
        Requester {
            principal_arn: Some("arn:aws:iam::123456789012:user/alice"),
            user_name: Some("alice"),
            user_id: Some("AIDAALICE"),
            account_id: Some("123456789012"),
            principal_type: Some("User"),
            tags: Some(tags),
        }
    }

    #[test]
    fn action_names_match_case_insensitively_with_star_and_question_mark() {
        assert!(action_matches("iam:Create*", "iam:CreateUser"));
        assert!(action_matches("IAM:create*", "iam:CreateUser"));
        assert!(action_matches("s3:Get?bject", "s3:GetObject"));
        assert!(!action_matches("s3:Get?bject", "s3:GetObjectAcl"));
        assert!(action_matches("*", "kms:Decrypt"));
        assert!(action_matches("*:Get*", "secretsmanager:GetSecretValue"));
        assert!(!action_matches("iam:Create*", "iam:DeleteUser"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
    }

    #[test]
    fn resource_arns_match_case_sensitively_and_wildcards_cross_colons_and_slashes() {
        let nobody = Requester::default();
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c",
            &nobody
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::Bucket/*",
            "arn:aws:s3:::bucket/a",
            &nobody
        ));
        assert!(resource_matches(
            "arn:aws:iam::*",
            "arn:aws:iam::123456789012:role/x",
            &nobody
        ));
        assert!(resource_matches(
            "arn:aws:iam::12345678901?:user/*",
            "arn:aws:iam::123456789012:user/a",
            &nobody
        ));
    }

    #[test]
    fn question_mark_is_one_character_even_outside_ascii() {
        assert!(glob_match("a?c", "aéc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*é*", "xxéyy"));
    }

    #[test]
    fn backtracking_stays_linear_on_adversarial_patterns() {
        let text = "a".repeat(5000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!glob_match(&pattern, &text));
    }

    #[test]
    fn username_variable_resolves_to_the_requesting_user_only() {
        let tags = alice_tags();
        let alice = alice(&tags);
        let pattern = "arn:aws:iam::*:user/${aws:username}";
        assert!(resource_matches(
            pattern,
            "arn:aws:iam::123456789012:user/alice",
            &alice
        ));
        assert!(!resource_matches(
            pattern,
            "arn:aws:iam::123456789012:user/bob",
            &alice
        ));
    }

    #[test]
    fn unresolvable_variable_never_covers_other_principals() {
        let role = Requester {
            principal_arn: Some("arn:aws:iam::123456789012:role/ops"),
            principal_type: Some("AssumedRole"),
            ..Requester::default()
        };
        let pattern = "arn:aws:iam::*:user/${aws:username}";
        assert!(!resource_matches(
            pattern,
            "arn:aws:iam::123456789012:user/bob",
            &role
        ));
        assert!(!resource_matches(pattern, "*", &role));
        assert!(!resource_matches(
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:iam::123456789012:user/*",
            &alice(&alice_tags())
        ));
    }

    #[test]
    fn principal_tag_variables_resolve_from_the_principals_tags() {
        let tags = alice_tags();
        let alice = alice(&tags);
        let pattern = "arn:aws:s3:::data-${aws:PrincipalTag/team}/*";
        assert!(resource_matches(
            pattern,
            "arn:aws:s3:::data-payments/x",
            &alice
        ));
        assert!(!resource_matches(pattern, "arn:aws:s3:::data-hr/x", &alice));
        assert!(!resource_matches(
            "arn:aws:s3:::data-${aws:PrincipalTag/missing}/*",
            "arn:aws:s3:::data-/x",
            &alice
        ));
    }

    #[test]
    fn escaped_wildcards_in_variables_are_literal_characters() {
        let nobody = Requester::default();
        assert!(resource_matches(
            "arn:aws:s3:::b/${*}",
            "arn:aws:s3:::b/*",
            &nobody
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::b/${*}",
            "arn:aws:s3:::b/x",
            &nobody
        ));
        assert!(resource_matches(
            "arn:aws:s3:::b/${?}${$}",
            "arn:aws:s3:::b/?$",
            &nobody
        ));
    }

    #[test]
    fn variable_defaults_apply_when_the_key_has_no_value() {
        let nobody = Requester::default();
        let pattern = "arn:aws:s3:::b/${aws:username, 'shared'}/*";
        assert!(resource_matches(
            pattern,
            "arn:aws:s3:::b/shared/x",
            &nobody
        ));
        assert!(!resource_matches(pattern, "arn:aws:s3:::b/bob/x", &nobody));
    }

    #[test]
    fn set_queries_are_covered_only_by_patterns_at_least_as_wide() {
        let nobody = Requester::default();
        let every_role = "arn:aws:iam::123456789012:role/*";
        assert!(resource_matches("*", every_role, &nobody));
        assert!(resource_matches(
            "arn:aws:iam::*:role/*",
            every_role,
            &nobody
        ));
        assert!(!resource_matches(
            "arn:aws:iam::123456789012:role/app-*",
            every_role,
            &nobody
        ));
        assert!(!resource_matches("arn:aws:s3:::*", "*", &nobody));
    }

    #[test]
    fn not_resource_on_a_set_query_takes_away_a_whole_service_only() {
        let nobody = Requester::default();
        let one_bucket = ResourceSpec::NotResource(vec!["arn:aws:s3:::secret/*".into()]);
        assert!(resources_cover(
            Some(&one_bucket),
            "s3:GetObject",
            "*",
            &nobody
        ));
        let all_of_s3 = ResourceSpec::NotResource(vec!["arn:aws:s3:::*".into()]);
        assert!(!resources_cover(
            Some(&all_of_s3),
            "s3:GetObject",
            "*",
            &nobody
        ));
        assert!(resources_cover(
            Some(&all_of_s3),
            "iam:CreateUser",
            "*",
            &nobody
        ));
        assert!(!resources_cover(
            Some(&one_bucket),
            "s3:GetObject",
            "arn:aws:s3:::secret/key",
            &nobody
        ));
    }
}
