/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers whose declarations src/netlink/ binds to. Kept to the APIs the
 * layer wraps; bindgen_parameters narrows what is generated.
 */

#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/notifier.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netlink.h>

#include "helpers.h"

/* Constants bindgen cannot see through macros. */
const gfp_t RNL_GFP_KERNEL = GFP_KERNEL;
const gfp_t RNL_GFP_ATOMIC = GFP_ATOMIC;
const gfp_t RNL_GFP_KERNEL_ACCOUNT = GFP_KERNEL_ACCOUNT;
const size_t RNL_NLMSG_GOODSIZE = NLMSG_GOODSIZE;
const size_t RNL_NLMSG_DEFAULT_SIZE = NLMSG_DEFAULT_SIZE;
const size_t RNL_GENL_HDRLEN = GENL_HDRLEN;
const unsigned int RNL_NL_VALIDATE_STRICT = NL_VALIDATE_STRICT;
const u8 RNL_GENL_MCAST_CAP_NET_ADMIN = GENL_MCAST_CAP_NET_ADMIN;
