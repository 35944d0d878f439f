// SPDX-License-Identifier: GPL-2.0

//! Declared attribute sets: the [`Set`] trait and the [`attr_set!`](crate::attr_set)
//! macro that implements it.

use super::super::policy::Policy;
use super::Table;

/// A declared attribute set: its policy and its typed view.
///
/// Implemented by [`attr_set!`](crate::attr_set); not meant to be implemented
/// by hand.
pub trait Set: Sized + 'static {
    /// Highest attribute type.
    const MAX: u16;
    /// The `nla_policy` array, [`table_len(MAX)`](super::super::policy::table_len)
    /// entries.
    const POLICY: &'static [Policy];
    /// Attribute names by type, for tests.
    #[cfg(CONFIG_KUNIT)]
    const NAMES: &'static [(u16, &'static str)];
    /// The typed view of a validated instance.
    type View<'a>;
    /// Wraps a validated table.
    fn view(table: Table<'_>) -> Self::View<'_>;

    /// The name of attribute type `ty`.
    #[cfg(CONFIG_KUNIT)]
    fn name(ty: u16) -> Option<&'static str> {
        Self::NAMES.iter().find(|(t, _)| *t == ty).map(|(_, n)| *n)
    }
}

/// The highest of a list of attribute types; used by [`attr_set!`](crate::attr_set).
pub const fn max_type(types: &[u16]) -> u16 {
    let mut m = 0;
    let mut i = 0;
    while i < types.len() {
        if types[i] > m {
            m = types[i];
        }
        i += 1;
    }
    m
}

/// Declares an attribute set: its policy and a typed view of it.
///
/// Each line names an attribute, its [`Kind`](super::Kind) and its type
/// number; the generated view has one accessor per attribute returning a
/// [`Field`](super::Field), and a constant per attribute (its name in upper
/// case) holding the number.
///
/// The expansion reaches the layer through `crate::__rnl`, the alias
/// [`kernel_module!`](crate::kernel_module)'s `layer:` sets up, wherever the
/// layer is mounted.
///
/// # Examples
///
/// ```ignore
/// crate::attr_set! {
///     /// Attributes of an echo request.
///     pub(crate) struct EchoAttrs {
///         /// Text to echo.
///         msg: NulStr<255> = 1,
///     }
/// }
/// ```
#[macro_export]
macro_rules! attr_set {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ty = $ty:expr ),* $(,)?
        }
    ) => {
        ::kernel::macros::paste! {
            $(#[$meta])*
            ///
            /// The set's policy; [`Self::View`](crate::__rnl::attr::Set::View)
            /// reads a validated instance.
            $vis struct $name;

            #[doc = concat!("A validated instance of [`", stringify!($name), "`].")]
            $vis struct [<$name View>]<'a>($crate::__rnl::attr::Table<'a>);

            #[allow(dead_code)]
            impl $name {
                $(
                    #[doc = concat!("Type number of `", stringify!($field), "`.")]
                    $vis const [<$field:upper>]: u16 = $ty;
                )*
            }

            #[allow(dead_code)]
            impl<'a> [<$name View>]<'a> {
                $(
                    $(#[$fmeta])*
                    $vis fn $field(&self) -> $crate::__rnl::attr::Field<'a,
                        <$kind as $crate::__rnl::attr::Kind>::Value<'a>> {
                        self.0.field::<$kind>($ty, stringify!($field))
                    }
                )*

                /// The request's extack, to report errors against.
                $vis fn extack(&self) -> $crate::__rnl::extack::ExtAck<'a> {
                    self.0.extack()
                }
            }

            const [<__ $name:upper _MAX>]: u16 =
                $crate::__rnl::attr::max_type(&[$($ty),*]);

            impl $crate::__rnl::attr::Set for $name {
                const MAX: u16 = [<__ $name:upper _MAX>];
                const POLICY: &'static [$crate::__rnl::policy::Policy] =
                    &$crate::__rnl::policy::table::<
                        { $crate::__rnl::policy::table_len([<__ $name:upper _MAX>]) }
                    >(&[$(($ty, <$kind as $crate::__rnl::attr::Kind>::POLICY)),*]);
                #[cfg(CONFIG_KUNIT)]
                const NAMES: &'static [(u16, &'static str)] =
                    &[$(($ty, stringify!($field))),*];
                type View<'a> = [<$name View>]<'a>;
                fn view(table: $crate::__rnl::attr::Table<'_>) -> Self::View<'_> {
                    [<$name View>](table)
                }
            }
        }
    };
}
