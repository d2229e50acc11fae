//! Known-answer tests from .NET's own test suite and docs (see tests/data/README.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    missing_docs,
    reason = "test code: a panic is a test failure, and test items need no docs"
)]

mod common;

use common::{SequentialRandom, b64, hex, load, str_of};
use dp_crypto::context_header::context_header;
use dp_crypto::{Algorithm, AuthenticatedEncryptor, CryptoError, MasterKey, Sp800108Kdf};
use dp_format::{AadBuilder, KeyId, ProtectedPayload, base64url, time_limited};

#[test]
fn sp800_108_vectors() {
    let kat = load("aspnet-kat.json");
    let cases = kat["sp800_108_ctr_hmacsha512"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    let long_kdk: Vec<u8> = (0..50_000u32).map(|i| (i % 256) as u8).collect();
    for case in cases {
        let kdk: Vec<u8> = match case.get("kdk_utf8").and_then(|v| v.as_str()) {
            Some(s) => s.as_bytes().to_vec(),
            None if case["kdk"] == "" => Vec::new(),
            None => {
                assert!(str_of(case, "kdk").starts_with("50000 bytes"));
                long_kdk.clone()
            }
        };
        let text = |k: &str| {
            case.get(format!("{k}_utf8"))
                .or_else(|| case.get(k))
                .and_then(|v| v.as_str())
                .unwrap()
                .as_bytes()
                .to_vec()
        };
        let (label, header, context) = (text("label"), text("context_header"), text("context"));
        let len = case["length"].as_u64().unwrap() as usize;
        let mut out = vec![0u8; len];
        Sp800108Kdf::new(&kdk)
            .derive(&label, &header, &context, &mut out)
            .unwrap();
        assert_eq!(out, b64(str_of(case, "expected_base64")), "N={len}");

        // The label/context split does not matter, only the concatenation (.NET passes the
        // context header and the context as one buffer in some paths).
        let mut joined = header.clone();
        joined.extend_from_slice(&context);
        let mut again = vec![0u8; len];
        Sp800108Kdf::new(&kdk)
            .derive(&label, &joined, &[], &mut again)
            .unwrap();
        assert_eq!(again, out);
    }
}

#[test]
fn context_headers_match_dotnet_and_docs() {
    let table = load("context-headers.json");
    let headers = table["headers"].as_object().unwrap();
    for (name, expected) in headers {
        let alg: Algorithm = match name.as_str() {
            "AES_256_CBC+HMACSHA1" => Algorithm::CbcHmac {
                aes: dp_crypto::AesKeySize::Aes256,
                mac: dp_crypto::ValidationAlgorithm::HmacSha1,
            },
            "AES_256_CBC+HMACSHA384" => Algorithm::CbcHmac {
                aes: dp_crypto::AesKeySize::Aes256,
                mac: dp_crypto::ValidationAlgorithm::HmacSha384,
            },
            other => other.parse().unwrap(),
        };
        assert_eq!(
            context_header(alg),
            hex(expected.as_str().unwrap()),
            "{name}"
        );
    }
    // The docs' values, as recorded in the .NET vector file.
    let docs = &load("aspnet-kat.json")["context_headers_from_docs"];
    assert_eq!(
        context_header("AES_192_CBC+HMACSHA256".parse().unwrap()),
        hex(str_of(docs, "AES_192_CBC_HMACSHA256"))
    );
    assert_eq!(
        context_header("AES_256_GCM".parse().unwrap()),
        hex(str_of(docs, "AES_256_GCM"))
    );
    // The intermediates of the empty-key derivation.
    let kdf = Sp800108Kdf::new(&[]);
    for (len, expected) in table["empty_kdf"].as_object().unwrap() {
        let mut out = vec![0u8; len.parse().unwrap()];
        kdf.derive(&[], &[], &[], &mut out).unwrap();
        assert_eq!(out, hex(expected.as_str().unwrap()), "N={len}");
    }
    let mut ke_kh = vec![0u8; 56];
    kdf.derive(&[], &[], &[], &mut ke_kh).unwrap();
    assert_eq!(ke_kh, hex(str_of(docs, "AES_192_CBC_HMACSHA256_KE_KH")));
    let mut ke = vec![0u8; 32];
    kdf.derive(&[], &[], &[], &mut ke).unwrap();
    assert_eq!(ke, hex(str_of(docs, "AES_256_GCM_KE")));
}

/// `Encrypt_KnownKey` for the managed CBC, CNG CBC and CNG GCM encryptors.
#[test]
fn encryptor_known_key_vectors() {
    let kat = load("aspnet-kat.json");
    let cases = kat["authenticated_encryptor_known_key"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    let master_key = MasterKey::from_slice(b"master key");
    let plaintext = [2u8, 3, 4];
    let aad = [6u8, 5, 4, 3];
    for case in cases {
        let name = str_of(case, "name");
        let alg: Algorithm = if name.starts_with("Gcm") {
            "AES_128_GCM".parse().unwrap()
        } else {
            "AES_256_CBC+HMACSHA256".parse().unwrap()
        };
        let pre = case.get("pre_buffer").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let post = case
            .get("post_buffer")
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as usize;
        let (pre, post) = if name.starts_with("Cbc") {
            (3, 4)
        } else {
            (pre, post)
        };
        let expected = b64(str_of(case, "expected_output_base64"));

        let enc = AuthenticatedEncryptor::new(alg, &master_key);
        // Pre/post buffers are zero-filled space around the body; emulate them by appending.
        let mut out = vec![0u8; pre];
        enc.encrypt_append(&plaintext, &aad, &SequentialRandom::default(), &mut out)
            .unwrap();
        out.extend(std::iter::repeat_n(0u8, post));
        assert_eq!(out, expected, "{name}");

        let body = &expected[pre..expected.len() - post];
        assert_eq!(enc.decrypt(body, &aad).unwrap(), plaintext, "{name}");
        assert_eq!(enc.body_len(plaintext.len()), body.len());
        assert_eq!(
            enc.decrypt(body, &[6, 5, 4, 2]),
            Err(CryptoError::AuthenticationFailed)
        );
    }
}

/// Whole payloads (see tests/data/README.md for their source), built from dp-format's framing and AAD with dp-crypto's encryptors.
#[test]
fn derived_end_to_end_vectors() {
    let v = load("derived-e2e.json");
    let master_key = MasterKey::from_bytes(hex(str_of(&v, "master_key_hex")));
    let key_id: KeyId = str_of(&v, "key_id").parse().unwrap();
    assert_eq!(
        key_id.to_wire_bytes().to_vec(),
        hex(str_of(&v, "key_id_wire_hex"))
    );
    let purposes: Vec<&str> = v["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let aad = AadBuilder::new(&purposes).unwrap().for_key(key_id);
    assert_eq!(aad, hex(str_of(&v, "aad_hex")));
    let plaintext = str_of(&v, "plaintext_utf8").as_bytes();

    for case in v["cases"].as_array().unwrap() {
        let alg: Algorithm = str_of(case, "algorithm").parse().unwrap();
        let enc = AuthenticatedEncryptor::new(alg, &master_key);
        let mut payload =
            ProtectedPayload::header_with_capacity(key_id, enc.body_len(plaintext.len()));
        enc.encrypt_append(plaintext, &aad, &SequentialRandom::default(), &mut payload)
            .unwrap();
        assert_eq!(payload, hex(str_of(case, "payload_hex")), "{alg}");
        if let Some(text) = case.get("payload_base64url").and_then(|t| t.as_str()) {
            assert_eq!(base64url::encode(&payload), text);
        }

        // And back: parse, rebuild the AAD from the received key id bytes, decrypt.
        let parsed = ProtectedPayload::parse(&payload).unwrap();
        let aad2 = AadBuilder::new(&purposes)
            .unwrap()
            .for_key_bytes(parsed.key_id_bytes());
        assert_eq!(enc.decrypt(parsed.body(), &aad2).unwrap(), plaintext);

        // The published intermediates.
        if let Some(k_e) = case.get("k_e_hex").and_then(|t| t.as_str()) {
            let k_h = case.get("k_h_hex").and_then(|t| t.as_str()).unwrap_or("");
            let mut keys =
                vec![0u8; alg.aes().key_len() + alg.validation().map_or(0, |m| m.digest_len())];
            Sp800108Kdf::new(master_key.expose_secret())
                .derive(
                    &aad,
                    context_header(alg),
                    &hex("000102030405060708090a0b0c0d0e0f"),
                    &mut keys,
                )
                .unwrap();
            assert_eq!(keys, [hex(k_e), hex(k_h)].concat(), "{alg}");
        }
    }

    let tl = &v["time_limited"];
    let purposes: Vec<&str> = tl["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(purposes.last(), Some(&time_limited::PURPOSE));
    let expiration = time_limited::Expiration::from_unix_nanos(
        i128::from(tl["expiration_unix_seconds"].as_i64().unwrap()) * 1_000_000_000,
    )
    .unwrap();
    let inner = time_limited::encode(expiration, plaintext);
    assert_eq!(inner, hex(str_of(tl, "inner_plaintext_hex")));
    let aad = AadBuilder::new(&purposes).unwrap().for_key(key_id);
    assert_eq!(aad, hex(str_of(tl, "aad_hex")));
    let enc = AuthenticatedEncryptor::new(str_of(tl, "algorithm").parse().unwrap(), &master_key);
    let mut payload = ProtectedPayload::header_with_capacity(key_id, 0);
    enc.encrypt_append(&inner, &aad, &SequentialRandom::default(), &mut payload)
        .unwrap();
    assert_eq!(base64url::encode(&payload), str_of(tl, "payload_base64url"));
}
