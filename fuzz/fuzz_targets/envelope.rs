//! Envelopes: header parsing and the keyless walk over chunk frames never panic.
#![no_main]

use dp_format::envelope::{EnvelopeHeader, header_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = header_len(data);
    let _ = EnvelopeHeader::parse(data);
    let _ = dp_envelope::inspect(data);
});
