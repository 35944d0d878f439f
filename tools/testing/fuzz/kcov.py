#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Coverage of nlrs.ko for the fuzzer: the module's instrumented edges, read
from its ELF file, and the edges a task reached, read from KCOV.

An edge is a call to __sanitizer_cov_trace_pc (KCOV's trace-pc mode): the
compiler puts one at each basic block it instruments, in C and, with
-Cpasses=sancov-module, in Rust. KCOV records the call's return address,
less the kernel's KASLR offset (canonicalize_ip() in kernel/kcov.c), so a
recorded PC is in the module when, KASLR offset added back, it falls in one
of the module's sections as /sys/module/MOD/sections/ places them; its
offset there is that of a call site's return address in the .ko: the
relocation of the call's target (R_X86_64_PLT32 at the call's byte 1) plus
4. The .ko's call sites are therefore every edge there is to reach, and a
PC that is none of them is a bug of this mapping.

KCOV's other mode, KCOV_TRACE_CMP (CONFIG_KCOV_ENABLE_COMPARISONS, and
-sanitizer-coverage-trace-compares for Rust), records the module's
comparisons; constants() keeps the constant operands of those in the
module (a switch's cases included), the values the fuzzer's mutations
then try (prog.Gen.substitute()).

    python3 kcov.py --self-test      # on objects compiled here
    python3 kcov.py MODULE.ko        # its instrumented edges per section
"""

import mmap
import os
import struct
import subprocess
import sys
import tempfile

TRACE_PC = "__sanitizer_cov_trace_pc"
# x86_64 relocation types a direct call's target may carry.
R_X86_64_PC32, R_X86_64_PLT32 = 2, 4
SHT_SYMTAB, SHT_RELA = 2, 4
SHF_EXECINSTR = 0x4
STT_FUNC = 2

# include/uapi/linux/kcov.h
KCOV_INIT_TRACE = 0x80086301
KCOV_ENABLE = 0x6364
KCOV_DISABLE = 0x6365
KCOV_TRACE_PC = 0
KCOV_TRACE_CMP = 1
KCOV_CMP_CONST = 1
# A comparison record: type, its two operands, the PC.
CMP_WORDS = 4
KCOV_PATH = "/sys/kernel/debug/kcov"


class Elf:
    """The sections, symbols and relocations of a relocatable x86_64 ELF
    object (a .o or a .ko)."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
        self.data = data
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(dict(name_off=f[0], type=f[1], flags=f[2], offset=f[4],
                                      size=f[5], link=f[6], info=f[7], entsize=f[9]))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstr(strtab["offset"] + s["name_off"])

    def cstr(self, at):
        return self.data[at:self.data.index(b"\0", at)].decode()

    def symbols(self):
        """[(name, value, size, type, section index)] of the symbol table."""
        tab = next(s for s in self.sections if s["type"] == SHT_SYMTAB)
        names = self.sections[tab["link"]]
        out = []
        for i in range(tab["size"] // 24):
            name, info, _, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", self.data, tab["offset"] + i * 24)
            out.append((self.cstr(names["offset"] + name), value, size, info & 0xf, shndx))
        return out

    def call_sites(self, target=TRACE_PC):
        """{section name: sorted offsets of the return addresses of direct
        calls to `target`} over the executable sections."""
        syms = self.symbols()
        out = {}
        for rel in self.sections:
            if rel["type"] != SHT_RELA:
                continue
            sec = self.sections[rel["info"]]
            if not sec["flags"] & SHF_EXECINSTR:
                continue
            sites = []
            for i in range(rel["size"] // 24):
                off, info, _ = struct.unpack_from("<QQq", self.data, rel["offset"] + i * 24)
                if info & 0xffffffff in (R_X86_64_PC32, R_X86_64_PLT32) and \
                        syms[info >> 32][0] == target:
                    sites.append(off + 4)
            if sites:
                out[sec["name"]] = sorted(sites)
        return out

    def functions(self, section):
        """[(start, end, name)] of the functions of `section`, by start."""
        idx = next(i for i, s in enumerate(self.sections) if s["name"] == section)
        return sorted((v, v + n, name) for name, v, n, t, shndx in self.symbols()
                      if t == STT_FUNC and shndx == idx)


class ModuleMap:
    """Turns KCOV's PCs into the module's edges (section, offset)."""

    def __init__(self, ko_path, bases, kaslr_offset):
        """`bases`: {section: runtime address}, as
        /sys/module/MOD/sections/ gives them; `kaslr_offset`: what KCOV
        took off every PC (runtime _text less its link-time address)."""
        with open(ko_path, "rb") as f:
            self.elf = Elf(f.read())
        self.sites = {s: set(v) for s, v in self.elf.call_sites().items()}
        self.total = sum(len(v) for v in self.sites.values())
        self.unfuzzable = unfuzzable(self.elf, self.sites)
        # What a request can reach: the edges less the unfuzzable ones.
        self.fuzzable = self.total - len(self.unfuzzable)
        size = {s["name"]: s["size"] for s in self.elf.sections}
        self.ranges = sorted((base, base + size[name], name) for name, base in bases.items()
                             if name in self.sites)
        self.kaslr = kaslr_offset

    def edge(self, pc):
        """The module's edge of a KCOV PC: (section, offset), or None if the
        PC is not the module's. Raises ValueError for a PC in the module
        that is no call site."""
        addr = (pc + self.kaslr) & 0xffffffffffffffff
        for lo, hi, name in self.ranges:
            if lo <= addr <= hi:
                off = addr - lo
                if off not in self.sites[name]:
                    raise ValueError(f"{pc:#x} is {name}+{off:#x}, no call site")
                return name, off
        return None

    def edges(self, pcs):
        """The module's edges among KCOV PCs, and how many PCs in the
        module were no call site (edge()'s ValueError: a mapping bug)."""
        out, errors = set(), 0
        for pc in pcs:
            try:
                e = self.edge(pc)
            except ValueError:
                errors += 1
                continue
            if e is not None:
                out.add(e)
        return out, errors

    def contains(self, pc):
        """Whether a KCOV PC is in the module's instrumented sections."""
        addr = (pc + self.kaslr) & 0xffffffffffffffff
        return any(lo <= addr <= hi for lo, hi, _ in self.ranges)


# Code no request reaches: the module's init and exit, KASAN's constructor
# and destructor of its globals.
UNFUZZABLE_SECTIONS = (".init.text", ".exit.text", ".text.asan.")


def unfuzzable(elf, sites):
    """The edges ((section, offset)) of `sites` that no request can reach:
    those of UNFUZZABLE_SECTIONS, and those of the KUnit suites built into
    the module, which run at its load: functions of a `tests` module (Rust
    v0 mangling "5tests"), generic code instantiated for their types
    included."""
    out = set()
    for sec, offs in sites.items():
        if sec.startswith(UNFUZZABLE_SECTIONS):
            out |= {(sec, o) for o in offs}
            continue
        for lo, hi, name in elf.functions(sec):
            if "5tests" in name:
                out |= {(sec, o) for o in offs if lo < o <= hi}
    return out


def read_bases(module):
    """{section: runtime address} of a loaded module (root only: others
    read zeros)."""
    d = f"/sys/module/{module}/sections"
    out = {}
    for name in os.listdir(d):
        with open(os.path.join(d, name)) as f:
            out[name] = int(f.read(), 16)
    return out


def kaslr_offset(system_map_text=0xffffffff81000000):
    """Runtime _text less its link-time address (System.map's _text)."""
    with open("/proc/kallsyms") as f:
        for line in f:
            addr, _, name = line.split()[:3]
            if name == "_text":
                return int(addr, 16) - system_map_text
    raise RuntimeError("no _text in /proc/kallsyms")


def constants(records, count, contains):
    """{(size in bytes, value)} of the comparisons with a constant among
    `count` trace-cmp records (a flat sequence of CMP_WORDS words each)
    whose PC `contains` accepts. The constant is the first operand: the
    compiler passes it first to __sanitizer_cov_trace_const_cmpN(), and
    __sanitizer_cov_trace_switch() records each case first."""
    out = set()
    for i in range(count):
        kind, arg1, _, pc = records[i * CMP_WORDS:(i + 1) * CMP_WORDS]
        if kind & KCOV_CMP_CONST and contains(pc):
            out.add((1 << ((kind >> 1) & 3), arg1))
    return out


class Kcov:
    """This thread's KCOV in trace-pc mode: start(), then collect() after
    the calls to cover, for the PCs they ran. Between comparisons(f) and
    its end, trace-cmp mode instead: collect() gives no PCs and gathers
    the constants the calls compared with where f(pc) holds."""

    def __init__(self, words=1 << 20):
        import ctypes
        import fcntl
        self.fcntl, self.ctypes = fcntl, ctypes
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.mmap.restype = ctypes.c_void_p
        self.libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                                   ctypes.c_int, ctypes.c_long]
        self.libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self.fd = os.open(KCOV_PATH, os.O_RDWR)
        fcntl.ioctl(self.fd, KCOV_INIT_TRACE, words)
        self.words = words
        # Not Python's mmap: it refuses a mapping longer than the file's
        # size, and debugfs files have none.
        self.addr = self.libc.mmap(None, words * 8, mmap.PROT_READ | mmap.PROT_WRITE,
                                   mmap.MAP_SHARED, self.fd, 0)
        if self.addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap of the KCOV area")
        self.area = (ctypes.c_uint64 * words).from_address(self.addr)
        fcntl.ioctl(self.fd, KCOV_ENABLE, KCOV_TRACE_PC)
        self.cmp, self.consts = None, set()

    def start(self):
        self.area[0] = 0

    def collect(self):
        if self.cmp is not None:
            n = min(self.area[0], (self.words - 1) // CMP_WORDS)
            self.consts |= constants(self.area[1:1 + n * CMP_WORDS], n, self.cmp)
            return []
        n = min(self.area[0], self.words - 1)
        return self.area[1:n + 1]

    def mode(self, mode):
        # KCOV_DISABLE puts the descriptor back in its initial state, from
        # which KCOV_ENABLE takes either mode.
        self.fcntl.ioctl(self.fd, KCOV_DISABLE, 0)
        self.fcntl.ioctl(self.fd, KCOV_ENABLE, mode)
        self.area[0] = 0

    def comparisons(self, contains):
        """A context: trace-cmp mode for its duration, then trace-pc
        again; its value, the set collect() fills."""
        import contextlib

        @contextlib.contextmanager
        def ctx():
            try:
                self.mode(KCOV_TRACE_CMP)
            except OSError:
                # Without CONFIG_KCOV_ENABLE_COMPARISONS: trace-pc again.
                self.mode(KCOV_TRACE_PC)
                raise
            self.cmp, self.consts = contains, set()
            try:
                yield self.consts
            finally:
                self.cmp = None
                self.mode(KCOV_TRACE_PC)
        return ctx()

    def close(self):
        self.fcntl.ioctl(self.fd, KCOV_DISABLE, 0)
        self.area = None
        self.libc.munmap(self.addr, self.words * 8)
        os.close(self.fd)


# -- self-test ---------------------------------------------------------------

C_SOURCE = b"""
int f(int x, int y)
{
    if (x > y)
        return x * 3;
    if (x == 7)
        return y;
    return x ^ y;
}
int g(int *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        if (p[i] & 1)
            s += p[i];
    return s;
}
"""

RUST_SOURCE = b"""
#![no_std]
#[no_mangle]
pub fn f(x: u32, y: u32) -> u32 {
    match x {
        0 => y,
        7 => y.wrapping_mul(3),
        _ if x > y => x,
        _ => x ^ y,
    }
}
pub mod tests {
    #[inline(never)]
    pub fn t(x: u32) -> u32 {
        if x > 3 { x * 5 } else { x + 1 }
    }
}
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! { loop {} }
"""


def objdump_sites(path):
    """{section: return offsets} of the calls to TRACE_PC, by objdump -dr."""
    out, sec = {}, None
    text = subprocess.run(["objdump", "-dr", path], capture_output=True, text=True,
                          check=True).stdout
    for line in text.splitlines():
        if line.startswith("Disassembly of section "):
            sec = line[len("Disassembly of section "):].rstrip(":")
        elif "R_X86_64_PLT32" in line or "R_X86_64_PC32" in line:
            off, _, sym = line.split()[:3]
            if sym.startswith(TRACE_PC + "-"):
                out.setdefault(sec, []).append(int(off.rstrip(":"), 16) + 4)
    return out


def self_test():
    with tempfile.TemporaryDirectory() as d:
        objs = []
        c = os.path.join(d, "t.c")
        with open(c, "wb") as f:
            f.write(C_SOURCE)
        # As Kbuild compiles a module's C with KCOV (scripts/Makefile.kcov).
        subprocess.run(["clang", "-O2", "-fsanitize-coverage=trace-pc,trace-cmp",
                        "-ffunction-sections",
                        "-c", c, "-o", os.path.join(d, "c.o")], check=True)
        objs.append(os.path.join(d, "c.o"))
        rs = os.path.join(d, "t.rs")
        with open(rs, "wb") as f:
            f.write(RUST_SOURCE)
        # What 7.3's RUSTFLAGS_KCOV passes, and netlink.mk must pass on 6.12.
        rustc = os.environ.get("RUSTC", "/usr/bin/rustc")
        subprocess.run([rustc, "--edition", "2021", "--crate-type", "lib", "--emit=obj",
                        "-Copt-level=2", "-Cpanic=abort", "-Cpasses=sancov-module",
                        "-Cllvm-args=-sanitizer-coverage-level=3",
                        "-Cllvm-args=-sanitizer-coverage-trace-pc",
                        "-Cllvm-args=-sanitizer-coverage-trace-compares", rs,
                        "-o", os.path.join(d, "r.o")], check=True)
        objs.append(os.path.join(d, "r.o"))
        counts = []
        for o in objs:
            with open(o, "rb") as f:
                elf = Elf(f.read())
            mine = elf.call_sites()
            theirs = {s: sorted(v) for s, v in objdump_sites(o).items()}
            assert mine == theirs and mine, (o, mine, theirs)
            n = sum(map(len, mine.values()))
            counts.append(n)
            # Comparisons are instrumented too, and are no edges.
            cmps = [t for t in ("__sanitizer_cov_trace_const_cmp4", "__sanitizer_cov_trace_switch")
                    if elf.call_sites(t)]
            assert cmps, o
            # Each site is inside a function of its section.
            for sec, sites in mine.items():
                funcs = elf.functions(sec)
                assert all(any(lo < s <= hi for lo, hi, _ in funcs) for s in sites), sec
            # A PC maps back to its site through a made-up load address
            # and KASLR offset; one that is no site is refused.
            bases = {sec: 0xffffffffc0000000 + 0x10000 * i for i, sec in enumerate(mine)}
            kaslr = 0x2a00000
            m = ModuleMap(o, bases, kaslr)
            assert m.total == n
            for sec, sites in mine.items():
                for s in sites:
                    assert m.edge(bases[sec] + s - kaslr) == (sec, s)
                try:
                    m.edge(bases[sec] + sites[0] + 1 - kaslr)
                except ValueError:
                    pass
                else:
                    raise AssertionError("a PC between call sites was taken")
            assert m.edge(0xffffffff81234567 - kaslr) is None
            # Many at once: the edges, others' PCs left out, bad ones counted.
            pcs = [bases[sec] + s - kaslr for sec, sites in mine.items() for s in sites]
            got, errors = m.edges(pcs + [0xffffffff81234567 - kaslr, pcs[0] + 1])
            assert got == {(sec, s) for sec, sites in mine.items() for s in sites} \
                and errors == 1, (got, errors)
            # The Rust object's `tests` module is unfuzzable, its f() is not.
            if o.endswith("r.o"):
                tests = {(sec, s) for sec, sites in mine.items()
                         for lo, hi, name in elf.functions(sec) if "5tests" in name
                         for s in sites if lo < s <= hi}
                assert tests and m.unfuzzable == tests and m.fuzzable == n - len(tests), \
                    (m.unfuzzable, tests)
    # Trace-cmp records: constants of the module's comparisons only, at
    # their width; non-constant ones and others' PCs are left out.
    inside = lambda pc: 0x1000 <= pc < 0x2000
    recs = [1 | 2 << 1, 0x1c, 5, 0x1010,        # 4-byte constant, in
            0 | 1 << 1, 7, 8, 0x1020,           # 2 bytes, both variable
            1 | 0 << 1, 0xff, 3, 0x3000,        # constant, elsewhere
            1 | 3 << 1, 1 << 40, 0, 0x1ff0,     # 8-byte constant, in
            1 | 1 << 1, 0x800, 9, 0x1004]       # not counted (count 4)
    assert constants(recs, 4, inside) == {(4, 0x1c), (8, 1 << 40)}, constants(recs, 4, inside)
    print(f"kcov.py: trace-pc call sites of a C object ({counts[0]}) and a Rust object "
          f"built with sancov-module ({counts[1]}) agree with objdump and map back from PCs; trace-cmp records give the "
          "module's constants")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            sites = Elf(f.read()).call_sites()
        total = sum(map(len, sites.values()))
        per = " ".join(f"{s}={len(v)}" for s, v in sorted(sites.items()))
        print(f"{path}: {total} instrumented edges {per}")


if __name__ == "__main__":
    main()
