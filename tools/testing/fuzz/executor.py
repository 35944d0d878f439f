# SPDX-License-Identifier: GPL-2.0
"""Runs a program (prog.py) in the guest against nlrs.ko and the model.

Each program gets fresh network namespaces ("fuzz", and n1/n2 when it
makes them), so its rule sets start empty at generation 1 as the model's
do. Sockets belong to agents, one per credential: root (this process),
nobody (a child with setresuid(65534)), root of a user namespace in the
fuzz namespace ("userns", a child), and root of another user namespace in
the network namespace it made ("own", a child). Netlink checks the
opener's and the sender's credentials, so each agent opens and sends on
its own sockets; children are driven over pipes and have their own KCOV.

Per call: KCOV reset, the syscalls, KCOV collected and mapped to the
module's edges; the kernel's answers against the model's where the model
decides (model.Unknown: the program's model is no longer trusted, and
only liveness and the kernel log are checked from there). After the
program: each namespace's rule dump, STATS_GET, a checkpoint and ECHO on
both planes go through the same comparison, and the kernel log is read
for new reports.

comparisons() reruns a program with root's KCOV in trace-cmp mode for the
constants the module compared with; replay() is a reproducer's verdict.
"""

import ctypes
import errno
import json
import os
import select
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import kcov as K  # noqa: E402
import model as M  # noqa: E402
import prog as P  # noqa: E402
import spec as S  # noqa: E402

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 1, 10, 11
NOBODY = 65534
PR_SET_DUMPABLE = 4
PROTO = {"genl": 16, "nfnl": 12}
libc = ctypes.CDLL(None, use_errno=True)


def check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def setns(fd):
    check(libc.setns(fd, CLONE_NEWNET), "setns")


def lo_up():
    """Loopback up in the current network namespace: one RTM_NEWLINK
    (`ip` costs a fork and an exec, slow under emulation)."""
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as s:
        # ifinfomsg: family, pad, type, index 1 (lo), flags, change: IFF_UP.
        body = struct.pack("=BxHiII", 0, 0, 1, 1, 1)
        s.send(struct.pack("=IHHII", 16 + len(body), 16, 0x5, 1, 0) + body)
        data = s.recv(4096)
        err = -struct.unpack_from("=i", data, 16)[0]
        if err:
            raise OSError(err, "RTM_NEWLINK lo up")


def own_netns():
    """Moves this process to a new network namespace with loopback up;
    returns a descriptor of the one it was in."""
    old = os.open("/proc/self/ns/net", os.O_RDONLY)
    check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    lo_up()
    return old


def split(datagram):
    """(type, flags, seq, body) of each message of a datagram."""
    out, off = [], 0
    while len(datagram) - off >= 16:
        n, ty, flags, seq, _ = struct.unpack_from("=IHHII", datagram, off)
        if n < 16 or off + n > len(datagram):
            out.append((-1, 0, 0, datagram[off:]))
            break
        out.append((ty, flags, seq, datagram[off + 16:off + n]))
        off += (n + 3) & ~3
    return out


# -- agents ------------------------------------------------------------------

class Handler:
    """An agent's sockets and KCOV, in the agent's process."""

    def __init__(self, cov):
        self.socks, self.cov = {}, cov

    def pcs(self):
        return sorted(set(self.cov.collect())) if self.cov else []

    def start(self):
        if self.cov:
            self.cov.start()

    def do(self, req):
        op = req["op"]
        s = self.socks.get(req.get("slot"))
        self.start()
        out = {}
        try:
            if op == "socket":
                self.close(req["slot"])
                sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, req["proto"])
                sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
                sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
                sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                sk.bind((0, 0))
                self.socks[req["slot"]] = sk
            elif op == "send":
                self.drain(s)
                try:
                    s.send(bytes.fromhex(req["hex"]))
                except OSError as e:
                    out["err"] = e.errno
                out["msgs"] = self.drain(s)
            elif op == "dump":
                self.drain(s)
                s.send(bytes.fromhex(req["hex"]))
                got = []
                for _ in range(req["parts"]):
                    r, _, _ = select.select([s], [], [], 5)
                    if not r:
                        break
                    got.append(s.recv(1 << 16).hex())
                out["msgs"] = got
                self.close(req["slot"])
            elif op == "join":
                try:
                    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, req["group"])
                    out["err"] = 0
                except OSError as e:
                    out["err"] = e.errno
            elif op == "close":
                self.close(req["slot"])
            elif op == "drain":
                out["msgs"] = self.drain(s)
        finally:
            out["pcs"] = self.pcs()
        return out

    def drain(self, s):
        got = []
        while True:
            try:
                got.append(s.recv(1 << 16, socket.MSG_DONTWAIT).hex())
            except BlockingIOError:
                return got
            except OSError as e:
                # ENOBUFS: answers were lost for want of buffer space.
                got.append({"errno": e.errno})

    def close(self, slot):
        s = self.socks.pop(slot, None)
        if s is not None:
            s.close()

    def close_all(self):
        for slot in list(self.socks):
            self.close(slot)


