//! Varint framing: the length prefix of each frame, read from a byte slice, a [`bytes::Buf`] or
//! an [`std::io::Read`], and the field-level reader the pre-scan walks messages with.
//!
//! Every length is checked against the caller's caps *before* anything sized by it is
//! allocated: a prefix claiming 2^63 bytes costs nothing but an error.

use std::io::{self, Read};

use bytes::Buf;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};

/// The longest varint: ten bytes carry 64 bits.
const MAX_VARINT_LEN: usize = 10;

/// What [`read_varint`] found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Varint {
    /// A value and the number of bytes it took.
    Ok(u64, usize),
    /// The buffer ended inside the varint.
    Truncated,
    /// Longer than ten bytes, or the tenth byte overflows 64 bits.
    Invalid,
}

/// Decodes the base-128 varint at the start of `buf`.
///
/// Non-minimal encodings (`80 00` for 0) are accepted, as every protobuf decoder does.
#[inline]
pub(crate) fn read_varint(buf: &[u8]) -> Varint {
    if let Some(&b) = buf.first() {
        if b < 0x80 {
            return Varint::Ok(u64::from(b), 1);
        }
    }
    let mut value: u64 = 0;
    for (i, &byte) in buf.iter().take(MAX_VARINT_LEN).enumerate() {
        if i == MAX_VARINT_LEN - 1 && byte > 1 {
            return Varint::Invalid;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Varint::Ok(value, i + 1);
        }
    }
    if buf.len() >= MAX_VARINT_LEN {
        Varint::Invalid
    } else {
        Varint::Truncated
    }
}

// ----- fields inside a message -----

/// The payload of one field, by wire type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Payload<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64,
    /// Wire type 2: the bytes, and the absolute offset of their first byte.
    Len(&'a [u8], usize),
    /// Wire type 5.
    Fixed32,
}

impl Payload<'_> {
    /// The wire type number, for error messages.
    pub(crate) fn wire_type(&self) -> u8 {
        match self {
            Payload::Varint(_) => 0,
            Payload::Fixed64 => 1,
            Payload::Len(..) => 2,
            Payload::Fixed32 => 5,
        }
    }
}

/// One field of a message: its number, its payload, and the absolute offset of its key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub(crate) number: u32,
    pub(crate) payload: Payload<'a>,
    pub(crate) offset: usize,
}

/// Walks the fields of one message. Groups (wire types 3 and 4) and the undefined wire types 6
/// and 7 are errors, so the walk never recurses and uses constant stack whatever the input.
pub(crate) struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Absolute offset of `buf[0]` in the whole input.
    base: usize,
    message: &'static str,
}

impl<'a> Fields<'a> {
    /// The fields of `message` (a name for errors) held in `buf`, which starts at absolute
    /// offset `base`.
    pub(crate) fn new(buf: &'a [u8], base: usize, message: &'static str) -> Self {
        Fields {
            buf,
            pos: 0,
            base,
            message,
        }
    }

