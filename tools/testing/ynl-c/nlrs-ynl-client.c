// SPDX-License-Identifier: GPL-2.0
/*
 * nlrs-ynl-client: the "nlrs" generic netlink family driven through the C
 * library that the kernel's ynl-gen-c generates from the family's YNL spec
 * (Documentation/netlink/specs/nlrs.yaml) and the kernel's libynl, and
 * nothing else. build.sh beside this file builds it;
 * tools/testing/integration/test_ynl_c.py runs it.
 *
 * Usage:
 *	nlrs-ynl-client echo TEXT
 *	nlrs-ynl-client rule-new ID NAME [proto N] [dport LO HI]
 *			[threshold PACKETS INTERVAL_MS] [replace]
 *	nlrs-ynl-client rule-dump
 *	nlrs-ynl-client stats
 *
 * ID or NAME "-" leaves rule-id or rule-name out of the request; any other
 * value is sent as it is (an id of 0 and a name too long too), for the
 * kernel to judge.
 *
 * Output, one fact a line:
 *	echo		the text the kernel sent back
 *	rule-new	the rule as the kernel stored it, as rule-dump prints it
 *	rule-dump	a line per rule: "rule", then its attributes as KEY=VALUE
 *			words (rule-id=N rule-name=S match.proto=N
 *			match.dport-lo=N match.dport-hi=N threshold.packets=N
 *			threshold.interval-ms=N counters.packets=N
 *			counters.bytes=N ...), the keys the spec's names
 *	stats		a line per counter: "NAME VALUE", NAME the spec's
 *
 * A failed request prints "nlrs-ynl-client: OP: ERRNO: MESSAGE" on stderr,
 * MESSAGE being libynl's, which holds the kernel's extack, and exits 1; a
 * bad command line exits 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ynl.h>

#include "nlrs-user.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __noreturn __attribute__((noreturn))

static const char *prog = "nlrs-ynl-client";

static void __noreturn usage(const char *why)
{
	fprintf(stderr, "%s: %s\n", prog, why);
	fprintf(stderr,
		"usage: %s echo TEXT\n"
		"       %s rule-new ID|- NAME|- [proto N] [dport LO HI]\n"
		"                       [threshold PACKETS INTERVAL_MS] [replace]\n"
		"       %s rule-dump\n"
		"       %s stats\n", prog, prog, prog, prog);
	exit(2);
}

static void __noreturn out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	exit(1);
}

/* A decimal number from 0 to max; anything else is a usage error. */
static unsigned long long number(const char *what, const char *s,
				 unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		fprintf(stderr, "%s: %s: not a number from 0 to %llu: '%s'\n",
			prog, what, max, s);
		exit(2);
	}
	return v;
}

static struct ynl_sock *open_family(void)
{
	struct ynl_error yerr;
	struct ynl_sock *ys;

	ys = ynl_sock_create(&ynl_nlrs_family, &yerr);
	if (!ys) {
		fprintf(stderr, "%s: cannot open the nlrs family: %s\n",
			prog, yerr.msg);
		exit(1);
	}
	return ys;
}

/* Reports the failed request op with libynl's message; returns 1. */
static int fail(struct ynl_sock *ys, const char *op)
{
	const char *name = NULL;
	char code[32];

	if (ys->err.code > 0 && ys->err.code < __YNL_ERRNO_END)
		name = strerrorname_np(ys->err.code);
	if (!name) {
		snprintf(code, sizeof(code), "error %d", ys->err.code);
		name = code;
	}
	fprintf(stderr, "%s: %s: %s: %s\n", prog, op, name, ys->err.msg);
	return 1;
}

/* What the reply to rule-new and each object of the rule dump hold alike. */
struct rule_view {
	bool has_id;
	__u32 id;
	const char *name;
	const struct nlrs_rule_match *match;
	const struct nlrs_threshold *threshold;
	const struct nlrs_counters *counters;
};

