/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out-of-line wrappers for the static inlines and macros of the netlink,
 * netfilter, sk_buff, per-CPU, RCU, mutex and KUnit APIs that the Rust
 * layer needs (helpers.c gives the reason for each). Re-implementing them
 * in Rust would copy their knowledge of struct sk_buff and of message
 * layout; wrapping keeps the kernel's own code in charge, as rust/helpers/
 * does for the kernel crate. These symbols are not exported: each module
 * links its own copy.
 */
#ifndef RNL_NETLINK_HELPERS_H
#define RNL_NETLINK_HELPERS_H

#include <linux/netfilter/nfnetlink.h>
#include <linux/percpu.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>
#include <net/netlink.h>

void rnl_helper_nlmsg_free(struct sk_buff *skb);
void rnl_helper_nlmsg_cancel(struct sk_buff *skb, struct nlmsghdr *nlh);
struct nlmsghdr *rnl_helper_nlmsg_put(struct sk_buff *skb, u32 portid,
				      u32 seq, int type, int payload,
				      int flags);

int rnl_helper_genlmsg_reply(struct sk_buff *skb, struct genl_info *info);
int rnl_helper_genlmsg_multicast_netns(const struct genl_family *family,
				       struct net *net, struct sk_buff *skb,
				       u32 portid, unsigned int group,
				       gfp_t flags);
bool rnl_helper_genl_has_listeners(const struct genl_family *family,
				   struct net *net, unsigned int group);
const struct genl_info *rnl_helper_genl_info_dump(struct netlink_callback *cb);
void *rnl_helper_net_generic(const struct net *net, unsigned int id);

void rnl_helper_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start);

void rnl_helper_mutex_init(struct mutex *lock);
void rnl_helper_mutex_lock(struct mutex *lock);
void rnl_helper_mutex_destroy(struct mutex *lock);
u32 rnl_helper_netlink_portid(const struct sk_buff *skb);

/* A packet as a hook reads it: rnl_helper_skb_view(). */
struct rnl_skb_view {
	/* The network header, in the linear data. */
	const void *network;
	/* Its offset from skb->data. */
	int network_offset;
	/* skb->len. */
	unsigned int len;
	/* The linear bytes from the network header on. */
	unsigned int linear;
};

void rnl_helper_skb_view(const struct sk_buff *skb, struct rnl_skb_view *view);

void __percpu *rnl_helper_alloc_percpu(size_t size, size_t align, gfp_t gfp);
void rnl_helper_this_cpu_add_u64(u64 __percpu *c, const u64 *v, unsigned int n);

void rnl_helper_rcu_read_lock(void);
void rnl_helper_rcu_read_unlock(void);

void *rnl_helper_skb_network_header_pointer(const struct sk_buff *skb,
					    int offset, int len, void *buffer);

void rnl_helper_kunit_fail(const char *file, int line, const void *args);

#endif /* RNL_NETLINK_HELPERS_H */
