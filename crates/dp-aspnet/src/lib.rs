#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

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
