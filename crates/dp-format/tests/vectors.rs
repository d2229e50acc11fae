//! .NET vectors and properties of the wire formats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

use dp_format::time_limited::{self, Expiration};
use dp_format::{
    AadBuilder, CbcHmacBody, FormatError, GcmBody, KeyId, ProtectedPayload, base64url,
};
use proptest::prelude::*;
use serde_json::Value;

fn kat() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aspnet-kat.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn standard_b64(s: &str) -> Vec<u8> {
    // The .NET test writes standard base64 with padding; translate to the URL alphabet.
    base64url::decode(&s.replace('+', "-").replace('/', "_")).unwrap()
}

#[test]
fn aad_template_matches_dotnet() {
    let v = kat();
    let t = &v["aad_template"];
    let purposes: Vec<&str> = t["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let expected = standard_b64(t["expected_base64"].as_str().unwrap());
    let aad = AadBuilder::new(&purposes).unwrap();
    assert_eq!(aad.template(), expected.as_slice());
    assert_eq!(aad.template().len(), 234);
    assert_eq!(aad.for_key(KeyId::NIL), expected);
}

#[test]
fn time_limited_headers_match_dotnet() {
    let v = kat();
    let cases = v["time_limited_header"]["cases"].as_array().unwrap();
    let y2k = Expiration::from_unix_nanos(946_684_800_000_000_000).unwrap();
    for (case, expiration) in cases.iter().zip([y2k, Expiration::NEVER]) {
        let expected = hex::decode(case["header_hex"].as_str().unwrap()).unwrap();
        assert_eq!(time_limited::encode(expiration, &[]), expected);
    }
    assert_eq!(
        v["time_limited_header"]["purpose_appended"],
        time_limited::PURPOSE
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn parsers_never_panic(input in prop::collection::vec(any::<u8>(), 0..200), digest in 0usize..80) {
        if let Ok(p) = ProtectedPayload::parse(&input) {
            prop_assert_eq!(ProtectedPayload::encode(p.key_id(), p.body()), input.clone());
        }
        let _ = CbcHmacBody::parse(&input, digest);
        let _ = GcmBody::parse(&input);
        let _ = time_limited::decode(&input);
        let _ = std::str::from_utf8(&input).map(|s| (base64url::decode(s), s.parse::<KeyId>()));
    }

    #[test]
    fn payload_round_trip(id in any::<[u8; 16]>(), body in prop::collection::vec(any::<u8>(), 0..100)) {
        let key_id = KeyId::from_wire_bytes(id);
        let bytes = ProtectedPayload::encode(key_id, &body);
        let parsed = ProtectedPayload::parse(&bytes).unwrap();
        prop_assert_eq!(parsed.key_id(), key_id);
        prop_assert_eq!(parsed.key_id_bytes(), &id);
        prop_assert_eq!(parsed.body(), body.as_slice());
        prop_assert_eq!(key_id.to_string().parse::<KeyId>().unwrap(), key_id);
    }

    #[test]
    fn base64url_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let text = base64url::encode(&bytes);
        prop_assert!(!text.contains('='));
        prop_assert_eq!(base64url::decode(&text).unwrap(), bytes.clone());
        let padded = format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
        prop_assert_eq!(base64url::decode(&padded).unwrap(), bytes);
    }

    #[test]
    fn time_limited_round_trip(ticks in 0u64..=time_limited::MAX_TICKS, body in prop::collection::vec(any::<u8>(), 0..20)) {
        let exp = Expiration::from_ticks(ticks).unwrap();
        let inner = time_limited::encode(exp, &body);
        prop_assert_eq!(time_limited::decode(&inner).unwrap(), (exp, body.as_slice()));
    }

    #[test]
    fn aad_prefixes_are_seven_bit_lengths(purposes in prop::collection::vec(".{0,300}", 0..5)) {
        let aad = AadBuilder::new(&purposes).unwrap();
        let t = aad.template();
        let mut pos = 24;
        for p in &purposes {
            let mut len = 0usize;
            let mut shift = 0;
            loop {
                let b = t[pos];
                pos += 1;
                len |= usize::from(b & 0x7F) << shift;
                shift += 7;
                if b & 0x80 == 0 { break; }
            }
            prop_assert_eq!(&t[pos..pos + len], p.as_bytes());
            pos += len;
        }
        prop_assert_eq!(pos, t.len());
        prop_assert_eq!(u32::from_be_bytes(t[20..24].try_into().unwrap()) as usize, purposes.len());
    }
}

#[test]
fn too_short_body_errors_name_the_minimum() {
    assert_eq!(
        GcmBody::parse(&[0; 10]),
        Err(FormatError::BodyTooShort {
            minimum: 44,
            actual: 10
        })
    );
}

mod envelope_properties {
    use dp_format::envelope::{
        ChunkFrame, ContentAlgorithm, EnvelopeHeader, HeaderLen, KeyTransport, RecipientEntry,
        Sender, SignatureAlgorithm, header_len,
    };
    use proptest::prelude::*;

    fn header_strategy() -> impl Strategy<Value = EnvelopeHeader> {
        (
            any::<bool>(),
            any::<bool>(),
            any::<i64>(),
            any::<[u8; 16]>(),
            1024u32..=(1 << 20),
            prop::collection::vec((any::<[u8; 32]>(), 256usize..=300), 1..4),
            prop::collection::vec(any::<u8>(), 256..=1100),
            256u16..=1024,
        )
            .prop_map(|(gcm, signed, created, id, chunk, rcpts, key, sig_len)| {
                EnvelopeHeader {
                    content: if gcm {
                        ContentAlgorithm::Aes256Gcm
                    } else {
                        ContentAlgorithm::Aes256CbcHmacSha256
                    },
                    key_transport: KeyTransport::RsaOaepSha256,
                    created,
                    message_id: id,
                    chunk_size: chunk,
                    sender: signed.then_some(Sender {
                        algorithm: SignatureAlgorithm::RsaPssSha256,
                        public_key: key,
                        signature_len: sig_len,
                    }),
                    recipients: rcpts
                        .into_iter()
                        .map(|(fingerprint, len)| RecipientEntry {
                            fingerprint,
                            wrapped_key: vec![0x5A; len],
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #[test]
        fn envelope_header_round_trip(header in header_strategy(), mac in any::<[u8; 32]>()) {
            let authenticated = header.encode_authenticated().unwrap();
            let bytes = header.encode(&authenticated, &mac);
            prop_assert_eq!(header_len(&bytes).unwrap(), HeaderLen::Complete(bytes.len()));
            let parsed = EnvelopeHeader::parse(&bytes).unwrap();
            prop_assert_eq!(&parsed.header, &header);
            prop_assert_eq!(parsed.mac, &mac);
            prop_assert_eq!(parsed.authenticated, &authenticated[..]);
        }

        #[test]
        fn envelope_parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), prefix in any::<bool>()) {
            let mut input = bytes;
            if prefix {
                // Give the fixed header a valid start so deeper fields get exercised.
                let head = b"dpENV\x02\x01\x01";
                let n = head.len().min(input.len());
                input[..n].copy_from_slice(&head[..n]);
            }
            let _ = header_len(&input);
            let _ = EnvelopeHeader::parse(&input);
            if let Some(frame) = input.first_chunk::<5>() {
                let _ = ChunkFrame::parse(frame, 65536);
            }
        }
    }
}