#define RULE_VIEW(rsp) ((struct rule_view) {				\
	.has_id = (rsp)->_present.rule_id,				\
	.id = (rsp)->rule_id,						\
	.name = (rsp)->rule_name,					\
	.match = (rsp)->_present.rule_match ? &(rsp)->rule_match : NULL,	\
	.threshold = (rsp)->_present.rule_threshold ?			\
		     &(rsp)->rule_threshold : NULL,			\
	.counters = (rsp)->_present.rule_counters ?			\
		    &(rsp)->rule_counters : NULL,			\
})

static void print_prefix(const char *key, int af, const void *addr,
			 __u32 len)
{
	char buf[INET6_ADDRSTRLEN];

	if (len != (af == AF_INET ? 4 : 16) ||
	    !inet_ntop(af, addr, buf, sizeof(buf)))
		strcpy(buf, "?");
	printf(" %s=%s", key, buf);
}

static void print_rule(const struct rule_view *r)
{
	const struct nlrs_rule_match *m = r->match;
	const struct nlrs_threshold *t = r->threshold;
	const struct nlrs_counters *c = r->counters;

	printf("rule");
	if (r->has_id)
		printf(" rule-id=%u", r->id);
	if (r->name)
		printf(" rule-name=%s", r->name);
	if (m) {
		if (m->_present.proto)
			printf(" match.proto=%u", m->proto);
		if (m->_len.src4)
			print_prefix("match.src4", AF_INET, m->src4,
				     m->_len.src4);
		if (m->_len.src6)
			print_prefix("match.src6", AF_INET6, m->src6,
				     m->_len.src6);
		if (m->_present.src_plen)
			printf(" match.src-plen=%u", m->src_plen);
		if (m->_len.dst4)
			print_prefix("match.dst4", AF_INET, m->dst4,
				     m->_len.dst4);
		if (m->_len.dst6)
			print_prefix("match.dst6", AF_INET6, m->dst6,
				     m->_len.dst6);
		if (m->_present.dst_plen)
			printf(" match.dst-plen=%u", m->dst_plen);
		if (m->_present.dport_lo)
			printf(" match.dport-lo=%u", m->dport_lo);
		if (m->_present.dport_hi)
			printf(" match.dport-hi=%u", m->dport_hi);
	}
	if (t) {
		if (t->_present.packets)
			printf(" threshold.packets=%llu",
			       (unsigned long long)t->packets);
		if (t->_present.interval_ms)
			printf(" threshold.interval-ms=%u", t->interval_ms);
	}
	if (c) {
		if (c->_present.packets)
			printf(" counters.packets=%llu",
			       (unsigned long long)c->packets);
		if (c->_present.bytes)
			printf(" counters.bytes=%llu",
			       (unsigned long long)c->bytes);
	}
	printf("\n");
}

static int cmd_echo(int argc, char **argv)
{
	struct nlrs_echo_req *req;
	struct nlrs_echo_rsp *rsp;
	struct ynl_sock *ys;
	int ret = 0;

	if (argc != 1)
		usage("echo takes one TEXT");
	req = nlrs_echo_req_alloc();
	if (!req)
		out_of_memory();
	nlrs_echo_req_set_msg(req, argv[0]);

	ys = open_family();
	rsp = nlrs_echo(ys, req);
	if (!rsp) {
		ret = fail(ys, "echo");
		goto out;
	}
	printf("%s\n", rsp->msg ? rsp->msg : "");
	nlrs_echo_rsp_free(rsp);
out:
	nlrs_echo_req_free(req);
	ynl_sock_destroy(ys);
	return ret;
}

