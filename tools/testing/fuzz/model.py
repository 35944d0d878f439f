#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A model of the nlrs protocol, the fuzzer's oracle: what each request of
either plane answers and does to the rules, listeners, counters and
statistics of its network namespace.

It follows the module's code, not its tests: the rule set and its
transactions (src/rules.rs), a request's rule as the handlers read it and
the errors they give (src/codec.rs, src/model.rs), the operations of both
planes (src/family.rs, src/rule_ops.rs, src/nfnl.rs), the data path
(src/matching.rs, src/datapath.rs), and around them the kernel's own
answers: the netlink core's message loop (netlink_rcv_skb()), the generic
netlink core's header, command and permission checks, nfnetlink's
messages and batches (nfnetlink_rcv_batch(): a batch applies whole or not
at all; each refused message gets its own error, a malformed batch none),
and policy validation (spec.py).

What it cannot know it says: a datagram whose answer depends on kernel
state outside nlrs (another generic netlink family, another nfnetlink
subsystem) gives None, and an allocation failure is not modelled (the
fault tests check those outcomes against the state before and after).

    python3 model.py --self-test
"""

import os
import random
import struct
import sys

import spec as specmod
from spec import Refusal, ident, validate

ENOENT, EPERM, EEXIST, EINVAL, ENOSPC, ERANGE = 2, 1, 17, 22, 28, 34
EOPNOTSUPP, ERESTART = 95, 85

NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 0x1, 0x2, 0x4, 0x8
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
NLM_F_DUMP = 0x300
NLMSG_ERROR, NLMSG_DONE, NLMSG_MIN_TYPE = 2, 3, 0x10
NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 0x10, 0x11
NFNL_SUBSYS_COUNT = 13
GENL_MAX_ID = 1023
# NETLINK_MAX_FMTMSG_LEN: a formatted extack message keeps 79 bytes.
FMT_MAX = 79
# Formatted messages the layer keeps per batch, and the handlers' static
# ones (Extack::set_msg), which need no slot.
MSG_SLOTS = 16
STATIC_MSGS = {"missing attribute rule_id or rule_name", "a new rule needs NLM_F_CREATE",
               "this socket is not a listener"}
PORT_PROTOS = (6, 17, 132, 136)


# -- the rule model (src/model.rs) -------------------------------------------

class Prefix:
    """An address prefix: the address as given (4 or 16 bytes) and its
    length in bits."""

    def __init__(self, addr, plen):
        self.addr, self.plen = bytes(addr), plen

    def contains(self, addr):
        """Whether the first plen bits of `addr` (same family) are ours."""
        full, bits = divmod(self.plen, 8)
        if self.addr[:full] != addr[:full]:
            return False
        if bits == 0:
            return True
        mask = (0xff << (8 - bits)) & 0xff
        return (self.addr[full] ^ addr[full]) & mask == 0

    def key(self):
        return (self.addr, self.plen)

    def __eq__(self, other):
        return isinstance(other, Prefix) and self.key() == other.key()

    def __repr__(self):
        return f"{self.addr.hex()}/{self.plen}"


def prefix_error(addr, plen):
    """Prefix::new(): "long" (plen past the address), "host" (bits set past
    it) or None."""
    bits = len(addr) * 8
    n = bits if plen is None else plen
    if n > bits:
        return "long"
    for i, b in enumerate(addr):
        kept = min(max(n - 8 * i, 0), 8)
        mask = (0xff << (8 - kept)) & 0xff if kept else 0
        if b & ~mask & 0xff:
            return "host"
    return None


class Match:
    """Which packets a rule counts: proto (0: any), l3 ("any", "v4",
    "v6"), src and dst (Prefix or None), dport ((lo, hi) or None)."""

    def __init__(self, proto=0, l3="any", src=None, dst=None, dport=None):
        self.proto, self.l3, self.src, self.dst, self.dport = proto, l3, src, dst, dport

    def key(self):
        return (self.proto, self.l3, self.src and self.src.key(), self.dst and self.dst.key(),
                self.dport)

    def __eq__(self, other):
        return isinstance(other, Match) and self.key() == other.key()

    def matches(self, pkt):
        """Match::matches() of a Packet's flow key."""
        if self.proto and self.proto != pkt.proto:
            return False
        if self.l3 != "any" and self.l3 != pkt.l3:
            return False
        if self.src and not self.src.contains(pkt.src):
            return False
        if self.dst and not self.dst.contains(pkt.dst):
            return False
        if self.dport is None:
            return True
        port = pkt.dport()
        return port is not None and self.dport[0] <= port <= self.dport[1]

    def __repr__(self):
        return f"Match{self.key()}"


class Config:
    """A rule as requested: id (None: assigned), name (bytes or None),
    match, threshold ((packets, interval_ms) or None)."""

    def __init__(self, id=None, name=None, match=None, threshold=None):
        self.id, self.name, self.threshold = id, name, threshold
        self.match = match or Match()

    def __repr__(self):
        return f"Config({self.id}, {self.name}, {self.match}, {self.threshold})"


class Acct:
    """What the data path counts for a rule, shared by its versions: a
    replaced rule keeps counting into it (src/datapath.rs)."""

    def __init__(self):
        self.packets = self.bytes = 0
        self.window_start = None
        self.window_count = 0
        self.alerted = None

    def hit(self, threshold, now_ms):
        """Window::hit(): the window's packets when this one takes them past
        the threshold for the first time in the window, else None."""
        packets, interval = threshold
        if self.window_start is None or now_ms - self.window_start >= interval:
            self.window_start, self.window_count = now_ms, 0
        self.window_count += 1
        if self.window_count > packets and self.alerted != self.window_start:
            self.alerted = self.window_start
            return self.window_count
        return None


class Rule:
    def __init__(self, id, cfg, acct=None):
        self.id, self.name, self.match, self.threshold = id, cfg.name, cfg.match, cfg.threshold
        self.acct = acct or Acct()
        self.base = (0, 0)

    def counters(self):
        return (self.acct.packets - self.base[0], self.acct.bytes - self.base[1])

    def view(self):
        """The rule as a reply or dump reports it (put_rule()): comparable
        with decode_rule() of the kernel's message."""
        return (self.id, self.name, self.match.key(), self.threshold, self.counters())

    def __repr__(self):
        return f"Rule{self.view()}"


# -- the rule set (src/rules.rs) ---------------------------------------------

class RuleError(Exception):
    """Why a change was refused: "id exists", "name exists" (owner: the
    rule that has it), "not found", "full"."""

    def __init__(self, kind, owner=None):
        super().__init__(kind)
        self.kind, self.owner = kind, owner


class RuleSet:
    """The rules of one namespace, changed in transactions: each change is
    made at once (later ones see it), commit() publishes them to the data
    path and reports them, abort() undoes them, ids and generation
    included."""

    def __init__(self, max_rules=65536):
        self.rules = {}
        self.names = {}
        self.max = max_rules
        self.next_id = 1
        self.generation = 1
        self.changes = []
        self.saved = None
        # What the data path sees: (id, match, threshold, acct) of the
        # rules at the last commit.
        self.published = []

    def __len__(self):
        return len(self.rules)

    def _change(self, what):
        """Records a change: the first of a transaction saves what abort()
        restores (a change replaces Rule objects, never alters them)."""
        if self.saved is None:
            self.saved = (dict(self.rules), dict(self.names), self.next_id, self.generation)
        self.changes.append(what)
        self.generation = (self.generation + 1) & 0xffffffff or 1

    def get(self, id=None, name=None):
        if name is not None:
            id = self.names.get(name)
        return self.rules.get(id)

    def target(self, cfg, replace):
        by_id = cfg.id if cfg.id in self.rules else None
        by_name = self.names.get(cfg.name) if cfg.name is not None else None
        if by_name is not None and cfg.id is not None and cfg.id != by_name:
            raise RuleError("name exists", by_name)
        hit = by_id if by_id is not None else by_name
        if hit is not None and not replace:
            if by_id is not None:
                raise RuleError("id exists")
            raise RuleError("name exists", hit)
        return hit

    def insert(self, cfg, replace):
        """Adds `cfg`, or replaces the rule of its id or name if `replace`;
        returns ("new" or "replaced", id)."""
        hit = self.target(cfg, replace)
        if hit is not None:
            self._replace(hit, cfg)
            return "replaced", hit
        return "new", self._add(cfg)

    def insert_flags(self, cfg, create, exclusive, replace):
        """insert() with rtnetlink's NLM_F_CREATE/EXCL/REPLACE."""
        hit = self.target(cfg, replace and not exclusive)
        if hit is None and not create:
            raise RuleError("not found")
        return self.insert(cfg, replace and not exclusive)

    def _add(self, cfg):
        if len(self.rules) >= self.max:
            raise RuleError("full")
        id = cfg.id
        if id is None:
            id = self.next_id
            for _ in range(len(self.rules) + 1):
                if id not in self.rules:
                    break
                id = id + 1 if id < 0xffffffff else 1
            else:
                raise RuleError("full")
        self._change(("new", id))
        self.rules[id] = Rule(id, cfg)
        if cfg.name is not None:
            self.names[cfg.name] = id
        if cfg.id is None:
            self.next_id = id + 1 if id < 0xffffffff else 1
        return id

    def _replace(self, id, cfg):
        self._change(("replaced", id))
        old = self.rules[id]
        new = Rule(id, cfg, old.acct)
        new.base = old.base
        if old.name is not None and old.name != cfg.name:
            del self.names[old.name]
        if cfg.name is not None:
            self.names[cfg.name] = id
        self.rules[id] = new

    def remove(self, id):
        rule = self.rules[id]
        # The change keeps the rule, whose counters are final at commit.
        self._change(("deleted", id, rule))
        del self.rules[id]
        if rule.name is not None:
            del self.names[rule.name]
        return id

    def flush(self):
        n = len(self.rules)
        for id in sorted(self.rules):
            self.remove(id)
        return n

    def commit(self):
        """Publishes the rules to the data path; returns the changes, in
        order, each with the rule as it was then (("deleted", id, rule):
        its final counters)."""
        self.published = [(r.id, r.match, r.threshold, r.acct)
                          for _, r in sorted(self.rules.items())]
        out = []
        for c in self.changes:
            if c[0] == "deleted":
                out.append(("deleted", c[2]))
            else:
                out.append((c[0], c[1]))
        self.changes, self.saved = [], None
        return out

    def abort(self):
        if self.saved is not None:
            self.rules, self.names, self.next_id, self.generation = self.saved
        self.changes, self.saved = [], None


