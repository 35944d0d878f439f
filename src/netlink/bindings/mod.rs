// SPDX-License-Identifier: GPL-2.0

//! Generated bindings for the C APIs the layer wraps.
//!
//! `bindings_generated.rs` is produced at build time by `bindgen` with the
//! kernel's own flags (see `netlink.mk`), from `bindings_helper.h`.

#![allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn
)]

use kernel::ffi;

// The kernel's rust/bindgen_parameters blocks these so they map to Rust's
// pointer-sized integers, as the kernel crate's own bindings do.
type __kernel_size_t = usize;
type __kernel_ssize_t = isize;
type __kernel_ptrdiff_t = isize;

include!("bindings_generated.rs");
