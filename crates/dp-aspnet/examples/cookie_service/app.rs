//! The example service's routes, kept apart from `main` so that the crate's tests serve them too.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dp_aspnet::{ClaimsIdentity, CookieAuthenticator, claim_types};

/// The routes: `GET /` answers with the signed-in user's name, `GET /login?name=NAME` signs
/// `NAME` in with a cookie the .NET app accepts.
pub(crate) fn router(cookies: CookieAuthenticator) -> Router {
    Router::new()
        .route("/", get(whoami))
        .route("/login", get(login))
        .with_state(Arc::new(cookies))
}

async fn whoami(State(cookies): State<Arc<CookieAuthenticator>>, headers: HeaderMap) -> Response {
    // Browsers send one Cookie header; HTTP/2 may split it, so join them as RFC 9113 says.
    let header = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    match cookies.authenticate(&header) {
        Ok(user) => format!("hello {}\n", user.name().unwrap_or("(no name)")).into_response(),
        // The reason goes to the log, not to the client.
        Err(why) => {
            eprintln!("not signed in: {why}");
            (StatusCode::UNAUTHORIZED, "not signed in\n").into_response()
        }
    }
}

async fn login(
    State(cookies): State<Arc<CookieAuthenticator>>,
    RawQuery(query): RawQuery,
) -> Response {
    let name = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("name="))
        .filter(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let Some(name) = name else {
        return (
            StatusCode::BAD_REQUEST,
            "usage: /login?name=NAME (letters, digits, -)\n",
        )
            .into_response();
    };
    let identity = ClaimsIdentity::new(cookies.scheme())
        .with_claim(claim_types::NAME, name)
        .with_claim(claim_types::NAME_IDENTIFIER, name);
    match cookies.sign_in(identity, false) {
        Ok(set_cookies) => {
            let mut response = format!("signed in as {name}\n").into_response();
            for value in set_cookies {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().append(SET_COOKIE, value);
                }
            }
            response
        }
        Err(e) => {
            eprintln!("cannot sign in: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot sign in\n").into_response()
        }
    }
}
