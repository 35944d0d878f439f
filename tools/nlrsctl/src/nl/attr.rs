//! Parsing of attribute (`struct nlattr`) streams.

use super::consts::*;
use super::error::ParseError;

/// One attribute: its type (flags stripped) and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Type with `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` masked off.
    pub ty: u16,
    /// Whether `NLA_F_NESTED` was set.
    pub nested: bool,
    /// Payload, `nla_len - NLA_HDRLEN` bytes (padding excluded).
    pub payload: &'a [u8],
}

impl<'a> Attr<'a> {
    fn fixed<const N: usize>(&self, expected: &'static str) -> Result<[u8; N], ParseError> {
        self.payload.try_into().map_err(|_| ParseError::BadPayload {
            attr: self.ty,
            expected,
            got: self.payload.len(),
        })
    }

    pub fn u8(&self) -> Result<u8, ParseError> {
        Ok(self.fixed::<1>("1 byte (u8)")?[0])
    }

    pub fn u16(&self) -> Result<u16, ParseError> {
        Ok(u16::from_ne_bytes(self.fixed("2 bytes (u16)")?))
    }

    pub fn u32(&self) -> Result<u32, ParseError> {
        Ok(u32::from_ne_bytes(self.fixed("4 bytes (u32)")?))
    }

    pub fn u64(&self) -> Result<u64, ParseError> {
        Ok(u64::from_ne_bytes(self.fixed("8 bytes (u64)")?))
    }

    /// The payload up to (not including) the first NUL, if any.
    pub fn str_bytes(&self) -> &'a [u8] {
        match self.payload.iter().position(|&b| b == 0) {
            Some(n) => &self.payload[..n],
            None => self.payload,
        }
    }

    /// The string payload, with invalid UTF-8 replaced.
    pub fn string(&self) -> String {
        String::from_utf8_lossy(self.str_bytes()).into_owned()
    }

    /// The attributes nested inside this one.
    pub fn nested(&self) -> Attrs<'a> {
        Attrs::new(self.payload)
    }
}

/// Iterates over an attribute stream. A truncated header, an `nla_len`
/// below `NLA_HDRLEN` or one reaching past the buffer yields one `Err`
/// and ends the iteration.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Attrs<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Attrs {
            buf,
            pos: 0,
            failed: false,
        }
    }

    /// Collects all attributes, or the first error.
    pub fn collect_all(self) -> Result<Vec<Attr<'a>>, ParseError> {
        self.collect()
    }

    /// The first attribute of type `ty`, after validating the whole stream.
    pub fn find(self, ty: u16) -> Result<Option<Attr<'a>>, ParseError> {
        Ok(self.collect_all()?.into_iter().find(|a| a.ty == ty))
    }
}

/// Header of the attribute at the start of `b`: (nla_len, raw nla_type),
/// validated against the bytes remaining. `offset` is for error reports.
fn header_at(b: &[u8], offset: usize) -> Result<(usize, u16), ParseError> {
    if b.len() < NLA_HDRLEN {
        return Err(ParseError::TruncatedHeader {
            what: "nlattr",
            offset,
            remaining: b.len(),
        });
    }
    let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
    let ty = u16::from_ne_bytes([b[2], b[3]]);
    if len < NLA_HDRLEN {
        return Err(ParseError::ShortLength {
            what: "attribute",
            offset,
            len,
        });
    }
    if len > b.len() {
        return Err(ParseError::Overrun {
            what: "attribute",
            offset,
            len,
            remaining: b.len(),
        });
    }
    Ok((len, ty))
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        match header_at(rest, self.pos) {
            Ok((len, raw_ty)) => {
                self.pos += nla_align(len).min(rest.len());
                Some(Ok(Attr {
                    ty: raw_ty & NLA_TYPE_MASK,
                    nested: raw_ty & NLA_F_NESTED != 0,
                    payload: &rest[NLA_HDRLEN..len],
                }))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Finds the attribute of a request message that `offset` (counted from the
/// start of its `nlmsghdr`, as in `NLMSGERR_ATTR_OFFS`) points into.
///
/// `msg` is the whole request; attributes start after the `nlmsghdr` and a
/// family header of `fam_hdr_len` bytes. Returns the path of attribute types
/// from the outermost to the innermost one containing `offset`, descending
/// into attributes flagged `NLA_F_NESTED`; `None` if `offset` is not inside
/// any attribute (e.g. it points into a header).
pub fn path_at_offset(msg: &[u8], fam_hdr_len: usize, offset: usize) -> Option<Vec<u16>> {
    let end = match msg.get(0..4) {
        Some(b) => (u32::from_ne_bytes(b.try_into().ok()?) as usize).min(msg.len()),
        None => return None,
    };
    let start = NLMSG_HDRLEN + nlmsg_align(fam_hdr_len);
    if offset < start || offset >= end {
        return None;
    }
    let mut path = Vec::new();
    let (mut lo, mut hi) = (start, end);
    'outer: loop {
        let mut pos = lo;
        while pos < hi {
            let (len, raw_ty) = header_at(&msg[pos..hi], pos).ok()?;
            if offset >= pos && offset < pos + len {
                path.push(raw_ty & NLA_TYPE_MASK);
                if raw_ty & NLA_F_NESTED != 0 && offset >= pos + NLA_HDRLEN {
                    lo = pos + NLA_HDRLEN;
                    hi = pos + len;
                    continue 'outer;
                }
                return Some(path);
            }
            pos += nla_align(len);
        }
        // Inside a nest but in padding, or in the padding of the message.
        return if path.is_empty() { None } else { Some(path) };
    }
}
