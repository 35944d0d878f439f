// SPDX-License-Identifier: GPL-2.0

//! Attributes: typed access to validated `struct nlattr`s.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)
//!
//! An attribute set is declared once with [`attr_set!`](crate::attr_set):
//! each attribute gets a name, a type number and a [`Kind`]. The declaration
//! yields the `nla_policy` array the kernel validates against and a view type
//! whose accessors return [`Field`]s of the kind's Rust type.
//!
//! | file | what it holds |
//! | --- | --- |
//! | `table.rs` | [`Attr`] and [`Table`]: the validated attributes of a request or nest |
//! | `kind.rs` | [`Kind`] and the kinds: [`NulStr`], [`U32`], [`Nested`], ... |
//! | `field.rs` | [`Field`]: one attribute's value, `required()` and the errors against it |
//! | `set.rs` | [`Set`] and [`attr_set!`](crate::attr_set), which declares one |
//! | `buf.rs` | `Buf` and `Parsed`: streams built in memory, for KUnit tests (`CONFIG_KUNIT`) |
//!
//! # Examples
//!
//! ```ignore
//! attr_set! {
//!     /// Attributes of an echo request.
//!     pub struct EchoAttrs {
//!         /// Text to echo.
//!         msg: NulStr<255> = 1,
//!     }
//! }
//!
//! fn handle(attrs: &EchoAttrsView<'_>) -> Result {
//!     let msg: &CStr = attrs.msg().required()?;
//!     pr_info!("{}\n", msg);
//!     Ok(())
//! }
//! ```

#[cfg(CONFIG_KUNIT)]
mod buf;
mod field;
mod kind;
mod set;
mod table;

#[cfg(CONFIG_KUNIT)]
pub use self::buf::{Buf, Parsed};
pub use self::{
    field::Field,
    kind::{
        Binary, Flag, Kind, Nested, NulStr, Reject, RejectMessage, S32Range, S64Range, Str,
        U16Range, U32Range, U64Range, U8Range, S32, S64, U16, U32, U64, U8,
    },
    set::{max_type, Set},
    table::{align, total_size, Attr, Table, NLA_HDRLEN},
};
