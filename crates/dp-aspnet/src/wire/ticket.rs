//! `TicketSerializer` format 5: the plaintext of every ASP.NET Core sign-in cookie, and of Katana's
//! interop cookies (kept in sync with `AspNetTicketSerializer`).
//!
//! ```text
//! ticket     = i32  5                         ; other versions: .NET returns null
//!              str  authenticationScheme
//!              i32  identityCount             ; negative: .NET returns null
//!              identity × identityCount
//!              properties                     ; PropertiesSerializer format 1 (super::properties)
//!              ; .NET ignores anything after the properties
//!
//! identity   = str  authenticationType        ; null written as ""
//!              strD nameClaimType             ; default ClaimTypes.Name
//!              strD roleClaimType             ; default ClaimTypes.Role
//!              i32  claimCount
//!              claim × claimCount
//!              bool hasBootstrap [str bootstrapContext]   ; only a non-empty string is written
//!              bool hasActor     [identity actor]         ; recursive
//!
//! claim      = strD type                      ; default: the identity's name claim type
//!              str  value
//!              strD valueType                 ; default ClaimValueTypes.String
//!              strD issuer                    ; default "LOCAL AUTHORITY"
//!              strD originalIssuer            ; default: this claim's issuer
//!              i32  propertyCount
//!              (str key, str value) × propertyCount
//!
//! strD(d)    = str "\0" (bytes 01 00) when the value equals d (ordinal), else str value
//! ```
//!
//! `i32` is little-endian, `bool` one byte (any non-zero reads as true), `str` a 7-bit length of
//! the UTF-8 bytes and the bytes ([`dp_format::dotnet_binary`]).
//!
//! The model holds resolved values, never the `"\0"` placeholder. Reading resolves in .NET's
//! order: the identity's name and role types, then per claim the type (against the identity's
//! resolved name type), value type, issuer, and original issuer (against the issuer just read).
//! .NET's `ClaimsIdentity` and `Claim` constructors then replace an *empty* name type, role type,
//! value type, issuer or original issuer with its default, and so does [`decode`]; [`encode`]
//! applies the same replacement before comparing, so it writes a placeholder exactly where .NET
//! would for the equivalent .NET objects.
//!
//! Unlike .NET, [`decode`] bounds everything before allocating ([`crate::limits`]): counts are
//! refused when negative, larger than the bytes left could hold, or above a cap, and actors nest
//! at most [`MAX_ACTOR_DEPTH`] deep.

use dp_format::dotnet_binary::{BinaryReader, BinaryWriter};

use super::properties::{
    self as props, CLAIM_PROPERTIES, check_payload_len, count_i32, read_count, read_pairs,
    read_string, str_len_hint, write_pairs, write_string,
};
use crate::limits::{MAX_ACTOR_DEPTH, MAX_CLAIMS, MAX_IDENTITIES, MIN_CLAIM_LEN, MIN_IDENTITY_LEN};
use crate::ticket::claim_types::{LOCAL_AUTHORITY, NAME, ROLE, STRING_VALUE};
use crate::wire::DecodeReport;
use crate::{AspNetError, AuthenticationTicket, Claim, ClaimsIdentity};

/// The only format version .NET writes and reads.
pub const FORMAT_VERSION: i32 = 5;

/// `TicketSerializer.DefaultStringPlaceholder`: written instead of a value equal to its default.
const PLACEHOLDER: &str = "\0";

