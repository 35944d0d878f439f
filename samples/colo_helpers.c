// SPDX-License-Identifier: GPL-2.0
/*
 * The layer's C helpers for rust_nfnl_colo. Each module links its own copy
 * (they are not exported), and an object can belong to one module only.
 */
#include "../src/netlink/helpers.c"
