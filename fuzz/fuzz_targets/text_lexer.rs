//! Any text: the lexer never panics, its offsets stay inside the input, and label iteration
//! and unescaping of accepted lines never panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    for record in expfmt::text::Lexer::new(input) {
        match record {
            Ok(r) => {
                assert!(r.offset < input.len());
                if let expfmt::text::Line::Sample(s) = r.line {
                    for label in s.labels.iter() {
                        assert!(label.name_offset < input.len() && label.value_offset <= input.len());
                        let _ = label.value();
                    }
                }
            }
            Err(e) => {
                assert!(e.offset().is_some_and(|o| o <= input.len()));
                assert!(e.to_string().len() <= 256, "long error: {e}");
            }
        }
    }
});