/// Decodes a ticket.
///
/// Accepted as .NET accepts them, and noted in the [`DecodeReport`]: bytes after the properties,
/// invalid UTF-8 (read with U+FFFD), and embedded properties of another version than 1 (the
/// ticket then has empty properties, and whatever followed the version counts as trailing bytes,
/// since .NET stops reading there).
///
/// # Errors
/// * [`AspNetError::UnsupportedTicketVersion`]: the version is not 5.
/// * [`AspNetError::NegativeCount`], [`AspNetError::CountExceedsData`]: an identity, claim or
///   property count that is negative or larger than the rest of the input could hold.
/// * [`AspNetError::LimitExceeded`]: input above [`MAX_PAYLOAD`](crate::limits::MAX_PAYLOAD), or
///   more identities, claims or properties than [`crate::limits`] allows.
/// * [`AspNetError::ActorTooDeep`]: actors nested deeper than [`MAX_ACTOR_DEPTH`].
/// * [`AspNetError::DuplicateKey`]: a repeated ticket-property or claim-property key (.NET fails
///   the whole ticket).
/// * [`AspNetError::Format`]: truncated input, or a string length .NET would refuse.
pub fn decode(bytes: &[u8]) -> Result<(AuthenticationTicket, DecodeReport), AspNetError> {
    check_payload_len(bytes, "ticket")?;
    let mut r = BinaryReader::new(bytes);
    let mut report = DecodeReport::default();
    let version = r.i32("ticket version")?;
    if version != FORMAT_VERSION {
        return Err(AspNetError::UnsupportedTicketVersion(version));
    }
    let scheme = read_string(&mut r, &mut report, "authentication scheme")?;
    let count = read_count(&mut r, "identity count", MIN_IDENTITY_LEN, MAX_IDENTITIES)?;
    let mut identities = Vec::with_capacity(count);
    for _ in 0..count {
        identities.push(read_identity(&mut r, &mut report, 0)?);
    }
    // `AuthenticationTicket` replaces the null that .NET's reader returns for another version
    // with empty properties.
    let properties = props::read_embedded(&mut r, &mut report)?.unwrap_or_default();
    report.trailing_bytes = r.remaining();
    Ok((
        AuthenticationTicket {
            scheme,
            identities,
            properties,
        },
        report,
    ))
}

/// Encodes a ticket byte for byte as .NET's `TicketSerializer` writes the equivalent .NET ticket.
///
/// # Errors
/// [`AspNetError::InvalidArgument`] for a string of 2 GiB or more, or more identities, claims or
/// properties than a 32-bit count carries; .NET cannot write those either.
pub fn encode(ticket: &AuthenticationTicket) -> Result<Vec<u8>, AspNetError> {
    let hint = ticket.identities.iter().fold(
        8usize
            .saturating_add(str_len_hint(&ticket.scheme))
            .saturating_add(props::len_hint(&ticket.properties)),
        |n, identity| n.saturating_add(identity_len_hint(identity)),
    );
    let mut w = BinaryWriter::with_capacity(hint);
    w.i32(FORMAT_VERSION);
    write_string(&mut w, &ticket.scheme)?;
    w.i32(count_i32(ticket.identities.len())?);
    for identity in &ticket.identities {
        write_identity(&mut w, identity)?;
    }
    props::write(&mut w, &ticket.properties)?;
    Ok(w.into_bytes())
}

/// One identity; `depth` counts the actors above it (0 for the principal's own identities).
fn read_identity(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    depth: usize,
) -> Result<ClaimsIdentity, AspNetError> {
    let authentication_type = read_string(r, report, "authentication type")?;
    let name_claim_type = or_default(read_with_default(r, report, NAME, "name claim type")?, NAME);
    let role_claim_type = or_default(read_with_default(r, report, ROLE, "role claim type")?, ROLE);
    let count = read_count(r, "claim count", MIN_CLAIM_LEN, MAX_CLAIMS)?;
    let mut claims = Vec::with_capacity(count);
    for _ in 0..count {
        claims.push(read_claim(r, report, &name_claim_type)?);
    }
    let bootstrap_context = if r.bool("has bootstrap context")? {
        // .NET keeps an empty bootstrap string but never writes one; holding it as absent keeps
        // decode → encode → decode stable.
        Some(read_string(r, report, "bootstrap context")?).filter(|b| !b.is_empty())
    } else {
        None
    };
    let actor = if r.bool("has actor")? {
        if depth >= MAX_ACTOR_DEPTH {
            return Err(AspNetError::ActorTooDeep);
        }
        Some(Box::new(read_identity(r, report, depth + 1)?))
    } else {
        None
    };
    Ok(ClaimsIdentity {
        authentication_type,
        name_claim_type,
        role_claim_type,
        claims,
        bootstrap_context,
        actor,
    })
}

