#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A mutational netlink fuzzer for both planes of nlrs.

It starts from a valid message of every operation (generic netlink and
nfnetlink, batches included), mutates headers, lengths, types, flags and
payloads, sends the result and reads every answer. It runs in a network
namespace of its own, so the rules it makes cannot disturb anything else.
A finding is an answer that is not well-formed, an errno outside the
kernel's range, a module that stops answering ECHO, or rule counts that
disagree; the kernel's own reports (KASAN, lockdep, WARN, kmemleak) are
checked by whoever runs it (test_fuzz.py, run.sh).

    python3 fuzz.py [--seconds N] [--seed S]

Prints what it sent and found as one JSON object; exit status 1 on a
finding.
"""

import ctypes
import errno
import json
import os
import random
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "corpus"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import corpus  # noqa: E402
import nl  # noqa: E402
import uapi  # noqa: E402

CLONE_NEWNET = 0x40000000
MODPROBE = "/proc/sys/kernel/modprobe"
INTERESTING = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff]


def seeds(fid, subsys):
    """(protocol, message) of a valid request of every operation."""
    c = corpus.Corpus(fid, subsys)
    A = corpus.Attr
    u32 = lambda v: struct.pack("=I", v)
    # A rule, for both planes: they share the attribute numbers (the
    # generator checks that), so the GENL_ names stand for both.
    rule = [A(uapi.GENL_ATTR_RULE_ID, u32(7)), A(uapi.GENL_ATTR_RULE_NAME, b"fuzz\0"),
            A(uapi.GENL_ATTR_RULE_MATCH, children=[
                A(uapi.GENL_RULE_MATCH_PROTO, b"\x11"),
                A(uapi.GENL_RULE_MATCH_SRC4, bytes([10, 0, 0, 0])),
                A(uapi.GENL_RULE_MATCH_SRC_PLEN, b"\x08"),
                A(uapi.GENL_RULE_MATCH_DPORT_LO, struct.pack("=H", 53)),
                A(uapi.GENL_RULE_MATCH_DPORT_HI, struct.pack("=H", 60))]),
            A(uapi.GENL_ATTR_RULE_THRESHOLD, children=[
                A(uapi.GENL_THRESHOLD_PACKETS, struct.pack("=Q", 3)),
                A(uapi.GENL_THRESHOLD_INTERVAL_MS, u32(100))])]
    g = lambda cmd, attrs=(), flags=corpus.REQ: ("genl", c.genl(cmd, attrs, flags)[0])
    n = lambda t, attrs=(), flags=corpus.REQ: ("nfnl", c.nfnl(t, attrs, flags)[0])
    return [
        g(uapi.GENL_CMD_ECHO, [A(uapi.GENL_ATTR_MSG, b"fuzz\0")]),
        g(uapi.GENL_CMD_STATS_GET),
        g(uapi.GENL_CMD_RULE_NEW, rule),
        g(uapi.GENL_CMD_RULE_NEW, [
            A(uapi.GENL_ATTR_RULE_ID, u32(7)), A(uapi.GENL_ATTR_RULE_REPLACE),
            A(uapi.GENL_ATTR_RULE_MATCH, children=[A(uapi.GENL_RULE_MATCH_PROTO, b"\x06"),
                                                   A(uapi.GENL_RULE_MATCH_DST6, bytes(16)),
                                                   A(uapi.GENL_RULE_MATCH_DST_PLEN, b"\x00")])]),
        g(uapi.GENL_CMD_RULE_DEL, [A(uapi.GENL_ATTR_RULE_ID, u32(7))]),
        g(uapi.GENL_CMD_RULE_DEL, [A(uapi.GENL_ATTR_RULE_NAME, b"fuzz\0")]),
        g(uapi.GENL_CMD_RULE_GET, [A(uapi.GENL_ATTR_RULE_ID, u32(7))]),
        g(uapi.GENL_CMD_RULE_GET, flags=corpus.NLM_F_REQUEST | corpus.NLM_F_DUMP),
        g(uapi.GENL_CMD_RULE_FLUSH),
        n(uapi.NFNL_MSG_ECHO, [A(uapi.NFNL_ATTR_MSG, b"fuzz\0")]),
        n(uapi.NFNL_MSG_CHECKPOINT),
        n(uapi.NFNL_MSG_CHECKPOINT, [A(uapi.NFNL_ATTR_CHECKPOINT_RESET)]),
        n(uapi.NFNL_MSG_LISTEN),
        n(uapi.NFNL_MSG_UNLISTEN),
        ("nfnl", c.batch(c.nfnl(uapi.NFNL_MSG_RULE_NEW, rule,
                                flags=corpus.REQ | corpus.NLM_F_CREATE)[0],
                         c.nfnl(uapi.NFNL_MSG_RULE_DEL, [A(uapi.NFNL_ATTR_RULE_ID, u32(7))])[0])),
        ("nfnl", c.batch(c.nfnl(uapi.NFNL_MSG_RULE_NEW, rule[:2], flags=corpus.REQ | corpus.NLM_F_CREATE
                                | corpus.NLM_F_REPLACE)[0], genid=0)),
    ]


def attr_offsets(data, start):
    """Offsets of the attribute headers of one message, nests included."""
    out, stack = [], [(start, len(data))]
    while stack:
        off, end = stack.pop()
        while off + 4 <= end:
            n, ty = struct.unpack_from("=HH", data, off)
            if n < 4 or off + n > end:
                break
            out.append(off)
            if ty & 0x8000:
                stack.append((off + 4, off + n))
            off += (n + 3) & ~3
    return out


def mutate(rng, data, pool):
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        attrs = attr_offsets(bytes(b), 20)
        m = rng.randrange(12)
        if m == 0 and b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif m == 1 and b:
            b[rng.randrange(len(b))] = rng.choice(INTERESTING)
        elif m == 2:
            struct.pack_into("=I", b, 0, rng.choice([0, 15, 16, 19, 20, len(b) - 1, len(b) + 1,
                                                      len(b) + 4, rng.randrange(1 << 16),
                                                      0xffffffff]))
        elif m == 3 and attrs:
            struct.pack_into("=H", b, rng.choice(attrs), rng.choice([0, 1, 3, 4, 5, 7, 8, 9,
                                                                      0xffff, rng.randrange(1 << 16)]))
        elif m == 4 and attrs:
            off = rng.choice(attrs) + 2
            ty = struct.unpack_from("=H", b, off)[0]
            struct.pack_into("=H", b, off, rng.choice([0, ty ^ 0x8000, (ty + 1) & 0xffff,
                                                       (ty - 1) & 0xffff, 0x7fff,
                                                       rng.randrange(1 << 16)]))
        elif m == 5 and len(b) > 16:
            del b[rng.randrange(16, len(b)):]
        elif m == 6:
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        elif m == 7:
            b += rng.choice(pool)[1]
        elif m == 8 and attrs:
            off = rng.choice(attrs)
            n = struct.unpack_from("=H", b, off)[0]
            piece = bytes(b[off:off + ((n + 3) & ~3)])
            b[off:off] = piece
        elif m == 9:
            struct.pack_into("=H", b, 6, rng.randrange(1 << 16))
        elif m == 10:
            ty = struct.unpack_from("=H", b, 4)[0]
            struct.pack_into("=H", b, 4, rng.choice([ty ^ 1, (ty + 1) & 0xffff,
                                                     ty & 0xff00 | rng.randrange(256),
                                                     rng.randrange(1 << 16)]))
        elif m == 11 and len(b) >= 20:
            b[16] = rng.randrange(256)
        # Keep the length field honest half of the time, so mutations
        # reach the attribute parsers.
        if len(b) >= 16 and rng.random() < 0.5:
            struct.pack_into("=I", b, 0, len(b))
    return bytes(b)


def drain(sock, findings, stats):
    """Reads every queued answer (continuing dumps) and checks its form."""
    while True:
        try:
            data = sock.recv(1 << 16, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError as e:
            stats["socket errors"] = stats.get("socket errors", 0) + 1
            # ENOBUFS: answers were dropped for want of buffer space.
            if e.errno != errno.ENOBUFS:
                findings.append(f"recv: {e}")
            continue
        off = 0
        while off < len(data):
            if len(data) - off < 16:
                findings.append(f"answer with {len(data) - off} stray bytes")
                return
            n, ty = struct.unpack_from("=IH", data, off)
            if n < 16 or off + n > len(data):
                findings.append(f"answer with nlmsg_len {n} in {len(data) - off} bytes")
                return
            if ty == nl.NLMSG_ERROR:
                err = -struct.unpack_from("=i", data, off + 16)[0]
                if not 0 <= err < 4096:
                    findings.append(f"error ACK with errno {err}")
                stats["errors"] = stats.get("errors", 0) + (err != 0)
                stats["acks"] = stats.get("acks", 0) + (err == 0)
            else:
                stats["replies"] = stats.get("replies", 0) + 1
            off += (n + 3) & ~3


def unshare_net():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
    os.system("ip link set lo up")


def check_alive(fid, subsys, findings):
    """ECHO on both planes answers, and the rule counts agree."""
    try:
        with nl.Socket(nl.NETLINK_GENERIC) as s:
            r = s.request(fid, nl.genl_header(uapi.GENL_CMD_ECHO)
                          + nl.attr_str(uapi.GENL_ATTR_MSG, "alive"))
            if nl.parse_attrs(r[0][1][4:]).get(uapi.GENL_ATTR_MSG) != b"alive\0":
                findings.append("genl ECHO answered wrongly")
            rules = s.request(fid, nl.genl_header(uapi.GENL_CMD_RULE_GET),
                              flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP)
            (st,) = s.request(fid, nl.genl_header(uapi.GENL_CMD_STATS_GET))
            count = struct.unpack("=I", nl.parse_attrs(st[1][4:])[uapi.GENL_ATTR_RULE_COUNT])[0]
            if count != len(rules):
                findings.append(f"STATS_GET says {count} rules, the dump has {len(rules)}")
        with nl.Socket(nl.NETLINK_NETFILTER) as s:
            r = s.request(nl.nfnl_type(uapi.NFNL_MSG_ECHO, subsys),
                          nl.nfgen_header() + nl.attr_str(uapi.NFNL_ATTR_MSG, "alive"))
            if nl.parse_attrs(r[0][1][4:]).get(uapi.NFNL_ATTR_MSG) != b"alive\0":
                findings.append("nfnl ECHO answered wrongly")
    except (nl.NetlinkError, OSError, IndexError, KeyError) as e:
        findings.append(f"liveness check failed: {e!r}")


def main():
    import argparse  # the command line's alone: the tests import this module
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--messages", type=int, default=None,
                    help="stop after this many messages (with --seed: the same run each time)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    result = run(seed, args.seconds, args.messages)
    print(json.dumps(result))
    sys.exit(1 if result["findings"] else 0)


def run(seed, seconds, messages=None):
    """A fuzz run from `seed` in a new network namespace of the calling
    process (which stays in it); returns its result."""
    rng = random.Random(seed)
    unshare_net()
    # Messages to subsystems or families that do not exist make the kernel
    # run modprobe for them, which takes a second under emulation; an
    # empty modprobe path makes request_module() fail at once instead.
    with open(MODPROBE) as f:
        modprobe = f.read().strip()
    with open(MODPROBE, "w") as f:
        f.write("\n")
    try:
        result = fuzz(rng, seconds, messages)
    finally:
        with open(MODPROBE, "w") as f:
            f.write(modprobe + "\n")
    result["seed"] = seed
    return result


def fuzz(rng, seconds, messages=None):
    fid, _ = nl.resolve("nlrs")
    subsys = nl.nlrs_subsys()
    pool = seeds(fid, subsys)
    socks = {}
    findings, stats = [], {}
    sent = 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline and not findings and sent != messages:
        proto, base = rng.choice(pool)
        data = mutate(rng, base, pool)
        if proto not in socks or rng.random() < 0.01:
            if proto in socks:
                socks[proto].close()
            socks[proto] = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                         nl.NETLINK_GENERIC if proto == "genl" else nl.NETLINK_NETFILTER)
            socks[proto].setsockopt(nl.SOL_NETLINK, nl.NETLINK_EXT_ACK, 1)
            socks[proto].setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            socks[proto].bind((0, 0))
        try:
            socks[proto].send(data)
        except OSError as e:
            stats[f"send {os.strerror(e.errno)}"] = stats.get(f"send {os.strerror(e.errno)}", 0) + 1
        sent += 1
        drain(socks[proto], findings, stats)
        if sent % 2000 == 0:
            check_alive(fid, subsys, findings)
    check_alive(fid, subsys, findings)
    for s in socks.values():
        s.close()
    elapsed = time.monotonic() - start
    return {"seconds": round(elapsed, 1), "messages": sent, "per_second": round(sent / elapsed),
            "answers": stats, "findings": findings}


if __name__ == "__main__":
    main()
