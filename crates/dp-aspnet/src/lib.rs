//! ASP.NET Core's web artifacts built on Data Protection payloads, read and issued from Rust:
//! sign-in cookies (authentication tickets), the chunked cookies that carry them, and antiforgery
//! tokens.
//!
//! * [`wire`]: the byte formats alone — `TicketSerializer` format 5, `PropertiesSerializer`
//!   format 1, antiforgery tokens — decoded and encoded byte for byte, with caps checked before
//!   anything is allocated.
//! * [`ticket`]: what a ticket says — [`AuthenticationTicket`], [`ClaimsIdentity`], [`Claim`],
//!   [`AuthenticationProperties`] with typed accessors.
//! * [`cookie`]: the `Cookie` request header and `Set-Cookie` response values, chunked exactly as
//!   .NET's `ChunkingCookieManager` chunks them.
//! * [`purposes`]: the purpose chains ASP.NET Core components protect with.
//! * [`TicketDataFormat`] / [`PropertiesDataFormat`]: protect and unprotect over a
//!   [`DataProtector`](dp_keyring::DataProtector).
//! * [`CookieAuthenticator`]: "here is the `Cookie` header → the signed-in user, or why not".
//! * [`antiforgery`]: claim uids, token validation as .NET does it, the cookie name.
#![forbid(unsafe_code)]
#![doc = ""]
#![doc = include_str!("../README.md")]

pub mod antiforgery;
mod authenticator;
pub mod cookie;
mod data_format;
mod error;
pub mod limits;
pub mod purposes;
pub mod ticket;
pub mod wire;

pub use authenticator::{Authenticated, CookieAuthenticator, DEFAULT_LIFETIME};
pub use data_format::{PropertiesDataFormat, TicketDataFormat};
pub use error::{AntiforgeryMismatch, AspNetError, RejectReason};
pub use ticket::{
    AuthenticationProperties, AuthenticationTicket, Claim, ClaimsIdentity, claim_types,
};