# -- a request's rule (src/codec.rs) -----------------------------------------

class Fail(Exception):
    """A refusal as the sender sees it: errno, extack message, the
    offending attribute's offset in the message, the missing type."""

    def __init__(self, errno, msg=None, offset=None, miss=None):
        super().__init__(f"errno {errno}: {msg}")
        if msg is not None and len(msg) > FMT_MAX:
            msg = msg[:FMT_MAX]
        self.errno, self.msg, self.offset, self.miss = errno, msg, offset, miss
        self.static = False


class Fields:
    """A validated table read as a handler reads it: by name, with the
    errors the layer's Field gives."""

    def __init__(self, table, policy):
        self.table, self.policy = table, policy
        self.by_name = {e.attr.name: t for t, e in policy.entries.items() if e.attr}

    def present(self, name):
        return self.by_name.get(name) in self.table

    def get(self, name):
        t = self.by_name[name]
        if t not in self.table:
            return None
        return specmod.value(self.policy.entries[t], self.table[t])

    def nested(self, name):
        t = self.by_name[name]
        if t not in self.table:
            return None
        return Fields(self.table[t].table, self.policy.entries[t].nested)

    def offset(self, name):
        return self.table[self.by_name[name]].offset

    def error(self, name, errno, msg):
        return Fail(errno, f"{ident(name)}: {msg}", self.offset(name))

    def required(self, name):
        v = self.get(name)
        if v is None:
            raise Fail(EINVAL, f"missing attribute {ident(name)}", miss=self.by_name[name])
        return v


def parse_prefix(m, v4, v6, plen):
    a4, a6, n = m.get(v4), m.get(v6), m.get(plen)
    if a4 is not None and a6 is not None:
        raise m.error(v6, EINVAL, f"only one of {ident(v4)} and {ident(v6)}")
    if a4 is None and a6 is None:
        if n is not None:
            raise m.error(plen, EINVAL, f"needs {ident(v4)} or {ident(v6)}")
        return None
    l3, addr, field = ("v4", a4, v4) if a4 is not None else ("v6", a6, v6)
    err = prefix_error(addr, n)
    if err == "long":
        raise m.error(plen, EINVAL, "longer than the address")
    if err == "host":
        raise m.error(field, EINVAL, "bits set beyond the prefix length")
    return l3, Prefix(addr, len(addr) * 8 if n is None else n)


def parse_match(m):
    proto = m.get("proto") or 0
    src = parse_prefix(m, "src4", "src6", "src-plen")
    dst = parse_prefix(m, "dst4", "dst6", "dst-plen")
    if src and dst and src[0] != dst[0]:
        raise m.error("dst4" if dst[0] == "v4" else "dst6", EINVAL,
                      "address family differs from the source prefix")
    l3 = (src or dst or ("any",))[0]
    lo, hi = m.get("dport-lo"), m.get("dport-hi")
    dport = None
    if lo is None and hi is not None:
        m.required("dport-lo")
    elif lo is not None:
        hi = lo if hi is None else hi
        if hi < lo:
            raise m.error("dport-hi", EINVAL, "lower than dport_lo")
        if proto not in PORT_PROTOS:
            raise m.error("dport-lo", EINVAL,
                          "needs proto TCP (6), UDP (17), SCTP (132) or UDP-Lite (136)")
        dport = (lo, hi)
    return Match(proto, l3, src and src[1], dst and dst[1], dport)


def parse_name(a):
    name = a.get("rule-name")
    if name is not None and name == b"":
        raise a.error("rule-name", EINVAL, "must not be empty")
    return name


def parse_config(a):
    """The Config of a rule-new request's fields, or raises Fail."""
    id = a.get("rule-id")
    name = parse_name(a)
    m = a.nested("rule-match")
    match = parse_match(m) if m is not None else Match()
    t = a.nested("rule-threshold")
    threshold = None
    if t is not None:
        threshold = (t.required("packets"), t.required("interval-ms"))
    return Config(id, name, match, threshold)


def resolve(rules, a):
    """The id of the rule a rule-del or rule-get names, or raises Fail."""
    by_id = None
    id = a.get("rule-id")
    if id is not None:
        if id not in rules.rules:
            raise a.error("rule-id", ENOENT, "no such rule")
        by_id = id
    by_name = None
    name = parse_name(a)
    if name is not None:
        if name not in rules.names:
            raise a.error("rule-name", ENOENT, "no such rule")
        by_name = rules.names[name]
    if by_id is not None and by_name is not None and by_id != by_name:
        raise a.error("rule-name", ENOENT, f"names rule {by_name}, not rule {by_id}")
    if by_id is None and by_name is None:
        raise Fail(EINVAL, "missing attribute rule_id or rule_name", miss=a.by_name["rule-id"])
    return by_id if by_id is not None else by_name


def insert_error(a, e, renaming, max_rules):
    if e.kind == "id exists":
        return a.error("rule-id", EEXIST, "rule exists; set rule_replace to replace it")
    if e.kind == "name exists":
        more = "" if renaming else "; set rule_replace to replace it"
        return a.error("rule-name", EEXIST, f"used by rule {e.owner}{more}")
    if e.kind == "full":
        return Fail(ENOSPC, f"rule limit reached: {max_rules} rules per network namespace "
                    "(max_rules)")
    msg = "no such rule; NLM_F_CREATE creates it"
    if a.present("rule-id"):
        return a.error("rule-id", ENOENT, msg)
    if a.present("rule-name"):
        return a.error("rule-name", ENOENT, msg)
    return Fail(ENOENT, "a new rule needs NLM_F_CREATE")


# -- packets -----------------------------------------------------------------

class Packet:
    """A packet as the hook sees it: l3 ("v4"/"v6"), proto, src and dst
    (4 or 16 bytes), the destination port (None: none, as for a later
    fragment), and its length from the network header on."""

    def __init__(self, l3, proto, src, dst, port, length):
        self.l3, self.proto, self.src, self.dst = l3, proto, bytes(src), bytes(dst)
        self.port, self.length = port, length

    def dport(self):
        return self.port if self.proto in PORT_PROTOS else None


# -- namespaces, sockets, credentials ----------------------------------------

class Cred:
    """Who sends: "root" (CAP_NET_ADMIN in the initial user namespace),
    "nobody" (no capability), or root of user namespace `userns` (owns the
    network namespaces it created)."""

    def __init__(self, kind="root", userns=None):
        self.kind, self.userns = kind, userns

    def net_admin(self, net):
        """CAP_NET_ADMIN over `net` (netlink_ns_capable on its user ns)."""
        if self.kind == "root":
            return True
        return self.kind == "userns-root" and net.owner == self.userns

    def init_admin(self):
        """CAP_NET_ADMIN in the initial user namespace (netlink_capable)."""
        return self.kind == "root"


