//! CryptoAPI BLOBs: every parser and the key conversions reject or accept, never panic.
#![no_main]

use dp_format::capi::{PlaintextKeyBlob, RsaPrivateBlob, RsaPublicBlob, SimpleBlob, blob_type};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = blob_type(data);
    if let Ok(b) = RsaPublicBlob::parse(data) {
        assert_eq!(b.encode().ok().as_deref(), Some(data));
    }
    let _ = RsaPrivateBlob::parse(data);
    if let Ok(b) = SimpleBlob::parse(data) {
        assert_eq!(b.encode(), data);
    }
    let _ = PlaintextKeyBlob::parse(data);
    let _ = dp_envelope::capi::public_key_from_blob(data);
});
