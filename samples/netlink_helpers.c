// SPDX-License-Identifier: GPL-2.0
/*
 * The layer's C helpers, compiled once more for the samples: every module
 * that uses src/netlink links its own copy (they are not exported).
 */
#include "../src/netlink/helpers.c"
