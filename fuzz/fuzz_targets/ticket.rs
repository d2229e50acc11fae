//! Ticket and properties plaintexts (`TicketSerializer` format 5, `PropertiesSerializer` format 1):
//! decoding arbitrary bytes must never panic, and whatever decodes cleanly must encode and decode
//! back to the same ticket. The same checks replay the seed corpus in
//! crates/dp-aspnet/tests/fuzz_corpus_ticket.rs.
#![no_main]

use dp_aspnet::wire::{properties, ticket};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((decoded, report)) = ticket::decode(data)
        && report.is_clean()
    {
        let Ok(bytes) = ticket::encode(&decoded) else {
            panic!("a decoded ticket did not encode")
        };
        let Ok((again, _)) = ticket::decode(&bytes) else {
            panic!("an encoded ticket did not decode")
        };
        assert!(again == decoded, "ticket round trip changed the ticket");
    }
    if let Ok((decoded, report)) = properties::decode(data)
        && report.is_clean()
    {
        let Ok(bytes) = properties::encode(&decoded) else {
            panic!("decoded properties did not encode")
        };
        let Ok((again, _)) = properties::decode(&bytes) else {
            panic!("encoded properties did not decode")
        };
        assert!(again == decoded, "properties round trip changed them");
    }
});
