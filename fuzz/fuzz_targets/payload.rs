//! Protected payloads: header parsing, body views, base64url, and decryption of arbitrary bytes
//! under a fixed key — must never panic, and must never return plaintext for a forgery.
#![no_main]

use dp_crypto::{Algorithm, AuthenticatedEncryptor, MasterKey};
use dp_format::{AadBuilder, CbcHmacBody, GcmBody, ProtectedPayload, base64url, time_limited};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = base64url::decode(text);
    }
    let _ = time_limited::decode(data);
    let Ok(payload) = ProtectedPayload::parse(data) else { return };
    let _ = CbcHmacBody::parse(payload.body(), 32);
    let _ = GcmBody::parse(payload.body());
    let Ok(aad) = AadBuilder::new(["fuzz"]) else { return };
    let aad = aad.for_key_bytes(payload.key_id_bytes());
    let key = MasterKey::from_slice(&[0x42; 64]);
    for alg in Algorithm::ALL {
        let encryptor = AuthenticatedEncryptor::new(alg, &key);
        assert!(encryptor.decrypt(payload.body(), &aad).is_err(), "forgery accepted");
    }
});
