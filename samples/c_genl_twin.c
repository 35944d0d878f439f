// SPDX-License-Identifier: GPL-2.0
/*
 * nlrs_c: the C twin of the nlrs family, for the benchmarks.
 *
 * The same ECHO operation (MSG, a NUL-terminated string of at most 4095
 * bytes, echoed back, and an ECHO_NTF to the "events" group when it has
 * listeners) and the same rule dump (RULE_ID, RULE_NAME, RULE_MATCH with
 * PROTO, DPORT_LO and DPORT_HI, RULE_COUNTERS with PACKETS and BYTES),
 * with the numbers of Documentation/netlink/specs/nlrs.yaml, written the
 * way a C family would be.
 * The rules are made at load time: rule i (1 <= i <= rules) is named
 * "r<i>" and matches UDP destination port i % 65536, as
 * "add id <i> name r<i> proto udp dport <port>" makes them in nlrs.
 *
 * They are kept as nlrs keeps them, so that the benchmarks compare the code
 * and not the data structures: an rb-tree by id, each rule with per-CPU
 * counters summed when it is reported, and a dump that resumes at the
 * first id after the last one sent.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

enum {
	TWIN_CMD_ECHO = 1,
	TWIN_CMD_ECHO_NTF = 2,
	TWIN_CMD_RULE_GET = 6,
};

enum {
	TWIN_A_MSG = 1,
	TWIN_A_RULE_ID = 6,
	TWIN_A_RULE_NAME = 7,
	TWIN_A_RULE_MATCH = 8,
	TWIN_A_RULE_COUNTERS = 10,
	TWIN_A_MAX = TWIN_A_RULE_COUNTERS,
};

enum {
	TWIN_MATCH_PROTO = 1,
	TWIN_MATCH_DPORT_LO = 8,
	TWIN_MATCH_DPORT_HI = 9,
};

enum {
	TWIN_COUNTERS_PACKETS = 1,
	TWIN_COUNTERS_BYTES = 2,
};

struct twin_count {
	u64 packets;
	u64 bytes;
};

struct twin_rule {
	struct rb_node node;
	u32 id;
	u16 dport_lo;
	u16 dport_hi;
	u8 proto;
	char name[32];
	struct twin_count __percpu *count;
};

static unsigned int rules;
module_param(rules, uint, 0444);
MODULE_PARM_DESC(rules, "synthetic rules to dump (default 0)");

static struct rb_root twin_rules = RB_ROOT;
static DEFINE_MUTEX(twin_lock);

static const struct nla_policy twin_echo_policy[TWIN_A_MSG + 1] = {
	[TWIN_A_MSG] = { .type = NLA_NUL_STRING, .len = 4095 },
};

static struct genl_family twin_family;

static const struct genl_multicast_group twin_mcgrps[] = {
	{ .name = "events" },
};

static int twin_echo(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	size_t len, size;
	const char *msg;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, TWIN_A_MSG))
		return -EINVAL;
	msg = nla_data(info->attrs[TWIN_A_MSG]);
	/* The policy checked for a NUL; the string ends at the first one. */
	len = strlen(msg) + 1;
	/* Up to 4 KiB: more than a default-size message holds. */
	size = nla_total_size(len);

	reply = genlmsg_new(size, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &twin_family, 0, TWIN_CMD_ECHO);
	if (!hdr || nla_put(reply, TWIN_A_MSG, len, msg)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	genlmsg_reply(reply, info);

	if (genl_has_listeners(&twin_family, genl_info_net(info), 0)) {
		struct sk_buff *ntf = genlmsg_new(size, GFP_KERNEL);

		if (!ntf)
			return 0;
		hdr = genlmsg_put(ntf, 0, 0, &twin_family, 0, TWIN_CMD_ECHO_NTF);
		if (!hdr || nla_put(ntf, TWIN_A_MSG, len, msg)) {
			nlmsg_free(ntf);
			return 0;
		}
		genlmsg_end(ntf, hdr);
		genlmsg_multicast_netns(&twin_family, genl_info_net(info), ntf,
					0, 0, GFP_KERNEL);
	}
	return 0;
}

/* The first rule with an id of @id or more, or NULL. */
static struct twin_rule *twin_first_from(u32 id)
{
	struct rb_node *n = twin_rules.rb_node;
	struct twin_rule *found = NULL;

	while (n) {
		struct twin_rule *r = rb_entry(n, struct twin_rule, node);

		if (r->id < id) {
			n = n->rb_right;
		} else {
			found = r;
			n = n->rb_left;
		}
	}
	return found;
}

