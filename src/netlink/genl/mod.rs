// SPDX-License-Identifier: GPL-2.0

//! Generic netlink families.
//!
//! C header: [`include/net/genetlink.h`](srctree/include/net/genetlink.h)
//!
//! A family is a type implementing [`Family`]: its name, version, operations
//! and multicast groups, all constants. [`Registration`] registers it with
//! the generic netlink core and unregisters it when dropped. Operations are
//! types implementing [`DoOp`]; each brings its own attribute set, whose
//! policy the core validates strictly before the handler runs. Dumps are
//! types implementing [`DumpOp`], resumed part by part from a cursor.
//!
//! # Examples
//!
//! ```ignore
//! struct Echo;
//!
//! impl DoOp for Echo {
//!     type Family = MyFamily;
//!     type Attrs = EchoAttrs;
//!     const CMD: u8 = 1;
//!     const FLAGS: OpFlags = OpFlags::NONE;
//!
//!     fn doit(req: &mut DoRequest<'_, Self>) -> Result {
//!         let text = req.attrs().msg().required()?;
//!         let mut reply = req.reply(1)?;
//!         reply.put_str(EchoAttrs::MSG, text)?;
//!         req.send_reply(reply)
//!     }
//! }
//!
//! struct MyFamily;
//!
//! impl Family for MyFamily {
//!     const NAME: &'static CStr = c"example";
//!     const VERSION: u8 = 1;
//!     type State = NoState;
//!     const OPS: &'static [SplitOp<Self>] = &[SplitOp::doit::<Echo>()];
//!     type Groups = NoGroups;
//! }
//! ```

mod dump;
mod family;
mod groups;
mod notify;
mod ops;
mod request;

pub use dump::{Dump, DumpOp};
pub use family::{Family, McGroup, Registered, Registration};
pub use groups::{Groups, NoGroups};
pub use notify::notify_in;
pub use ops::{DoOp, OpFlags, SplitOp};
pub use request::DoRequest;

use super::bindings;

/// The network namespace of a request (`genl_info_net()`), read here
/// rather than by an out-of-line call on every request.
fn info_net(info: &bindings::genl_info) -> *mut bindings::net {
    // `read_pnet()`: with `CONFIG_NET_NS`, which the layer requires, the
    // namespace is the field's only member.
    info._net.net
}
