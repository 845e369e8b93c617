//! Whatever decodes, encodes, and decodes back to the same model; re-encoding is a fixed point.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    let Ok(families) = expfmt::proto::decode(data) else { return Corpus::Reject };
    let once = expfmt::proto::encode(&families).expect("a decoded model encodes");
    let back = expfmt::proto::decode(&once).expect("our own bytes decode");
    // Debug text, so NaN compares equal to itself.
    assert_eq!(format!("{back:?}"), format!("{families:?}"));
    assert_eq!(expfmt::proto::encode(&back).expect("encodes again"), once);
    Corpus::Keep
});