class Net:
    """One network namespace's nlrs state (src/pernet.rs)."""

    def __init__(self, name, owner="init", max_rules=65536):
        self.name, self.owner = name, owner
        self.rules = RuleSet(max_rules)
        self.listeners = []
        self.stats = dict(requests=0, rejects=0, ntf_sent=0, ntf_dropped=0, hook_packets=0,
                          hook_bytes=0, alerts=0)
        # Group name -> portids of the sockets that joined it.
        self.groups = {}
        # (listener port, rule id, threshold, packets) of each alert sent
        # to an nfnetlink listener.
        self.alerts = []


class Sock:
    """A netlink socket of the fuzzer: its protocol, namespace, sender's
    credentials and port id."""

    def __init__(self, proto, net, cred, portid):
        self.proto, self.net, self.cred, self.portid = proto, net, cred, portid
        self.closed = False


class Answer:
    """One message the kernel sends back: "error" (errno 0: an ACK; with
    msg, offset, miss), "reply" (nlmsg type; body: what it reports),
    "done"; `seq` is the request's."""

    def __init__(self, kind, seq, errno=0, msg=None, offset=None, miss=None, ty=None, body=None):
        self.kind, self.seq, self.errno, self.msg = kind, seq, errno, msg
        self.offset, self.miss, self.ty, self.body = offset, miss, ty, body

    def __repr__(self):
        if self.kind == "error":
            return f"error {self.errno} {self.msg!r} @{self.offset} miss {self.miss}"
        return f"{self.kind} {self.ty} {self.body!r}" if self.kind == "reply" else "done"


class Unknown(Exception):
    """The answer depends on what the model does not know."""


def headers(data):
    """(nlmsghdr fields, body, its bytes) of each message of a datagram as
    netlink_rcv_skb() takes them; stops where it stops."""
    off = 0
    while len(data) - off >= 16:
        n, ty, flags, seq, portid = struct.unpack_from("=IHHII", data, off)
        if n < 16 or len(data) - off < n:
            return
        yield (n, ty, flags, seq), data[off + 16:off + n], data[off:off + n]
        off += min(specmod.align(n), len(data) - off)


# -- the model ---------------------------------------------------------------

