//! The purpose chains ASP.NET Core components protect with.
//!
//! Each chain follows the application discriminator, which the provider adds itself (the
//! application name set with `SetApplicationName`). A chain is data, not code: [`Preset`] names
//! it, [`Preset::chain`] spells it for a scheme, and `dp purposes` prints the table.

/// The cookie authentication handler's first purpose.
pub const COOKIE_AUTHENTICATION: &str =
    "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware";
/// The bearer-token handler's first purpose (.NET 8+ `AddBearerToken`, the Identity API).
pub const BEARER_TOKEN: &str = "Microsoft.AspNetCore.Authentication.BearerToken";
/// The OpenID Connect handler's first purpose (state and string formats).
pub const OPENID_CONNECT: &str =
    "Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectHandler";
/// Antiforgery tokens (cookie and request).
pub const ANTIFORGERY: &str = "Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1";
/// The session middleware's cookie.
pub const SESSION: &str = "SessionMiddleware";
/// MVC's cookie TempData provider.
pub const TEMP_DATA: &str = "Microsoft.AspNetCore.Mvc.CookieTempDataProviderToken.v1";
/// Identity's `DataProtectorTokenProvider` (email confirmation, password reset), default name.
pub const IDENTITY_TOKEN_PROVIDER: &str = "DataProtectorTokenProvider";

/// A well-known purpose chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// Cookie authentication for a scheme: the sign-in cookie `.AspNetCore.{scheme}`.
    Cookie,
    /// ASP.NET Core Identity's application cookie (`Identity.Application`).
    IdentityApplication,
    /// Identity's external-login cookie (`Identity.External`).
    IdentityExternal,
    /// Identity's two-factor user id cookie (`Identity.TwoFactorUserId`).
    IdentityTwoFactorUserId,
    /// Identity's two-factor "remember me" cookie (`Identity.TwoFactorRememberMe`).
    IdentityTwoFactorRememberMe,
    /// Bearer access tokens for a scheme (`AddBearerToken`; Identity API: `Identity.Bearer`).
    BearerToken,
    /// Refresh tokens for a scheme.
    RefreshToken,
    /// OpenID Connect `state` for a scheme (properties).
    OidcState,
    /// OAuth `state` for a handler type's full name and scheme (properties).
    OAuthState,
    /// Antiforgery cookie and request tokens.
    Antiforgery,
    /// The session cookie.
    Session,
    /// MVC's cookie TempData.
    TempData,
    /// Identity's email-confirmation and password-reset tokens.
    IdentityTokens,
}

/// How a preset's payload is protected and carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetInfo {
    /// The name used on the command line (`--purpose-preset NAME[:SCHEME]`).
    pub name: &'static str,
    /// What it protects.
    pub description: &'static str,
    /// The scheme used when none is given (`None`: the preset takes no scheme).
    pub default_scheme: Option<&'static str>,
    /// Whether a scheme (or handler type, for OAuth) must be given.
    pub scheme_required: bool,
    /// What the plaintext is.
    pub plaintext: &'static str,
}

impl Preset {
    /// Every preset, in the order `dp purposes` lists them.
    pub const ALL: [Preset; 13] = [
        Preset::Cookie,
        Preset::IdentityApplication,
        Preset::IdentityExternal,
        Preset::IdentityTwoFactorUserId,
        Preset::IdentityTwoFactorRememberMe,
        Preset::BearerToken,
        Preset::RefreshToken,
        Preset::OidcState,
        Preset::OAuthState,
        Preset::Antiforgery,
        Preset::Session,
        Preset::TempData,
        Preset::IdentityTokens,
    ];

    /// Names and defaults.
    pub fn info(self) -> PresetInfo {
        let (name, description, default_scheme, scheme_required, plaintext) = match self {
            Self::Cookie => (
                "cookie",
                "cookie authentication sign-in cookie (.AspNetCore.{SCHEME})",
                Some("Cookies"),
                false,
                "ticket",
            ),
            Self::IdentityApplication => (
                "identity",
                "ASP.NET Core Identity application cookie",
                None,
                false,
                "ticket",
            ),
            Self::IdentityExternal => (
                "identity-external",
                "Identity external-login cookie",
                None,
                false,
                "ticket",
            ),
            Self::IdentityTwoFactorUserId => (
                "identity-2fa-user",
                "Identity two-factor user id cookie",
                None,
                false,
                "ticket",
            ),
            Self::IdentityTwoFactorRememberMe => (
                "identity-2fa-remember",
                "Identity two-factor remember-me cookie",
                None,
                false,
                "ticket",
            ),
            Self::BearerToken => (
                "bearer",
                "bearer access token (AddBearerToken; Identity API scheme Identity.Bearer)",
                Some("BearerToken"),
                false,
                "ticket",
            ),
            Self::RefreshToken => (
                "refresh",
                "bearer refresh token",
                Some("BearerToken"),
                false,
                "ticket",
            ),
            Self::OidcState => (
                "oidc-state",
                "OpenID Connect state parameter",
                Some("OpenIdConnect"),
                false,
                "properties",
            ),
            Self::OAuthState => (
                "oauth-state",
                "OAuth state parameter; SCHEME is HANDLER_TYPE_FULL_NAME,SCHEME",
                None,
                true,
                "properties",
            ),
            Self::Antiforgery => (
                "antiforgery",
                "antiforgery cookie and request tokens",
                None,
                false,
                "antiforgery token",
            ),
            Self::Session => (
                "session",
                "session cookie (.AspNetCore.Session; standard base64)",
                None,
                false,
                "UTF-8 session key",
            ),
            Self::TempData => ("tempdata", "MVC cookie TempData", None, false, "UTF-8 JSON"),
            Self::IdentityTokens => (
                "identity-tokens",
                "Identity email and password-reset tokens (standard base64)",
                None,
                false,
                "token",
            ),
        };
        PresetInfo {
            name,
            description,
            default_scheme,
            scheme_required,
            plaintext,
        }
    }

