//! Tickets made by live ASP.NET Core (tests/data/web/web-manifest.json, `kind: auth-cookie`):
//! decoded field by field against the manifest, re-encoded byte for byte, and also built from the
//! manifest alone with the model constructors and encoded, which proves the encoder on its own.
//! Plus a 137-byte ticket derived by hand from the format description (see tests/data/README.md).
#![allow(
    clippy::unwrap_used,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_aspnet::wire::{properties, ticket};
use dp_aspnet::{AuthenticationProperties, AuthenticationTicket, Claim, ClaimsIdentity};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/web/web-manifest.json"
    );
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases: Vec<Value> = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "auth-cookie")
        .cloned()
        .collect();
    assert_eq!(cases.len(), 4, "the manifest has four sign-in cookies");
    cases
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// An object's members in document order (serde_json's `preserve_order`).
fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), text(v).to_owned()))
        .collect()
}

/// The identity as the manifest describes it, built with the model's constructors.
fn identity_from_json(v: &Value) -> ClaimsIdentity {
    let mut identity = ClaimsIdentity::new(v["authentication_type"].as_str().unwrap_or(""));
    identity.name_claim_type = text(&v["name_claim_type"]).to_owned();
    identity.role_claim_type = text(&v["role_claim_type"]).to_owned();
    identity.bootstrap_context = v["bootstrap_context"].as_str().map(str::to_owned);
    for c in v["claims"].as_array().unwrap() {
        let mut claim = Claim::new(text(&c["type"]), text(&c["value"]));
        claim.value_type = text(&c["value_type"]).to_owned();
        claim.issuer = text(&c["issuer"]).to_owned();
        claim.original_issuer = text(&c["original_issuer"]).to_owned();
        claim.properties = pairs(&c["properties"]);
        identity.claims.push(claim);
    }
    if !v["actor"].is_null() {
        identity.actor = Some(Box::new(identity_from_json(&v["actor"])));
    }
    identity
}