class Model:
    """nlrs in every namespace, as the fuzzer's requests leave it.
    `kernel` ("6.12" or "7.3") picks what differs: 7.3's nfnetlink gives
    batch messages an extack for their policy errors."""

    def __init__(self, proto, fid, subsys, kernel="6.12", max_rules=65536):
        self.proto, self.fid, self.subsys, self.kernel = proto, fid, subsys, kernel
        self.max_rules = max_rules
        self.nets = {}
        self.socks = []
        self.now_ms = 0
        self.add_net("init")

    # -- namespaces and sockets --

    def add_net(self, name, owner="init"):
        self.nets[name] = Net(name, owner, self.max_rules)
        return self.nets[name]

    def del_net(self, name):
        """The namespace goes with its last socket: its rules and hooks too."""
        del self.nets[name]

    def socket(self, proto, net="init", cred=None):
        s = Sock(proto, self.nets[net], cred or Cred(), len(self.socks) + 1000)
        self.socks.append(s)
        return s

    def close(self, sock):
        """NETLINK_URELEASE: the socket is forgotten as a listener."""
        sock.closed = True
        net = sock.net
        if sock.proto == "nfnl" and sock.portid in net.listeners:
            net.listeners.remove(sock.portid)
        for members in net.groups.values():
            members.discard(sock.portid)

    def join(self, sock, group):
        """Joins a group of the family; returns 0 or the errno."""
        # GENL_MCAST_CAP_NET_ADMIN: ns_capable() over the socket's network
        # namespace's user namespace (genl_bind()).
        if group == "alerts" and not sock.cred.net_admin(sock.net):
            return EPERM
        sock.net.groups.setdefault(group, set()).add(sock.portid)
        return 0

    # -- notifications --

    def notify(self, net, group, what):
        """A notification to `group` of `net`: counted as sent when someone
        listens (a drop for want of buffer space is not modelled)."""
        if net.groups.get(group):
            net.stats["ntf_sent"] += 1

    def notify_changes(self, net, changes):
        for kind, what in changes:
            self.notify(net, "config", (kind, what))

    # -- the data path --

    def packet(self, net, pkt):
        """One pass of `pkt` through a hook of `net` (a local packet passes
        two: LOCAL_OUT, then LOCAL_IN); counts it and raises alerts."""
        if not net.rules.published:
            return
        net.stats["hook_packets"] += 1
        net.stats["hook_bytes"] += pkt.length
        for id, match, threshold, acct in net.rules.published:
            if not match.matches(pkt):
                continue
            acct.packets += 1
            acct.bytes += pkt.length
            if threshold is not None:
                n = acct.hit(threshold, self.now_ms)
                if n is not None:
                    # alerts::raise(): the group, then each listener.
                    net.stats["alerts"] += 1
                    self.notify(net, "alerts", (id, threshold, n))
                    for port in net.listeners:
                        net.stats["ntf_sent"] += 1
                        net.alerts.append((port, id, threshold, n))

    # -- generic netlink --

    def genl(self, sock, data):
        """The answers to a datagram on a generic netlink socket."""
        out = []
        for (n, ty, flags, seq), body, raw in headers(data):
            err, answers = 0, []
            if flags & NLM_F_REQUEST and ty >= NLMSG_MIN_TYPE:
                try:
                    answers = self.genl_msg(sock, ty, flags, seq, body)
                except Fail as f:
                    err, answers = f, []
            out += answers
            if answers and answers[-1].kind == "done":
                continue
            if flags & NLM_F_ACK or err:
                out.append(self.ack(seq, err))
        return out

    def ack(self, seq, err):
        if not err:
            return Answer("error", seq)
        return Answer("error", seq, err.errno, err.msg, err.offset, err.miss)

    def genl_msg(self, sock, ty, flags, seq, body):
        if ty != self.fid:
            if ty <= GENL_MAX_ID:
                raise Unknown(f"generic netlink family {ty:#x}")
            raise Fail(ENOENT)
        if len(body) < 4:
            raise Fail(EINVAL)
        cmd, _version, reserved = struct.unpack_from("=BBH", body)
        if reserved:
            raise Fail(EINVAL, "genlmsghdr.reserved field is not 0")
        f = flags & ~NLM_F_DUMP if flags & NLM_F_DUMP == NLM_F_DUMP else flags
        if f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO):
            raise Fail(EINVAL, "ambiguous or reserved bits set in nlmsg_flags")
        if flags & NLM_F_ECHO:
            raise Unknown("NLM_F_ECHO")
        mode = "dump" if flags & NLM_F_DUMP == NLM_F_DUMP else "do"
        op = self.proto.op_by_value("genl", cmd)
        if op is None or mode not in op.request:
            raise Fail(EOPNOTSUPP)
        net = sock.net
        if "uns-admin-perm" in op.flags and not sock.cred.net_admin(net):
            raise Fail(EPERM)
        if "admin-perm" in op.flags and not sock.cred.init_admin():
            raise Fail(EPERM)
        policy = self.proto.policy("genl", op.name, mode)
        try:
            table = validate(policy, body[4:], True, 20)
        except Refusal as r:
            raise Fail(r.errno, r.msg, r.offset)
        a = Fields(table, policy)
        if mode == "dump":
            # One request, counted when the dump ends.
            net.stats["requests"] += 1
            rules = [Answer("reply", seq, ty=self.fid, body=r.view())
                     for _, r in sorted(net.rules.rules.items())]
            return rules + [Answer("done", seq)]
        try:
            answers = self.genl_do(sock, op.name, a, seq)
        except Fail:
            net.stats["requests"] += 1
            net.stats["rejects"] += 1
            raise
        net.stats["requests"] += 1
        return answers

    def genl_do(self, sock, op, a, seq):
        net = sock.net
        rules = net.rules
        reply = lambda body: Answer("reply", seq, ty=self.fid, body=body)
        if op == "echo":
            text = a.required("msg")
            self.notify(net, "events", text)
            return [reply(text)]
        if op == "stats-get":
            # The counters before this request is counted.
            return [reply(dict(net.stats, rules=len(rules), listeners=len(net.listeners)))]
        if op == "rule-new":
            cfg = parse_config(a)
            replace = bool(a.get("rule-replace"))
            try:
                _, id = rules.insert(cfg, replace)
            except RuleError as e:
                raise insert_error(a, e, replace or cfg.id is not None, rules.max)
            self.notify_changes(net, rules.commit())
            return [reply(rules.rules[id].view())]
        if op == "rule-del":
            id = resolve(rules, a)
            rules.remove(id)
            self.notify_changes(net, rules.commit())
            return []
        if op == "rule-get":
            return [reply(rules.rules[resolve(rules, a)].view())]
        if op == "rule-flush":
            n = rules.flush()
            rules.commit()
            if n:
                self.notify(net, "config", ("flush", n))
            return [reply(n)]
        raise Unknown(op)

    # -- nfnetlink --

    def nfnl(self, sock, data):
        """The answers to a datagram on an nfnetlink socket."""
        if len(data) < 16:
            return []
        n, ty, flags, seq = struct.unpack_from("=IHHI", data)
        if n < 16 or len(data) < n:
            return []
        if not sock.cred.net_admin(sock.net):
            return [Answer("error", seq, EPERM)]
        if ty == NFNL_MSG_BATCH_BEGIN:
            return self.batch(sock, data)
        out = []
        for (n, ty, flags, seq), body, raw in headers(data):
            err, answers, warn = 0, [], []
            if flags & NLM_F_REQUEST and ty >= NLMSG_MIN_TYPE:
                try:
                    answers = self.nfnl_msg(sock, ty, flags, seq, body, warn)
                except Fail as f:
                    err, answers = f, []
            out += answers
            if flags & NLM_F_ACK and not err and warn:
                # nfnetlink parses with the request's extack and no
                # NL_VALIDATE_TRAILING: bytes left over after the
                # attributes (or a nest's) are a warning the ACK carries.
                out.append(Answer("error", seq, 0, warn[-1]))
            elif flags & NLM_F_ACK or err:
                out.append(self.ack(seq, err))
        return out

    def subsys_of(self, ty):
        """nlrs's message number of type `ty`, or raises (other subsystems)."""
        sub = ty >> 8
        if sub >= NFNL_SUBSYS_COUNT or sub == 0:
            raise Fail(EINVAL)
        if sub != self.subsys:
            raise Unknown(f"nfnetlink subsystem {sub}")
        return ty & 0xff

    def nfnl_msg(self, sock, ty, flags, seq, body, warn):
        """One request outside a batch: its answers, or raises Fail; the
        parse's warnings go to `warn`, and an error the handler gives no
        message of its own carries the last."""
        if len(body) < 4:
            return []
        msg = self.subsys_of(ty)
        op = self.proto.op_by_value("nfnl", msg)
        if op is None:
            raise Fail(EINVAL)
        if op.kernel_only:
            raise Fail(EINVAL)
        mode = "dump" if "dump" in op.request else "do"
        policy = self.proto.policy("nfnl", op.name, mode)
        try:
            table = validate(policy, body[4:], False, 20, warn=warn)
        except Refusal as r:
            raise Fail(r.errno, r.msg, r.offset)
        try:
            return self.nfnl_call(sock, op, ty, seq, Fields(table, policy))
        except Fail as f:
            if f.msg is None and warn:
                f.msg = warn[-1]
            raise

    def nfnl_call(self, sock, op, ty, seq, a):
        """The subsystem's callback for a parsed request."""
        if op.name in ("rule-new", "rule-del"):
            # Batch callbacks outside a batch: nfnetlink's EINVAL.
            raise Fail(EINVAL)
        net = sock.net
        reply = lambda body: Answer("reply", seq, ty=ty, body=body)
        if op.name == "echo":
            return [reply(a.required("msg"))]
        if op.name == "listen":
            if sock.portid in net.listeners:
                return []
            if len(net.listeners) >= 16:
                raise Fail(ENOSPC, "listener limit reached: 16 per network namespace")
            net.listeners.append(sock.portid)
            return []
        if op.name == "unlisten":
            if sock.portid not in net.listeners:
                raise Fail(ENOENT, "this socket is not a listener")
            net.listeners.remove(sock.portid)
            return []
        if op.name == "checkpoint":
            return self.checkpoint(net, bool(a.get("checkpoint-reset")), seq, ty)
        raise Unknown(op.name)

    def checkpoint(self, net, reset, seq, ty):
        """Every rule's counters in id order, then NLMSG_DONE; with reset,
        each rule's counters restart from what was read."""
        out = []
        for id, r in sorted(net.rules.rules.items()):
            out.append(Answer("reply", seq, ty=ty, body=(id, r.counters())))
            if reset:
                r.base = (r.acct.packets, r.acct.bytes)
        return out + [Answer("done", seq)]

    def batch(self, sock, data):
        """nfnetlink_rcv_skb_batch() and nfnetlink_rcv_batch() for nlrs."""
        net = sock.net
        n, _, bflags, bseq = struct.unpack_from("=IHHI", data)
        if len(data) < 16 + 4:
            return []
        # The BEGIN's attributes end with its length; its nfgenmsg is read
        # whatever that says.
        try:
            bt = validate(self.proto.batch_policy(), data[20:max(n, 20)], False, 20)
        except Refusal as r:
            return [Answer("error", bseq, r.errno)]
        genid = int.from_bytes(bt[1].payload[:4], "big") if 1 in bt else 0
        res_id = struct.unpack_from(">H", data, 18)[0]
        if data[18:20] == struct.pack("=H", 10):
            # Old nft sends NFNL_SUBSYS_NFTABLES in host byte order.
            res_id = 10
        if res_id >= NFNL_SUBSYS_COUNT:
            return [Answer("error", bseq, EINVAL)]
        if res_id != self.subsys:
            raise Unknown(f"batch for subsystem {res_id}")
        rules = net.rules
        if genid and genid != rules.generation:
            return [Answer("error", bseq, ERESTART)]
        errs = [Answer("error", bseq)] if bflags & NLM_F_ACK else []
        done = failed = False
        kept = 0
        off = min(specmod.align(n), len(data))
        while len(data) - off >= 16:
            n, ty, flags, seq = struct.unpack_from("=IHHI", data, off)
            if n < 16 or len(data) - off < n or n - 16 < 4 or ty == NFNL_MSG_BATCH_BEGIN \
                    and flags & NLM_F_REQUEST:
                # Malformed, or a second BEGIN: the batch fails, silently.
                errs, failed = [], True
                break
            err = warn = None
            if not flags & NLM_F_REQUEST:
                err = Fail(EINVAL)
            elif ty == NFNL_MSG_BATCH_END:
                done = True
                break
            elif ty < NLMSG_MIN_TYPE or ty >> 8 != res_id:
                err = Fail(EINVAL)
            else:
                try:
                    warn = self.batch_msg(net, ty, flags, data[off + 16:off + n])
                except Fail as f:
                    err = f
                    # The layer keeps MSG_SLOTS formatted messages per batch
                    # (src/netlink/nfnl/batch.rs); past them, errno and
                    # attribute only. Static texts need no slot.
                    if f.msg is not None and not f.static and f.msg not in STATIC_MSGS:
                        if kept == MSG_SLOTS:
                            f.msg = None
                        else:
                            kept += 1
            if flags & NLM_F_ACK or err:
                errs.append(self.ack(seq, err) if err or not warn
                            else Answer("error", seq, 0, warn))
                failed = failed or err is not None
            off += min(specmod.align(n), len(data) - off)
        if done and not failed:
            self.notify_changes(net, rules.commit())
            if flags & NLM_F_ACK:
                errs.append(Answer("error", seq))
        else:
            rules.abort()
        return errs

    def batch_msg(self, net, ty, flags, body):
        """One message of a batch: a batch callback stages its change."""
        op = self.proto.op_by_value("nfnl", ty & 0xff)
        if op is None or op.name not in ("rule-new", "rule-del"):
            raise Fail(EINVAL)
        policy = self.proto.policy("nfnl", op.name)
        try:
            table = validate(policy, body[4:], False, 20)
        except Refusal as r:
            # 6.12's nfnetlink parses batch messages without an extack; 7.3's
            # texts are the kernel's own, static.
            if self.kernel == "6.12":
                raise Fail(r.errno)
            f = Fail(r.errno, r.msg, r.offset)
            f.static = True
            raise f
        a = Fields(table, policy)
        rules = net.rules
        # 7.3 parses with an extack: bytes left over after the attributes
        # are a warning on the message's ACK (a handler's error replaces it).
        warn = None
        if self.kernel != "6.12" and specmod.attrs_of(body[4:])[1] > 0:
            warn = specmod.LEFTOVER
        if op.name == "rule-del":
            rules.remove(resolve(rules, a))
            return warn
        cfg = parse_config(a)
        create, excl = bool(flags & NLM_F_CREATE), bool(flags & NLM_F_EXCL)
        replace = bool(flags & NLM_F_REPLACE) or bool(a.get("rule-replace"))
        try:
            rules.insert_flags(cfg, create, excl, replace)
        except RuleError as e:
            raise insert_error(a, e, replace or cfg.id is not None, rules.max)
        return warn

    # -- views for the oracle --

    def dump(self, net="init"):
        """What a rule dump of `net` returns, as decode_rule() reads it."""
        return [r.view() for _, r in sorted(self.nets[net].rules.rules.items())]


