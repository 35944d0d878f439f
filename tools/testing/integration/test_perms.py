# SPDX-License-Identifier: GPL-2.0
"""Permissions and isolation, on both planes: every operation and group as
an unprivileged user, as root of a user namespace over the initial network
namespace, and as root of a user namespace in a network namespace of its
own; and namespaces that die with rules, hooks and a dump in progress."""

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile

from util import ROOT, nlrsctl

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
        for f in ("probe.py", "nl.py"):
            shutil.copy(os.path.join(HERE, f), d)
        os.chmod(d, 0o755)
        sub = os.environ.get("NLRS_NFNL_SUBSYS", "5")
        p = subprocess.run(prefix + [sys.executable, os.path.join(d, "probe.py"), sub],
                           capture_output=True, text=True, timeout=120)
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


NS_SCRIPT = r"""
import os, socket, struct, subprocess, sys
sys.path.insert(0, sys.argv[1])
import nl
nlrsctl = sys.argv[2]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
# Enough rules for a dump of several parts; the hooks are on.
with open("/tmp/nlrs-ns-batch", "w") as f:
    f.write("".join(f"add id {i} name r{i} proto udp dport {i}\n" for i in range(1, 2001)))
subprocess.run([nlrsctl, "nf", "apply", "/tmp/nlrs-ns-batch"], check=True)
os.unlink("/tmp/nlrs-ns-batch")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in range(1, 50):
    s.sendto(b"x", ("127.0.0.1", port))
fid, _ = nl.resolve("nlrs")
d = nl.Socket(nl.NETLINK_GENERIC)
d.send_raw(d.message(fid, nl.NLM_F_REQUEST | nl.NLM_F_DUMP, nl.genl_header(6)))
d.sock.recv(4096)
print("dumping", flush=True)
# Exit with the dump half-read, an nfnetlink listener bound, the hooks on:
# the namespace dies with all of it.
f = nl.Socket(nl.NETLINK_NETFILTER)
f.request(nl.nfnl_type(4), nl.nfgen_header())
os._exit(0)
"""


def test_namespace_dies_with_rules_hooks_listener_and_a_dump():
    before = rules()
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(os.path.join(HERE, "nl.py"), d)
        tool = os.path.join(d, "nlrsctl")
        shutil.copy(os.path.join(ROOT, "tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl"),
                    tool)
        for _ in range(3):
            p = subprocess.run(["unshare", "--net", sys.executable, "-c", NS_SCRIPT, d, tool],
                               capture_output=True, text=True, timeout=300)
            assert p.returncode == 0 and "dumping" in p.stdout, p.stderr
    # The initial namespace saw none of it; the run's closing kmemleak and
    # log checks see what the dead namespaces left.
    assert rules() == before
    assert json.loads(nlrsctl("-j", "stats")[1])["listeners"] == 0