    /// The preset called `name` on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.info().name == name)
    }

    /// The purpose chain after the application discriminator, for `scheme` (the preset's
    /// default scheme when `None`). `None` when the preset needs a scheme and none was given,
    /// or takes none and one was.
    ///
    /// For [`Preset::OAuthState`] the scheme is `HANDLER_TYPE_FULL_NAME,SCHEME`, the handler's
    /// `typeof(T).FullName` (e.g. `Microsoft.AspNetCore.Authentication.Google.GoogleHandler`).
    pub fn chain(self, scheme: Option<&str>) -> Option<Vec<String>> {
        let info = self.info();
        let fixed = |purposes: &[&str]| {
            scheme
                .is_none()
                .then(|| purposes.iter().map(|p| (*p).to_owned()).collect())
        };
        let scheme = scheme.or(info.default_scheme);
        let owned = |purposes: &[&str]| Some(purposes.iter().map(|p| (*p).to_owned()).collect());
        match self {
            Self::Cookie => owned(&[COOKIE_AUTHENTICATION, scheme?, "v2"]),
            Self::IdentityApplication => {
                fixed(&[COOKIE_AUTHENTICATION, "Identity.Application", "v2"])
            }
            Self::IdentityExternal => fixed(&[COOKIE_AUTHENTICATION, "Identity.External", "v2"]),
            Self::IdentityTwoFactorUserId => {
                fixed(&[COOKIE_AUTHENTICATION, "Identity.TwoFactorUserId", "v2"])
            }
            Self::IdentityTwoFactorRememberMe => {
                fixed(&[COOKIE_AUTHENTICATION, "Identity.TwoFactorRememberMe", "v2"])
            }
            Self::BearerToken => owned(&[BEARER_TOKEN, scheme?, "BearerToken"]),
            Self::RefreshToken => owned(&[BEARER_TOKEN, scheme?, "RefreshToken"]),
            Self::OidcState => owned(&[OPENID_CONNECT, scheme?, "v1"]),
            Self::OAuthState => {
                let (handler, scheme) = scheme?.split_once(',')?;
                owned(&[handler, scheme, "v1"])
            }
            Self::Antiforgery => fixed(&[ANTIFORGERY]),
            Self::Session => fixed(&[SESSION]),
            Self::TempData => fixed(&[TEMP_DATA]),
            Self::IdentityTokens => fixed(&[IDENTITY_TOKEN_PROVIDER]),
        }
    }

    /// Parses `NAME[:SCHEME]` into the chain.
    ///
    /// # Errors
    /// A message naming the problem (unknown name, missing or unexpected scheme).
    pub fn parse_chain(spec: &str) -> Result<(Self, Vec<String>), String> {
        let (name, scheme) = match spec.split_once(':') {
            Some((name, scheme)) => (name, Some(scheme)),
            None => (spec, None),
        };
        let preset = Self::from_name(name).ok_or_else(|| {
            let names: Vec<_> = Self::ALL.iter().map(|p| p.info().name).collect();
            format!(
                "unknown purpose preset {name:?} (known: {})",
                names.join(", ")
            )
        })?;
        let info = preset.info();
        preset
            .chain(scheme)
            .map(|chain| (preset, chain))
            .ok_or_else(|| {
                if info.scheme_required {
                    format!("purpose preset {name} needs :HANDLER_TYPE_FULL_NAME,SCHEME")
                } else {
                    format!("purpose preset {name} takes no scheme")
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_match_dotnet() -> Result<(), String> {
        assert_eq!(
            Preset::parse_chain("cookie")?.1,
            [COOKIE_AUTHENTICATION, "Cookies", "v2"]
        );
        assert_eq!(
            Preset::parse_chain("cookie:Identity.Application")?.1,
            Preset::parse_chain("identity")?.1
        );
        assert_eq!(
            Preset::parse_chain("refresh:Identity.Bearer")?.1,
            [BEARER_TOKEN, "Identity.Bearer", "RefreshToken"]
        );
        assert_eq!(
            Preset::parse_chain(
                "oauth-state:Microsoft.AspNetCore.Authentication.Google.GoogleHandler,Google"
            )?
            .1,
            [
                "Microsoft.AspNetCore.Authentication.Google.GoogleHandler",
                "Google",
                "v1"
            ]
        );
        assert_eq!(Preset::parse_chain("antiforgery")?.1, [ANTIFORGERY]);
        assert!(Preset::parse_chain("antiforgery:x").is_err());
        assert!(Preset::parse_chain("oauth-state").is_err());
        assert!(Preset::parse_chain("nope").is_err());
        for p in Preset::ALL {
            assert_eq!(Preset::from_name(p.info().name), Some(p));
        }
        Ok(())
    }
}
