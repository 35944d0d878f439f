//! Errors of the netlink layer: malformed bytes, failed syscalls, timeouts
//! and error ACKs sent by the kernel.

use std::fmt;

/// Bytes that do not form a valid netlink message or attribute stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Fewer bytes remain than a header needs.
    TruncatedHeader {
        what: &'static str,
        offset: usize,
        remaining: usize,
    },
    /// A length field smaller than the header it belongs to.
    ShortLength {
        what: &'static str,
        offset: usize,
        len: usize,
    },
    /// A length field reaching past the end of the enclosing buffer.
    Overrun {
        what: &'static str,
        offset: usize,
        len: usize,
        remaining: usize,
    },
    /// A reply lacks something it must carry.
    Missing(&'static str),
    /// An attribute payload of the wrong size for its type.
    BadPayload {
        attr: u16,
        expected: &'static str,
        got: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TruncatedHeader {
                what,
                offset,
                remaining,
            } => write!(
                f,
                "truncated {what} header at offset {offset} ({remaining} bytes left)"
            ),
            ParseError::ShortLength { what, offset, len } => {
                write!(f, "{what} at offset {offset} has invalid length {len}")
            }
            ParseError::Overrun {
                what,
                offset,
                len,
                remaining,
            } => write!(
                f,
                "{what} at offset {offset} claims {len} bytes but only {remaining} remain"
            ),
            ParseError::Missing(what) => write!(f, "reply lacks {what}"),
            ParseError::BadPayload {
                attr,
                expected,
                got,
            } => write!(
                f,
                "attribute {attr} has a {got}-byte payload, expected {expected}"
            ),
        }
    }
}

/// An error ACK (`NLMSG_ERROR` with a non-zero error) from the kernel,
/// with whatever extended ACK TLVs came with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KernelError {
    /// Positive errno value.
    pub errno: i32,
    /// `NLMSGERR_ATTR_MSG`: human readable extack message.
    pub msg: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset of the offending attribute,
    /// counted from the start of the request's `nlmsghdr`.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing attribute.
    pub miss_type: Option<u16>,
    /// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest lacking `miss_type`.
    pub miss_nest: Option<u32>,
    /// The attribute at `offset`, named by the layer that built the request.
    pub attribute: Option<String>,
    /// The missing attribute, named by the layer that built the request.
    pub missing: Option<String>,
}

/// Any failure of a netlink exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The kernel rejected the request.
    Kernel(KernelError),
    /// A system call failed with `errno`.
    Sys { op: &'static str, errno: i32 },
    /// No complete answer arrived before the deadline.
    Timeout,
    /// The kernel sent bytes that do not parse.
    Parse(ParseError),
    /// The kernel dropped messages for us (`ENOBUFS` / `NLMSG_OVERRUN`).
    Overrun,
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}

impl Error {
    /// The errno this error is best described by.
    pub fn errno(&self) -> i32 {
        match self {
            Error::Kernel(k) => k.errno,
            Error::Sys { errno, .. } => *errno,
            Error::Timeout => libc::ETIMEDOUT,
            Error::Parse(_) => libc::EPROTO,
            Error::Overrun => libc::ENOBUFS,
        }
    }

    /// Captures `errno` after a failed system call named `op`.
    pub fn last_os(op: &'static str) -> Self {
        let errno = std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO);
        Error::Sys { op, errno }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