    /// The next field, `None` at the end of the message.
    #[inline]
    pub(crate) fn next_field(&mut self) -> Result<Option<Field<'a>>> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(None);
        }
        let offset = self.base + self.pos;
        let (key, key_len) = self.varint(rest, offset)?;
        let number = key >> 3;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(Error::at_offset(
                ErrorKind::InvalidFieldNumber {
                    message: self.message,
                    number,
                },
                offset,
            ));
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "checked above: number < 2^29"
        )]
        let number = number as u32;
        let body = rest.get(key_len..).unwrap_or_default();
        let body_offset = offset + key_len;
        let (payload, used) = match key & 7 {
            0 => {
                let (v, n) = self.varint(body, body_offset)?;
                (Payload::Varint(v), n)
            }
            1 => (Payload::Fixed64, self.fixed(body, 8, offset)?),
            2 => {
                let (len, n) = self.varint(body, body_offset)?;
                let data = body.get(n..).unwrap_or_default();
                let len = usize::try_from(len)
                    .ok()
                    .filter(|&len| len <= data.len())
                    .ok_or_else(|| self.truncated(offset))?;
                let bytes = data.get(..len).unwrap_or_default();
                (Payload::Len(bytes, body_offset + n), n + len)
            }
            5 => (Payload::Fixed32, self.fixed(body, 4, offset)?),
            wire_type => {
                #[expect(clippy::cast_possible_truncation, reason = "masked to 3 bits")]
                let wire_type = wire_type as u8;
                return Err(Error::at_offset(
                    ErrorKind::InvalidWireType {
                        message: self.message,
                        field: number,
                        wire_type,
                    },
                    offset,
                ));
            }
        };
        self.pos += key_len + used;
        Ok(Some(Field {
            number,
            payload,
            offset,
        }))
    }

    fn varint(&self, buf: &[u8], offset: usize) -> Result<(u64, usize)> {
        match read_varint(buf) {
            Varint::Ok(v, n) => Ok((v, n)),
            Varint::Truncated => Err(self.truncated(offset)),
            Varint::Invalid => Err(Error::at_offset(ErrorKind::InvalidVarint, offset)),
        }
    }

    fn fixed(&self, buf: &[u8], width: usize, key_offset: usize) -> Result<usize> {
        if buf.len() < width {
            return Err(self.truncated(key_offset));
        }
        Ok(width)
    }

    #[cold]
    fn truncated(&self, offset: usize) -> Error {
        Error::at_offset(
            ErrorKind::Truncated {
                message: self.message,
            },
            offset,
        )
    }

    /// The error for a known field sent with the wrong wire type.
    #[cold]
    pub(crate) fn wrong_wire_type(&self, field: &Field<'_>) -> Error {
        Error::at_offset(
            ErrorKind::InvalidWireType {
                message: self.message,
                field: field.number,
                wire_type: field.payload.wire_type(),
            },
            field.offset,
        )
    }

    /// The message name, for errors.
    pub(crate) fn message(&self) -> &'static str {
        self.message
    }
}

// ----- frames of the delimited stream -----

mod private {
    /// The byte sources a [`Decoder`](super::super::Decoder) reads frames from. Sealed: the
    /// decoder's guarantees depend on each source's exact behaviour.
    pub trait Sealed {
        /// The next byte, `None` at the end of input.
        fn next_byte(&mut self) -> std::io::Result<Option<u8>>;
        /// The next `len` bytes, `None` if the input ends first. `len` has been checked
        /// against the caller's caps; sources still grow buffers only as data arrives.
        fn frame(&mut self, len: usize) -> std::io::Result<Option<&[u8]>>;
    }
}

/// Where a [`Decoder`](super::Decoder) reads from: a byte slice ([`SliceInput`]), any
/// [`bytes::Buf`] ([`BufInput`]) or any [`std::io::Read`] ([`ReadInput`]). Sealed.
pub trait Input: private::Sealed {}

/// A byte slice being decoded; see [`Decoder::new`](super::Decoder::new).
#[derive(Debug, Clone)]
pub struct SliceInput<'a> {
    rest: &'a [u8],
}

impl<'a> SliceInput<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        SliceInput { rest: input }
    }

    /// The next `len` bytes, borrowed from the slice; `None` if it ends first.
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (frame, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(frame)
    }
}

impl private::Sealed for SliceInput<'_> {
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let Some((&b, rest)) = self.rest.split_first() else {
            return Ok(None);
        };
        self.rest = rest;
        Ok(Some(b))
    }

    fn frame(&mut self, len: usize) -> io::Result<Option<&[u8]>> {
        Ok(self.take(len))
    }
}

impl Input for SliceInput<'_> {}

/// A [`bytes::Buf`] being decoded; see [`Decoder::from_buf`](super::Decoder::from_buf).
///
/// A frame that lies in one chunk is decoded in place; one spread over several chunks is
/// copied into a scratch buffer first.
#[derive(Debug)]
pub struct BufInput<B> {
    buf: B,
    /// Bytes of the last frame handed out in place, to advance past on the next call.
    pending: usize,
    scratch: Vec<u8>,
}