/// One claim of an identity whose resolved name claim type is `name_claim_type`.
fn read_claim(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    name_claim_type: &str,
) -> Result<Claim, AspNetError> {
    // The type is not replaced when empty: `new Claim("", …)` is a valid .NET claim.
    let claim_type = read_with_default(r, report, name_claim_type, "claim type")?;
    let value = read_string(r, report, "claim value")?;
    let value_type = or_default(
        read_with_default(r, report, STRING_VALUE, "claim value type")?,
        STRING_VALUE,
    );
    // The original issuer's placeholder stands for the issuer as read, before the `Claim`
    // constructor replaces an empty one; both orders give the same claim.
    let issuer = read_with_default(r, report, LOCAL_AUTHORITY, "claim issuer")?;
    let original_issuer = read_with_default(r, report, &issuer, "claim original issuer")?;
    let issuer = or_default(issuer, LOCAL_AUTHORITY);
    let original_issuer = or_default(original_issuer, &issuer);
    let properties = read_pairs(r, report, &CLAIM_PROPERTIES)?;
    Ok(Claim {
        claim_type,
        value,
        value_type,
        issuer,
        original_issuer,
        properties,
    })
}

/// `ReadWithDefault`: a string, or `default` when it is the placeholder.
fn read_with_default(
    r: &mut BinaryReader<'_>,
    report: &mut DecodeReport,
    default: &str,
    field: &'static str,
) -> Result<String, AspNetError> {
    let value = read_string(r, report, field)?;
    Ok(if value == PLACEHOLDER {
        default.to_owned()
    } else {
        value
    })
}

/// What .NET's `ClaimsIdentity` / `Claim` constructors store for `value`: the default when empty.
fn or_default(value: String, default: &str) -> String {
    if value.is_empty() {
        default.to_owned()
    } else {
        value
    }
}

/// [`or_default`] without allocating, for the writer.
fn resolved<'s>(value: &'s str, default: &'s str) -> &'s str {
    if value.is_empty() { default } else { value }
}

fn write_identity(w: &mut BinaryWriter, identity: &ClaimsIdentity) -> Result<(), AspNetError> {
    write_string(w, &identity.authentication_type)?;
    let name_claim_type = resolved(&identity.name_claim_type, NAME);
    write_with_default(w, name_claim_type, NAME)?;
    write_with_default(w, resolved(&identity.role_claim_type, ROLE), ROLE)?;
    w.i32(count_i32(identity.claims.len())?);
    for claim in &identity.claims {
        write_claim(w, claim, name_claim_type)?;
    }
    match identity.bootstrap_context.as_deref() {
        Some(bootstrap) if !bootstrap.is_empty() => {
            w.bool(true);
            write_string(w, bootstrap)?;
        }
        _ => {
            w.bool(false);
        }
    }
    match &identity.actor {
        Some(actor) => {
            w.bool(true);
            write_identity(w, actor)?;
        }
        None => {
            w.bool(false);
        }
    }
    Ok(())
}

