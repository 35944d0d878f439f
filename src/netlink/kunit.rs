// SPDX-License-Identifier: GPL-2.0

//! KUnit suites written in Rust, for Linux 6.12.
//!
//! C header: [`include/kunit/test.h`](srctree/include/kunit/test.h)
//!
//! Linux 6.12 has no `#[kunit_tests]`. [`kunit_suite!`](crate::kunit_suite)
//! builds the `kunit_case` array and the `kunit_suite` statically and puts a
//! pointer to the suite in the `.kunit_test_suites` section, where the module
//! loader finds it and runs it at insmod, printing KTAP to the kernel log.
//!
//! The module exists only with `CONFIG_KUNIT`, as the tests that use it do
//! (`#[cfg(CONFIG_KUNIT)] mod tests;`).
//!
//! Cases are plain `fn()`s. [`kunit_expect!`](crate::kunit_expect) and
//! [`kunit_expect_eq!`](crate::kunit_expect_eq) mark the running case failed
//! and log where and why, without stopping it (`KUNIT_EXPECT_*` semantics).
//!
//! # Examples
//!
//! ```ignore
//! fn adds() {
//!     kunit_expect_eq!(1 + 1, 2);
//! }
//!
//! kunit_suite!(my_math, "my_math", [adds]);
//! ```

use super::bindings;
use core::{ffi::c_void, fmt};

/// Marks the running KUnit case failed and logs `args` with the location.
///
/// Does nothing outside a KUnit case. `file` must end with a NUL.
pub fn fail(file: &'static str, line: u32, args: fmt::Arguments<'_>) {
    let file = if file.ends_with('\0') { file } else { "?\0" };
    // SAFETY: `file` is NUL-terminated; the helper formats `args` with
    // `%pA`, which takes a pointer to `fmt::Arguments` that outlives the
    // call. The helper checks for a running test itself.
    unsafe {
        bindings::rnl_helper_kunit_fail(
            file.as_ptr().cast(),
            line as i32,
            &args as *const fmt::Arguments<'_> as *const c_void,
        )
    };
}

/// A test case entry: a `struct kunit_case`.
#[repr(transparent)]
pub struct Case(bindings::kunit_case);

impl Case {
    /// The case `name` run by `run`.
    ///
    /// # Safety
    ///
    /// `name` must be NUL-terminated and `'static`.
    pub const unsafe fn new(
        name: &'static str,
        run: unsafe extern "C" fn(*mut bindings::kunit),
    ) -> Self {
        // SAFETY: all zeroes is a valid `kunit_case` (no parameters, default
        // attributes); the fields KUnit needs are set below.
        let mut c: bindings::kunit_case = unsafe { core::mem::zeroed() };
        c.run_case = Some(run);
        c.name = name.as_ptr().cast();
        Self(c)
    }

    /// The terminating all-zero entry.
    pub const END: Self = {
        // SAFETY: the all-zero entry ends a case array.
        Self(unsafe { core::mem::zeroed() })
    };
}

/// A test suite: a `struct kunit_suite`.
#[repr(transparent)]
pub struct Suite(bindings::kunit_suite);

impl Suite {
    /// The suite `name` running `cases`.
    ///
    /// # Safety
    ///
    /// `cases` must point to a `'static` array of [`Case`]s ending with
    /// [`Case::END`], which only KUnit touches.
    pub const unsafe fn new(name: &str, cases: *mut Case) -> Self {
        // SAFETY: all zeroes is a valid `kunit_suite` with no hooks.
        let mut s: bindings::kunit_suite = unsafe { core::mem::zeroed() };
        let b = name.as_bytes();
        assert!(b.len() < s.name.len(), "suite name too long");
        let mut i = 0;
        while i < b.len() {
            s.name[i] = b[i] as kernel::ffi::c_char;
            i += 1;
        }
        s.test_cases = cases.cast();
        Self(s)
    }
}

/// A pointer to a suite, as stored in `.kunit_test_suites`.
#[repr(transparent)]
pub struct SuiteEntry(pub *mut Suite);

// SAFETY: the entry is only read, by the module loader.
unsafe impl Sync for SuiteEntry {}

/// Declares a KUnit suite `name` from case functions and registers it.
#[macro_export]
macro_rules! kunit_suite {
    ($suite:ident, $name:literal, [$($case:ident),+ $(,)?]) => {
        #[allow(non_snake_case)]
        mod $suite {
            use $crate::__rnl::kunit::{Case, Suite, SuiteEntry};

            ::kernel::macros::paste! {
                $(
                    /// # Safety
                    ///
                    /// Only KUnit calls this, in a case thread.
                    unsafe extern "C" fn [<run_ $case>](
                        _test: *mut $crate::__rnl::kunit::RawKunit,
                    ) {
                        super::$case()
                    }
                )+

                static mut CASES: [Case; [$(stringify!($case)),+].len() + 1] = [
                    $(
                        // SAFETY: the name is a NUL-terminated literal.
                        unsafe { Case::new(concat!(stringify!($case), "\0"), [<run_ $case>]) },
                    )+
                    Case::END,
                ];
            }

            // SAFETY: `CASES` is a static case array ending with `Case::END`
            // that only KUnit touches.
            static mut SUITE: Suite = unsafe { Suite::new($name, &raw mut CASES as *mut Case) };

            #[used(compiler)]
            #[link_section = ".kunit_test_suites"]
            static ENTRY: SuiteEntry = SuiteEntry(&raw mut SUITE);
        }
    };
}

/// The C `struct kunit`, opaque to Rust cases.
pub type RawKunit = bindings::kunit;

/// Expects a condition to hold; otherwise fails the running KUnit case.
#[macro_export]
macro_rules! kunit_expect {
    ($cond:expr $(,)?) => {
        if !$cond {
            $crate::__rnl::kunit::fail(
                concat!(file!(), "\0"),
                line!(),
                format_args!("EXPECTATION FAILED: {}", stringify!($cond)),
            );
        }
    };
}

/// Expects two values to be equal; otherwise fails the running KUnit case,
/// logging both.
#[macro_export]
macro_rules! kunit_expect_eq {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (l, r) => {
                if !(*l == *r) {
                    $crate::__rnl::kunit::fail(
                        concat!(file!(), "\0"),
                        line!(),
                        format_args!(
                            "EXPECTATION FAILED: {} == {}: {:?} != {:?}",
                            stringify!($left),
                            stringify!($right),
                            l,
                            r
                        ),
                    );
                }
            }
        }
    };
}