class Local:
    """The root agent: this process."""

    def __init__(self, cov):
        self.h = Handler(cov)

    def call(self, req):
        return self.h.do(req)

    def stop(self):
        self.h.close_all()


class Remote:
    """An agent in a child process, driven over two pipes."""

    def __init__(self, kind, use_kcov):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        pid = os.fork()
        if pid == 0:
            # Nothing of the parent's stays open here: an inherited socket
            # would outlive its close() in the parent (a listener still
            # registered, a group still joined), an inherited namespace
            # descriptor keep the namespace.
            for fd in map(int, os.listdir("/proc/self/fd")):
                if fd not in (0, 1, 2, r1, w2):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            code = 0
            try:
                child(kind, use_kcov, os.fdopen(r1, "r"), os.fdopen(w2, "w"))
            except BaseException:  # noqa: B902 - report anything, exit
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)
        os.close(r1)
        os.close(w2)
        self.pid, self.kind = pid, kind
        self.w, self.r = os.fdopen(w1, "w"), os.fdopen(r2, "r")
        ready = json.loads(self.r.readline() or "null")
        if not ready or "error" in ready:
            self.stop()
            raise OSError(errno.EPERM, f"agent {kind}: {ready}")

    def call(self, req):
        self.w.write(json.dumps(req) + "\n")
        self.w.flush()
        line = self.r.readline()
        if not line:
            raise OSError(errno.EPIPE, f"agent {self.kind} died")
        out = json.loads(line)
        if "error" in out:
            raise OSError(out["error"], f"agent {self.kind}: {out.get('what')}")
        return out

    def netns_path(self):
        return f"/proc/{self.pid}/ns/net"

    def stop(self):
        try:
            self.w.write('{"op": "exit"}\n')
            self.w.flush()
        except OSError:
            pass
        for f in (self.w, self.r):
            try:
                f.close()
            except OSError:
                pass
        os.waitpid(self.pid, 0)


def child(kind, use_kcov, r, w):
    """An agent's life: KCOV while still root, then its credentials, then
    requests until "exit"."""
    # A smaller area than root's: each agent's is allocated (vmalloc) anew
    # with the agent, per program; an overflow only loses PCs.
    cov = K.Kcov(1 << 17) if use_kcov else None
    try:
        check(libc.setresgid(NOBODY, NOBODY, NOBODY), "setresgid")
        check(libc.setresuid(NOBODY, NOBODY, NOBODY), "setresuid")
        # A changed uid makes the process undumpable, and its /proc files
        # root's: uid_map could not be written.
        check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
        if kind in ("userns", "own"):
            check(libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"0 {NOBODY} 1\n")
        if kind == "own":
            check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
            lo_up()
    except OSError as e:
        w.write(json.dumps({"error": e.errno, "what": str(e)}) + "\n")
        w.flush()
        return
    w.write('{"ready": 1}\n')
    w.flush()
    h = Handler(cov)
    for line in r:
        req = json.loads(line)
        if req["op"] == "exit":
            break
        try:
            out = h.do(req)
        except OSError as e:
            out = {"error": e.errno, "what": str(e)}
        w.write(json.dumps(out) + "\n")
        w.flush()
    h.close_all()


# -- the executor ------------------------------------------------------------

CREDS = {"root": M.Cred(), "nobody": M.Cred("nobody"),
         "userns": M.Cred("userns-root", "uA"), "own": M.Cred("userns-root", "uB")}


