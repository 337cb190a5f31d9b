//! IAM policy documents: decoding as the API returns them, and parsing every legal shape.

pub mod conditions;
mod document;
pub mod escalation;
pub mod matching;
pub mod permissions;
pub mod trust;

pub use document::{
    ActionSpec, Effect, PolicyDocument, PolicyError, PrincipalSpec, ResourceSpec, Statement,
};
pub use permissions::{
    ADMIN_PROBES, Access, AdminEvidence, GrantSource, PermissionIndex, Permissions, PolicySource,
    PrincipalKind, PrincipalRef,
};
