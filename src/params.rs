// SPDX-License-Identifier: GPL-2.0

//! The module's parameters, set at insmod.

use crate::uapi;

/// Rules per network namespace when the `max_rules` module parameter is not
/// given.
const DEFAULT_MAX_RULES: u32 = 65536;

crate::module_param!(
    pub(crate) NFNL_SUBSYS: u8 = uapi::nfnl::SUBSYS_ID,
    nfnl_subsys,
    "nfnetlink subsystem id, 1..12 (default 5, NFNL_SUBSYS_OSF)"
);

crate::module_param!(
    pub(crate) MAX_RULES: u32 = DEFAULT_MAX_RULES,
    max_rules,
    "rules per network namespace (default 65536)"
);
