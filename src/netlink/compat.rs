// SPDX-License-Identifier: GPL-2.0

//! What differs between the kernels the layer builds on.
//!
//! The layer supports Linux 6.12 and 7.3 from one source. Its build fragment,
//! `netlink.mk`, passes `--cfg kernel_version="6.12"` or
//! `--cfg kernel_version="7.3"` from the tree's `VERSION` and `PATCHLEVEL`,
//! and refuses any other tree; a crate that includes the layer without that
//! flag fails to build here. Every item that depends on it is in this file,
//! so a module on the layer, and the rest of the layer, is the same code on
//! both:
//!
//! | here | Linux 6.12 | Linux 7.3 |
//! | --- | --- | --- |
//! | `pin_init_from_closure` | `kernel::init::pin_init_from_closure` | the `pin_init` crate's |
//! | `init_pinned` | `PinInit::__pinned_init` | `pin_init::raw_try_init` |
//! | `opaque_ptr` | `Opaque::raw_get` | `Opaque::cast_into` |
//! | [`RBCursorMut`], [`cursor_front_mut`], [`cursor_lower_bound_mut`] | `rbtree::Cursor` | `rbtree::CursorMut` |
//! | [`kernel_module!`](crate::kernel_module) | `module!` with `author:` | `module!` with `authors: [..]` |
//!
//! What the layer does the same way on both is not here: strings are
//! [`core::ffi::CStr`] (which 7.3's `kernel::str::CStr` is), the C structs
//! it fills are zero-initialised first (7.3's only grew fields), and its
//! bindings are generated against the tree being built (`netlink.mk`).

use kernel::{prelude::*, rbtree::RBTree, types::Opaque};

#[cfg(not(any(kernel_version = "6.12", kernel_version = "7.3")))]
compile_error!("build the layer with netlink.mk's --cfg kernel_version=\"6.12\" or \"7.3\"");

#[cfg(kernel_version = "6.12")]
pub(crate) use kernel::init::pin_init_from_closure;
#[cfg(kernel_version = "7.3")]
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
    #[cfg(kernel_version = "6.12")]
    return unsafe { init.__pinned_init(slot) };
    // SAFETY: guaranteed by the caller.
    #[cfg(kernel_version = "7.3")]
    return unsafe { pin_init::raw_try_init(slot, init) };
}

/// The `T` inside the [`Opaque<T>`] at `slot`, which need not be initialised.
pub(crate) const fn opaque_ptr<T>(slot: *const Opaque<T>) -> *mut T {
    #[cfg(kernel_version = "6.12")]
    return Opaque::raw_get(slot);
    #[cfg(kernel_version = "7.3")]
    return Opaque::cast_into(slot);
}

/// A cursor over an [`RBTree`] that moves and removes: 6.12's only cursor,
/// 7.3's `CursorMut`. Both have `current()`, `current_mut()`, `move_next()`,
/// `move_prev()` and `remove_current()`.
#[cfg(kernel_version = "6.12")]
pub type RBCursorMut<'a, K, V> = kernel::rbtree::Cursor<'a, K, V>;
/// A cursor over an [`RBTree`] that moves and removes: 6.12's only cursor,
/// 7.3's `CursorMut`. Both have `current()`, `current_mut()`, `move_next()`,
/// `move_prev()` and `remove_current()`.
#[cfg(kernel_version = "7.3")]
pub type RBCursorMut<'a, K, V> = kernel::rbtree::CursorMut<'a, K, V>;

/// A cursor on the first node of `tree`, if any.
pub fn cursor_front_mut<K, V>(tree: &mut RBTree<K, V>) -> Option<RBCursorMut<'_, K, V>> {
    #[cfg(kernel_version = "6.12")]
    return tree.cursor_front();
    #[cfg(kernel_version = "7.3")]
    return tree.cursor_front_mut();
}

/// A cursor on the first node of `tree` whose key is `key` or more, if any.
pub fn cursor_lower_bound_mut<'a, K: Ord, V>(
    tree: &'a mut RBTree<K, V>,
    key: &K,
) -> Option<RBCursorMut<'a, K, V>> {
    #[cfg(kernel_version = "6.12")]
    return tree.cursor_lower_bound(key);
    #[cfg(kernel_version = "7.3")]
    return tree.cursor_lower_bound_mut(key);
}

/// Declares the kernel module: the kernel's `module!` in the syntax of Linux
/// 7.3, on every kernel the layer supports, with the fields both take; and
/// names where the crate mounts the layer.
///
/// `layer:` is the path, from the crate root, of the module the layer is
/// mounted as (`rnl` for `#[path = "rnl/mod.rs"] pub mod rnl;`, `net::rnl`
/// for one nested in `net`). The macro makes it `crate::__rnl`, a hidden
/// alias through which the layer's macros ([`attr_set!`](crate::attr_set),
/// [`module_param!`](crate::module_param), the KUnit ones) reach it, so
/// they work wherever it is mounted. Invoke it at the crate root.
///
/// 6.12's `module!` takes a single `author:`: there, `authors` must name
/// exactly one.
///
/// # Examples
///
/// ```ignore
/// #[path = "rnl/mod.rs"]
/// pub mod rnl;
///
/// crate::kernel_module! {
///     layer: rnl,
///     type: MyModule,
///     name: "my_module",
///     authors: ["Jane Doe"],
///     description: "An example",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! kernel_module {
    (@one_author $author:tt) => {};
    (@one_author $($author:tt),+) => {
        ::core::compile_error!("Linux 6.12's module! takes a single author");
    };
    (
        layer: $($layer:ident)::+,
        type: $type:ident,
        name: $name:tt,
        authors: [$($author:tt),+ $(,)?],
        description: $description:tt,
        license: $license:tt $(,)?
    ) => {
        // The layer's macros expand to paths through this alias.
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use $crate::$($layer)::+ as __rnl;

        // `tt` and `ident`, not `literal` and `ty`: `module!` parses the
        // tokens themselves, which other fragments would wrap in groups.
        #[cfg(kernel_version = "6.12")]
        $crate::kernel_module!(@one_author $($author),+);
        #[cfg(kernel_version = "6.12")]
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            author: $($author)+,
            description: $description,
            license: $license,
        }
        #[cfg(kernel_version = "7.3")]
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            authors: [$($author),+],
            description: $description,
            license: $license,
        }
    };
    (type: $($rest:tt)*) => {
        ::core::compile_error!(
            "kernel_module! needs `layer: <module>,` first: where the crate mounts the layer"
        );
    };
}
