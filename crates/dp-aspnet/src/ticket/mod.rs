//! What an authentication ticket says: the signed-in principal's identities and claims, and the
//! properties of the sign-in. The byte format is in [`crate::wire::ticket`].
//!
//! Values are held *resolved*: a claim whose type was written as .NET's `"\0"` placeholder holds
//! its identity's name claim type, never the placeholder. The encoder puts placeholders back
//! wherever .NET would, so decoding and re-encoding a .NET ticket gives the same bytes.

pub mod properties;

pub use properties::AuthenticationProperties;

/// Claim types and other URIs .NET uses by default (`System.Security.Claims`).
pub mod claim_types {
    /// `ClaimTypes.Name`: an identity's default name claim type.
    pub const NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    /// `ClaimTypes.Role`: an identity's default role claim type.
    pub const ROLE: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    /// `ClaimTypes.NameIdentifier`.
    pub const NAME_IDENTIFIER: &str =
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";
    /// `ClaimTypes.Email`.
    pub const EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    /// `ClaimTypes.Upn`.
    pub const UPN: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
    /// `ClaimValueTypes.String`: a claim's default value type.
    pub const STRING_VALUE: &str = "http://www.w3.org/2001/XMLSchema#string";
    /// `ClaimsIdentity.DefaultIssuer`: a claim's default issuer.
    pub const LOCAL_AUTHORITY: &str = "LOCAL AUTHORITY";

    /// The claim type a short name stands for (`name`, `nameid`, `role`, `email`, as JWT
    /// handlers map them), or `alias` itself.
    pub fn expand_alias(alias: &str) -> &str {
        match alias {
            "name" => NAME,
            "nameid" => NAME_IDENTIFIER,
            "role" => ROLE,
            "email" => EMAIL,
            other => other,
        }
    }

    /// The short name of a claim type that has one (the inverse of [`expand_alias`]).
    pub fn short_name(claim_type: &str) -> Option<&'static str> {
        match claim_type {
            NAME => Some("name"),
            NAME_IDENTIFIER => Some("nameid"),
            ROLE => Some("role"),
            EMAIL => Some("email"),
            _ => None,
        }
    }
}

/// `AuthenticationTicket`: a principal (its identities) authenticated by a scheme, and the
/// properties of that authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthenticationTicket {
    /// The authentication scheme that issued the ticket (`Cookies`, `Identity.Application`).
    pub scheme: String,
    /// The principal's identities, in order.
    pub identities: Vec<ClaimsIdentity>,
    /// Issued and expiry times, persistence, redirect, tokens and custom items.
    pub properties: AuthenticationProperties,
}

/// `ClaimsIdentity`: one identity of the principal.
#[derive(Clone, PartialEq, Eq)]
pub struct ClaimsIdentity {
    /// How the identity was authenticated (.NET's `AuthenticationType`; empty = not
    /// authenticated, as .NET writes `null`).
    pub authentication_type: String,
    /// The claim type whose value is the identity's name (default [`claim_types::NAME`]).
    pub name_claim_type: String,
    /// The claim type of roles (default [`claim_types::ROLE`]).
    pub role_claim_type: String,
    /// The claims, in order.
    pub claims: Vec<Claim>,
    /// `BootstrapContext`, when it was a non-empty string.
    pub bootstrap_context: Option<String>,
    /// The identity acting on behalf of this one (`Actor`), if any.
    pub actor: Option<Box<ClaimsIdentity>>,
}

/// `Claim`: one statement about the identity.
#[derive(Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim type (a URI such as [`claim_types::NAME`], or any string).
    pub claim_type: String,
    /// The value.
    pub value: String,
    /// The value's type (default [`claim_types::STRING_VALUE`]).
    pub value_type: String,
    /// Who issued it (default [`claim_types::LOCAL_AUTHORITY`]).
    pub issuer: String,
    /// Who issued it originally (default: the issuer).
    pub original_issuer: String,
    /// The claim's properties, in order.
    pub properties: Vec<(String, String)>,
}

