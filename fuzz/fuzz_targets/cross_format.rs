//! Text that parses goes to protobuf and back without changing what text can express:
//! text -> model -> proto -> model -> text equals text -> model -> text.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    let Ok(families) = expfmt::text::parse_bytes(data) else { return Corpus::Reject };
    let Ok(direct) = expfmt::text::encode(&families) else { return Corpus::Keep };
    let bytes = expfmt::proto::encode(&families).expect("a parsed model encodes to protobuf");
    let back = expfmt::proto::decode(&bytes).expect("our own bytes decode");
    let via_proto = expfmt::text::encode(&back).expect("encodes as text again");
    assert_eq!(direct, via_proto);
    Corpus::Keep
});