static int twin_put_rule(struct sk_buff *skb, const struct twin_rule *r)
{
	u64 packets = 0, bytes = 0;
	struct nlattr *nest;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct twin_count *c = per_cpu_ptr(r->count, cpu);

		packets += READ_ONCE(c->packets);
		bytes += READ_ONCE(c->bytes);
	}

	if (nla_put_u32(skb, TWIN_A_RULE_ID, r->id) ||
	    nla_put_string(skb, TWIN_A_RULE_NAME, r->name))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TWIN_A_RULE_MATCH);
	if (!nest || nla_put_u8(skb, TWIN_MATCH_PROTO, r->proto) ||
	    nla_put_u16(skb, TWIN_MATCH_DPORT_LO, r->dport_lo) ||
	    nla_put_u16(skb, TWIN_MATCH_DPORT_HI, r->dport_hi))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	nest = nla_nest_start(skb, TWIN_A_RULE_COUNTERS);
	if (!nest ||
	    nla_put(skb, TWIN_COUNTERS_PACKETS, sizeof(u64), &packets) ||
	    nla_put(skb, TWIN_COUNTERS_BYTES, sizeof(u64), &bytes))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int twin_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twin_rule *r;
	int err = 0;

	/* args[0]: the lowest id not sent yet (ids are u32, so it cannot wrap). */
	if (cb->args[0] > U32_MAX)
		return 0;
	mutex_lock(&twin_lock);
	/* The rules never change; nlrs flags parts after a change. */
	cb->seq = 1;
	for (r = twin_first_from(cb->args[0]); r;
	     r = rb_entry_safe(rb_next(&r->node), struct twin_rule, node)) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, &twin_family,
					NLM_F_MULTI, TWIN_CMD_RULE_GET);

		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (twin_put_rule(skb, r)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = (unsigned long)r->id + 1;
	}
	mutex_unlock(&twin_lock);
	/* A full buffer with entries in it means "more to come". */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static const struct genl_split_ops twin_ops[] = {
	{
		.cmd = TWIN_CMD_ECHO,
		.doit = twin_echo,
		.policy = twin_echo_policy,
		.maxattr = TWIN_A_MSG,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = TWIN_CMD_RULE_GET,
		.dumpit = twin_dump,
		.flags = GENL_CMD_CAP_DUMP,
	},
};

static struct genl_family twin_family = {
	.name = "nlrs_c",
	.version = 1,
	.netnsok = true,
	.module = THIS_MODULE,
	.split_ops = twin_ops,
	.n_split_ops = ARRAY_SIZE(twin_ops),
	.mcgrps = twin_mcgrps,
	.n_mcgrps = ARRAY_SIZE(twin_mcgrps),
};

static void twin_free_rules(void)
{
	struct twin_rule *r, *next;

	rbtree_postorder_for_each_entry_safe(r, next, &twin_rules, node) {
		free_percpu(r->count);
		kfree(r);
	}
	twin_rules = RB_ROOT;
}

/* Rule @id, as nlrs makes it from "add id <id> name r<id> proto udp dport <id % 65536>". */
static int twin_add_rule(u32 id)
{
	struct rb_node **link = &twin_rules.rb_node, *parent = NULL;
	struct twin_rule *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	r->count = alloc_percpu(struct twin_count);
	if (!r->count) {
		kfree(r);
		return -ENOMEM;
	}
	r->id = id;
	r->proto = IPPROTO_UDP;
	r->dport_lo = id % 65536;
	r->dport_hi = r->dport_lo;
	snprintf(r->name, sizeof(r->name), "r%u", id);

	while (*link) {
		parent = *link;
		if (id < rb_entry(parent, struct twin_rule, node)->id)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&r->node, parent, link);
	rb_insert_color(&r->node, &twin_rules);
	return 0;
}

static int __init twin_init(void)
{
	unsigned int i;
	int err;

	for (i = 1; i <= rules; i++) {
		err = twin_add_rule(i);
		if (err)
			goto out_free;
	}
	err = genl_register_family(&twin_family);
	if (!err)
		return 0;
out_free:
	twin_free_rules();
	return err;
}

static void __exit twin_exit(void)
{
	genl_unregister_family(&twin_family);
	twin_free_rules();
}

module_init(twin_init);
module_exit(twin_exit);
MODULE_DESCRIPTION("The C twin of the nlrs family, for benchmarks");
MODULE_LICENSE("GPL");