class Finding(Exception):
    """An oracle failed: `cls` (answer, state, stats, liveness, kernel,
    executor) and what was seen."""

    def __init__(self, cls, what):
        super().__init__(f"{cls}: {what}")
        self.cls, self.what = cls, what


class Executor:
    """Runs programs; holds the run's lasting state (the module's map,
    the kernel log's position, the fuzzer's base namespace)."""

    def __init__(self, kernel, use_kcov=None, modules=None):
        import nl
        self.nl = nl
        self.proto = S.Protocol()
        self.kernel = kernel
        self.fid, groups = nl.resolve("nlrs")
        self.groups = groups
        self.subsys = nl.nlrs_subsys()
        self.use_kcov = os.path.exists(K.KCOV_PATH) if use_kcov is None else use_kcov
        self.map = None
        self.map_errors = 0
        if self.use_kcov:
            ko = os.path.join(modules or os.environ["NLRS_MODULES"], "nlrs.ko")
            self.map = K.ModuleMap(ko, K.read_bases("nlrs"), K.kaslr_offset())
            self.cov = K.Kcov()
        else:
            self.cov = None
        self.base = os.open("/proc/self/ns/net", os.O_RDONLY)
        import util
        self.kmsg = util.KernelLog()
        self.stats = {"calls": 0, "checked": 0, "unknown": 0, "programs": 0}

    def close(self):
        if self.cov:
            self.cov.close()
        self.kmsg.close()
        os.close(self.base)

    # -- the kernel log --

    def kernel_reports(self):
        return [line.strip()[:300] for line in self.kmsg.reports()]

    # -- edges --

    def edges(self, pcs):
        if self.map is None:
            return set()
        out, errors = self.map.edges(pcs)
        self.map_errors += errors
        return out

    # -- comparisons --

    def comparisons(self, program):
        """{(size, value)}: the constants the module compared with while
        `program` ran, in the root agent's calls (KCOV trace-cmp; the other
        agents' stay in trace-pc mode). Unchecked but for the kernel log."""
        if self.cov is None:
            return set()
        with self.cov.comparisons(self.map.contains) as consts:
            self.run(program, check=False)
        return consts

    # -- a program --

    def run(self, program, check=True):
        """Runs `program`; returns (edges, {"checked": n, "unknown": n}) or
        raises Finding."""
        run = Run(self, program, check)
        try:
            run.go()
        finally:
            run.teardown()
        self.stats["programs"] += 1
        reports = self.kernel_reports()
        if reports:
            raise Finding("kernel", reports)
        return run.edges, run.counts


def set_modprobe(path):
    """Sets the kernel's modprobe path, if there is one; returns the old.
    Requests for families or subsystems that do not exist run modprobe, a
    second each under emulation; an empty path fails at once."""
    from fuzz import MODPROBE
    if path is None or not os.path.exists(MODPROBE):
        return None
    with open(MODPROBE) as f:
        old = f.read().strip()
    with open(MODPROBE, "w") as f:
        f.write(path + "\n")
    return old


def replay(program, cls):
    """A reproducer's replay (guided.REPRO) on the running kernel, as its
    exit status: 0 when `program` runs clean, 1 while the oracle `cls`
    still fails, 2 when another one does, 3 when it could not run."""
    import platform
    import traceback
    kver = ".".join(platform.release().split(".")[:2])
    modprobe = set_modprobe("")
    fuzz_ns = own_netns()
    try:
        ex = Executor(kver, use_kcov=False)
        try:
            ex.run(program)
        finally:
            ex.close()
    except Finding as f:
        print(f"{'still there' if f.cls == cls else 'another finding'}: {f.cls}: {f.what}")
        return 1 if f.cls == cls else 2
    except Exception:  # noqa: B902 - told apart from a finding
        traceback.print_exc()
        print("could not run: no verdict")
        return 3
    finally:
        setns(fuzz_ns)
        os.close(fuzz_ns)
        set_modprobe(modprobe)
    print("fixed: the program ran clean")
    return 0


