// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for static-inline netlink helpers; see helpers.h.
 */

#include <kunit/test-bug.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "helpers.h"

void rnl_helper_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

void rnl_helper_nlmsg_cancel(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_cancel(skb, nlh);
}

struct nlmsghdr *rnl_helper_nlmsg_put(struct sk_buff *skb, u32 portid,
				      u32 seq, int type, int payload,
				      int flags)
{
	return nlmsg_put(skb, portid, seq, type, payload, flags);
}

void rnl_helper_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

int rnl_helper_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

int rnl_helper_genlmsg_multicast_netns(const struct genl_family *family,
				       struct net *net, struct sk_buff *skb,
				       u32 portid, unsigned int group,
				       gfp_t flags)
{
	return genlmsg_multicast_netns(family, net, skb, portid, group, flags);
}

bool rnl_helper_genl_has_listeners(const struct genl_family *family,
				   struct net *net, unsigned int group)
{
	return genl_has_listeners(family, net, group);
}

const struct genl_info *rnl_helper_genl_info_dump(struct netlink_callback *cb)
{
	return genl_info_dump(cb);
}

void *rnl_helper_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

void rnl_helper_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

struct nlmsghdr *rnl_helper_nfnl_msg_put(struct sk_buff *skb, u32 portid,
					 u32 seq, int type, int flags,
					 u8 family, u8 version, u16 res_id)
{
	return nfnl_msg_put(skb, portid, seq, type, flags, family, version,
			    htons(res_id));
}

/* Ends a multi-part reply, as netlink_dump_done() does. */
bool rnl_helper_nlmsg_done(struct sk_buff *skb, u32 portid, u32 seq)
{
	struct nlmsghdr *nlh;
	int done = 0;

	nlh = nlmsg_put(skb, portid, seq, NLMSG_DONE, sizeof(done), NLM_F_MULTI);
	if (!nlh)
		return false;
	memcpy(nlmsg_data(nlh), &done, sizeof(done));
	return true;
}

/* One lock class for every BatchLock of the module. */
void rnl_helper_mutex_init(struct mutex *lock)
{
	mutex_init(lock);
}

void rnl_helper_mutex_lock(struct mutex *lock)
{
	mutex_lock(lock);
}

void rnl_helper_mutex_unlock(struct mutex *lock)
{
	mutex_unlock(lock);
}

void rnl_helper_mutex_destroy(struct mutex *lock)
{
	mutex_destroy(lock);
}

u16 rnl_helper_nfgenmsg_res_id(const struct nfgenmsg *nfmsg)
{
	return ntohs(nfmsg->res_id);
}

u32 rnl_helper_netlink_portid(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).portid;
}

unsigned int rnl_helper_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

/* __alloc_percpu_gfp() is a macro (it tags the allocation for profiling). */
void __percpu *rnl_helper_alloc_percpu(size_t size, size_t align, gfp_t gfp)
{
	return __alloc_percpu_gfp(size, align, gfp);
}

/*
 * this_cpu_add() is a macro (one instruction on x86, interrupt-safe
 * everywhere): adds v[i] to the running CPU's c[i], as nft_counter_do_eval()
 * does without the seqcount (64-bit only). One call for a set of counters.
 */
void rnl_helper_this_cpu_add_u64(u64 __percpu *c, const u64 *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		this_cpu_add(c[i], v[i]);
}

void rnl_helper_rcu_read_lock(void)
{
	rcu_read_lock();
}

void rnl_helper_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

static bool rnl_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP;
}

/*
 * Fills @flow from the headers of @skb, whose network header is set (as at
 * NF_INET_LOCAL_IN and NF_INET_LOCAL_OUT), the way nft_set_pktinfo_ipv4()
 * and nft_set_pktinfo_ipv6() read them. Returns 0, or -EINVAL for a packet
 * too short to hold what its headers claim. Never sleeps.
 */
int rnl_helper_flow_parse(struct sk_buff *skb, u8 pf, struct rnl_flow *flow)
{
	unsigned int thoff;
	bool first = true;
	__be16 _port, *port;

	memset(flow, 0, sizeof(*flow));
	flow->family = pf;
	if (pf == NFPROTO_IPV4) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, skb_network_offset(skb),
					 sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return -EINVAL;
		flow->proto = iph->protocol;
		memcpy(flow->src, &iph->saddr, 4);
		memcpy(flow->dst, &iph->daddr, 4);
		thoff = skb_network_offset(skb) + iph->ihl * 4;
		first = !(ntohs(iph->frag_off) & IP_OFFSET);
	} else if (pf == NFPROTO_IPV6) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		unsigned short frag = 0;
		int proto;

		ip6h = skb_header_pointer(skb, skb_network_offset(skb),
					  sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return -EINVAL;
		memcpy(flow->src, &ip6h->saddr, 16);
		memcpy(flow->dst, &ip6h->daddr, 16);
		thoff = 0;
		proto = ipv6_find_hdr(skb, &thoff, -1, &frag, NULL);
		if (proto < 0)
			return -EINVAL;
		flow->proto = proto;
		first = !frag;
	} else {
		return -EINVAL;
	}

	if (!first || !rnl_proto_has_ports(flow->proto))
		return 0;
	/* Every protocol with ports puts the destination port at offset 2. */
	port = skb_header_pointer(skb, thoff + 2, sizeof(_port), &_port);
	if (port) {
		flow->has_dport = true;
		flow->dport = ntohs(*port);
	}
	return 0;
}

/*
 * Fails the running KUnit case, if any, with a Rust fmt::Arguments message
 * (kunit_fail_current_test() with the caller's location).
 */
void rnl_helper_kunit_fail(const char *file, int line, const void *args)
{
#if IS_ENABLED(CONFIG_KUNIT)
	if (kunit_get_current_test())
		kunit_hooks.fail_current_test(file, line, "%pA", args);
#endif
}