impl<B: Buf> BufInput<B> {
    pub(crate) fn new(buf: B) -> Self {
        BufInput {
            buf,
            pending: 0,
            scratch: Vec::new(),
        }
    }

    fn settle(&mut self) {
        let n = std::mem::take(&mut self.pending).min(self.buf.remaining());
        self.buf.advance(n);
    }

    /// The source, with every byte of the frames decoded so far consumed.
    pub(crate) fn into_inner(mut self) -> B {
        self.settle();
        self.buf
    }
}

impl<B: Buf> private::Sealed for BufInput<B> {
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        self.settle();
        if !self.buf.has_remaining() {
            return Ok(None);
        }
        Ok(Some(self.buf.get_u8()))
    }

    fn frame(&mut self, len: usize) -> io::Result<Option<&[u8]>> {
        self.settle();
        if len > self.buf.remaining() {
            return Ok(None);
        }
        if self.buf.chunk().len() >= len {
            self.pending = len;
            return Ok(self.buf.chunk().get(..len));
        }
        self.scratch.clear();
        self.scratch.resize(len, 0);
        self.buf.copy_to_slice(&mut self.scratch);
        Ok(Some(&self.scratch))
    }
}

impl<B: Buf> Input for BufInput<B> {}

/// An [`std::io::Read`] being decoded; see [`Decoder::from_reader`](super::Decoder::from_reader).
///
/// It never reads past the frame it decodes: the length prefix is read one byte per `read`
/// call (as Go's `pbutil.ReadDelimited` does), so wrap unbuffered sources in a
/// [`std::io::BufReader`]. The frame buffer is reused from frame to frame and grows only as
/// bytes actually arrive, so a prefix that lies costs no memory.
#[derive(Debug)]
pub struct ReadInput<R> {
    reader: R,
    scratch: Vec<u8>,
}

impl<R: Read> ReadInput<R> {
    pub(crate) fn new(reader: R) -> Self {
        ReadInput {
            reader,
            scratch: Vec::new(),
        }
    }

    pub(crate) fn into_inner(self) -> R {
        self.reader
    }
}

/// The most a [`ReadInput`] reserves for a frame before its bytes have arrived.
const READ_RESERVE: usize = 64 << 10;

impl<R: Read> private::Sealed for ReadInput<R> {
    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let mut byte = [0u8];
        loop {
            match self.reader.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn frame(&mut self, len: usize) -> io::Result<Option<&[u8]>> {
        self.scratch.clear();
        self.scratch.reserve(len.min(READ_RESERVE));
        let want = u64::try_from(len).unwrap_or(u64::MAX);
        (&mut self.reader)
            .take(want)
            .read_to_end(&mut self.scratch)?;
        if self.scratch.len() < len {
            return Ok(None);
        }
        Ok(Some(&self.scratch))
    }
}

impl<R: Read> Input for ReadInput<R> {}

/// Where a frame sits in the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameAt {
    /// Offset of the first byte of the length prefix.
    pub(crate) start: usize,
    /// Offset of the first byte of the message.
    pub(crate) body: usize,
    /// Offset just past the message.
    pub(crate) end: usize,
}

/// Reads the next frame of `input`, which starts at offset `start`: the length prefix, then the
/// checks against `limits` (families already read: `families`), then the message bytes.
///
/// `Ok(None)` when the input ends cleanly before a frame. Every framing error (a truncated or
/// overlong prefix, a length over a cap, a message cut short by the end of input, an I/O
/// error) is reported at `start`, the same offset whatever the source.
pub(crate) fn next_frame<'s, I: Input>(
    input: &'s mut I,
    start: usize,
    limits: &Limits,
    families: usize,
) -> Result<Option<(FrameAt, &'s [u8])>> {
    let Some((at, len)) = next_prefix(input, start, limits, families)? else {
        return Ok(None);
    };
    match input.frame(len) {
        Ok(Some(bytes)) => Ok(Some((at, bytes))),
        Ok(None) => Err(Error::at_offset(ErrorKind::UnexpectedEof, start)),
        Err(e) => Err(Error::at_offset(ErrorKind::Io(e), start)),
    }
}

