// SPDX-License-Identifier: GPL-2.0

//! The attribute sets of both planes, each declared once: the policy the
//! kernel validates against and the typed view handlers read come from here.

use crate::{
    attr_set,
    netlink::attr::NulStr,
    uapi::{genl, nfnl},
};

attr_set! {
    /// Attributes of an `ECHO` request (generic netlink).
    pub(crate) struct EchoAttrs {
        /// The text to echo.
        msg: NulStr<{ genl::attr::MSG_MAX_LEN }> = genl::attr::MSG,
    }
}

attr_set! {
    /// Attributes of a `STATS_GET` request: none.
    pub(crate) struct StatsGetAttrs {}
}

attr_set! {
    /// Attributes of an nfnetlink `ECHO` message.
    pub(crate) struct NfEchoAttrs {
        /// The text to echo.
        msg: NulStr<{ nfnl::attr::MSG_MAX_LEN }> = nfnl::attr::MSG,
    }
}