# -- reading the kernel's messages -------------------------------------------

def named(spec, set_name, data):
    """{attribute name: payload} of a well-formed attribute stream."""
    return {spec.attr(set_name, ty & specmod.NLA_TYPE_MASK).name: p
            for _, _, ty, p in specmod.attrs_of(data)[0]}


def decode_rule(proto, body):
    """A rule reply, notification or dump part (after its genlmsghdr) as
    Rule.view() gives it."""
    sp = proto.genl
    u = lambda b: int.from_bytes(b, "little")
    a = named(sp, "nlrs", body)
    m = named(sp, "rule-match", a.get("rule-match", b""))

    def prefix(k):
        for fam in ("4", "6"):
            if k + fam in m:
                return (m[k + fam], u(m[k + "-plen"]))
        return None
    fams = {k[-1] for k in m if k[:3] in ("src", "dst") and k[-1] in "46"}
    l3 = {"4": "v4", "6": "v6"}[fams.pop()] if fams else "any"
    dport = (u(m["dport-lo"]), u(m["dport-hi"])) if "dport-lo" in m else None
    match = (u(m.get("proto", b"\0")), l3, prefix("src"), prefix("dst"), dport)
    th = None
    if "rule-threshold" in a:
        t = named(sp, "threshold", a["rule-threshold"])
        th = (u(t["packets"]), u(t["interval-ms"]))
    c = named(sp, "counters", a.get("rule-counters", b""))
    name = a["rule-name"][:-1] if "rule-name" in a else None
    return (u(a["rule-id"]), name, match, th, (u(c["packets"]), u(c["bytes"])))


def encode_rule(proto, view):
    """A rule's attributes as put_rule() writes them (src/codec.rs), from
    Rule.view(): decode_rule()'s inverse, for tests."""
    sp, A = proto.genl, specmod.Attr
    a = {n: x.value for n, x in sp.sets["nlrs"].items()}
    mv = {n: x.value for n, x in sp.sets["rule-match"].items()}
    id, name, (proto_, l3, src, dst, dport), th, (packets, nbytes) = view
    out = [A(a["rule-id"], struct.pack("=I", id))]
    if name is not None:
        out.append(A(a["rule-name"], name + b"\0"))
    kids = [A(mv["proto"], bytes([proto_]))] if proto_ else []
    fam = {"v4": "4", "v6": "6"}.get(l3)
    for k, p in (("src", src), ("dst", dst)):
        if p is not None:
            kids += [A(mv[k + fam], p[0]), A(mv[k + "-plen"], bytes([p[1]]))]
    if dport is not None:
        kids += [A(mv["dport-lo"], struct.pack("=H", dport[0])),
                 A(mv["dport-hi"], struct.pack("=H", dport[1]))]
    out.append(A(a["rule-match"], children=kids))
    if th is not None:
        out.append(A(a["rule-threshold"], children=[
            A(1, struct.pack("=Q", th[0])), A(2, struct.pack("=I", th[1]))]))
    out.append(A(a["rule-counters"], children=[
        A(1, struct.pack("=Q", packets)), A(2, struct.pack("=Q", nbytes))]))
    return specmod.encode(out)


# -- generating rules --------------------------------------------------------

class RuleGen:
    """Rules a handler accepts, drawn so that requests collide (few ids and
    names), and rules that one semantic deviation makes it refuse, each
    with the start of the extack message it gets (protocol.rst's table)."""

    IDS = [1, 2, 3, 7, 0xffffffff]
    NAMES = [b"a", b"b", b"web", b"n" * 31]

    def __init__(self, proto, rng):
        self.proto, self.rng = proto, rng

    def prefix(self, fam):
        r = self.rng
        size = 4 if fam == "v4" else 16
        plen = r.choice([0, 1, 8, 12, size * 8 - 1, size * 8, r.randint(0, size * 8)])
        addr = bytearray(r.randrange(256) for _ in range(size))
        for i in range(size):
            kept = min(max(plen - 8 * i, 0), 8)
            addr[i] &= (0xff << (8 - kept)) & 0xff if kept else 0
        return Prefix(bytes(addr), plen)

    def config(self):
        r = self.rng
        fam = r.choice(["any", "v4", "v6"])
        src = self.prefix(fam) if fam != "any" and r.random() < 0.6 else None
        dst = self.prefix(fam) if fam != "any" and (src is None or r.random() < 0.5) else None
        proto = r.choice([0, 1, 6, 17, 58, 132, 136, 255])
        dport = None
        if proto in PORT_PROTOS and r.random() < 0.7:
            lo = r.choice([0, 1, 53, 80, 9300, 0xffff])
            dport = (lo, r.choice([lo, min(lo + 10, 0xffff), 0xffff]))
        threshold = None
        if r.random() < 0.3:
            threshold = (r.choice([1, 3, 1 << 40]), r.choice([1, 1000, 3600000]))
        return Config(r.choice(self.IDS + [None]), r.choice(self.NAMES + [None]),
                      Match(proto, fam if src or dst else "any", src, dst, dport), threshold)

    def attrs(self, cfg, replace=False):
        """The rule-new attributes of `cfg` (both planes number them alike)."""
        c = Client(self.proto, 0, 0)
        m = cfg.match
        kids = []
        if m.proto or self.rng.random() < 0.2:
            kids.append(specmod.Attr(c.m["proto"], bytes([m.proto])))
        for k, p in (("src", m.src), ("dst", m.dst)):
            if p is not None:
                kids.append(specmod.Attr(c.m[k + ("4" if len(p.addr) == 4 else "6")], p.addr))
                if p.plen != len(p.addr) * 8 or self.rng.random() < 0.5:
                    kids.append(specmod.Attr(c.m[k + "-plen"], bytes([p.plen])))
        if m.dport is not None:
            kids.append(specmod.Attr(c.m["dport-lo"], struct.pack("=H", m.dport[0])))
            if m.dport[1] != m.dport[0] or self.rng.random() < 0.5:
                kids.append(specmod.Attr(c.m["dport-hi"], struct.pack("=H", m.dport[1])))
        out = c.rule(cfg.id, cfg.name, threshold=cfg.threshold, replace=replace)
        if kids or self.rng.random() < 0.3:
            out.append(specmod.Attr(c.a["rule-match"], children=kids))
        self.rng.shuffle(out)
        return out

    def near(self, cfg):
        """`cfg`'s attributes with one deviation a handler refuses; returns
        (attributes, the start of the extack message)."""
        r = self.rng
        c = Client(self.proto, 0, 0)
        A = specmod.Attr
        m = {n: v for n, v in c.m.items()}
        kind = r.choice(["empty name", "src4 and src6", "plen alone", "plen too long",
                         "host bits", "families differ", "hi below lo", "ports without proto",
                         "hi alone", "threshold half"])
        drop = (c.a["rule-match"], c.a["rule-threshold"], c.a["rule-name"])
        out = [a for a in self.attrs(cfg) if a.ty not in drop]
        kids, want = [], None
        if kind == "empty name":
            out.append(A(c.a["rule-name"], b"\0"))
            want = "rule_name: must not be empty"
        elif kind == "src4 and src6":
            kids = [A(m["src4"], bytes(4)), A(m["src6"], bytes(16))]
            want = "src6: only one of src4 and src6"
        elif kind == "plen alone":
            kids = [A(m["dst-plen"], b"\x08")]
            want = "dst_plen: needs dst4 or dst6"
        elif kind == "plen too long":
            kids = [A(m["src4"], bytes(4)), A(m["src-plen"], bytes([r.randint(33, 128)]))]
            want = "src_plen: longer than the address"
        elif kind == "host bits":
            kids = [A(m["dst6"], bytes(15) + b"\1"), A(m["dst-plen"], bytes([r.randint(0, 127)]))]
            want = "dst6: bits set beyond the prefix length"
        elif kind == "families differ":
            kids = [A(m["src6"], bytes(16)), A(m["dst4"], bytes(4))]
            want = "dst4: address family differs from the source prefix"
        elif kind == "hi below lo":
            kids = [A(m["proto"], b"\x06"), A(m["dport-lo"], struct.pack("=H", 90)),
                    A(m["dport-hi"], struct.pack("=H", 80))]
            want = "dport_hi: lower than dport_lo"
        elif kind == "ports without proto":
            kids = [A(m["proto"], bytes([r.choice([0, 1, 58, 255])])),
                    A(m["dport-lo"], struct.pack("=H", 80))]
            want = "dport_lo: needs proto"
        elif kind == "hi alone":
            kids = [A(m["proto"], b"\x11"), A(m["dport-hi"], struct.pack("=H", 80))]
            want = "missing attribute dport_lo"
        else:
            which = r.choice(["packets", "interval-ms"])
            keep = "interval-ms" if which == "packets" else "packets"
            val = struct.pack("=Q" if keep == "packets" else "=I", 5)
            out.append(A(c.a["rule-threshold"], children=[A(c.t[keep], val)]))
            want = f"missing attribute {ident(which)}"
        if kids:
            out.append(A(c.a["rule-match"], children=kids))
        return out, want


