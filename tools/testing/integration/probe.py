# SPDX-License-Identifier: GPL-2.0
"""Tries every operation and group of both planes with the caller's
credentials, in the caller's network namespace; prints {name: errno} as
JSON (0: allowed). Run by test_perms.py as an unprivileged user and as
root of a user namespace, from a copy next to a copy of nl.py."""

import json
import sys

import nl
import uapi

SOL_NETLINK = 270


def main():
    subsys = int(sys.argv[1]) if len(sys.argv) > 1 else uapi.NFNL_SUBSYS_ID
    fid, groups = nl.resolve("nlrs")
    out = {}

    def attempt(name, fn):
        try:
            fn()
            out[name] = 0
        except nl.NetlinkError as e:
            out[name] = e.errno
        except OSError as e:
            out[name] = e.errno

    g = nl.Socket(nl.NETLINK_GENERIC)
    genl = lambda cmd, *a, flags=nl.NLM_F_REQUEST | nl.NLM_F_ACK: g.request(
        fid, nl.genl_header(cmd) + b"".join(a), flags=flags)
    rid = nl.attr_u32(uapi.GENL_ATTR_RULE_ID, 77)
    attempt("genl echo", lambda: genl(uapi.GENL_CMD_ECHO, nl.attr_str(uapi.GENL_ATTR_MSG, "p")))
    attempt("genl stats-get", lambda: genl(uapi.GENL_CMD_STATS_GET))
    attempt("genl rule-get dump", lambda: genl(uapi.GENL_CMD_RULE_GET,
                                               flags=nl.NLM_F_REQUEST | nl.NLM_F_DUMP))
    attempt("genl rule-new", lambda: genl(uapi.GENL_CMD_RULE_NEW, rid))
    attempt("genl rule-get", lambda: genl(uapi.GENL_CMD_RULE_GET, rid))
    attempt("genl rule-del", lambda: genl(uapi.GENL_CMD_RULE_DEL, rid))
    attempt("genl rule-flush", lambda: genl(uapi.GENL_CMD_RULE_FLUSH))
    for name, gid in sorted(groups.items()):
        attempt(f"join {name}", lambda gid=gid: g.join(gid))
    g.close()

    f = nl.Socket(nl.NETLINK_NETFILTER)
    nfnl = lambda t, *a: f.request(nl.nfnl_type(t, subsys), nl.nfgen_header() + b"".join(a))
    attempt("nfnl echo", lambda: nfnl(uapi.NFNL_MSG_ECHO, nl.attr_str(uapi.NFNL_ATTR_MSG, "p")))
    attempt("nfnl checkpoint", lambda: nfnl(uapi.NFNL_MSG_CHECKPOINT))
    attempt("nfnl checkpoint reset",
            lambda: nfnl(uapi.NFNL_MSG_CHECKPOINT, nl.attr(uapi.NFNL_ATTR_CHECKPOINT_RESET, b"")))
    attempt("nfnl listen", lambda: nfnl(uapi.NFNL_MSG_LISTEN))
    attempt("nfnl unlisten", lambda: nfnl(uapi.NFNL_MSG_UNLISTEN))

    def batch():
        new = nl.message(nl.nfnl_type(uapi.NFNL_MSG_RULE_NEW, subsys),
                         nl.NLM_F_REQUEST | nl.NLM_F_ACK | nl.NLM_F_CREATE,
                         nl.nfgen_header() + nl.attr_u32(uapi.NFNL_ATTR_RULE_ID, 77))
        f.sock.send(nl.nfnl_batch(subsys, new, nl.NLM_F_REQUEST | nl.NLM_F_ACK))
        for _ in range(2):
            for ty, _, _, body in f.recv_msgs():
                if ty == nl.NLMSG_ERROR:
                    nl.check_error(body)
    attempt("nfnl batch", batch)
    f.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
