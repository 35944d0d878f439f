# SPDX-License-Identifier: GPL-2.0
"""Raw netlink for tests: build any message, good or malformed, and read the
kernel's answer, extended ACK included. Deliberately independent of nlrsctl,
so the tool and the tests do not share bugs.

The nlrs protocol's numbers are in uapi.py, generated from the specs. Every
message a Socket receives (recv_msgs(), request()) from the nlrs family or
nfnetlink subsystem is held against the spec (check_sent()): an attribute
the spec does not list for that reply, notification or event fails the test
that received it."""

import errno
import os
import socket
import struct

import uapi

NETLINK_GENERIC = 16
NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_REPLACE = 0x100
NLM_F_CREATE = 0x400
NFNL_MSG_BATCH_BEGIN = 0x10
NFNL_MSG_BATCH_END = 0x11
NLMSG_ERROR = 2
NLMSG_DONE = 3

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

NLM_F_DUMP_INTR = 0x10
NLA_F_NESTED = 0x8000


def align(n):
    return (n + 3) & ~3


def attr(ty, payload, nla_len=None):
    """An attribute; nla_len overrides the header's length field."""
    n = 4 + len(payload) if nla_len is None else nla_len
    return struct.pack("=HH", n, ty) + payload + b"\0" * (align(len(payload)) - len(payload))


def attr_str(ty, s):
    return attr(ty, s.encode() + b"\0")


def attr_u32(ty, v):
    return attr(ty, struct.pack("=I", v))


def attr_u8(ty, v):
    return attr(ty, struct.pack("=B", v))


def attr_u16(ty, v):
    return attr(ty, struct.pack("=H", v))


def attr_u64(ty, v):
    return attr(ty, struct.pack("=Q", v))


def nest(ty, *attrs):
    return attr(ty | NLA_F_NESTED, b"".join(attrs))


def parse_attrs(data):
    """Attributes of a well-formed stream, as {type: payload}."""
    out = {}
    while len(data) >= 4:
        n, ty = struct.unpack_from("=HH", data)
        if n < 4 or n > len(data):
            raise ValueError("malformed attribute stream")
        out[ty & 0x3FFF] = data[4:n]
        data = data[align(n):]
    return out


class NetlinkError(Exception):
    """An error ACK: errno, extack message, offending offset, missing type."""

    def __init__(self, err, msg=None, offset=None, miss_type=None):
        super().__init__(f"{errno.errorcode.get(err, err)}: {msg}")
        self.errno, self.msg, self.offset, self.miss_type = err, msg, offset, miss_type


class Socket:
    def __init__(self, proto):
        self.proto = proto
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        # A backstop that names the socket a lost answer would hang on; the
        # test's own limit (runner.py) is the real bound.
        self.sock.settimeout(60)
        self.sock.bind((0, 0))
        self.seq = 1

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def join(self, group):
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)

    def send_raw(self, data):
        self.sock.send(data)

    def message(self, ty, flags, payload, seq=None, nlmsg_len=None):
        """One message; nlmsg_len overrides the header's length field."""
        seq = self.seq if seq is None else seq
        self.seq += 1
        return message(ty, flags, payload, seq, nlmsg_len)

    def recv_msgs(self):
        data = self.sock.recv(65536)
        msgs = []
        while len(data) >= 16:
            n, ty, flags, seq, pid = struct.unpack_from("=IHHII", data)
            check_sent(self.proto, ty, data[16:n])
            msgs.append((ty, flags, seq, data[16:n]))
            data = data[align(n):]
        return msgs

    def request(self, ty, payload, flags=NLM_F_REQUEST | NLM_F_ACK):
        """Sends one request; returns the payloads of the answers before the
        ACK, or raises NetlinkError."""
        msg = self.message(ty, flags, payload)
        seq = self.seq - 1
        self.send_raw(msg)
        answers = []
        while True:
            for mty, mflags, mseq, body in self.recv_msgs():
                if mseq != seq:
                    continue
                if mty == NLMSG_ERROR:
                    check_error(body)
                    return answers
                if mty == NLMSG_DONE:
                    return answers
                answers.append((mty, body))
                if not flags & NLM_F_ACK and not mflags & NLM_F_MULTI:
                    return answers


def message(ty, flags, payload, seq=0, nlmsg_len=None):
    """One netlink message; nlmsg_len overrides the header's length field."""
    n = 16 + len(payload) if nlmsg_len is None else nlmsg_len
    return struct.pack("=IHHII", n, ty, flags, seq, 0) + payload


def nfnl_batch(subsys, msgs, end_flags=NLM_F_REQUEST):
    """msgs between BATCH_BEGIN and BATCH_END for nfnetlink subsystem subsys."""
    return (message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, nfgen_header(res_id=subsys)) + msgs
            + message(NFNL_MSG_BATCH_END, end_flags, nfgen_header(res_id=subsys)))


