//! CloudTrail events: the catalog of IAM and sign-in events that change who can do what
//! ([`catalog`]), and CloudTrail records read from delivered log files ([`records`]).

pub mod analysis;
pub mod catalog;
pub mod records;
