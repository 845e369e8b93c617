//! Any bytes through the OpenMetrics parser: `parse_bytes` and the streaming iterator never
//! panic, agree on success and on the error position, and keep error messages short; the
//! lexer's records and errors stay inside the input. With UTF-8 names on, the same, and what
//! parses without them parses to the same families with them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = expfmt::openmetrics::parse_bytes(data);
    if let Err(e) = &parsed {
        assert!(e.to_string().len() <= 256, "long error: {e}");
        assert!(e.offset().is_some_and(|o| o <= data.len()), "error offset {:?} past the input", e.offset());
    }
    let Ok(input) = std::str::from_utf8(data) else {
        assert!(parsed.is_err());
        return;
    };
    let streamed: Result<Vec<_>, _> = expfmt::openmetrics::families(input).collect();
    match (&parsed, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a.len(), b.len(), "parse and families yield different families"),
        (Err(a), Err(b)) => assert_eq!(a.offset(), b.offset()),
        _ => panic!("parse and families disagree: {parsed:?} vs {streamed:?}"),
    }
    let utf8 = expfmt::openmetrics::parse_utf8(input, &expfmt::Limits::unlimited());
    if let Err(e) = &utf8 {
        assert!(e.to_string().len() <= 256, "long error: {e}");
        assert!(e.offset().is_some_and(|o| o <= data.len()));
    }
    let utf8_streamed: Result<Vec<_>, _> =
        expfmt::openmetrics::families(input).utf8_names(true).collect();
    match (&utf8, &utf8_streamed) {
        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        (Err(a), Err(b)) => assert_eq!(a.offset(), b.offset()),
        _ => panic!("UTF-8 parse and families disagree: {utf8:?} vs {utf8_streamed:?}"),
    }
    if let Ok(legacy) = &parsed {
        // Compared as Debug text: NaN values are equal there.
        let utf8 = utf8.as_ref().map(|f| format!("{f:?}")).ok();
        assert_eq!(utf8, Some(format!("{legacy:?}")), "UTF-8 names changed a legacy parse");
    }
    for record in expfmt::openmetrics::Lexer::new(input).utf8_names(true) {
        match record {
            Ok(r) => assert!(r.offset < input.len()),
            Err(e) => {
                assert!(e.offset().is_some_and(|o| o <= input.len()));
                break;
            }
        }
    }
});