def drain(sock):
    """Every message queued on `sock` (a socket.socket), without waiting,
    as (type, seq, body); and how many reads failed with ENOBUFS (answers
    the kernel could not queue)."""
    out, lost = [], 0
    while True:
        try:
            data = sock.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return out, lost
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            lost += 1
            continue
        while len(data) >= 16:
            n, ty, _, seq, _ = struct.unpack_from("=IHHII", data)
            out.append((ty, seq, data[16:n]))
            data = data[align(n):]


def decode_error(body):
    """(errno, extack message, offset, missing type) of an error ACK body
    (errno 0: a plain ACK), the last three None when absent."""
    err = -struct.unpack_from("=i", body)[0]
    # With NETLINK_CAP_ACK only the request's header follows the error code.
    tlvs = parse_attrs(body[4 + 16:])
    msg = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode() or None
    off = tlvs.get(NLMSGERR_ATTR_OFFS)
    miss = tlvs.get(NLMSGERR_ATTR_MISS_TYPE)
    return (err, msg, struct.unpack("=I", off)[0] if off else None,
            struct.unpack("=I", miss)[0] if miss else None)


def check_error(body):
    """Raises NetlinkError for an error ACK body; returns for a plain ACK."""
    err, msg, off, miss = decode_error(body)
    if err != 0:
        raise NetlinkError(err, msg, off, miss)


def genl_header(cmd, version=1, reserved=0):
    return struct.pack("=BBH", cmd, version, reserved)


def nfgen_header(family=socket.AF_UNSPEC, version=0, res_id=0):
    return struct.pack("=BBH", family, version, socket.htons(res_id))


# The generic netlink family of each id, as resolve() last found it (a
# module reloaded may get another id, and its old one go to another family).
_families = {}


def resolve(name):
    """(family id, {group name: id}) of a generic netlink family."""
    with Socket(NETLINK_GENERIC) as s:
        answers = s.request(GENL_ID_CTRL, genl_header(CTRL_CMD_GETFAMILY, 1)
                            + attr_str(CTRL_ATTR_FAMILY_NAME, name))
    attrs = parse_attrs(answers[0][1][4:])
    fid = struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]
    _families[fid] = name
    groups = {}
    for g in parse_attrs(attrs.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
        ga = parse_attrs(g)
        groups[ga[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()] = \
            struct.unpack("=I", ga[CTRL_ATTR_MCAST_GRP_ID])[0]
    return fid, groups


def nlrs_subsys():
    """The nfnetlink subsystem id nlrs is loaded with."""
    return int(os.environ.get("NLRS_NFNL_SUBSYS", uapi.NFNL_SUBSYS_ID))


def nfnl_type(msg, subsys=None):
    return ((nlrs_subsys() if subsys is None else subsys) << 8) | msg


class SpecViolation(AssertionError):
    """The kernel sent what the spec does not describe."""


# Payload length of each fixed-size attribute type (binaryN: N bytes).
_TYPE_LEN = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s32": 4, "s64": 8, "flag": 0}


def check_sent(proto, ty, body):
    """Holds one message the kernel sent against the spec, if it is the
    nlrs family's (as resolve() found it) or its nfnetlink subsystem's:
    every attribute must be one the spec lists for that message type, of
    its type's size, and every nested one one of its nested set. Raises
    SpecViolation otherwise."""
    if proto == NETLINK_GENERIC and _families.get(ty) == uapi.GENL_FAMILY_NAME:
        replies, kind, what = uapi.GENL_REPLIES, body[0], "command"
    elif proto == NETLINK_NETFILTER and ty >> 8 == nlrs_subsys():
        replies, kind, what = uapi.NFNL_REPLIES, ty & 0xff, "nfnetlink message"
    else:
        return
    if kind not in replies:
        raise SpecViolation(f"the kernel sent {what} {kind}, which the spec does not send")
    op, aset, allowed = replies[kind]
    _check_attrs(op, op, aset, allowed, body[4:])


def _size(kind):
    """The payload size an attribute type requires, or None for any."""
    if kind.startswith("binary") and kind[6:]:
        return int(kind[6:])
    return _TYPE_LEN.get(kind)


def _check_attrs(op, where, aset, allowed, data):
    while len(data) >= 4:
        n, ty = struct.unpack_from("=HH", data)
        if n < 4 or n > len(data):
            raise SpecViolation(f"{where}: malformed attribute stream")
        ty &= 0x3FFF
        payload = data[4:n]
        data = data[align(n):]
        if ty not in allowed:
            raise SpecViolation(f"{where}: the kernel sent attribute {ty}, which the spec "
                                f"does not list for {op}")
        name, kind, nested = aset[ty]
        if nested is not None:
            _check_attrs(op, f"{where}.{name}", nested, nested, payload)
        elif kind == "string" and (not payload or payload[-1] != 0):
            raise SpecViolation(f"{where}.{name}: string without its NUL")
        elif _size(kind) not in (None, len(payload)):
            raise SpecViolation(f"{where}.{name}: {len(payload)} bytes for a {kind}")
