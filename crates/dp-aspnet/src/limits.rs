//! Bounds on hostile input, checked before anything is allocated.
//!
//! .NET has none of these: it allocates an identity array of any announced size, loops on a
//! negative claim count until the data ends, and recurses through actors without limit. The
//! values are far above what a real sign-in produces (a 300-claim ticket is already split over six
//! cookies) and far below what could exhaust a server.

/// The largest `Cookie` header read, in bytes.
pub const MAX_COOKIE_HEADER: usize = 64 * 1024;
/// The most chunks a chunked cookie may announce.
pub const MAX_CHUNKS: usize = 64;
/// The largest protected payload or ticket plaintext, in bytes.
pub const MAX_PAYLOAD: usize = 1024 * 1024;
/// The most identities in one ticket.
pub const MAX_IDENTITIES: usize = 64;
/// The most claims in one identity.
pub const MAX_CLAIMS: usize = 4096;
/// The most properties in one dictionary (ticket properties or one claim's properties).
pub const MAX_PROPERTIES: usize = 1024;
/// How deep actor identities may nest (`identity.Actor.Actor…`).
pub const MAX_ACTOR_DEPTH: usize = 8;
/// Smallest encoded identity: empty authentication type, two default placeholders, a zero claim
/// count and two `false` flags.
pub const MIN_IDENTITY_LEN: usize = 1 + 2 + 2 + 4 + 1 + 1;
/// Smallest encoded claim .NET reads: five empty strings and a zero property count (.NET writes
/// an empty claim type as `00`, and reads empty value types and issuers as the defaults).
pub const MIN_CLAIM_LEN: usize = 1 + 1 + 1 + 1 + 1 + 4;
/// Smallest encoded property pair: two empty strings.
pub const MIN_PROPERTY_LEN: usize = 2;