/// [`next_frame`] for a byte slice, whose frames borrow from the slice itself.
pub(crate) fn next_slice_frame<'a>(
    input: &mut SliceInput<'a>,
    start: usize,
    limits: &Limits,
    families: usize,
) -> Result<Option<(FrameAt, &'a [u8])>> {
    let Some((at, len)) = next_prefix(input, start, limits, families)? else {
        return Ok(None);
    };
    match input.take(len) {
        Some(frame) => Ok(Some((at, frame))),
        None => Err(Error::at_offset(ErrorKind::UnexpectedEof, start)),
    }
}

/// The length prefix of the next frame and the checks against `limits`: where the frame is
/// and how long its message is, `Ok(None)` at a clean end of input.
fn next_prefix<I: Input>(
    input: &mut I,
    start: usize,
    limits: &Limits,
    families: usize,
) -> Result<Option<(FrameAt, usize)>> {
    let at = |kind| Error::at_offset(kind, start);
    let io_err = |e: io::Error| Error::at_offset(ErrorKind::Io(e), start);

    let mut prefix = [0u8; MAX_VARINT_LEN];
    let mut n = 0;
    let len = loop {
        let Some(byte) = input.next_byte().map_err(io_err)? else {
            if n == 0 {
                return Ok(None);
            }
            return Err(at(ErrorKind::UnexpectedEof));
        };
        if let Some(slot) = prefix.get_mut(n) {
            *slot = byte;
        }
        n += 1;
        match read_varint(prefix.get(..n).unwrap_or_default()) {
            Varint::Ok(len, _) => break len,
            Varint::Truncated => {}
            Varint::Invalid => return Err(at(ErrorKind::InvalidVarint)),
        }
    };
    if families >= limits.max_families {
        return Err(at(limit(Limit::Families, limits.max_families)));
    }
    let len = match usize::try_from(len) {
        Ok(len) if len <= limits.max_message => len,
        _ => return Err(at(limit(Limit::Message, limits.max_message))),
    };
    let body = start + n;
    let end = body.saturating_add(len);
    if end > limits.max_body {
        return Err(at(limit(Limit::Body, limits.max_body)));
    }
    Ok(Some((FrameAt { start, body, end }, len)))
}

/// A [`ErrorKind::LimitExceeded`].
pub(crate) fn limit(which: Limit, limit: usize) -> ErrorKind {
    ErrorKind::LimitExceeded { which, limit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(read_varint(&[0]), Varint::Ok(0, 1));
        assert_eq!(read_varint(&[0x96, 0x01]), Varint::Ok(150, 2));
        assert_eq!(read_varint(&[0x80, 0x00]), Varint::Ok(0, 2));
        assert_eq!(read_varint(&[0x80]), Varint::Truncated);
        assert_eq!(read_varint(&[]), Varint::Truncated);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_varint(&max), Varint::Ok(u64::MAX, 10));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(read_varint(&overflow), Varint::Invalid);
        assert_eq!(read_varint(&[0x80; 11]), Varint::Invalid);
        assert_eq!(read_varint(&[0x80; 10]), Varint::Invalid);
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut buf = Vec::new();
            prost::encoding::encode_varint(v, &mut buf);
            assert_eq!(read_varint(&buf), Varint::Ok(v, buf.len()));
        }
    }

    #[test]
    fn fields_reject_groups_and_undefined_wire_types() {
        for (key, wire_type) in [(0x0b_u8, 3), (0x0c, 4), (0x0e, 6), (0x0f, 7)] {
            let buf = [key, 0, 0];
            let err = Fields::new(&buf, 5, "Metric")
                .next_field()
                .err()
                .map(|e| (e.offset(), e.to_string()));
            assert_eq!(
                err,
                Some((
                    Some(5),
                    format!("byte 5: invalid wire type {wire_type} for field 1 of Metric")
                ))
            );
        }
    }
}