# -- self-test ---------------------------------------------------------------

class Client:
    """Builds requests of both planes for the self-test."""

    def __init__(self, proto, fid, subsys):
        self.proto, self.fid, self.subsys = proto, fid, subsys
        self.seq = 0
        sp = proto.genl
        self.a = {n: a.value for n, a in sp.sets["nlrs"].items()}
        self.m = {n: a.value for n, a in sp.sets["rule-match"].items()}
        self.t = {n: a.value for n, a in sp.sets["threshold"].items()}

    def rule(self, id=None, name=None, proto=None, dport=None, src=None, dst=None,
             threshold=None, replace=False):
        A = specmod.Attr
        out = []
        if id is not None:
            out.append(A(self.a["rule-id"], struct.pack("=I", id)))
        if name is not None:
            out.append(A(self.a["rule-name"], name + b"\0"))
        kids = []
        if proto is not None:
            kids.append(A(self.m["proto"], bytes([proto])))
        for key, p in (("src", src), ("dst", dst)):
            if p is not None:
                addr, plen = p
                kids.append(A(self.m[key + ("4" if len(addr) == 4 else "6")], addr))
                kids.append(A(self.m[key + "-plen"], bytes([plen])))
        if dport is not None:
            kids.append(A(self.m["dport-lo"], struct.pack("=H", dport[0])))
            kids.append(A(self.m["dport-hi"], struct.pack("=H", dport[1])))
        if kids:
            out.append(A(self.a["rule-match"], children=kids))
        if threshold is not None:
            out.append(A(self.a["rule-threshold"], children=[
                A(self.t["packets"], struct.pack("=Q", threshold[0])),
                A(self.t["interval-ms"], struct.pack("=I", threshold[1]))]))
        if replace:
            out.append(A(self.a["rule-replace"]))
        return out

    def genl(self, op, attrs=(), flags=NLM_F_REQUEST | NLM_F_ACK):
        self.seq += 1
        cmd = self.proto.op("genl", op).value
        return specmod.nlmsg(self.fid, flags, specmod.genl_payload(cmd, attrs), self.seq)

    def nfnl(self, op, attrs=(), flags=NLM_F_REQUEST | NLM_F_ACK):
        self.seq += 1
        ty = (self.subsys << 8) | (self.proto.op("nfnl", op).value & 0xff)
        return specmod.nlmsg(ty, flags, specmod.nfnl_payload(attrs), self.seq)

    def batch(self, *msgs, genid=None, end=True):
        A = specmod.Attr
        attrs = [A(1, struct.pack(">I", genid))] if genid is not None else []
        self.seq += 1
        out = specmod.nlmsg(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST,
                            specmod.nfnl_payload(attrs, res_id=self.subsys), self.seq)
        out += b"".join(msgs)
        if end:
            self.seq += 1
            out += specmod.nlmsg(NFNL_MSG_BATCH_END, NLM_F_REQUEST,
                                 specmod.nfnl_payload(res_id=self.subsys), self.seq)
        return out


def corpus_check(proto, fid, subsys, kernel):
    """The model's answers to every case of the bad-input corpus
    (tools/testing/corpus), which make test holds the kernels to, in the
    state test_corpus.py sets up; and no case changes that state."""
    sys.path.insert(0, os.path.join(os.path.dirname(specmod.HERE), "corpus"))
    import corpus
    known = unknown = 0
    for case in corpus.build(fid, subsys):
        m = Model(proto, fid, subsys, kernel)
        c = Client(proto, fid, subsys)
        s = m.socket("genl")
        for data in (c.genl("rule-new", c.rule(1, b"base1", 132, (9, 9))),
                     c.genl("rule-new", c.rule(2, b"base2", 132, dst=(bytes([192, 0, 2, 0]), 24),
                                               threshold=(5, 1000)))):
            assert [a.errno for a in m.genl(s, data) if a.kind == "error"] == [0]
        before = m.dump()
        sock = m.socket(case.proto)
        try:
            got = (m.genl if case.proto == "genl" else m.nfnl)(sock, case.data)
        except Unknown:
            unknown += 1
            continue
        known += 1
        assert len(got) == len(case.expect), (case.name, case.expect, got)
        for want, a in zip(case.expect, got):
            if isinstance(want, corpus.Reply):
                assert a.kind == "reply" and a.ty == want.ty, (case.name, want, a)
                continue
            assert a.kind == "error" and a.errno == want.errno, (case.name, want, a)
            for k in ("msg", "offs", "miss"):
                w = getattr(want, k)
                assert w is None or w == getattr(a, "offset" if k == "offs" else k), \
                    (case.name, k, want, a)
        assert m.dump() == before, case.name
    return known, unknown


