//! The key ring of ASP.NET Core Data Protection, for Rust: keys and their XML, repositories, the
//! key lifecycle policy, and the data-protector API built on them.
#![forbid(unsafe_code)]

mod error;
mod timestamp;
pub mod xml;

pub use error::KeyringError;
pub use timestamp::Timestamp;