class Run:
    """One program's execution."""

    def __init__(self, ex, program, check):
        self.ex, self.program, self.check = ex, program, check
        self.model = M.Model(ex.proto, ex.fid, ex.subsys, ex.kernel)
        self.ctx = P.Ctx(ex.proto, ex.fid, ex.subsys,
                         lambda net: self.model.nets[self.mname(net)].rules.generation)
        self.nets = {}          # name -> netns fd (root's view)
        self.agents = {}        # cred -> agent
        self.socks = {}         # slot -> (cred, net, model Sock)
        self.edges = set()
        self.counts = {"checked": 0, "unknown": 0}
        self.trusted = True
        self.index = 0
        # Per namespace: what the model cannot follow exactly.
        self.inexact = {}

    def mname(self, net):
        return "init" if net == "fuzz" else net

    # -- namespaces and agents --

    def go(self):
        setns(self.ex.base)
        check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
        lo_up()
        self.nets["fuzz"] = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.agents["root"] = Local(self.ex.cov)
        for i, call in enumerate(self.program["calls"]):
            self.ex.stats["calls"] += 1
            self.index = i
            self.call(call)
        self.index = len(self.program["calls"])
        self.final()

    def agent(self, cred):
        if cred not in self.agents:
            try:
                self.agents[cred] = Remote(cred, self.ex.use_kcov)
            except OSError:
                # Its calls are skipped; the count says how often.
                key = f"agent {cred} failed"
                self.ex.stats[key] = self.ex.stats.get(key, 0) + 1
                self.agents[cred] = None
            if cred == "own" and self.agents[cred] is not None:
                self.model.add_net("own", owner="uB")
                self.nets["own"] = os.open(self.agents[cred].netns_path(), os.O_RDONLY)
        return self.agents[cred]

    def in_net(self, net, fn):
        """fn() in namespace `net` (root), then back in "fuzz"."""
        setns(self.nets[net])
        try:
            return fn()
        finally:
            setns(self.nets["fuzz"])

    def make_net(self, name):
        check(libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
        try:
            lo_up()
            self.nets[name] = os.open("/proc/self/ns/net", os.O_RDONLY)
        finally:
            setns(self.nets["fuzz"])
        self.model.add_net(name)

    def del_net(self, name):
        for slot in [k for k, v in self.socks.items() if v[1] == name]:
            self.close(slot)
        os.close(self.nets.pop(name))
        self.model.del_net(name)

    def teardown(self):
        for slot in list(self.socks):
            try:
                self.close(slot)
            except OSError:
                pass
        for a in self.agents.values():
            if a is not None:
                a.stop()
        for fd in self.nets.values():
            os.close(fd)
        setns(self.ex.base)

    # -- calls --

    def req(self, cred, r):
        out = self.agents[cred].call(r)
        self.edges |= self.ex.edges(out.get("pcs", ()))
        return out

    def close(self, slot):
        cred, net, ms = self.socks.pop(slot)
        self.req(cred, {"op": "close", "slot": slot})
        self.model.close(ms)

    def open(self, slot, proto, net, cred):
        if slot in self.socks:
            self.close(slot)
        if cred == "own":
            net = "own"
        elif cred != "root":
            net = "fuzz"
        if self.agent(cred) is None or net not in self.nets:
            return
        r = {"op": "socket", "slot": slot, "proto": PROTO[proto]}
        if cred == "root":
            self.in_net(net, lambda: self.req(cred, r))
        else:
            self.req(cred, r)
        ms = self.model.socket(proto, self.mname(net), CREDS[cred])
        self.socks[slot] = (cred, net, ms)

    def call(self, call):
        c = call["c"]
        if c == "socket":
            self.open(call["s"], call["proto"], call["net"], call["cred"])
        elif c == "netns":
            if call["net"] not in self.nets:
                self.make_net(call["net"])
        elif c == "netns-del":
            if call["net"] in self.nets and call["net"] in P.NETS[1:]:
                self.del_net(call["net"])
        elif c == "close":
            if call["s"] in self.socks:
                self.close(call["s"])
        elif c == "join":
            if call["s"] in self.socks:
                cred, net, ms = self.socks[call["s"]]
                if ms.proto != "genl":
                    return
                out = self.req(cred, {"op": "join", "slot": call["s"],
                                      "group": self.ex.groups[call["group"]]})
                want = self.model.join(ms, call["group"])
                self.expect(out["err"] == want, "answer",
                            f"join {call['group']}: errno {out['err']}, model {want}")
        elif c == "traffic":
            self.traffic(call)
        elif c == "dump":
            if call["s"] in self.socks:
                self.dump(call)
        elif call.get("s") in self.socks:
            self.send(call)

    def expect(self, ok, cls, what):
        if not ok and self.check:
            f = Finding(cls, what)
            f.index = self.index
            raise f

    def send(self, call):
        cred, net, ms = self.socks[call["s"]]
        data = P.encode(self.ctx, call, net)
        out = self.req(cred, {"op": "send", "slot": call["s"], "hex": data.hex()})
        try:
            want = (self.model.genl if ms.proto == "genl" else self.model.nfnl)(ms, data)
        except M.Unknown:
            self.counts["unknown"] += 1
            self.ex.stats["unknown"] += 1
            self.trusted = False
            return
        if not self.trusted:
            return
        if out.get("err"):
            # The datagram did not go (EMSGSIZE past the send buffer): the
            # model, which took it, is no longer to be trusted.
            self.ex.stats["send errors"] = self.ex.stats.get("send errors", 0) + 1
            self.trusted = False
            return
        self.compare(call, ms, want, self.answers(ms, out["msgs"]))

    def answers(self, ms, datagrams):
        out = []
        grouped = any(ms.portid in m for m in ms.net.groups.values()) or \
            ms.portid in ms.net.listeners
        for d in datagrams:
            if isinstance(d, dict):
                out.append(("lost", d["errno"]))
                continue
            for ty, flags, seq, body in split(bytes.fromhex(d)):
                if ty == M.NLMSG_ERROR:
                    err, msg, off, miss = self.ex.nl.decode_error(body)
                    out.append(("error", seq, err, msg, off, miss))
                elif ty == M.NLMSG_DONE:
                    out.append(("done", seq))
                elif grouped and seq == 0:
                    continue
                else:
                    out.append(("reply", seq, ty, body))
        return out

    def compare(self, call, ms, want, got):
        self.counts["checked"] += 1
        self.ex.stats["checked"] += 1
        if any(g[0] == "lost" for g in got):
            return
        norm = []
        for a in want:
            if a.kind == "error":
                norm.append(("error", a.seq, a.errno, a.msg, a.offset, a.miss))
            elif a.kind == "done":
                norm.append(("done", a.seq))
            else:
                norm.append(("reply", a.seq, a.ty, a.body))
        ok = len(norm) == len(got)
        if ok:
            for w, g in zip(norm, got):
                if w[0] != g[0] or w[1] != g[1]:
                    ok = False
                elif w[0] == "error":
                    ok = w == g
                elif w[0] == "reply":
                    ok = w[2] == g[2] and self.same_body(ms, w[3], g[3])
                if not ok:
                    break
        if not ok:
            first = next((i for i, (w, g) in enumerate(zip(norm, got)) if w[:2] != g[:2]
                          or (w != g if w[0] == "error" else w[0] == "reply"
                              and not self.same_body(ms, w[3], g[3]))), min(len(norm), len(got)))
            self.expect(False, "answer", {
                "first difference": first, "model": [repr(a) for a in want[first:first + 3]],
                "kernel": [repr(g)[:300] for g in got[first:first + 3]],
                "answers": [len(norm), len(got)], "call": json.dumps(call)[:1500]})

    def same_body(self, ms, want, body):
        proto = self.ex.proto
        try:
            if isinstance(want, tuple) and len(want) == 5:
                return M.decode_rule(proto, body[4:]) == want
            sp = proto.genl if ms.proto == "genl" else proto.nfnl
            a = M.named(sp, "nlrs", body[4:])
            u = lambda b: int.from_bytes(b, "little")
            if isinstance(want, tuple):
                c = M.named(sp, "counters", a["rule-counters"])
                return (u(a["rule-id"]), (u(c["packets"]), u(c["bytes"]))) == want
            if isinstance(want, bytes):
                return a["msg"].rstrip(b"\0") == want.rstrip(b"\0")
            if isinstance(want, int):
                return u(a["rule-count"]) == want
            if isinstance(want, dict):
                got = {k[6:] if k.startswith("stats-") else k: u(v) for k, v in a.items()}
                got["rules"] = got.pop("rule-count")
                got = {k.replace("-", "_"): v for k, v in got.items()}
                inexact = self.inexact.get(ms.net.name, set())
                for k, v in want.items():
                    if k in inexact:
                        continue
                    if k == "ntf_sent":
                        if got["ntf_sent"] + got["ntf_dropped"] != v:
                            return False
                    elif k == "ntf_dropped":
                        continue
                    elif got.get(k) != v:
                        return False
                return True
        except (KeyError, ValueError, IndexError, struct.error):
            return False
        return True

    def dump(self, call):
        cred, net, ms = self.socks.pop(call["s"])
        # What the socket's plane dumps: rules (genl), a checkpoint (nfnl).
        what = call["what"]
        if (ms.proto == "genl") != (what == "rules"):
            what = "rules" if ms.proto == "genl" else "checkpoint"
        data = P.encode(self.ctx, dict(call, what=what))
        out = self.req(cred, {"op": "dump", "slot": call["s"], "hex": data.hex(),
                              "parts": call["parts"]})
        try:
            want = (self.model.genl if ms.proto == "genl" else self.model.nfnl)(ms, data)
        except M.Unknown:
            self.trusted = False
            return
        finally:
            self.model.close(ms)
        # A dump ended by its socket's close: its request may count or not.
        self.inexact.setdefault(ms.net.name, set()).update({"requests", "rejects"})
        if not self.trusted:
            return
        got = self.answers(ms, out["msgs"])
        self.compare(call, ms, want[:len(got)], got)

    def traffic(self, call):
        net = call["net"]
        if net not in self.nets:
            return
        mnet = self.model.nets[self.mname(net)]
        if any(t is not None and t[1] < P.LONG_MS for _, _, t, _ in mnet.rules.published):
            # A window shorter than a program: alerts depend on time.
            self.inexact.setdefault(mnet.name, set()).update({"alerts", "ntf_sent"})
        v6 = call["l3"] == "v6"
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        addr = "::1" if v6 else "127.0.0.1"
        dport = call["dport"] or 1

        def exchange():
            n = 0
            with socket.socket(fam, socket.SOCK_DGRAM) as rx, \
                    socket.socket(fam, socket.SOCK_DGRAM) as tx:
                rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                rx.bind((addr, dport))
                rx.settimeout(5)
                for _ in range(call["count"]):
                    tx.sendto(b"f" * call["size"], (addr, dport))
                    rx.recv(65536)
                    n += 1
            return n
        if self.ex.cov:
            self.ex.cov.start()
        try:
            n = self.in_net(net, exchange)
        finally:
            if self.ex.cov:
                self.edges |= self.ex.edges(set(self.ex.cov.collect()))
        src = (bytes(15) + b"\1") if v6 else bytes([127, 0, 0, 1])
        length = (40 if v6 else 20) + 8 + call["size"]
        for _ in range(n):
            pkt = M.Packet(call["l3"], 17, src, src, dport, length)
            self.model.packet(mnet, pkt)
            self.model.packet(mnet, pkt)
        # Alerts to listeners and the alerts group: read and dropped.
        for slot, (cred, _, ms) in self.socks.items():
            if ms.net is mnet:
                self.req(cred, {"op": "drain", "slot": slot})

    # -- the program's end --

    def final(self):
        """Each namespace's rules, statistics and checkpoint, and ECHO on
        both planes, through fresh root sockets."""
        for net in list(self.nets):
            if net == "own":
                continue
            base = 100
            self.open(base, "genl", net, "root")
            self.open(base + 1, "nfnl", net, "root")
            calls = [{"c": "dump", "s": base, "parts": 1000, "what": "rules"},
                     {"c": "genl", "s": base, "op": "echo", "flags": M.NLM_F_REQUEST,
                      "attrs": [[1, b"alive\0".hex()]]},
                     {"c": "nfnl", "s": base + 1, "op": "echo", "flags": M.NLM_F_REQUEST,
                      "attrs": [[1, b"alive\0".hex()]]},
                     {"c": "nfnl", "s": base + 1, "op": "checkpoint", "flags": M.NLM_F_REQUEST,
                      "attrs": []}]
            was = self.trusted
            for c in calls:
                if c["c"] == "dump":
                    self.open(base, "genl", net, "root")
                    self.dump_all(c)
                elif c["op"] == "echo":
                    # Liveness is checked even where the model gave up.
                    self.trusted = True
                    self.send(c)
                    self.trusted = was
                elif was:
                    self.send(c)
            self.open(base, "genl", net, "root")
            if was:
                self.send({"c": "genl", "s": base, "op": "stats-get", "flags": M.NLM_F_REQUEST,
                           "attrs": []})
            self.close(base)
            self.close(base + 1)

    def dump_all(self, call):
        """The whole rule dump of a namespace against the model's."""
        cred, net, ms = self.socks[call["s"]]
        data = P.encode(self.ctx, call)
        out = self.req(cred, {"op": "send", "slot": call["s"], "hex": data.hex()})
        got = self.answers(ms, out["msgs"])
        want = self.model.genl(ms, data)
        if self.trusted:
            self.compare(call, ms, want, got)
        self.expect(got and got[-1][0] == "done", "liveness", f"rule dump of {net}: {got[-3:]}")


# -- self-test: the executor against a stand-in kernel -----------------------

def wire(proto, fid, sock, data, answers):
    """The datagram a kernel whose behaviour is `answers` (model.Answer)
    would send for request `data`: for the self-test's stand-in kernel."""
    A, attr_of = S.Attr, lambda sp, name: sp.sets["nlrs"][name].value
    heads = {seq: raw[:16] for (_, _, _, seq), _, raw in M.headers(data)}
    out = b""
    for a in answers:
        if a.kind == "error":
            tl = []
            if a.msg:
                tl.append(A(1, a.msg.encode() + b"\0"))
            if a.offset is not None:
                tl.append(A(2, struct.pack("=I", a.offset)))
            if a.miss is not None:
                tl.append(A(5, struct.pack("=I", a.miss)))
            body = struct.pack("=i", -a.errno) + heads.get(a.seq, bytes(16)) + S.encode(tl)
            out += S.nlmsg(M.NLMSG_ERROR, 0, body, a.seq)
        elif a.kind == "done":
            out += S.nlmsg(M.NLMSG_DONE, M.NLM_F_MULTI, struct.pack("=i", 0), a.seq)
        else:
            sp = proto.genl if sock.proto == "genl" else proto.nfnl
            b = a.body
            if isinstance(b, tuple) and len(b) == 5:
                attrs = M.encode_rule(proto, b)
            elif isinstance(b, tuple):
                attrs = S.encode([A(attr_of(sp, "rule-id"), struct.pack("=I", b[0])),
                                  A(attr_of(sp, "rule-counters"), children=[
                                      A(1, struct.pack("=Q", b[1][0])),
                                      A(2, struct.pack("=Q", b[1][1]))])])
            elif isinstance(b, bytes):
                attrs = S.encode([A(1, b + b"\0")])
            elif isinstance(b, int):
                attrs = S.encode([A(attr_of(sp, "rule-count"), struct.pack("=I", b))])
            else:
                names = {"rules": "rule-count", "listeners": "stats-listeners"}
                attrs = S.encode([A(attr_of(sp, names.get(k, "stats-" + k.replace("_", "-"))),
                                    struct.pack("=I" if k in names else "=Q", v))
                                  for k, v in b.items()])
            out += S.nlmsg(a.ty, M.NLM_F_MULTI, b"\0\0\0\0" + attrs, a.seq)
    return out


class FakeRun(Run):
    """A Run whose kernel is a second model (`fk`), possibly broken by the
    test; sockets, agents, namespaces and traffic are real."""

    def __init__(self, ex, program, check, fk):
        super().__init__(ex, program, check)
        self.fk, self.fks = fk, {}

    def open(self, slot, proto, net, cred):
        super().open(slot, proto, net, cred)
        if slot in self.socks:
            ms = self.socks[slot][2]
            if ms.net.name not in self.fk.nets:
                self.fk.add_net(ms.net.name, ms.net.owner)
            self.fks[slot] = self.fk.socket(ms.proto, ms.net.name, ms.cred)

    def make_net(self, name):
        super().make_net(name)
        self.fk.add_net(name)

    def del_net(self, name):
        super().del_net(name)
        self.fk.del_net(name)

    def req(self, cred, r):
        op, slot = r["op"], r.get("slot")
        if op in ("send", "dump"):
            fs = self.fks[slot]
            data = bytes.fromhex(r["hex"])
            try:
                got = (self.fk.genl if fs.proto == "genl" else self.fk.nfnl)(fs, data)
            except M.Unknown:
                got = []
            if op == "dump":
                self.fk.close(self.fks.pop(slot))
            return {"msgs": [wire(self.ex.proto, self.ex.fid, fs, data, got).hex()]}
        if op == "join":
            return {"err": self.fk.join(self.fks[slot], [k for k, v in self.ex.groups.items()
                                                          if v == r["group"]][0])}
        if op == "close":
            if slot in self.fks:
                self.fk.close(self.fks.pop(slot))
            return {}
        return super().req(cred, r)

    def traffic(self, call):
        super().traffic(call)
        net = call["net"]
        if net in self.nets:
            v6 = call["l3"] == "v6"
            src = (bytes(15) + b"\1") if v6 else bytes([127, 0, 0, 1])
            pkt = M.Packet(call["l3"], 17, src, src, call["dport"] or 1,
                           (40 if v6 else 20) + 8 + call["size"])
            for _ in range(2 * call["count"]):
                self.fk.packet(self.fk.nets[self.mname(net)], pkt)


def self_test():
    """Generated programs through the executor (real namespaces, agents,
    sockets and traffic; root needed) against a stand-in kernel that is the
    model: no finding. The same with the stand-in broken: findings."""
    import random
    import nl
    ex = Executor.__new__(Executor)
    ex.nl = nl
    ex.proto, ex.kernel, ex.fid, ex.subsys = S.Protocol(), "6.12", 0x1c, 5
    ex.groups = {"events": 3, "alerts": 4, "config": 5}
    ex.use_kcov, ex.map, ex.cov, ex.map_errors = False, None, None, 0
    ex.stats = {"calls": 0, "checked": 0, "unknown": 0, "programs": 0}
    old = own_netns()
    ex.base = os.open("/proc/self/ns/net", os.O_RDONLY)
    gen = P.Gen(ex.proto, random.Random(3))
    seeds = []
    for path in sorted(os.listdir(os.path.join(HERE, "seeds"))):
        with open(os.path.join(HERE, "seeds", path)) as f:
            seeds.append(json.load(f))
    progs = seeds + [gen.program() for _ in range(60)]
    progs += [gen.mutate(p, P.Ctx(ex.proto, ex.fid, ex.subsys)) for p in progs[:60]]

    def fresh():
        return M.Model(ex.proto, ex.fid, ex.subsys, ex.kernel)
    for p in progs:
        r = FakeRun(ex, p, True, fresh())
        try:
            r.go()
        finally:
            r.teardown()
    assert ex.stats["checked"] > 5 * len(progs), ex.stats

    # A stand-in kernel that gets something wrong is caught, in the
    # answers or in the state the program's end compares.
    def broken(how):
        fk = fresh()
        if how == "counts one packet less":
            orig = fk.packet
            fk.packet = lambda net, pkt, n=[0]: (n.__setitem__(0, n[0] + 1),
                                                  n[0] != 3 and orig(net, pkt))
        elif how == "ignores a batch's END":
            fk.batch = lambda sock, data: []
        elif how == "refuses nobody's reads":
            orig_genl = fk.genl
            fk.genl = lambda sock, data: (orig_genl(sock, data) if sock.cred.kind != "nobody"
                                          else [M.Answer("error", 1, M.EPERM)])
        return fk
    for how, p in (("counts one packet less", seeds[1]), ("ignores a batch's END", seeds[0]),
                   ("refuses nobody's reads", seeds[5])):
        r = FakeRun(ex, p, True, broken(how))
        try:
            r.go()
            raise AssertionError(f"a kernel that {how} went unnoticed")
        except Finding as f:
            assert f.cls in ("answer", "liveness"), f
        finally:
            r.teardown()
    setns(old)
    print(f"executor.py: {len(progs)} programs, {ex.stats['calls']} calls, "
          f"{ex.stats['checked']} answers checked against a stand-in kernel; 3 broken ones caught")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
