//! CloudTrail events: the catalog of IAM and sign-in events that change who can do what
//! ([`catalog`]).

pub mod catalog;
