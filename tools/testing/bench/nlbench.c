// SPDX-License-Identifier: GPL-2.0
/*
 * nlbench: the tight loops of the benchmarks, in C, so that the figures
 * measure the kernel rather than a Python interpreter. Each subcommand
 * prints one line of numbers for the Python scripts beside it to parse.
 *
 *   nlbench echo FAMILY CMD MSGLEN ROUNDS
 *	ROUNDS generic netlink requests CMD to family id FAMILY, each with a
 *	NLRS_A_MSG attribute of MSGLEN bytes and its NUL (none when MSGLEN
 *	is -1), one at a time, each answer read before the next request.
 *	Prints: seconds per round trip, and the type of the last answer
 *	(2 for NLMSG_ERROR).
 *
 *   nlbench dump FAMILY CMD
 *	One NLM_F_DUMP request; prints: entries, seconds, bytes received.
 *
 *   nlbench udp PORT COUNT
 *	COUNT UDP datagrams of 64 bytes to 127.0.0.1:PORT, sent 64 at a time
 *	with sendmmsg(), to a bound socket that never reads them: each one
 *	goes out and in (LOCAL_OUT and LOCAL_IN) and is dropped at the full
 *	socket, in the sender's system call, with no other thread to wake.
 *	Prints: seconds.
 *
 *   nlbench udpns PORT COUNT ROUNDS NETNS...
 *	The same in each named network namespace (/run/netns/NETNS), in
 *	turn, ROUNDS times, from one process: the sockets of each namespace
 *	are made once, after setns(). Prints a line per round: the seconds
 *	of each namespace, in the order given.
 *
 *   nlbench listen GROUP SOCKETS IDLE_MS
 *	SOCKETS generic netlink sockets with the default receive buffer join
 *	multicast group GROUP; prints "ready", then reads them all until no
 *	message came for IDLE_MS after the first one. Prints: messages,
 *	ENOBUFS reports (one per overrun), seconds from the first message to
 *	the last.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nlrs.h>	/* generated from the spec: make ynl-c */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int nl_socket(int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	if (fd < 0)
		die("socket");
	if (rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUF");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	return fd;
}

/* A request: nlmsghdr, genlmsghdr, then MSG when msglen >= 0. */
static size_t put_request(char *buf, int family, int cmd, int flags,
			  long msglen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN);

	memset(buf, 0, len);
	g->cmd = cmd;
	g->version = NLRS_FAMILY_VERSION;
	if (msglen >= 0) {
		struct nlattr *a = (struct nlattr *)(buf + len);

		a->nla_type = NLRS_A_MSG;
		a->nla_len = NLA_HDRLEN + msglen + 1;
		memset((char *)a + NLA_HDRLEN, 'x', msglen);
		((char *)a)[NLA_HDRLEN + msglen] = 0;
		len += NLA_ALIGN(a->nla_len);
	}
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return len;
}

static int echo(int family, int cmd, long msglen, long rounds)
{
	static char req[8192], ans[16384];
	size_t len = put_request(req, family, cmd, 0, msglen);
	int fd = nl_socket(0);
	int type = 0;
	double start;
	long i;

	start = now();
	for (i = 0; i < rounds; i++) {
		ssize_t n;

		if (send(fd, req, len, 0) != (ssize_t)len)
			die("send");
		n = recv(fd, ans, sizeof(ans), 0);
		if (n < (ssize_t)NLMSG_HDRLEN)
			die("recv");
		type = ((struct nlmsghdr *)ans)->nlmsg_type;
	}
	printf("%.9f %d\n", (now() - start) / rounds, type);
	return 0;
}

static int dump(int family, int cmd)
{
	static char req[64], ans[1 << 16];
	size_t len = put_request(req, family, cmd, NLM_F_DUMP, -1);
	int fd = nl_socket(1 << 20);
	long entries = 0, bytes = 0;
	double start;

	start = now();
	if (send(fd, req, len, 0) != (ssize_t)len)
		die("send");
	for (;;) {
		ssize_t n = recv(fd, ans, sizeof(ans), 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)ans;

		if (n < 0)
			die("recv");
		bytes += n;
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "%s: error answer\n", __func__);
				return 1;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				printf("%ld %.9f %ld\n", entries, now() - start,
				       bytes);
				return 0;
			}
			entries++;
		}
	}
}

