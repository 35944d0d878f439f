// SPDX-License-Identifier: GPL-2.0

//! Module parameters.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)
//!
//! The `module!` macro of Linux 6.12 has no parameters, so this provides
//! read-only (`0444`) `u8` and `u32` parameters the way `module_param()` does: a
//! `struct kernel_param` in the `__param` section and `parm`/`parmtype`
//! entries in `.modinfo`. The loader writes the value from the insmod command
//! line before the module's init runs; the permissions forbid writes after
//! that, so reading it needs no lock.
//!
//! # Examples
//!
//! ```ignore
//! module_param!(NFNL_SUBSYS: u8 = 5, nfnl_subsys, "nfnetlink subsystem id");
//!
//! let id = NFNL_SUBSYS.get();
//! ```

use super::bindings;
use core::cell::UnsafeCell;

/// The storage of a read-only module parameter.
///
/// # Invariants
///
/// `value` is only written by the module loader while parsing the insmod
/// command line, before the module's init runs.
#[repr(transparent)]
pub struct Param<T>(UnsafeCell<T>);

// SAFETY: by the type invariant, no write can race a read: the value is
// written before init and only read after.
unsafe impl<T: Sync> Sync for Param<T> {}

impl<T: Copy> Param<T> {
    /// A parameter holding `default` unless insmod sets it.
    pub const fn new(default: T) -> Self {
        // INVARIANT: the macro that uses this only registers the parameter
        // with permissions 0444.
        Self(UnsafeCell::new(default))
    }

    /// The value.
    pub fn get(&self) -> T {
        // SAFETY: by the type invariant nothing writes the value any more.
        unsafe { *self.0.get() }
    }

    /// Where the loader writes the value.
    pub const fn as_arg(&self) -> *mut core::ffi::c_void {
        self.0.get().cast()
    }
}

/// A `struct kernel_param`, placed in `__param` by [`module_param!`](crate::module_param).
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: the loader only reads it; it points at `'static` data.
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// Describes parameter `name` stored in `arg`, parsed by `ops`.
    ///
    /// # Safety
    ///
    /// `name` must be NUL-terminated and `'static`, `arg` must point to a
    /// `'static` [`Param`] of the type `ops` parses, and `module` must be
    /// this module's `__this_module`.
    pub const unsafe fn new(
        name: &'static [u8],
        module: *const kernel::ffi::c_void,
        ops: *const bindings::kernel_param_ops,
        arg: *mut core::ffi::c_void,
    ) -> Self {
        Self(bindings::kernel_param {
            name: name.as_ptr().cast(),
            mod_: module as *mut _,
            ops,
            perm: 0o444,
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 { arg },
        })
    }
}

/// Copies a string into an array of its length, for `.modinfo` entries.
pub const fn modinfo<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    assert!(b.len() == N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// Declares a read-only module parameter.
///
/// `module_param!(STATIC: type = default, name, "description")` declares
/// `STATIC`, a [`Param`] whose value insmod sets with `name=value`. The type
/// is `u8` or `u32`.
#[macro_export]
macro_rules! module_param {
    (@ops u8) => { $crate::__rnl::bindings::param_ops_byte };
    (@ops u32) => { $crate::__rnl::bindings::param_ops_uint };
    (@type u8) => { "byte" };
    (@type u32) => { "uint" };
    ($vis:vis $static:ident : $t:ident = $default:expr, $name:ident, $desc:literal) => {
        $vis static $static: $crate::__rnl::param::Param<$t> =
            $crate::__rnl::param::Param::new($default);

        const _: () = {
            use $crate::__rnl::param::{modinfo, KernelParam};

            // The same declaration as the `module!` macro's.
            #[allow(improper_ctypes)]
            extern "C" {
                static __this_module: ::kernel::types::Opaque<::kernel::bindings::module>;
            }

            const NAME: &str = concat!(stringify!($name), "\0");
            const PARM: &str = concat!("parm=", stringify!($name), ":", $desc, "\0");
            const TYPE: &str = concat!(
                "parmtype=", stringify!($name), ":", $crate::module_param!(@type $t), "\0"
            );

            #[link_section = ".modinfo"]
            #[used]
            static PARM_INFO: [u8; PARM.len()] = modinfo(PARM);

            #[link_section = ".modinfo"]
            #[used]
            static TYPE_INFO: [u8; TYPE.len()] = modinfo(TYPE);

            #[link_section = "__param"]
            #[used]
            static KP: KernelParam =
                // SAFETY: `NAME` is NUL-terminated and static, `$static` is a
                // static `Param<$t>` and the ops parse `$t`, and
                // `__this_module` is this module's.
                unsafe {
                    KernelParam::new(
                        NAME.as_bytes(),
                        (&raw const __this_module).cast(),
                        &raw const $crate::module_param!(@ops $t),
                        $static.as_arg(),
                    )
                };
        };
    };
}
