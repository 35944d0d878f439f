# SPDX-License-Identifier: GPL-2.0
"""Permissions and isolation, on both planes: every operation and group as
an unprivileged user, as root of a user namespace over the initial network
namespace, and as root of a user namespace in a network namespace of its
own; and namespaces that die with rules, hooks and a dump in progress."""

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import nl
import uapi
import util
from util import nlrsctl

HERE = os.path.dirname(os.path.abspath(__file__))
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"]
USERNS_ROOT = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
               "unshare", "--user", "--map-root-user"]
EPERM = errno.EPERM

# Without CAP_NET_ADMIN over the namespace: reads and the open groups only;
# every nfnetlink message is refused by nfnetlink itself. RULE_GET of rule
# 77, which RULE_NEW could not make, is a read: ENOENT.
UNPRIVILEGED = dict(
    {"genl echo": 0, "genl stats-get": 0, "genl rule-get dump": 0, "genl rule-get": errno.ENOENT,
     "join events": 0, "join config": 0},
    **{k: EPERM for k in ("genl rule-new", "genl rule-del", "genl rule-flush", "join alerts",
                          "nfnl echo", "nfnl checkpoint", "nfnl checkpoint reset", "nfnl listen",
                          "nfnl unlisten", "nfnl batch")})


def probe(prefix):
    """Runs probe.py (copied: a user namespace cannot reach the
    repository's mount) under `prefix`; returns {operation: errno}."""
    with tempfile.TemporaryDirectory() as d:
        for f in ("probe.py", "nl.py", "uapi.py"):
            shutil.copy(os.path.join(HERE, f), d)
        os.chmod(d, 0o755)
        sub = str(nl.nlrs_subsys())
        p = subprocess.run(prefix + [sys.executable, os.path.join(d, "probe.py"), sub],
                           capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def rules():
    return nlrsctl("-j", "rule", "show")[1]


def test_unprivileged_may_read_only():
    before = rules()
    got = probe(NOBODY)
    assert got == UNPRIVILEGED, got
    assert rules() == before


def test_userns_root_is_unprivileged_over_the_initial_namespace():
    before = rules()
    got = probe(USERNS_ROOT)
    assert got == UNPRIVILEGED, got
    assert rules() == before


def test_userns_root_owns_its_network_namespace():
    before = rules()
    got = probe(USERNS_ROOT + ["--net"])
    # Everything is allowed: RULE_NEW made rule 77, RULE_GET found it,
    # RULE_DEL deleted it, and the batch made it again.
    assert got == {k: 0 for k in got} and len(got) == 16, got
    assert rules() == before


def set_up_and_leave():
    """In a new network namespace of this (forked) process: rules enough
    for a dump of several parts, the hooks on and counting, a dump half
    read and an nfnetlink listener bound. The process then exits, and the
    namespace dies with all of it."""
    with util.new_netns():
        with tempfile.NamedTemporaryFile("w", suffix=".batch") as f:
            f.write("".join(f"add id {i} name r{i} proto udp dport {i}\n"
                            for i in range(1, 501)))
            f.flush()
            nlrsctl("nf", "apply", f.name)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for port in range(1, 50):
                s.sendto(b"x", ("127.0.0.1", port))
        fid, _ = nl.resolve("nlrs")
        d = nl.Socket(nl.NETLINK_GENERIC)
        d.send_raw(d.message(fid, nl.NLM_F_REQUEST | nl.NLM_F_DUMP,
                             nl.genl_header(uapi.GENL_CMD_RULE_GET)))
        part = len(d.sock.recv(4096))
        f = nl.Socket(nl.NETLINK_NETFILTER)
        f.request(nl.nfnl_type(uapi.NFNL_MSG_LISTEN), nl.nfgen_header())
        return part


def test_namespace_dies_with_rules_hooks_listener_and_a_dump():
    before = rules()
    for _ in range(3):
        assert util.collect(*util.spawn(set_up_and_leave)) > 0
    # The initial namespace saw none of it; the run's closing kmemleak and
    # log checks see what the dead namespaces left.
    assert rules() == before
    assert json.loads(nlrsctl("-j", "stats")[1])["listeners"] == 0
