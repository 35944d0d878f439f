// SPDX-License-Identifier: GPL-2.0

//! The value of one attribute of a request, and the errors reported
//! against it.

use super::super::extack::ExtAck;
use super::Attr;
use kernel::prelude::*;

/// The value of one attribute of a request, or its absence.
pub struct Field<'a, V> {
    value: Option<V>,
    attr: Option<&'a Attr>,
    nest: Option<&'a Attr>,
    ty: u16,
    name: &'static str,
    extack: ExtAck<'a>,
}

impl<'a, V> Field<'a, V> {
    /// The field of attribute `ty`, declared as `name`: `attr` if given
    /// (inside `nest` if the set is nested), read as `value`.
    pub(super) fn new(
        value: Option<V>,
        attr: Option<&'a Attr>,
        nest: Option<&'a Attr>,
        ty: u16,
        name: &'static str,
        extack: ExtAck<'a>,
    ) -> Self {
        Self {
            value,
            attr,
            nest,
            ty,
            name,
            extack,
        }
    }

    /// The value, if the attribute was given.
    pub fn get(self) -> Option<V> {
        self.value
    }

    /// The value, if the attribute was given, keeping the field (to report
    /// an error against it afterwards).
    pub fn value(&self) -> Option<V>
    where
        V: Copy,
    {
        self.value
    }

    /// Whether the attribute was given.
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }

    /// The value, or `EINVAL` with the attribute reported missing
    /// (`NLMSGERR_ATTR_MISS_TYPE` and a message naming it).
    pub fn required(self) -> Result<V> {
        match self.value {
            Some(v) => Ok(v),
            None => {
                self.extack.set_missing(self.ty, self.name, self.nest);
                Err(EINVAL)
            }
        }
    }

    /// The attribute itself, if given, e.g. to point an extack at it.
    pub fn attr(&self) -> Option<&'a Attr> {
        self.attr
    }

    /// The attribute's name, as declared.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Rejects the request because of this attribute: sets `msg`, prefixed
    /// with the attribute's name, and points the extack at the attribute
    /// (or reports it missing if absent). Returns `EINVAL` to return.
    pub fn invalid(&self, msg: &str) -> Error {
        self.error(EINVAL, format_args!("{msg}"))
    }

    /// As [`Field::invalid`], with error `err` and a formatted message.
    pub fn error(&self, err: Error, msg: core::fmt::Arguments<'_>) -> Error {
        match self.attr {
            Some(a) => self
                .extack
                .set_attr_msg_fmt(a, format_args!("{}: {}", self.name, msg)),
            None => self.extack.set_missing(self.ty, self.name, self.nest),
        }
        err
    }
}
