// SPDX-License-Identifier: GPL-2.0
/*
 * What the Rust layer cannot express on Linux 6.12 and 7.3: static inline
 * functions and macros of the netlink, netfilter, per-CPU, RCU, mutex and
 * KUnit APIs, each wrapped out of line (and the reason given above it), as
 * rust/helpers/ does for the kernel crate; see helpers.h. Exported
 * functions are called from Rust directly.
 */

#include <kunit/test-bug.h>

#include "helpers.h"

/*
 * With CONFIG_RUST_INLINE_HELPERS, netlink.mk also compiles this file to
 * bitcode (RNL_INLINE_HELPERS) and links it into the module's Rust objects.
 * LLVM then refuses to inline C into Rust for attribute differences that do
 * not matter here (null-pointer checks, builtins, target strings; see
 * rust/helpers/helpers.c), unless the helper is __always_inline. helpers.h
 * declares every helper without inline, so each definition stays an
 * external one too.
 */
#ifdef RNL_INLINE_HELPERS
#define __rnl_helper __always_inline
#else
#define __rnl_helper
#endif

/* Static inline: kfree_skb(), whose out-of-line target differs by kernel. */
__rnl_helper void rnl_helper_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

/* Static inline: trims the message off the skb (skb_trim()). */
__rnl_helper void rnl_helper_nlmsg_cancel(struct sk_buff *skb,
					  struct nlmsghdr *nlh)
{
	nlmsg_cancel(skb, nlh);
}

/* Static inline: the tailroom check before the exported __nlmsg_put(). */
__rnl_helper struct nlmsghdr *rnl_helper_nlmsg_put(struct sk_buff *skb,
						   u32 portid, u32 seq,
						   int type, int payload,
						   int flags)
{
	return nlmsg_put(skb, portid, seq, type, payload, flags);
}

/* Static inline: unicast on the request namespace's genl socket. */
__rnl_helper int rnl_helper_genlmsg_reply(struct sk_buff *skb,
					  struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

/* Static inline: checks the group and offsets it by the family's first. */
__rnl_helper int
rnl_helper_genlmsg_multicast_netns(const struct genl_family *family,
				   struct net *net, struct sk_buff *skb,
				   u32 portid, unsigned int group, gfp_t flags)
{
	return genlmsg_multicast_netns(family, net, skb, portid, group, flags);
}

/* Static inline: the group's offset and the listener bits it tests. */
__rnl_helper bool
rnl_helper_genl_has_listeners(const struct genl_family *family, struct net *net,
			      unsigned int group)
{
	return genl_has_listeners(family, net, group);
}

/* Static inline: the core's genl_dumpit_info in the callback's data. */
__rnl_helper const struct genl_info *
rnl_helper_genl_info_dump(struct netlink_callback *cb)
{
	return genl_info_dump(cb);
}

/* Static inline: rcu_dereference() of the namespace's generic array. */
__rnl_helper void *rnl_helper_net_generic(const struct net *net,
					  unsigned int id)
{
	return net_generic(net, id);
}

/* Static inline: nlmsg_trim() back to the nest's start. */
__rnl_helper void rnl_helper_nla_nest_cancel(struct sk_buff *skb,
					     struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

/* A macro with a static lock class key: one class for every BatchLock. */
__rnl_helper void rnl_helper_mutex_init(struct mutex *lock)
{
	mutex_init(lock);
}

/* A macro (mutex_lock_nested()) when lockdep is on. */
__rnl_helper void rnl_helper_mutex_lock(struct mutex *lock)
{
	mutex_lock(lock);
}

/* A function with CONFIG_DEBUG_MUTEXES, an empty static inline without. */
__rnl_helper void rnl_helper_mutex_destroy(struct mutex *lock)
{
	mutex_destroy(lock);
}

/* NETLINK_CB() is a macro over skb->cb. */
__rnl_helper u32 rnl_helper_netlink_portid(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).portid;
}

/*
 * struct sk_buff is opaque to the layer's bindings (the kernel's layout),
 * and skb_network_header(), skb_network_offset() and skb_headlen() are
 * static inlines of skbuff.h: what a hook reads of a packet, in one call.
 */
__rnl_helper void rnl_helper_skb_view(const struct sk_buff *skb,
				      struct rnl_skb_view *view)
{
	int off = skb_network_offset(skb);
	unsigned int head = skb_headlen(skb);

	view->network = skb_network_header(skb);
	view->network_offset = off;
	view->len = skb->len;
	view->linear = off >= 0 && head > (unsigned int)off ? head - off : 0;
}

/* __alloc_percpu_gfp() is a macro (it tags the allocation for profiling). */
__rnl_helper void __percpu *rnl_helper_alloc_percpu(size_t size, size_t align,
						    gfp_t gfp)
{
	return __alloc_percpu_gfp(size, align, gfp);
}

/*
 * this_cpu_add() is a macro (one instruction on x86, interrupt-safe
 * everywhere): adds v[i] to the running CPU's c[i], as nft_counter_do_eval()
 * does without the seqcount (64-bit only). One call for a set of counters.
 */
__rnl_helper void rnl_helper_this_cpu_add_u64(u64 __percpu *c, const u64 *v,
					      unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		this_cpu_add(c[i], v[i]);
}

/* Static inline: lockdep and the preemption model's read-side entry. */
__rnl_helper void rnl_helper_rcu_read_lock(void)
{
	rcu_read_lock();
}

/* Static inline: the matching exit. */
__rnl_helper void rnl_helper_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/*
 * skb_header_pointer() and skb_network_offset() are static inlines of
 * skbuff.h: one call per read, offsets counted from the network header.
 */
__rnl_helper void *
rnl_helper_skb_network_header_pointer(const struct sk_buff *skb, int offset,
				      int len, void *buffer)
{
	return skb_header_pointer(skb, skb_network_offset(skb) + offset, len,
				  buffer);
}

/*
 * Fails the running KUnit case, if any, with a Rust fmt::Arguments message
 * (kunit_fail_current_test() with the caller's location): a variadic call,
 * with %pA, which Rust cannot make.
 */
__rnl_helper void rnl_helper_kunit_fail(const char *file, int line,
					const void *args)
{
#if IS_ENABLED(CONFIG_KUNIT)
	if (kunit_get_current_test())
		kunit_hooks.fail_current_test(file, line, "%pA", args);
#endif
}
