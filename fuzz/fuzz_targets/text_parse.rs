//! Any bytes: `parse_bytes` and the streaming iterator never panic, agree on success and on the
//! error position, and keep error messages short.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = expfmt::text::parse_bytes(data);
    if let Err(e) = &parsed {
        assert!(e.to_string().len() <= 256, "long error: {e}");
    }
    let Ok(input) = std::str::from_utf8(data) else {
        assert!(parsed.is_err());
        return;
    };
    let streamed: Result<Vec<_>, _> = expfmt::text::families(input).collect();
    match (&parsed, &streamed) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a.offset(), b.offset()),
        _ => panic!("parse and families disagree: {parsed:?} vs {streamed:?}"),
    }
});