def self_test():
    proto = specmod.Protocol()
    fid, sub = 0x1c, 5
    results = {k: corpus_check(proto, fid, sub, k) for k in ("6.12", "7.3")}
    for kernel, (known, unknown) in results.items():
        assert known >= 380 and unknown <= 5, (kernel, known, unknown)

    m = Model(proto, fid, sub)
    c = Client(proto, fid, sub)
    g, nf = m.socket("genl"), m.socket("nfnl")
    errors = lambda answers: [a.errno for a in answers if a.kind == "error"]
    messages = lambda answers: [a.msg for a in answers if a.kind == "error" and a.errno]
    view = lambda: [(r[0], r[1], r[2][0], r[2][4]) for r in m.dump()]
    cre_excl = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL
    cre_repl = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE

    # test_batch: every change applied, in order, notified on config.
    m.join(g, "config")
    sent = m.nets["init"].stats["ntf_sent"]
    got = m.nfnl(nf, c.batch(
        c.nfnl("rule-new", c.rule(1, b"web", 6, (80, 80)), cre_excl),
        c.nfnl("rule-new", c.rule(2, b"dns", 17, (53, 53)), cre_excl),
        c.nfnl("rule-new", c.rule(3, b"ssh", 6, (22, 22)), cre_excl),
        c.nfnl("rule-new", c.rule(2, b"dns", 17, (5353, 5353)), cre_repl),
        c.nfnl("rule-del", c.rule(name=b"ssh"), NLM_F_REQUEST)))
    assert got == [] and view() == [(1, b"web", 6, (80, 80)), (2, b"dns", 17, (5353, 5353))]
    assert m.nets["init"].stats["ntf_sent"] - sent == 5
    gen = m.nets["init"].rules.generation
    assert gen == 1 + 5, gen

    # A batch with a bad message applies nothing, and each bad message
    # gets its own error (messages 2 and 5).
    m.genl(g, c.genl("rule-flush"))
    m.nfnl(nf, c.batch(c.nfnl("rule-new", c.rule(10, b"keep", 17, (1000, 1000)), cre_excl)))
    before, gen = m.dump(), m.nets["init"].rules.generation
    got = m.nfnl(nf, c.batch(
        c.nfnl("rule-new", c.rule(11, b"a", 17, (1, 1)), cre_excl),
        c.nfnl("rule-new", c.rule(12, b"b", None, (2, 2)), cre_excl),
        c.nfnl("rule-del", c.rule(10), NLM_F_REQUEST),
        c.nfnl("rule-new", c.rule(10, b"c"), cre_excl),
        c.nfnl("rule-new", c.rule(11, b"d"), cre_excl)))
    assert errors(got) == [EINVAL, EEXIST], got
    assert messages(got)[0].startswith("dport_lo: needs proto"), got
    assert messages(got)[1] == "rule_id: rule exists; set rule_replace to replace it", got
    assert m.dump() == before and m.nets["init"].rules.generation == gen
    # Without END: nothing applied; ACKs still come for those that ask.
    got = m.nfnl(nf, c.batch(c.nfnl("rule-new", c.rule(13), cre_excl | NLM_F_ACK), end=False))
    assert errors(got) == [0] and m.dump() == before
    # Past 16 formatted messages in a batch, errors keep errno and offset;
    # static messages stay.
    many = [c.nfnl("rule-del", c.rule(90 + i), NLM_F_REQUEST) for i in range(18)]
    got = m.nfnl(nf, c.batch(*many, c.nfnl("rule-del", [], NLM_F_REQUEST)))
    assert errors(got) == [ENOENT] * 18 + [EINVAL], got
    assert [a.msg is not None for a in got] == [True] * 16 + [False] * 2 + [True], got
    assert got[17].offset == 20 and got[18].msg == "missing attribute rule_id or rule_name"
    # 7.3: bytes left over after a batch message's attributes are a warning
    # on its ACK.
    for kernel, want in (("6.12", None), ("7.3", specmod.LEFTOVER)):
        k = Model(proto, fid, sub, kernel)
        got = k.nfnl(k.socket("nfnl"), c.batch(c.nfnl("rule-new", [specmod.Raw(b"\0\0")],
                                                      cre_excl | NLM_F_ACK), end=False))
        assert [(a.errno, a.msg) for a in got] == [(0, want)], (kernel, got)
    # Outside a batch, on both kernels: left-over bytes, at the top or in a
    # nest, are a warning on the ACK of a request that succeeds, and the
    # message of an error that has none of its own (fuzz reproducers
    # crashes/*-answer-*.py).
    for kernel in ("6.12", "7.3"):
        k = Model(proto, fid, sub, kernel)
        s = k.socket("nfnl")
        echo = k.nfnl(s, c.nfnl("echo", [specmod.Attr(1, b"web\0"), specmod.Raw(b"\0\0")]))
        assert [(a.kind, a.msg) for a in echo] == \
            [("reply", None), ("error", specmod.LEFTOVER)] and echo[1].errno == 0, (kernel, echo)
        bad_len = specmod.Attr(16, b"")
        bad_len.nla_len = 65535
        cp = k.nfnl(s, c.nfnl("checkpoint", [bad_len]))
        assert [(a.kind, a.msg) for a in cp] == \
            [("done", None), ("error", specmod.LEFTOVER)] and cp[1].errno == 0, (kernel, cp)
        clean = k.nfnl(s, c.nfnl("checkpoint", []))
        assert [(a.kind, a.msg) for a in clean] == [("done", None), ("error", None)], clean
        nested = k.nfnl(s, c.nfnl("rule-new", [specmod.Attr(9, children=[
            specmod.Attr(2, b"\2\0\0\0"), specmod.Raw(b"\0\0")])]))
        assert [(a.errno, a.msg) for a in nested] == [(EINVAL, specmod.LEFTOVER)], nested
    # A malformed message, or a second BEGIN, fails the batch and drops
    # every answer queued before it (nfnl_err_reset()).
    ok13 = c.nfnl("rule-new", c.rule(13), cre_excl | NLM_F_ACK)
    short = specmod.nlmsg((sub << 8) | 1, NLM_F_REQUEST | NLM_F_ACK, b"\0\0")
    assert m.nfnl(nf, c.batch(ok13, short)) == []
    assert m.nfnl(nf, c.batch(ok13, c.batch(end=False))) == [] and m.dump() == before
    # A policy violation in a batch: 6.12's nfnetlink gives no extack,
    # 7.3's gives the message and the attribute's offset.
    bad = c.batch(c.nfnl("rule-new", [specmod.Attr(6, b"\0\0\0\0")], cre_excl))
    for kernel, want in (("6.12", [(ERANGE, None, None)]),
                         ("7.3", [(ERANGE, specmod.OUT_OF_RANGE, 20)])):
        k = Model(proto, fid, sub, kernel)
        got = k.nfnl(k.socket("nfnl"), bad)
        assert [(a.errno, a.msg, a.offset) for a in got] == want, (kernel, got)

    # NLM_F_CREATE / EXCL / REPLACE (the table in protocol.rst).
    m.genl(g, c.genl("rule-flush"))
    batch1 = lambda flags, **kw: m.nfnl(nf, c.batch(c.nfnl("rule-new", c.rule(**kw), flags)))
    assert batch1(cre_excl, id=20, name=b"x", proto=17) == []
    assert errors(batch1(cre_excl, id=20, name=b"x", proto=6)) == [EEXIST]
    assert errors(batch1(NLM_F_REQUEST | NLM_F_CREATE, id=20, proto=6)) == [EEXIST]
    assert batch1(cre_repl, id=20, name=b"x", proto=6) == []
    assert batch1(cre_repl, id=21, name=b"y", proto=17) == []
    got = batch1(NLM_F_REQUEST | NLM_F_REPLACE, id=22)
    assert messages(got) == ["rule_id: no such rule; NLM_F_CREATE creates it"], got
    assert messages(batch1(NLM_F_REQUEST | NLM_F_REPLACE)) == ["a new rule needs NLM_F_CREATE"]
    assert errors(batch1(NLM_F_REQUEST | NLM_F_EXCL | NLM_F_REPLACE, id=21)) == [EEXIST]
    # rule-replace in the message counts as NLM_F_REPLACE.
    assert batch1(NLM_F_REQUEST, id=21, proto=132, replace=True) == []
    assert [(r[0], r[2][0]) for r in m.dump()] == [(20, 6), (21, 132)]
    got = m.nfnl(nf, c.batch(c.nfnl("rule-del", c.rule(21), NLM_F_REQUEST),
                             c.nfnl("rule-del", c.rule(99), NLM_F_REQUEST)))
    assert errors(got) == [ENOENT] and len(m.dump()) == 2

    # Generations: a stale one is ERESTART; the current one applies.
    gen = m.nets["init"].rules.generation
    add = lambda id, genid: m.nfnl(nf, c.batch(c.nfnl("rule-new", c.rule(id), cre_excl),
                                               genid=genid))
    assert errors(add(30, gen + 1)) == [ERESTART] and len(m.dump()) == 2
    assert add(30, gen) == [] and m.nets["init"].rules.generation == gen + 1

    # genl: ids assigned in order after the last assigned; replace keeps
    # the id and counters; a name belongs to one rule.
    m.genl(g, c.genl("rule-flush"))
    ids = [m.genl(g, c.genl("rule-new"))[0].body[0] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3, ids
    m.genl(g, c.genl("rule-flush"))
    assert m.genl(g, c.genl("rule-new"))[0].body[0] == ids[-1] + 1
    m.genl(g, c.genl("rule-flush"))
    m.genl(g, c.genl("rule-new", c.rule(5, b"five", 6)))
    got = m.genl(g, c.genl("rule-new", c.rule(5)))
    assert messages(got) == ["rule_id: rule exists; set rule_replace to replace it"]
    got = m.genl(g, c.genl("rule-new", c.rule(6, b"five")))
    assert messages(got) == ["rule_name: used by rule 5"], got
    got = m.genl(g, c.genl("rule-new", c.rule(name=b"five")))
    assert messages(got) == ["rule_name: used by rule 5; set rule_replace to replace it"], got
    net = m.nets["init"]
    lo = Packet("v4", 17, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]), 9, 92)
    m.genl(g, c.genl("rule-new", c.rule(5, b"v", 17, replace=True)))
    for _ in range(3):
        m.packet(net, lo)
        m.packet(net, lo)
    got = m.genl(g, c.genl("rule-new", c.rule(name=b"v", proto=132, replace=True)))
    assert got[0].body == (5, b"v", (132, "any", None, None, None), None, (6, 6 * 92)), got
    w = m.genl(g, c.genl("rule-new", c.rule(name=b"w", replace=True)))[0].body[0]
    assert w != 5 and [(r[0], r[1]) for r in m.dump()] == sorted([(5, b"v"), (w, b"w")])
    # Replacing by id alone drops the name; with another's name: EEXIST.
    m.genl(g, c.genl("rule-new", c.rule(w, replace=True)))
    assert m.nets["init"].rules.get(name=b"w") is None
    got = m.genl(g, c.genl("rule-new", c.rule(w, b"v", replace=True)))
    assert errors(got) == [EEXIST] and messages(got) == ["rule_name: used by rule 5"], got

    # Deleting: by id, by name, both must agree.
    m.genl(g, c.genl("rule-flush"))
    m.genl(g, c.genl("rule-new", c.rule(1, b"one")))
    m.genl(g, c.genl("rule-new", c.rule(2)))
    got = m.genl(g, c.genl("rule-del", c.rule(2, b"one")))
    assert messages(got) == ["rule_name: names rule 1, not rule 2"], got
    assert errors(m.genl(g, c.genl("rule-del", c.rule(name=b"one")))) == [0]

    # Matching and the data path: both hooks, prefixes, ports, families.
    m.genl(g, c.genl("rule-flush"))
    assert not net.rules.published
    m.genl(g, c.genl("rule-new", c.rule(7, proto=17, dport=(9300, 9300))))
    m.genl(g, c.genl("rule-new", c.rule(8, proto=17, dport=(9301, 9301))))
    m.genl(g, c.genl("rule-new", c.rule(9, dst=(bytes([10, 0, 0, 0]), 8))))
    m.genl(g, c.genl("rule-new", c.rule(10, src=(bytes(16), 0))))
    hook0 = net.stats["hook_packets"]
    for _ in range(5):
        for _ in range(2):
            m.packet(net, Packet("v4", 17, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]), 9300,
                                 92))
    m.packet(net, Packet("v4", 6, bytes([10, 1, 2, 3]), bytes([10, 9, 9, 9]), 9300, 40))
    m.packet(net, Packet("v6", 58, bytes(16), bytes(15) + b"\1", None, 48))
    assert net.stats["hook_packets"] - hook0 == 12
    counters = {r[0]: r[4] for r in m.dump()}
    assert counters == {7: (10, 920), 8: (0, 0), 9: (1, 40), 10: (1, 48)}, counters
    # What the kernel writes of a rule reads back as the model's view.
    for r in m.dump() + [(3, b"n" * 31, (6, "v4", (bytes([10, 0, 0, 0]), 8), None, (1, 2)),
                          (5, 1), (1 << 40, 7))]:
        assert decode_rule(proto, encode_rule(proto, r)) == r, r

    p12 = Match(0, "v4", None, Prefix(bytes([10, 16, 0, 0]), 12))
    at = lambda *addr: Packet("v4", 1, bytes(4), bytes(addr), None, 20)
    assert p12.matches(at(10, 31, 255, 255)) and not p12.matches(at(10, 32, 0, 0))
    assert prefix_error(bytes([10, 16, 0, 0]), 12) is None
    assert prefix_error(bytes([10, 24, 0, 0]), 12) == "host"
    assert prefix_error(bytes(16), 129) == "long" and prefix_error(bytes(4), None) is None

    # Checkpoints: a reset restarts from what was read; successive ones add
    # up; one without reset resets nothing.
    cp = lambda reset: {a.body[0]: a.body[1] for a in m.nfnl(nf, c.nfnl(
        "checkpoint", [specmod.Attr(16)] if reset else [], NLM_F_REQUEST)) if a.kind == "reply"}
    assert cp(True)[7] == (10, 920) and cp(True)[7] == (0, 0)
    m.packet(net, Packet("v4", 17, bytes(4), bytes(4), 9300, 92))
    assert cp(False)[7] == (1, 92) and cp(False)[7] == (1, 92)
    assert {r[0]: r[4] for r in m.dump()}[7] == (1, 92)
    last = m.nfnl(nf, c.nfnl("checkpoint", flags=NLM_F_REQUEST | NLM_F_ACK))
    assert [a.kind for a in last] == ["reply"] * 4 + ["done", "error"], last

    # Thresholds: one alert per window, to the group and each listener; a
    # replaced rule keeps its window.
    m.genl(g, c.genl("rule-flush"))
    m.join(g, "alerts")
    m.nfnl(nf, c.nfnl("listen"))
    m.genl(g, c.genl("rule-new", c.rule(40, proto=17, threshold=(3, 1000))))
    u = Packet("v4", 17, bytes(4), bytes(4), 1, 30)
    alerts = net.stats["alerts"]
    for _ in range(10):
        m.packet(net, u)
    m.genl(g, c.genl("rule-new", c.rule(40, proto=17, threshold=(3, 1000), replace=True)))
    m.packet(net, u)
    assert net.stats["alerts"] - alerts == 1 and net.alerts[-1] == (nf.portid, 40, (3, 1000), 4)
    m.now_ms += 1000
    for _ in range(4):
        m.packet(net, u)
    assert net.stats["alerts"] - alerts == 2

    # Listeners: 16 per namespace; a second LISTEN is no new one; closing
    # forgets; UNLISTEN of a non-listener is ENOENT.
    socks = [m.socket("nfnl") for _ in range(15)]
    assert all(errors(m.nfnl(s, c.nfnl("listen"))) == [0] for s in socks)
    assert errors(m.nfnl(nf, c.nfnl("listen"))) == [0] and len(net.listeners) == 16
    extra = m.socket("nfnl")
    got = m.nfnl(extra, c.nfnl("listen"))
    assert messages(got) == ["listener limit reached: 16 per network namespace"], got
    m.close(socks[0])
    assert errors(m.nfnl(extra, c.nfnl("listen"))) == [0]
    assert errors(m.nfnl(socks[1], c.nfnl("unlisten"))) == [0]
    assert messages(m.nfnl(socks[1], c.nfnl("unlisten"))) == ["this socket is not a listener"]

    # Permissions: nobody reads; root of a user namespace manages the
    # namespace it made, and no other.
    nobody = m.socket("genl", cred=Cred("nobody"))
    assert errors(m.genl(nobody, c.genl("rule-new", c.rule(50)))) == [EPERM]
    assert errors(m.genl(nobody, c.genl("rule-get", c.rule(40)))) == [0]
    assert errors(m.nfnl(m.socket("nfnl", cred=Cred("nobody")), c.nfnl("echo"))) == [EPERM]
    assert m.join(nobody, "alerts") == EPERM and m.join(nobody, "config") == 0
    assert m.join(m.socket("genl", cred=Cred("userns-root", "u1")), "alerts") == EPERM
    m.add_net("c1", owner="u1")
    mine = m.socket("genl", "c1", Cred("userns-root", "u1"))
    assert errors(m.genl(mine, c.genl("rule-new", c.rule(1, b"mine")))) == [0]
    assert m.dump("c1")[0][:2] == (1, b"mine") and 1 not in net.rules.rules
    assert m.join(mine, "alerts") == 0
    outside = m.socket("genl", "init", Cred("userns-root", "u1"))
    assert errors(m.genl(outside, c.genl("rule-flush"))) == [EPERM]
    m.del_net("c1")

    # Generated rules: a valid one is stored as generated (through either
    # plane); a near-valid one gets the refusal meant for it.
    gen = RuleGen(proto, random.Random(1))
    for i in range(300):
        fresh = Model(proto, fid, sub)
        gs, ns = fresh.socket("genl"), fresh.socket("nfnl")
        cfg = gen.config()
        got = fresh.genl(gs, c.genl("rule-new", gen.attrs(cfg)))
        assert errors(got) == [0], (cfg, got)
        r = fresh.dump()[0]
        assert (r[1], r[2], r[3]) == (cfg.name, cfg.match.key(), cfg.threshold), (cfg, r)
        assert cfg.id is None or r[0] == cfg.id
        # Again, as a replacement: of the same rule if it has a key.
        got = fresh.nfnl(ns, c.batch(c.nfnl("rule-new", gen.attrs(cfg), cre_repl)))
        n = 1 if cfg.id is not None or cfg.name is not None else 2
        assert got == [] and len(fresh.dump()) == n, (cfg, got)
        bad, want = gen.near(gen.config())
        for plane, got in (("genl", fresh.genl(gs, c.genl("rule-new", bad))),
                           ("nfnl", fresh.nfnl(ns, c.batch(c.nfnl("rule-new", bad, cre_repl))))):
            assert errors(got) == [EINVAL] and messages(got)[0].startswith(want), \
                (plane, bad, want, got)
        assert len(fresh.dump()) == n

    # max_rules: ENOSPC; replacing at the limit does not count.
    small = Model(proto, fid, sub, max_rules=3)
    s3 = small.socket("genl")
    for i in range(1, 4):
        small.genl(s3, c.genl("rule-new", c.rule(i)))
    got = small.genl(s3, c.genl("rule-new", c.rule(4)))
    assert messages(got) == ["rule limit reached: 3 rules per network namespace (max_rules)"]
    assert errors(small.genl(s3, c.genl("rule-new", c.rule(3, proto=6, replace=True)))) == [0]

    # Statistics: a request counts when its handler returns, a rejected one
    # as a reject too; a policy refusal never reaches a handler; a dump
    # counts once; stats-get does not count itself.
    st = Model(proto, fid, sub)
    s = st.socket("genl")
    get = lambda: st.genl(s, c.genl("stats-get"))[0].body
    assert get()["requests"] == 0 and get()["requests"] == 1
    st.genl(s, c.genl("rule-del", c.rule(9)))
    st.genl(s, c.genl("rule-new", [specmod.Attr(6, b"\0\0\0\0")]))
    st.genl(s, c.genl("rule-get", flags=NLM_F_REQUEST | NLM_F_DUMP))
    now = get()
    assert (now["requests"], now["rejects"]) == (4, 1), now

    print(f"model.py: the corpus's answers on 6.12 ({results['6.12'][0]} cases; "
          f"{results['6.12'][1]} beyond the model) and 7.3 ({results['7.3'][0]}; "
          f"{results['7.3'][1]}); rule, batch, checkpoint, listener, permission and data path "
          "semantics hold")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    print(__doc__)


if __name__ == "__main__":
    main()
