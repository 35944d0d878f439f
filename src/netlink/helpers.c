// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line wrappers for static-inline netlink helpers; see helpers.h.
 */

#include <kunit/test-bug.h>

#include "helpers.h"

struct sk_buff *nlrs_helper_nlmsg_new(size_t payload, gfp_t flags)
{
	return nlmsg_new(payload, flags);
}

void nlrs_helper_nlmsg_free(struct sk_buff *skb)
{
	nlmsg_free(skb);
}

void nlrs_helper_nlmsg_end(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_end(skb, nlh);
}

void nlrs_helper_nlmsg_cancel(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_cancel(skb, nlh);
}

struct nlmsghdr *nlrs_helper_nlmsg_put(struct sk_buff *skb, u32 portid,
				       u32 seq, int type, int payload,
				       int flags)
{
	return nlmsg_put(skb, portid, seq, type, payload, flags);
}

/* The payload of a message, and its length, as nlmsg_len() counts it. */
const void *nlrs_helper_nlmsg_payload(const struct nlmsghdr *nlh,
				      size_t *len)
{
	*len = nlmsg_len(nlh);
	return nlmsg_data(nlh);
}

void nlrs_helper_genlmsg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

void nlrs_helper_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

int nlrs_helper_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

int nlrs_helper_genlmsg_multicast_netns(const struct genl_family *family,
					struct net *net, struct sk_buff *skb,
					u32 portid, unsigned int group,
					gfp_t flags)
{
	return genlmsg_multicast_netns(family, net, skb, portid, group, flags);
}

bool nlrs_helper_genl_has_listeners(const struct genl_family *family,
				    struct net *net, unsigned int group)
{
	return genl_has_listeners(family, net, group);
}

struct net *nlrs_helper_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

const struct genl_info *nlrs_helper_genl_info_dump(struct netlink_callback *cb)
{
	return genl_info_dump(cb);
}

void nlrs_helper_genl_dump_check_consistent(struct netlink_callback *cb,
					    void *user_hdr)
{
	genl_dump_check_consistent(cb, user_hdr);
}

void *nlrs_helper_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

struct nlattr *nlrs_helper_nla_nest_start(struct sk_buff *skb, int attrtype)
{
	return nla_nest_start(skb, attrtype);
}

int nlrs_helper_nla_nest_end(struct sk_buff *skb, struct nlattr *start)
{
	return nla_nest_end(skb, start);
}

void nlrs_helper_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

struct nlmsghdr *nlrs_helper_nfnl_msg_put(struct sk_buff *skb, u32 portid,
					  u32 seq, int type, int flags,
					  u8 family, u8 version, u16 res_id)
{
	return nfnl_msg_put(skb, portid, seq, type, flags, family, version,
			    htons(res_id));
}

u16 nlrs_helper_nfgenmsg_res_id(const struct nfgenmsg *nfmsg)
{
	return ntohs(nfmsg->res_id);
}

u32 nlrs_helper_netlink_portid(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).portid;
}

unsigned int nlrs_helper_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

/*
 * Fails the running KUnit case, if any, with a Rust fmt::Arguments message
 * (kunit_fail_current_test() with the caller's location).
 */
void nlrs_helper_kunit_fail(const char *file, int line, const void *args)
{
#if IS_ENABLED(CONFIG_KUNIT)
	if (kunit_get_current_test())
		kunit_hooks.fail_current_test(file, line, "%pA", args);
#endif
}
