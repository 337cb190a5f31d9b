//! Users, groups and roles for tests: every field empty but the name and its ARN in
//! [`ACCOUNT`]. Tests set what they are about.

use super::gaad::{Group, Role, User};

pub const ACCOUNT: &str = "123456789012";

pub fn user(name: &str) -> User {
    User {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        groups: vec![],
        attached_policies: vec![],
        inline_policies: vec![],
        permissions_boundary: None,
        tags: Default::default(),
    }
}

pub fn group(name: &str) -> Group {
    Group {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        attached_policies: vec![],
        inline_policies: vec![],
    }
}

/// A role without a trust policy.
pub fn role(name: &str) -> Role {
    Role {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        id: String::new(),
        path: "/".into(),
        create_date: None,
        assume_role_policy: None,
        attached_policies: vec![],
        inline_policies: vec![],
        permissions_boundary: None,
        last_used: None,
        last_used_region: None,
        tags: Default::default(),
    }
}
