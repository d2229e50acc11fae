//! A tiny web service that shares an ASP.NET Core app's sign-in cookie.
//!
//! ```text
//! DP_KEY_DIR=/var/lib/webapp/keys DP_APP_NAME=WebApp \
//!     cargo run -p dp-aspnet --example cookie_service -- 127.0.0.1:8080
//! curl -H 'Cookie: .AspNetCore.Cookies=CfDJ8…' http://127.0.0.1:8080/   # hello alice
//! curl -i 'http://127.0.0.1:8080/login?name=bob'                         # Set-Cookie: …
//! ```
//!
//! `DP_KEY_DIR` is the .NET app's key directory (`PersistKeysToFileSystem`), `DP_APP_NAME` its
//! `SetApplicationName`, `DP_SCHEME` its cookie scheme (default `Cookies`).

mod app;

use dp_aspnet::CookieAuthenticator;
use dp_keyring::{DataProtectionProvider, FileSystemRepository};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key_dir = std::env::var("DP_KEY_DIR")
        .map_err(|_| "set DP_KEY_DIR to the .NET app's key directory")?;
    let app_name = std::env::var("DP_APP_NAME").ok();
    let scheme = std::env::var("DP_SCHEME").unwrap_or_else(|_| "Cookies".to_owned());
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());

    let provider =
        DataProtectionProvider::new(FileSystemRepository::new(key_dir), app_name.as_deref());
    let cookies = CookieAuthenticator::new(&provider, &scheme);
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app::router(cookies)).await?;
    Ok(())
}