fn ticket_from_json(case: &Value) -> AuthenticationTicket {
    let identities = case["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(identity_from_json)
        .collect();
    let mut ticket = AuthenticationTicket::new(text(&case["scheme"]), identities);
    ticket.properties = AuthenticationProperties::from_items(pairs(&case["properties"])).unwrap();
    ticket
}

/// Every field of a decoded identity against the manifest, with a readable failure.
fn assert_identity(name: &str, got: &ClaimsIdentity, want: &Value) {
    assert_eq!(
        got.authentication_type,
        want["authentication_type"].as_str().unwrap_or(""),
        "{name}"
    );
    assert_eq!(
        got.name_claim_type,
        text(&want["name_claim_type"]),
        "{name}"
    );
    assert_eq!(
        got.role_claim_type,
        text(&want["role_claim_type"]),
        "{name}"
    );
    assert_eq!(
        got.bootstrap_context.as_deref(),
        want["bootstrap_context"].as_str(),
        "{name}"
    );
    let claims = want["claims"].as_array().unwrap();
    assert_eq!(got.claims.len(), claims.len(), "{name}");
    for (i, (g, w)) in got.claims.iter().zip(claims).enumerate() {
        assert_eq!(g.claim_type, text(&w["type"]), "{name} claim {i}");
        assert_eq!(g.value, text(&w["value"]), "{name} claim {i}");
        assert_eq!(g.value_type, text(&w["value_type"]), "{name} claim {i}");
        assert_eq!(g.issuer, text(&w["issuer"]), "{name} claim {i}");
        assert_eq!(
            g.original_issuer,
            text(&w["original_issuer"]),
            "{name} claim {i}"
        );
        assert_eq!(g.properties, pairs(&w["properties"]), "{name} claim {i}");
    }
    match (&got.actor, want["actor"].is_null()) {
        (None, true) => {}
        (Some(actor), false) => assert_identity(&format!("{name} actor"), actor, &want["actor"]),
        _ => panic!("{name}: actor presence differs"),
    }
}

#[test]
fn dotnet_tickets_decode_field_by_field() {
    for case in cases() {
        let name = text(&case["name"]);
        let bytes = hex::decode(text(&case["ticket_hex"])).unwrap();
        let (got, report) = ticket::decode(&bytes).unwrap();
        assert!(report.is_clean(), "{name}: {report:?}");
        assert_eq!(got.scheme, text(&case["scheme"]), "{name}");
        let identities = case["identities"].as_array().unwrap();
        assert_eq!(got.identities.len(), identities.len(), "{name}");
        for (g, w) in got.identities.iter().zip(identities) {
            assert_identity(name, g, w);
        }
        assert_eq!(
            got.properties.items(),
            pairs(&case["properties"]).as_slice(),
            "{name}: properties in wire order"
        );
    }
}

#[test]
fn dotnet_tickets_reencode_byte_for_byte() {
    for case in cases() {
        let name = text(&case["name"]);
        let hex_text = text(&case["ticket_hex"]);
        let (decoded, _) = ticket::decode(&hex::decode(hex_text).unwrap()).unwrap();
        assert_eq!(
            hex::encode(ticket::encode(&decoded).unwrap()),
            hex_text,
            "{name}"
        );
    }
}

#[test]
fn tickets_built_from_the_manifest_encode_as_dotnet() {
    for case in cases() {
        let name = text(&case["name"]);
        let built = ticket_from_json(&case);
        assert_eq!(
            hex::encode(ticket::encode(&built).unwrap()),
            text(&case["ticket_hex"]),
            "{name}"
        );
        let (decoded, _) =
            ticket::decode(&hex::decode(text(&case["ticket_hex"])).unwrap()).unwrap();
        assert_eq!(decoded, built, "{name}");
    }
}

#[test]
fn embedded_properties_alone() {
    // The ticket's tail is exactly `PropertiesSerializer` output: encoding the properties alone
    // gives the last bytes of every .NET ticket.
    for case in cases() {
        let name = text(&case["name"]);
        let built = ticket_from_json(&case);
        let alone = properties::encode(&built.properties).unwrap();
        let ticket_hex = text(&case["ticket_hex"]);
        assert!(ticket_hex.ends_with(&hex::encode(&alone)), "{name}");
        let (back, report) = properties::decode(&alone).unwrap();
        assert_eq!(back, built.properties, "{name}");
        assert!(report.is_clean(), "{name}");
    }
}

/// Derived by hand from the format description, never produced by .NET.
const DERIVED_137: &str = concat!(
    "05000000",
    "07436f6f6b696573",
    "01000000",
    "07436f6f6b696573",
    "0100",
    "0100",
    "01000000",
    "0100",
    "05616c696365",
    "010001000100",
    "00000000",
    "00",
    "00",
    "01000000",
    "02000000",
    "072e697373756564",
    "1d4d6f6e2c203031204a616e20323032342030303a30303a303020474d54",
    "082e65787069726573",
    "1d4d6f6e2c203135204a616e20323032342030303a30303a303020474d54",
);

#[test]
fn derived_example_of_the_spec() {
    let bytes = hex::decode(DERIVED_137).unwrap();
    assert_eq!(bytes.len(), 137);
    let mut built = AuthenticationTicket::new(
        "Cookies",
        vec![ClaimsIdentity::new("Cookies").with_claim(dp_aspnet::claim_types::NAME, "alice")],
    );
    built
        .properties
        .set(".issued", "Mon, 01 Jan 2024 00:00:00 GMT");
    built
        .properties
        .set(".expires", "Mon, 15 Jan 2024 00:00:00 GMT");
    assert_eq!(ticket::encode(&built).unwrap(), bytes);
    let (decoded, report) = ticket::decode(&bytes).unwrap();
    assert!(report.is_clean());
    assert_eq!(decoded, built);
    assert_eq!(decoded.name(), Some("alice"));
    assert_eq!(
        dp_format::base64url::encode(&bytes),
        "BQAAAAdDb29raWVzAQAAAAdDb29raWVzAQABAAEAAAABAAVhbGljZQEAAQABAAAAAAAAAAEAAAACAAAABy5pc3N1ZWQdTW9uLCAwMSBKYW4gMjAyNCAwMDowMDowMCBHTVQILmV4cGlyZXMdTW9uLCAxNSBKYW4gMjAyNCAwMDowMDowMCBHTVQ"
    );
}
