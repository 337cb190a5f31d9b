//! trust-cross-account: roles that principals of other accounts can assume without proving
//! anything beyond being in that account.

use super::{Failure, Verdict, judge_roles, own_accounts};
use crate::checks::{Context, Emitter};
use crate::policy::trust::account_trusts;

pub fn cross_account(context: &Context, emit: &mut Emitter) {
    judge_roles(context, emit, |role, document| {
        let ours = own_accounts(context, role);
        let own = ours.own;
        let mut failures = Vec::new();
        let mut notes = Vec::new();
        for trust in account_trusts(document) {
            let mut foreign = Vec::new();
            for (value, account, root) in &trust.principals {
                if account == own {
                    if *root {
                        notes.push(format!(
                            "{} trusts its own account's root ({value}): that is not cross-account; any principal of {own} whose identity policies allow sts:AssumeRole on the role can assume it",
                            trust.label
                        ));
                    }
                } else if ours.contains(account) {
                    notes.push(format!(
                        "{} trusts {value}, in account {account} declared in known_accounts",
                        trust.label
                    ));
                } else {
                    foreign.push((value, account, *root));
                }
            }
            if foreign.is_empty() {
                continue;
            }
            let named: Vec<String> = foreign
                .iter()
                .map(|(value, account, root)| {
                    if *root {
                        format!(
                            "account {account} ({value}): any principal its administrators allow"
                        )
                    } else {
                        format!("{value} in account {account}")
                    }
                })
                .collect();
            match &trust.guard {
                Some(guard) => notes.push(format!(
                    "{} trusts {}, guarded by {guard}",
                    trust.label,
                    named.join(", ")
                )),
                None => failures.push(Failure::new(format!(
                    "role {}: {} lets another account assume the role without an sts:ExternalId or MFA condition: {}. If the account is yours, add it to known_accounts",
                    role.name,
                    trust.label,
                    named.join("; ")
                ))),
            }
        }
        let pass = if notes.is_empty() {
            format!("role {} trusts no other account", role.name)
        } else {
            format!("role {}: {}", role.name, notes.join("; "))
        };
        Verdict { failures, pass }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::checks::Settings;
    use crate::checks::fixtures::*;
    use crate::finding::Status;
    use serde_json::{Value, json};

    fn assume(principal: Value, condition: Value) -> Value {
        trust(
            json!({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", "Condition": condition}),
        )
    }

    #[test]
    fn another_accounts_root_id_or_principal_without_guard_fails() {
        let inventory = inventory(vec![
            role(
                "root",
                assume(json!("arn:aws:iam::999988887777:root"), json!({})),
            ),
            role("bare", assume(json!("999988887777"), json!({}))),
            role(
                "principal",
                assume(json!("arn:aws:iam::999988887777:role/deployer"), json!({})),
            ),
        ]);
        let findings = run("trust-cross-account", &inventory);
        assert_eq!(
            findings.iter().map(|f| f.status).collect::<Vec<_>>(),
            [Status::Fail; 3]
        );
        assert_eq!(
            findings[0].message,
            "role root: Statement[0] lets another account assume the role without an sts:ExternalId or MFA condition: account 999988887777 (arn:aws:iam::999988887777:root): any principal its administrators allow. If the account is yours, add it to known_accounts"
        );
        assert!(
            findings[2]
                .message
                .contains("arn:aws:iam::999988887777:role/deployer in account 999988887777")
        );
    }

    #[test]
    fn external_id_or_mfa_guards_a_vendor() {
        let inventory = inventory(vec![
            role(
                "vendor",
                assume(
                    json!("arn:aws:iam::999988887777:root"),
                    json!({"StringEquals": {"sts:ExternalId": "7f3a"}}),
                ),
            ),
            role(
                "mfa",
                assume(
                    json!("arn:aws:iam::999988887777:root"),
                    json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                ),
            ),
        ]);
        let findings = run("trust-cross-account", &inventory);
        assert_eq!(findings[0].status, Status::Pass);
        assert_eq!(
            findings[0].message,
            "role vendor: Statement[0] trusts account 999988887777 (arn:aws:iam::999988887777:root): any principal its administrators allow, guarded by StringEquals sts:ExternalId \"7f3a\""
        );
        assert_eq!(findings[1].status, Status::Pass);
    }

    #[test]
    fn known_accounts_and_the_own_root_pass_and_say_so() {
        let inventory = inventory(vec![
            role(
                "sibling",
                assume(json!("arn:aws:iam::111122223333:root"), json!({})),
            ),
            role(
                "own-root",
                assume(json!(format!("arn:aws:iam::{ACCOUNT}:root")), json!({})),
            ),
        ]);
        let settings = Settings {
            known_accounts: vec!["111122223333".into()],
            ..Settings::default()
        };
        let findings = run_with("trust-cross-account", &inventory, &settings);
        assert_eq!(findings[0].status, Status::Pass);
        assert!(
            findings[0].message.contains("declared in known_accounts"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[1].status, Status::Pass);
        assert!(
            findings[1].message.contains("its own account's root"),
            "{}",
            findings[1].message
        );
        // Without the declaration the sibling account is another account.
        assert_eq!(
            statuses("trust-cross-account", &inventory),
            [Status::Fail, Status::Pass]
        );
    }

    #[test]
    fn wildcards_and_deleted_principals_are_not_cross_account() {
        let inventory = inventory(vec![
            role("public", assume(json!("*"), json!({}))),
            role("dangling", assume(json!("AROAEXAMPLEEXAMPLE1"), json!({}))),
        ]);
        assert_eq!(
            statuses("trust-cross-account", &inventory),
            [Status::Pass, Status::Pass]
        );
    }
}
