//! IAM policy documents: decoding as the API returns them, and parsing every legal shape.

mod document;
pub mod trust;

pub use document::{
    ActionSpec, Effect, PolicyDocument, PolicyError, PrincipalSpec, ResourceSpec, Statement,
};