impl AuthenticationTicket {
    /// A ticket for `identities` with empty properties.
    pub fn new(scheme: impl Into<String>, identities: Vec<ClaimsIdentity>) -> Self {
        Self {
            scheme: scheme.into(),
            identities,
            properties: AuthenticationProperties::new(),
        }
    }

    /// The first identity, which .NET's `ClaimsPrincipal.Identity` returns.
    pub fn primary_identity(&self) -> Option<&ClaimsIdentity> {
        self.identities.first()
    }

    /// The principal's name: the first identity's name claim.
    pub fn name(&self) -> Option<&str> {
        self.primary_identity().and_then(ClaimsIdentity::name)
    }

    /// Every claim of every identity (actors excluded), as `ClaimsPrincipal.Claims`.
    pub fn claims(&self) -> impl Iterator<Item = &Claim> {
        self.identities.iter().flat_map(|i| i.claims.iter())
    }

    /// The value of the first claim of `claim_type`, as `ClaimsPrincipal.FindFirst`.
    pub fn find_first(&self, claim_type: &str) -> Option<&str> {
        self.claims()
            .find(|c| c.claim_type == claim_type)
            .map(|c| c.value.as_str())
    }
}

impl ClaimsIdentity {
    /// An identity authenticated by `authentication_type`, with .NET's default name and role
    /// claim types and no claims.
    pub fn new(authentication_type: impl Into<String>) -> Self {
        Self {
            authentication_type: authentication_type.into(),
            name_claim_type: claim_types::NAME.to_owned(),
            role_claim_type: claim_types::ROLE.to_owned(),
            claims: Vec::new(),
            bootstrap_context: None,
            actor: None,
        }
    }

    /// Adds a claim with the default value type and issuer.
    #[must_use]
    pub fn with_claim(mut self, claim_type: impl Into<String>, value: impl Into<String>) -> Self {
        self.claims.push(Claim::new(claim_type, value));
        self
    }

    /// `IsAuthenticated`: the authentication type is not empty.
    pub fn is_authenticated(&self) -> bool {
        !self.authentication_type.is_empty()
    }

    /// `Name`: the value of the first claim of the name claim type.
    pub fn name(&self) -> Option<&str> {
        self.find_first(&self.name_claim_type)
    }

    /// The values of the role claims.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.claims
            .iter()
            .filter(|c| c.claim_type == self.role_claim_type)
            .map(|c| c.value.as_str())
    }

    /// The value of the first claim of `claim_type`.
    pub fn find_first(&self, claim_type: &str) -> Option<&str> {
        self.claims
            .iter()
            .find(|c| c.claim_type == claim_type)
            .map(|c| c.value.as_str())
    }
}

impl Claim {
    /// A claim with the default value type and issuer (`LOCAL AUTHORITY`, as .NET's
    /// `new Claim(type, value)`).
    pub fn new(claim_type: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            claim_type: claim_type.into(),
            value: value.into(),
            value_type: claim_types::STRING_VALUE.to_owned(),
            issuer: claim_types::LOCAL_AUTHORITY.to_owned(),
            original_issuer: claim_types::LOCAL_AUTHORITY.to_owned(),
            properties: Vec::new(),
        }
    }
}

// Tickets hold personal data and bearer secrets (tokens, security stamps): `Debug` shows the
// shape, never claim values or property values.
impl core::fmt::Debug for AuthenticationTicket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthenticationTicket")
            .field("scheme", &self.scheme)
            .field("identities", &self.identities)
            .field("properties", &self.properties)
            .finish()
    }
}

impl core::fmt::Debug for ClaimsIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClaimsIdentity")
            .field("authentication_type", &self.authentication_type)
            .field("claims", &self.claims)
            .field(
                "bootstrap_context",
                &self.bootstrap_context.as_ref().map(|_| ".."),
            )
            .field("actor", &self.actor)
            .finish()
    }
}

impl core::fmt::Debug for Claim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Claim")
            .field("type", &self.claim_type)
            .field("value", &"..")
            .finish_non_exhaustive()
    }
}