fn write_claim(
    w: &mut BinaryWriter,
    claim: &Claim,
    name_claim_type: &str,
) -> Result<(), AspNetError> {
    write_with_default(w, &claim.claim_type, name_claim_type)?;
    write_string(w, &claim.value)?;
    write_with_default(w, resolved(&claim.value_type, STRING_VALUE), STRING_VALUE)?;
    let issuer = resolved(&claim.issuer, LOCAL_AUTHORITY);
    write_with_default(w, issuer, LOCAL_AUTHORITY)?;
    write_with_default(w, resolved(&claim.original_issuer, issuer), issuer)?;
    write_pairs(
        w,
        claim
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// `WriteWithDefault`: the placeholder when `value` equals `default` (ordinal), else `value`.
fn write_with_default(w: &mut BinaryWriter, value: &str, default: &str) -> Result<(), AspNetError> {
    write_string(w, if value == default { PLACEHOLDER } else { value })
}

/// A generous estimate of an identity's encoded size (actors included).
fn identity_len_hint(identity: &ClaimsIdentity) -> usize {
    let strings = [
        &identity.authentication_type,
        &identity.name_claim_type,
        &identity.role_claim_type,
    ];
    let mut n = strings
        .iter()
        .fold(6usize, |n, s| n.saturating_add(str_len_hint(s)));
    for claim in &identity.claims {
        n = [
            &claim.claim_type,
            &claim.value,
            &claim.value_type,
            &claim.issuer,
            &claim.original_issuer,
        ]
        .iter()
        .fold(n.saturating_add(4), |n, s| {
            n.saturating_add(str_len_hint(s))
        });
        n = claim.properties.iter().fold(n, |n, (k, v)| {
            n.saturating_add(str_len_hint(k))
                .saturating_add(str_len_hint(v))
        });
    }
    if let Some(bootstrap) = &identity.bootstrap_context {
        n = n.saturating_add(str_len_hint(bootstrap));
    }
    if let Some(actor) = &identity.actor {
        n = n.saturating_add(identity_len_hint(actor));
    }
    n
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

    use proptest::prelude::*;

    use super::*;
    use crate::AuthenticationProperties;
    use crate::limits::{MAX_PAYLOAD, MAX_PROPERTIES};

    /// Hand-written ticket bytes, for shapes the encoder never produces.
    #[derive(Default)]
    struct Bytes(BinaryWriter);

    impl Bytes {
        fn i32(mut self, v: i32) -> Self {
            self.0.i32(v);
            self
        }
        fn s(mut self, v: &str) -> Self {
            self.0.string(v).unwrap();
            self
        }
        fn b(mut self, v: bool) -> Self {
            self.0.bool(v);
            self
        }
        fn raw(mut self, v: &[u8]) -> Self {
            self.0.bytes(v);
            self
        }
        /// Version, scheme and identity count.
        fn head(identities: i32) -> Self {
            Self::default().i32(5).s("Cookies").i32(identities)
        }
        /// An identity with default types and no claims, bootstrap or actor.
        fn bare_identity(self) -> Self {
            self.s("Cookies").s("\0").s("\0").i32(0).b(false).b(false)
        }
        /// Identity fields up to and including the claim count.
        fn identity_head(self, claims: i32) -> Self {
            self.s("Cookies").s("\0").s("\0").i32(claims)
        }
        /// Claim fields up to and including the property count.
        fn claim_head(self, properties: i32) -> Self {
            self.s("\0")
                .s("alice")
                .s("\0")
                .s("\0")
                .s("\0")
                .i32(properties)
        }
        fn no_properties(self) -> Self {
            self.i32(1).i32(0)
        }
        fn done(self) -> Vec<u8> {
            self.0.into_bytes()
        }
    }

    fn err(bytes: &[u8]) -> AspNetError {
        decode(bytes).unwrap_err()
    }

    #[test]
    fn placeholders_resolve_in_dotnet_order_and_come_back() {
        // A custom name type: the claim's placeholder type means that type, not ClaimTypes.Name;
        // the original issuer's placeholder means this claim's issuer.
        let bytes = Bytes::head(1)
            .s("Bearer")
            .s("sub")
            .s("\0")
            .i32(2)
            .s("\0")
            .s("42")
            .s("\0")
            .s("https://idp")
            .s("\0")
            .i32(0)
            .s(NAME)
            .s("alice")
            .s("int")
            .s("\0")
            .s("elsewhere")
            .i32(1)
            .s("k")
            .s("v")
            .b(false)
            .b(false)
            .no_properties()
            .done();
        let (ticket, report) = decode(&bytes).unwrap();
        assert!(report.is_clean());
        let id = &ticket.identities[0];
        assert_eq!(id.name_claim_type, "sub");
        assert_eq!(id.role_claim_type, ROLE);
        assert_eq!(id.claims[0].claim_type, "sub");
        assert_eq!(id.claims[0].issuer, "https://idp");
        assert_eq!(id.claims[0].original_issuer, "https://idp");
        assert_eq!(id.claims[1].claim_type, NAME);
        assert_eq!(id.claims[1].value_type, "int");
        assert_eq!(id.claims[1].issuer, LOCAL_AUTHORITY);
        assert_eq!(id.claims[1].original_issuer, "elsewhere");
        assert_eq!(id.claims[1].properties, [("k".to_owned(), "v".to_owned())]);
        assert_eq!(id.name(), Some("42"));
        assert_eq!(encode(&ticket).unwrap(), bytes);
    }

    #[test]
    fn empty_types_and_issuers_become_dotnet_defaults() {
        // What .NET's `ClaimsIdentity` and `Claim` constructors do with "": the encoder then
        // writes the placeholders .NET would write for those objects.
        let bytes = Bytes::head(1)
            .s("")
            .s("")
            .s("")
            .i32(1)
            .s("")
            .s("")
            .s("")
            .s("")
            .s("")
            .i32(0)
            .b(true)
            .s("")
            .b(false)
            .no_properties()
            .done();
        let (ticket, report) = decode(&bytes).unwrap();
        assert!(report.is_clean());
        let id = &ticket.identities[0];
        assert_eq!(id.authentication_type, "");
        assert!(!id.is_authenticated());
        assert_eq!(
            (id.name_claim_type.as_str(), id.role_claim_type.as_str()),
            (NAME, ROLE)
        );
        let c = &id.claims[0];
        assert_eq!(c.claim_type, "");
        assert_eq!(c.value_type, STRING_VALUE);
        assert_eq!(c.issuer, LOCAL_AUTHORITY);
        assert_eq!(c.original_issuer, LOCAL_AUTHORITY);
        assert_eq!(id.bootstrap_context, None);
        let again = encode(&ticket).unwrap();
        assert_eq!(decode(&again).unwrap().0, ticket);
        let expected = Bytes::head(1)
            .s("")
            .s("\0")
            .s("\0")
            .i32(1)
            .s("")
            .s("")
            .s("\0")
            .s("\0")
            .s("\0")
            .i32(0)
            .b(false)
            .b(false)
            .no_properties()
            .done();
        assert_eq!(again, expected);
    }

    #[test]
    fn unsupported_ticket_version() {
        let bytes = Bytes::default()
            .i32(4)
            .s("Cookies")
            .i32(0)
            .no_properties()
            .done();
        assert!(matches!(
            err(&bytes),
            AspNetError::UnsupportedTicketVersion(4)
        ));
        assert!(matches!(
            err(&[5, 0, 0]),
            AspNetError::Format(dp_format::FormatError::Truncated {
                field: "ticket version"
            })
        ));
    }

    #[test]
    fn negative_counts() {
        let identities = Bytes::head(-1).no_properties().done();
        assert!(matches!(
            err(&identities),
            AspNetError::NegativeCount {
                field: "identity count"
            }
        ));
        let claims = Bytes::head(1).identity_head(-1).raw(&[0; 64]).done();
        assert!(matches!(
            err(&claims),
            AspNetError::NegativeCount {
                field: "claim count"
            }
        ));
        let claim_props = Bytes::head(1)
            .identity_head(1)
            .claim_head(-5)
            .raw(&[0; 64])
            .done();
        assert!(matches!(
            err(&claim_props),
            AspNetError::NegativeCount {
                field: "claim property count"
            }
        ));
        let ticket_props = Bytes::head(0).i32(1).i32(i32::MIN).done();
        assert!(matches!(
            err(&ticket_props),
            AspNetError::NegativeCount {
                field: "ticket property count"
            }
        ));
    }

    #[test]
    fn counts_larger_than_the_data() {
        // Three identities announced, one present: its 17 bytes and the 8 of the properties
        // cannot hold three of at least 10.
        let identities = Bytes::head(3).bare_identity().no_properties().done();
        assert!(matches!(
            err(&identities),
            AspNetError::CountExceedsData {
                field: "identity count"
            }
        ));
        let huge = Bytes::head(i32::MAX).raw(&[0; 32]).done();
        assert!(matches!(
            err(&huge),
            AspNetError::CountExceedsData {
                field: "identity count"
            }
        ));
        let claims = Bytes::head(1)
            .identity_head(1_000_000)
            .raw(&[0; 100])
            .done();
        assert!(matches!(
            err(&claims),
            AspNetError::CountExceedsData {
                field: "claim count"
            }
        ));
        let claim_props = Bytes::head(1)
            .identity_head(1)
            .claim_head(100)
            .raw(&[0; 100])
            .done();
        assert!(matches!(
            err(&claim_props),
            AspNetError::CountExceedsData {
                field: "claim property count"
            }
        ));
        let ticket_props = Bytes::head(0).i32(1).i32(3).raw(&[0; 5]).done();
        assert!(matches!(
            err(&ticket_props),
            AspNetError::CountExceedsData {
                field: "ticket property count"
            }
        ));
    }

    #[test]
    fn absolute_caps() {
        let many_identities =
            AuthenticationTicket::new("Cookies", vec![ClaimsIdentity::new(""); MAX_IDENTITIES + 1]);
        assert!(matches!(
            err(&encode(&many_identities).unwrap()),
            AspNetError::LimitExceeded {
                what: "identity count",
                limit: MAX_IDENTITIES
            }
        ));
        let mut identity = ClaimsIdentity::new("Cookies");
        identity.claims = vec![Claim::new(NAME, ""); MAX_CLAIMS + 1];
        let many_claims = AuthenticationTicket::new("Cookies", vec![identity]);
        assert!(matches!(
            err(&encode(&many_claims).unwrap()),
            AspNetError::LimitExceeded {
                what: "claim count",
                limit: MAX_CLAIMS
            }
        ));
        let pairs: Vec<(String, String)> = (0..=MAX_PROPERTIES)
            .map(|i| (i.to_string(), String::new()))
            .collect();
        let mut many_props = AuthenticationTicket::new("Cookies", Vec::new());
        many_props.properties = AuthenticationProperties::from_items(pairs.clone()).unwrap();
        assert!(matches!(
            err(&encode(&many_props).unwrap()),
            AspNetError::LimitExceeded {
                what: "ticket property count",
                limit: MAX_PROPERTIES
            }
        ));
        let mut claim = Claim::new(NAME, "alice");
        claim.properties = pairs;
        let many_claim_props =
            AuthenticationTicket::new("Cookies", vec![ClaimsIdentity::new("Cookies")]);
        let mut many_claim_props = many_claim_props;
        many_claim_props.identities[0].claims.push(claim);
        assert!(matches!(
            err(&encode(&many_claim_props).unwrap()),
            AspNetError::LimitExceeded {
                what: "claim property count",
                limit: MAX_PROPERTIES
            }
        ));
        let mut big = Bytes::head(0).no_properties().done();
        big.resize(MAX_PAYLOAD + 1, 0);
        assert!(matches!(
            err(&big),
            AspNetError::LimitExceeded {
                what: "ticket",
                limit: MAX_PAYLOAD
            }
        ));
        // Exactly the cap is read (the rest is trailing).
        big.truncate(MAX_PAYLOAD);
        assert_eq!(decode(&big).unwrap().1.trailing_bytes, MAX_PAYLOAD - 24);
    }

    fn with_actors(depth: usize) -> AuthenticationTicket {
        let mut identity = ClaimsIdentity::new(format!("level {depth}")).with_claim(NAME, "x");
        for level in (0..depth).rev() {
            let mut outer = ClaimsIdentity::new(format!("level {level}")).with_claim(NAME, "x");
            outer.actor = Some(Box::new(identity));
            identity = outer;
        }
        AuthenticationTicket::new("Cookies", vec![identity])
    }

    #[test]
    fn actor_depth() {
        let deepest_allowed = with_actors(MAX_ACTOR_DEPTH);
        let (back, report) = decode(&encode(&deepest_allowed).unwrap()).unwrap();
        assert_eq!(back, deepest_allowed);
        assert!(report.is_clean());
        let too_deep = encode(&with_actors(MAX_ACTOR_DEPTH + 1)).unwrap();
        assert!(matches!(err(&too_deep), AspNetError::ActorTooDeep));
    }

    #[test]
    fn duplicate_keys() {
        let ticket_props = Bytes::head(0)
            .i32(1)
            .i32(3)
            .s(".issued")
            .s("a")
            .s(".expires")
            .s("b")
            .s(".issued")
            .s("c")
            .done();
        assert!(matches!(
            err(&ticket_props),
            AspNetError::DuplicateKey {
                field: "ticket property"
            }
        ));
        // Keys are ordinal and case-sensitive: these two differ.
        let distinct = Bytes::head(0)
            .i32(1)
            .i32(2)
            .s("k")
            .s("")
            .s("K")
            .s("")
            .done();
        assert_eq!(decode(&distinct).unwrap().0.properties.len(), 2);
        let claim_props = Bytes::head(1)
            .identity_head(1)
            .claim_head(2)
            .s("k")
            .s("1")
            .s("k")
            .s("2")
            .b(false)
            .b(false)
            .no_properties()
            .done();
        assert!(matches!(
            err(&claim_props),
            AspNetError::DuplicateKey {
                field: "claim property"
            }
        ));
    }

    #[test]
    fn other_properties_version_leaves_empty_properties_and_trailing_bytes() {
        // .NET's reader returns null right after the version, and the ticket gets empty
        // properties; the count and items are never read.
        let bytes = Bytes::head(1)
            .bare_identity()
            .i32(2)
            .i32(1)
            .s(".issued")
            .s("x")
            .done();
        let (ticket, report) = decode(&bytes).unwrap();
        assert!(ticket.properties.is_empty());
        assert_eq!(ticket.identities.len(), 1);
        assert_eq!(report.ignored_properties_version, Some(2));
        assert_eq!(report.trailing_bytes, 4 + 8 + 2);
        assert!(!report.replaced_invalid_utf8);
    }

    #[test]
    fn trailing_bytes_are_accepted_and_counted() {
        let clean = Bytes::head(1).bare_identity().no_properties().done();
        let mut bytes = clean.clone();
        bytes.extend_from_slice(b"junk");
        let (ticket, report) = decode(&bytes).unwrap();
        assert_eq!(report.trailing_bytes, 4);
        assert_eq!(encode(&ticket).unwrap(), clean);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        let bytes = Bytes::head(1)
            .identity_head(1)
            .s("\0")
            .raw(&[3, b'a', 0xC3, 0x28])
            .s("\0")
            .s("\0")
            .s("\0")
            .i32(0)
            .b(false)
            .b(false)
            .no_properties()
            .done();
        let (ticket, report) = decode(&bytes).unwrap();
        assert!(report.replaced_invalid_utf8);
        assert_eq!(ticket.identities[0].claims[0].value, "a\u{FFFD}(");
        assert_ne!(encode(&ticket).unwrap(), bytes);
    }

    #[test]
    fn overlong_lengths_are_accepted() {
        // `80 00` is a zero length and `87 00` a seven, both in a needlessly long form that
        // .NET's `Read7BitEncodedInt` accepts.
        let bytes = Bytes::default()
            .i32(5)
            .raw(&[0x87, 0x00])
            .raw(b"Cookies")
            .i32(1)
            .raw(&[0x80, 0x00])
            .s("\0")
            .s("\0")
            .i32(0)
            .b(false)
            .b(false)
            .no_properties()
            .done();
        let (ticket, report) = decode(&bytes).unwrap();
        assert!(report.is_clean());
        assert_eq!(ticket.scheme, "Cookies");
        assert_eq!(ticket.identities[0].authentication_type, "");
        // Re-encoding uses the shortest form, as .NET writes it.
        assert_eq!(encode(&ticket).unwrap().len(), bytes.len() - 2);
    }

    #[test]
    fn bad_string_lengths_are_format_errors() {
        let bytes = Bytes::default()
            .i32(5)
            .raw(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
            .done();
        assert!(matches!(
            err(&bytes),
            AspNetError::Format(dp_format::FormatError::LimitExceeded {
                field: "authentication scheme"
            })
        ));
        let bytes = Bytes::default().i32(5).raw(&[0x10, b'a']).done();
        assert!(matches!(
            err(&bytes),
            AspNetError::Format(dp_format::FormatError::Truncated {
                field: "authentication scheme"
            })
        ));
    }

    #[test]
    fn bootstrap_is_written_only_when_non_empty() {
        let mut identity = ClaimsIdentity::new("Cookies");
        identity.bootstrap_context = Some(String::new());
        let ticket = AuthenticationTicket::new("Cookies", vec![identity.clone()]);
        let expected = Bytes::head(1).bare_identity().no_properties().done();
        assert_eq!(encode(&ticket).unwrap(), expected);
        identity.bootstrap_context = Some("token".into());
        let ticket = AuthenticationTicket::new("Cookies", vec![identity]);
        let expected = Bytes::head(1)
            .identity_head(0)
            .b(true)
            .s("token")
            .b(false)
            .no_properties()
            .done();
        assert_eq!(encode(&ticket).unwrap(), expected);
    }

    #[test]
    fn counts_that_do_not_fit_an_i32_are_refused() {
        assert!(matches!(
            count_i32(usize::MAX),
            Err(AspNetError::InvalidArgument(_))
        ));
    }

    /// Strings that survive a round trip in a field with a default: not empty (which .NET
    /// replaces) and not the placeholder itself; defaults are likely, to exercise placeholders.
    fn field(default: &'static str) -> impl Strategy<Value = String> {
        prop_oneof![
            2 => Just(default.to_owned()),
            1 => Just(NAME.to_owned()),
            3 => "[a-zA-Z0-9 :/.é€]{1,8}",
        ]
    }

    /// Any string but the placeholder.
    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 \u{1}-\u{1f}é€😀]{0,8}".prop_filter("placeholder", |s| s != PLACEHOLDER)
    }

    fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec((text(), text()), 0..4).prop_map(|mut v| {
            let mut seen = std::collections::HashSet::new();
            v.retain(|(k, _)| seen.insert(k.clone()));
            v
        })
    }

    fn claim() -> impl Strategy<Value = Claim> {
        (
            prop_oneof![Just(NAME.to_owned()), Just(ROLE.to_owned()), text()],
            text(),
            field(STRING_VALUE),
            field(LOCAL_AUTHORITY),
            prop_oneof![Just(None), field(LOCAL_AUTHORITY).prop_map(Some)],
            pairs(),
        )
            .prop_map(
                |(claim_type, value, value_type, issuer, original, properties)| {
                    let original_issuer = original.unwrap_or_else(|| issuer.clone());
                    Claim {
                        claim_type,
                        value,
                        value_type,
                        issuer,
                        original_issuer,
                        properties,
                    }
                },
            )
    }

    fn identity_without_actor() -> impl Strategy<Value = ClaimsIdentity> {
        (
            text(),
            field(NAME),
            field(ROLE),
            proptest::collection::vec(claim(), 0..4),
            proptest::option::of("[a-z]{1,6}"),
        )
            .prop_map(
                |(authentication_type, name_claim_type, role_claim_type, claims, bootstrap)| {
                    ClaimsIdentity {
                        authentication_type,
                        name_claim_type,
                        role_claim_type,
                        claims,
                        bootstrap_context: bootstrap,
                        actor: None,
                    }
                },
            )
    }

    fn identity() -> impl Strategy<Value = ClaimsIdentity> {
        (
            identity_without_actor(),
            proptest::option::of(identity_without_actor()),
        )
            .prop_map(|(mut identity, actor)| {
                identity.actor = actor.map(Box::new);
                identity
            })
    }

    fn ticket() -> impl Strategy<Value = AuthenticationTicket> {
        (text(), proptest::collection::vec(identity(), 0..3), pairs()).prop_map(
            |(scheme, identities, items)| AuthenticationTicket {
                scheme,
                identities,
                properties: AuthenticationProperties::from_items(items).unwrap_or_default(),
            },
        )
    }

    proptest! {
        #[test]
        fn tickets_round_trip(ticket in ticket()) {
            let bytes = encode(&ticket).unwrap();
            let (back, report) = decode(&bytes).unwrap();
            prop_assert!(report.is_clean());
            prop_assert_eq!(&back, &ticket);
            prop_assert_eq!(encode(&back).unwrap(), bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
            let _ = props::decode(&bytes);
            let mut ticket = vec![5, 0, 0, 0];
            ticket.extend_from_slice(&bytes);
            if let Ok((t, report)) = decode(&ticket)
                && report.is_clean()
            {
                let again = encode(&t).unwrap();
                prop_assert_eq!(decode(&again).unwrap().0, t);
            }
        }
    }
}
