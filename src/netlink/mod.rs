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
//! # Using the layer in a module
//!
//! Out-of-tree Rust modules cannot share a crate, so every module compiles
//! the layer into itself. Copy this directory into the module's source (or
//! point at it), then:
//!
//! - in the module's `Kbuild`, name the modules that use the layer and
//!   include `netlink.mk`, which generates the layer's bindings, compiles
//!   its C helpers into each of those modules and passes the
//!   `kernel_version` cfg:
//!
//!   ```text
//!   obj-m := rust_kv.o
//!   rust_kv-y := rust_kv_main.o
//!   RNL_MODULES := rust_kv
//!   include $(src)/rnl/netlink.mk
//!   ```
//!
//! - at the crate root, mount the layer under any name and name that module
//!   as the `layer:` of [`kernel_module!`](crate::kernel_module):
//!
//!   ```ignore
//!   #[path = "rnl/mod.rs"]
//!   pub mod rnl;
//!
//!   crate::kernel_module! {
//!       layer: rnl,
//!       type: RustKv,
//!       name: "rust_kv",
//!       authors: ["Jane Doe"],
//!       description: "A key-value family",
//!       license: "GPL",
//!   }
//!   ```
//!
//! The layer's macros ([`attr_set!`](crate::attr_set),
//! [`module_param!`](crate::module_param), and under `CONFIG_KUNIT`
//! `kunit_suite!`, `kunit_expect!` and `kunit_expect_eq!`) are exported at
//! the crate root, so they are `crate::attr_set!` and so on wherever the
//! layer is mounted; they reach the layer through `crate::__rnl`, the
//! hidden alias `kernel_module!` makes of `layer:`. Mount it `pub`: the
//! kernel's lints flag the `pub` items of a private module that the module
//! does not use.
//!
//! Code only KUnit tests use (`kunit`, `attr::Buf`, `extack::OwnedExtAck`)
//! is compiled only with `CONFIG_KUNIT`.

pub mod attr;
pub(crate) mod bindings;
pub mod compat;
pub mod error;
pub mod extack;
pub mod flags;
pub mod genl;
pub(crate) mod header;
pub mod hook;
mod init;
#[cfg(CONFIG_KUNIT)]
pub mod kunit;
pub mod msg;
pub(crate) mod multipart;
pub mod netns;
pub mod nfnl;
pub mod param;
pub mod percpu;
pub mod policy;
pub mod protocol;
pub mod rcu;
pub mod release;
pub mod request;
pub(crate) mod send;
pub mod time;
