//! Cookies as ASP.NET Core reads and writes them.
//!
//! * [`RequestCookies`]: the `Cookie` request header, looked up as `RequestCookieCollection`
//!   does, and chunked cookies reassembled as `ChunkingCookieManager.GetRequestCookie` does.
//! * [`set_cookie`], [`chunked_set_cookies`], [`delete_chunked_cookies`]: `Set-Cookie` values
//!   byte for byte as `ResponseCookies` and `ChunkingCookieManager` write them.
//! * [`authentication_cookie_name`]: the cookie handler's default name for a scheme (the
//!   antiforgery cookie's is [`crate::antiforgery::cookie_name`]).

mod chunking;
mod header;
mod set_cookie;

pub use chunking::{DEFAULT_CHUNK_SIZE, chunked_set_cookies, delete_chunked_cookies};
pub use header::RequestCookies;
pub use set_cookie::{CookieOptions, SameSite, authentication_cookie_name, set_cookie};
