//! Per-request cookie authentication. (Being written.)

/// Authenticates requests.
#[derive(Debug)]
pub struct CookieAuthenticator;

/// An authenticated request.
#[derive(Debug)]
pub struct Authenticated;