struct udp_pair {
	int rx, tx;
	struct sockaddr_in to;
};

/* A socket bound to 127.0.0.1:@port that never reads, and one to send. */
static void udp_open(struct udp_pair *u, int port)
{
	int rcvbuf = 0;

	u->to = (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	u->rx = socket(AF_INET, SOCK_DGRAM, 0);
	u->tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (u->rx < 0 || u->tx < 0)
		die("socket");
	/* The smallest buffer: it fills at once and drops the rest. */
	setsockopt(u->rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(u->rx, (struct sockaddr *)&u->to, sizeof(u->to)))
		die("bind");
}

/* Seconds to send @count datagrams of 64 bytes through @u. */
static double udp_send(struct udp_pair *u, long count)
{
	struct iovec iov = { "................................................................", 64 };
	struct mmsghdr msgs[BATCH];
	long sent = 0;
	double start;
	int i;

	for (i = 0; i < BATCH; i++)
		msgs[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &u->to, .msg_namelen = sizeof(u->to),
			.msg_iov = &iov, .msg_iovlen = 1 } };
	start = now();
	while (sent < count) {
		int n = sendmmsg(u->tx, msgs, count - sent < BATCH ?
				 count - sent : BATCH, 0);

		if (n < 0)
			die("sendmmsg");
		sent += n;
	}
	return now() - start;
}

static int udp(int port, long count)
{
	struct udp_pair u;

	udp_open(&u, port);
	printf("%.9f\n", udp_send(&u, count));
	return 0;
}

static int udpns(int port, long count, int rounds, int n, char **names)
{
	struct udp_pair *u = calloc(n, sizeof(*u));
	int i, r;

	if (!u)
		die("calloc");
	for (i = 0; i < n; i++) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", names[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			die(path);
		close(fd);
		udp_open(&u[i], port);
		udp_send(&u[i], count);	/* warm-up */
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++)
			printf("%.9f%c", udp_send(&u[i], count), i + 1 < n ? ' ' : '\n');
	}
	return 0;
}

static int listen_group(int group, int sockets, int idle_ms)
{
	static char buf[1 << 16];
	struct epoll_event ev, evs[64];
	long messages = 0, enobufs = 0;
	double first = 0, last = 0;
	int ep = epoll_create1(0);
	int i, n;

	if (ep < 0)
		die("epoll_create1");
	for (i = 0; i < sockets; i++) {
		int fd = nl_socket(0);

		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
			       sizeof(group)))
			die("NETLINK_ADD_MEMBERSHIP");
		ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = fd };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			die("epoll_ctl");
	}
	printf("ready\n");
	fflush(stdout);

	while ((n = epoll_wait(ep, evs, 64, messages ? idle_ms : -1)) > 0) {
		for (i = 0; i < n; i++) {
			ssize_t got;

			while ((got = recv(evs[i].data.fd, buf, sizeof(buf),
					   MSG_DONTWAIT)) != 0) {
				struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

				if (got < 0 && errno == ENOBUFS) {
					enobufs++;
					continue;
				}
				if (got < 0)
					break;
				for (; NLMSG_OK(nlh, got);
				     nlh = NLMSG_NEXT(nlh, got))
					messages++;
				last = now();
				if (!first)
					first = last;
			}
		}
	}
	printf("%ld %ld %.9f\n", messages, enobufs, last - first);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "echo"))
		return echo(atoi(argv[2]), atoi(argv[3]), atol(argv[4]),
			    atol(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "dump"))
		return dump(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "udp"))
		return udp(atoi(argv[2]), atol(argv[3]));
	if (argc >= 6 && !strcmp(argv[1], "udpns"))
		return udpns(atoi(argv[2]), atol(argv[3]), atoi(argv[4]),
			     argc - 5, argv + 5);
	if (argc == 5 && !strcmp(argv[1], "listen"))
		return listen_group(atoi(argv[2]), atoi(argv[3]),
				    atoi(argv[4]));
	fprintf(stderr, "usage: nlbench echo FAMILY CMD MSGLEN ROUNDS\n"
			"       nlbench dump FAMILY CMD\n"
			"       nlbench udp PORT COUNT\n"
			"       nlbench udpns PORT COUNT ROUNDS NETNS...\n"
			"       nlbench listen GROUP SOCKETS IDLE_MS\n");
	return 2;
}
