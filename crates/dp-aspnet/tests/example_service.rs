//! The example service (examples/cookie_service) on a free local port: a .NET sign-in cookie
//! from the vectors gets the user's name, a tampered one a 401, and the cookie its login route
//! issues signs the user in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

#[path = "../examples/cookie_service/app.rs"]
mod app;

use std::sync::Arc;

use dp_aspnet::CookieAuthenticator;
use dp_keyring::{DataProtectionProvider, FileSystemRepository, ManualClock, Timestamp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/web");

fn vector_cookie_header() -> String {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DATA}/web-manifest.json")).unwrap(),
    )
    .unwrap();
    let case = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "auth cookie Cookies basic")
        .unwrap();
    let line = case["set_cookie"][0].as_str().unwrap();
    line.split(';').next().unwrap().to_owned()
}

async fn get(
    address: std::net::SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> (u16, String, Vec<String>) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{cookie}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let set_cookies = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .map(str::to_owned)
        .collect();
    (status, body.to_owned(), set_cookies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_dotnet_user_and_signs_in_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(format!("{DATA}/keys-web")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    // The vector cookie expires 2026-12-14: pin the clock before that.
    let clock = Arc::new(ManualClock::new(
        Timestamp::parse_xml("2026-12-01T00:00:00Z").unwrap(),
    ));
    let provider = DataProtectionProvider::builder(FileSystemRepository::new(dir.path()))
        .application_name(Some("WebApp"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let cookies = CookieAuthenticator::new(&provider, "Cookies").with_clock(clock);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app::router(cookies)).await });

    let cookie = vector_cookie_header();
    assert_eq!(get(address, "/", Some(&cookie)).await.0, 200);
    assert_eq!(get(address, "/", Some(&cookie)).await.1, "hello alice\n");

    let (status, _, _) = get(address, "/", None).await;
    assert_eq!(status, 401);
    let mut tampered = cookie.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(get(address, "/", Some(&tampered)).await.0, 401);

    let (status, body, set_cookies) = get(address, "/login?name=bob", None).await;
    assert_eq!((status, body.as_str()), (200, "signed in as bob\n"));
    assert_eq!(set_cookies.len(), 1);
    assert!(
        set_cookies[0].ends_with("; path=/; secure; samesite=lax; httponly"),
        "{set_cookies:?}"
    );
    let issued = set_cookies[0].split(';').next().unwrap();
    assert_eq!(get(address, "/", Some(issued)).await.1, "hello bob\n");
    assert_eq!(get(address, "/login?name=%3Cscript", None).await.0, 400);

    server.abort();
}
