// SPDX-License-Identifier: GPL-2.0

//! A family's multicast groups, as a type.
//!
//! A family names its groups with a type implementing [`Groups`], usually an
//! enum that [`genl_groups!`](crate::genl_groups) declares together with
//! the groups' table: each variant is one group and its index is its place
//! in the table, so notifications cannot name a group of another family
//! or an index the table does not have, and the order cannot drift.

use super::family::McGroup;

/// The multicast groups of a family.
pub trait Groups: Copy + 'static {
    /// The groups the family registers, in index order.
    const ALL: &'static [McGroup];

    /// The group's index in [`Groups::ALL`].
    fn index(self) -> u32;
}

/// No multicast groups.
#[derive(Clone, Copy, Debug)]
pub enum NoGroups {}

impl Groups for NoGroups {
    const ALL: &'static [McGroup] = &[];

    fn index(self) -> u32 {
        match self {}
    }
}

/// Declares a family's multicast groups: an enum with a variant per group
/// and its [`Groups`] implementation, whose table lists the groups in the
/// variants' order.
///
/// # Examples
///
/// ```ignore
/// genl_groups! {
///     /// The groups of the example family.
///     pub(crate) enum ExampleGroups {
///         /// Anyone may listen.
///         Events = McGroup::new(c"events"),
///         /// `CAP_NET_ADMIN` only.
///         Alerts = McGroup::admin(c"alerts"),
///     }
/// }
///
/// impl Family for Example {
///     type Groups = ExampleGroups;
///     // ...
/// }
///
/// req.notify(ExampleGroups::Events, CMD_EVENT, |w| w.put_u32(ATTR_ID, 1))?;
/// ```
#[macro_export]
macro_rules! genl_groups {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $group:expr
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(u32)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
        }

        impl $crate::__rnl::genl::Groups for $name {
            const ALL: &'static [$crate::__rnl::genl::McGroup] = &[$($group),+];

            fn index(self) -> u32 {
                self as u32
            }
        }
    };
}
