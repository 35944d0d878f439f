// SPDX-License-Identifier: GPL-2.0

//! What differs between the kernels the layer builds on.
//!
//! The layer supports Linux 6.12 and 7.3 from one source. `Kbuild` passes
//! `--cfg kernel="6.12"` or `--cfg kernel="7.3"` from the tree's `VERSION`
//! and `PATCHLEVEL`, and refuses any other tree. Every item that depends on
//! it is in this file, so a module on the layer, and the rest of the layer,
//! is the same code on both:
//!
//! | here | Linux 6.12 | Linux 7.3 |
//! | --- | --- | --- |
//! | `pin_init_from_closure` | `kernel::init::pin_init_from_closure` | the `pin_init` crate's |
//! | `init_pinned` | `PinInit::__pinned_init` | `pin_init::raw_try_init` |
//! | `opaque_ptr` | `Opaque::raw_get` | `Opaque::cast_into` |
//! | [`kernel_module!`](crate::kernel_module) | `module!` with `author:` | `module!` with `authors: [..]` |
//!
//! What the layer does the same way on both is not here: strings are
//! [`core::ffi::CStr`] (which 7.3's `kernel::str::CStr` is), the C structs
//! it fills are zero-initialised first (7.3's only grew fields), and its
//! bindings are generated against the tree being built (`Kbuild`).

use kernel::{prelude::*, types::Opaque};

#[cfg(kernel = "6.12")]
pub(crate) use kernel::init::pin_init_from_closure;
#[cfg(kernel = "7.3")]
pub(crate) use pin_init::pin_init_from_closure;

/// Runs `init` on `slot`.
///
/// # Safety
///
/// `slot` must be valid for writes, suitably aligned and uninitialised, and
/// must not move once initialised. On error it holds nothing to drop; the
/// caller may only free it.
pub(crate) unsafe fn init_pinned<T, E>(init: impl PinInit<T, E>, slot: *mut T) -> Result<(), E> {
    // SAFETY: guaranteed by the caller.
    #[cfg(kernel = "6.12")]
    return unsafe { init.__pinned_init(slot) };
    // SAFETY: guaranteed by the caller.
    #[cfg(kernel = "7.3")]
    return unsafe { pin_init::raw_try_init(slot, init) };
}

/// The `T` inside the [`Opaque<T>`] at `slot`, which need not be initialised.
pub(crate) const fn opaque_ptr<T>(slot: *const Opaque<T>) -> *mut T {
    #[cfg(kernel = "6.12")]
    return Opaque::raw_get(slot);
    #[cfg(kernel = "7.3")]
    return Opaque::cast_into(slot);
}

/// Declares the kernel module: the kernel's `module!` in the syntax of Linux
/// 7.3, on every kernel the layer supports.
///
/// On 6.12, whose `module!` takes a single `author:`, `authors` must name
/// exactly one.
///
/// # Examples
///
/// ```ignore
/// kernel_module! {
///     type: MyModule,
///     name: "my_module",
///     authors: ["Jane Doe"],
///     description: "An example",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! kernel_module {
    (
        type: $type:ident,
        name: $name:tt,
        authors: [$($author:tt),+ $(,)?],
        description: $description:tt,
        license: $license:tt $(,)?
    ) => {
        // `tt` and `ident`, not `literal` and `ty`: `module!` parses the
        // tokens themselves, which other fragments would wrap in groups.
        #[cfg(kernel = "6.12")]
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            author: $($author)+,
            description: $description,
            license: $license,
        }
        #[cfg(kernel = "7.3")]
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            authors: [$($author),+],
            description: $description,
            license: $license,
        }
    };
}
