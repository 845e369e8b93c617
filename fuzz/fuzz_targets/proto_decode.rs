//! Any bytes: protobuf decoding never panics, the slice, `Buf` and one-byte-per-read `io::Read`
//! decoders agree (same families, same error offset), and error messages stay short.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// A reader that hands out one byte per call.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let from_slice: Vec<_> = expfmt::proto::Decoder::new(data).collect();
    let from_buf: Vec<_> = expfmt::proto::Decoder::from_buf(data).collect();
    let from_read: Vec<_> = expfmt::proto::Decoder::from_reader(Trickle(data)).collect();
    for other in [&from_buf, &from_read] {
        assert_eq!(from_slice.len(), other.len());
        for (a, b) in from_slice.iter().zip(other.iter()) {
            match (a, b) {
                (Ok(x), Ok(y)) => assert_eq!(format!("{x:?}"), format!("{y:?}")),
                (Err(x), Err(y)) => assert_eq!(x.offset(), y.offset(), "{x} vs {y}"),
                _ => panic!("decoders disagree: {a:?} vs {b:?}"),
            }
        }
    }
    if let Some(Err(e)) = from_slice.last() {
        assert!(e.to_string().len() <= 256, "long error: {e}");
    }
});