static int cmd_rule_new(int argc, char **argv)
{
	struct nlrs_rule_new_req *req;
	struct nlrs_rule_new_rsp *rsp;
	struct ynl_sock *ys;
	int ret = 0;
	int i;

	if (argc < 2)
		usage("rule-new needs an ID and a NAME");
	req = nlrs_rule_new_req_alloc();
	if (!req)
		out_of_memory();
	if (strcmp(argv[0], "-"))
		nlrs_rule_new_req_set_rule_id(req,
					      number("ID", argv[0], UINT32_MAX));
	if (strcmp(argv[1], "-"))
		nlrs_rule_new_req_set_rule_name(req, argv[1]);
	for (i = 2; i < argc;) {
		unsigned long long a, b;

		if (!strcmp(argv[i], "proto") && i + 1 < argc) {
			a = number("proto", argv[i + 1], UINT8_MAX);
			nlrs_rule_new_req_set_rule_match_proto(req, a);
			i += 2;
		} else if (!strcmp(argv[i], "dport") && i + 2 < argc) {
			a = number("dport LO", argv[i + 1], UINT16_MAX);
			b = number("dport HI", argv[i + 2], UINT16_MAX);
			nlrs_rule_new_req_set_rule_match_dport_lo(req, a);
			nlrs_rule_new_req_set_rule_match_dport_hi(req, b);
			i += 3;
		} else if (!strcmp(argv[i], "threshold") && i + 2 < argc) {
			a = number("PACKETS", argv[i + 1], UINT64_MAX);
			b = number("INTERVAL_MS", argv[i + 2], UINT32_MAX);
			nlrs_rule_new_req_set_rule_threshold_packets(req, a);
			nlrs_rule_new_req_set_rule_threshold_interval_ms(req, b);
			i += 3;
		} else if (!strcmp(argv[i], "replace")) {
			nlrs_rule_new_req_set_rule_replace(req);
			i++;
		} else {
			usage("rule-new: a bad or incomplete option");
		}
	}

	ys = open_family();
	rsp = nlrs_rule_new(ys, req);
	if (!rsp) {
		ret = fail(ys, "rule-new");
		goto out;
	}
	print_rule(&RULE_VIEW(rsp));
	nlrs_rule_new_rsp_free(rsp);
out:
	nlrs_rule_new_req_free(req);
	ynl_sock_destroy(ys);
	return ret;
}

static int cmd_rule_dump(int argc, char **argv)
{
	struct nlrs_rule_get_list *rules;
	struct ynl_sock *ys;
	int ret = 1;

	if (argc)
		usage("rule-dump takes no argument");
	ys = open_family();
	rules = nlrs_rule_get_dump(ys);
	if (!rules) {
		fail(ys, "rule-dump");
		goto out;
	}
	ynl_dump_foreach(rules, r)
		print_rule(&RULE_VIEW(r));
	nlrs_rule_get_list_free(rules);
	ret = 0;
out:
	ynl_sock_destroy(ys);
	return ret;
}

#define PRINT_STAT(rsp, field, name)					\
	do {								\
		if ((rsp)->_present.field)				\
			printf("%s %llu\n", name,			\
			       (unsigned long long)(rsp)->field);	\
	} while (0)

static int cmd_stats(int argc, char **argv)
{
	struct nlrs_stats_get_rsp *rsp;
	struct ynl_sock *ys;
	int ret = 1;

	if (argc)
		usage("stats takes no argument");
	ys = open_family();
	rsp = nlrs_stats_get(ys);
	if (!rsp) {
		fail(ys, "stats");
		goto out;
	}
	PRINT_STAT(rsp, stats_requests, "stats-requests");
	PRINT_STAT(rsp, stats_rejects, "stats-rejects");
	PRINT_STAT(rsp, stats_ntf_sent, "stats-ntf-sent");
	PRINT_STAT(rsp, stats_ntf_dropped, "stats-ntf-dropped");
	PRINT_STAT(rsp, rule_count, "rule-count");
	PRINT_STAT(rsp, stats_hook_packets, "stats-hook-packets");
	PRINT_STAT(rsp, stats_hook_bytes, "stats-hook-bytes");
	PRINT_STAT(rsp, stats_alerts, "stats-alerts");
	PRINT_STAT(rsp, stats_listeners, "stats-listeners");
	nlrs_stats_get_rsp_free(rsp);
	ret = 0;
out:
	ynl_sock_destroy(ys);
	return ret;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "echo", cmd_echo },
	{ "rule-new", cmd_rule_new },
	{ "rule-dump", cmd_rule_dump },
	{ "stats", cmd_stats },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		usage("no command");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 2, argv + 2);
	usage("unknown command");
}
