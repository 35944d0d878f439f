// SPDX-License-Identifier: GPL-2.0

//! Safe abstractions over generic netlink and nfnetlink.
//!
//! C headers: [`include/net/genetlink.h`](srctree/include/net/genetlink.h),
//! [`include/net/netlink.h`](srctree/include/net/netlink.h),
//! [`include/linux/netfilter/nfnetlink.h`](srctree/include/linux/netfilter/nfnetlink.h).
//!
//! A module declares its attribute sets with [`attr_set!`](crate::attr_set), its operations as
//! types implementing [`genl::DoOp`] or [`nfnl::Op`], and registers a
//! [`genl::Family`] or an [`nfnl::Subsystem`]. The C tables the kernel walks
//! (`nla_policy` arrays, `genl_split_ops`, `nfnl_callback`) are built from
//! those declarations at compile time. Handlers receive typed attributes that
//! the kernel has already validated against the declared policy, and build
//! replies and notifications with [`msg::Msg`], which frees what it does not
//! send.
//!
//! Every `unsafe` block of the module lives under this directory, and so does
//! everything that differs between the kernels the layer supports, Linux
//! 6.12 and 7.3: [`compat`] is that seam.
//!
//! Code only KUnit tests use (`kunit`, `attr::Buf`, `extack::OwnedExtAck`)
//! is compiled only with `CONFIG_KUNIT`.

pub mod attr;
pub(crate) mod bindings;
pub mod compat;
pub mod error;
pub mod extack;
pub mod genl;
pub mod hook;
mod init;
#[cfg(CONFIG_KUNIT)]
pub mod kunit;
pub mod msg;
pub mod netns;
pub mod nfnl;
pub mod param;
pub mod percpu;
pub mod policy;
pub mod rcu;
pub mod release;
pub mod time;
