//! iamscan: collect an AWS account's IAM state into an inventory, run checks over it, and
//! score and render the findings.

pub mod allocator;
#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline;
pub mod catalog;
pub mod checks;
pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
pub mod compliance;
pub mod config;
pub mod docs;
pub mod events;
pub mod finding;
pub mod inventory;
pub mod monitoring;
pub mod policy;
pub mod report;
#[cfg(feature = "aws")]
pub mod run;
pub mod score;
pub mod vecmap;
