//! CIS AWS Foundations Benchmark v7.0 section 5 (monitoring): would the account alert?
//!
//! Each control asks for a CloudWatch Logs metric filter on the trail's log group, whose
//! pattern covers a set of CloudTrail events, with an alarm on the filter's metric. This
//! module judges the pattern part, as pure functions: [`pattern`] parses and evaluates
//! CloudWatch Logs filter patterns, and [`controls`] holds, for each control, realistic
//! CloudTrail records of the events it must catch and [`controls::coverage`], which says
//! which of them a set of filter patterns would count and which it would miss (a 5.4
//! pattern without `DeletePolicyVersion` does not cover 5.4).
//!
//! Whether the filter sits on the right log group and has an alarm with a subscriber is for
//! the caller, from collected state; nothing here does I/O.

pub mod controls;
pub mod pattern;
