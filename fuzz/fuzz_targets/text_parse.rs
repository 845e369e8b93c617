//! Any bytes: `parse_bytes`, `parse_in` (an arena) and the streaming iterator never panic,
//! agree on success (`parse_in` on the families too) and on the error position, and keep error
//! messages short; with UTF-8 names on, the same, and whatever
//! parses without them parses to the same families with them.
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
    let arena = expfmt::Arena::new();
    let in_arena = expfmt::text::parse_in(input, &expfmt::Limits::unlimited(), &arena);
    // Compared as Debug text: NaN values are equal there.
    assert_eq!(
        format!("{parsed:?}"),
        format!("{in_arena:?}"),
        "parse and parse_in disagree"
    );
    let streamed: Result<Vec<_>, _> = expfmt::text::families(input).collect();
    match (&parsed, &streamed) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a.offset(), b.offset()),
        _ => panic!("parse and families disagree: {parsed:?} vs {streamed:?}"),
    }
    let utf8 = expfmt::text::parse_utf8(input, &expfmt::Limits::unlimited());
    if let Err(e) = &utf8 {
        assert!(e.to_string().len() <= 256, "long error: {e}");
    }
    let utf8_streamed: Result<Vec<_>, _> =
        expfmt::text::families(input).utf8_names(true).collect();
    match (&utf8, &utf8_streamed) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a.offset(), b.offset()),
        _ => panic!("UTF-8 parse and families disagree: {utf8:?} vs {utf8_streamed:?}"),
    }
    if let Ok(legacy) = &parsed {
        let utf8 = utf8.as_ref().map(|f| format!("{f:?}")).ok();
        assert_eq!(utf8, Some(format!("{legacy:?}")), "UTF-8 names changed a legacy parse");
    }
});
