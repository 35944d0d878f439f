//! A family-agnostic netlink codec and socket.
//!
//! - [`consts`]: numbers from `<linux/netlink.h>`
//! - [`msg`]: `nlmsghdr`, the message builder, the message iterator
//! - [`attr`]: the attribute iterator and offset → attribute mapping
//! - [`ack`]: `NLMSG_ERROR` and extended ACK decoding
//! - [`socket`]: the `AF_NETLINK` socket and request/reply exchange
//! - [`error`]: error types

pub mod ack;
pub mod attr;
pub mod consts;
pub mod error;
pub mod msg;
pub mod socket;

pub use attr::{Attr, Attrs};
pub use error::{Error, KernelError, ParseError, Result};
pub use msg::{Messages, MsgBuilder, NlMsg, NlMsgHdr, OwnedMsg};
pub use socket::Socket;
