// SPDX-License-Identifier: GPL-2.0

//! nfnetlink subsystems.
//!
//! C header: [`include/linux/netfilter/nfnetlink.h`](srctree/include/linux/netfilter/nfnetlink.h)
//!
//! An nfnetlink subsystem owns one of the `NFNL_SUBSYS_COUNT` ids of the
//! `NETLINK_NETFILTER` protocol; the high byte of `nlmsg_type` selects it, the
//! low byte the message type. A subsystem is a type implementing
//! [`Subsystem`] whose callback table is built from [`Op`] types, one per
//! message type, each with its own attribute set. Messages carry a
//! `struct nfgenmsg` header before their attributes.
//!
//! nfnetlink parses attributes liberally (`nla_parse_deprecated`): unknown
//! types are ignored, but every declared attribute is validated against its
//! policy. At most `NFNL_MAX_ATTR_COUNT` (32) attribute types are possible.

mod batch;
mod notify;
mod ops;
mod parts;
mod request;
mod subsystem;

pub use batch::{Batch, BatchFns, BatchGuard, BatchLock, Txn};
pub use notify::unicast_in;
pub use ops::{callbacks, Callback, CbKind, Op, RawCallback, MAX_ATTR_COUNT};
pub use parts::Parts;
pub use request::Request;
pub use subsystem::{Registration, Subsystem};
