// SPDX-License-Identifier: GPL-2.0

//! In-place initialisation of C objects.

use super::compat::{opaque_ptr, pin_init_from_closure};
use kernel::{prelude::*, types::Opaque};

/// Initialises an [`Opaque<T>`] in place with `f`, which may fail.
///
/// Linux 6.12's [`Opaque::ffi_init`] is infallible; registrations need the
/// error of the C call that ends their initialisation.
pub(crate) fn try_ffi_init<T>(f: impl FnOnce(*mut T) -> Result) -> impl PinInit<Opaque<T>, Error> {
    // SAFETY: `Opaque<T>` may hold an uninitialised or partly initialised
    // `T`, so the slot is valid whatever `f` wrote, on success or failure;
    // `f` only writes through the pointer and does not move the slot.
    unsafe { pin_init_from_closure(move |slot: *mut Opaque<T>| f(opaque_ptr(slot))) }
}
