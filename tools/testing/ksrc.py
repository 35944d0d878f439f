# SPDX-License-Identifier: GPL-2.0
"""The unpacked source of the kernel under test ($NLRS_KSRC, which the
scripts set: vm.sh for the guest's kernel, run-tests.sh for the newest
kernel under test on the host), and the tools of it that nlrs uses."""

import os
import subprocess
import sys


def root():
    path = os.environ.get("NLRS_KSRC")
    if not path or not os.path.isdir(path):
        raise SystemExit(f"NLRS_KSRC={path!r} is not a kernel source "
                         "(set by tools/testing/vm.sh and run-tests.sh)")
    return path


def ynl_root():
    """The source whose YNL the tests use: see ynl()."""
    return os.environ.get("NLRS_YNL_KSRC") or root()


def ynl():
    """YNL's Python directory (cli.py and its lib/) of the newest supported
    kernel's source ($NLRS_YNL_KSRC, which vm.sh and run-tests.sh set): YNL
    is a userspace tool, and the newest serves both kernels' tests (7.3's
    has --multi, and the schema that knows nlrs.yaml's uns-admin-perm)."""
    path = os.path.join(ynl_root(), "tools/net/ynl/pyynl")
    if not os.path.exists(os.path.join(path, "cli.py")):
        raise SystemExit(f"no YNL cli.py in {path}")
    return path


def ynl_cli(spec, *args):
    """Runs YNL's cli.py on spec with JSON output; returns the finished
    process. The spec is not checked against its schema, which takes the
    better part of a minute under emulation: the generator does that on
    the host (make regen, and make test's regen-check)."""
    return subprocess.run(["/usr/bin/python3", os.path.join(ynl(), "cli.py"), "--spec", spec,
                           "--no-schema", "--output-json", *args],
                          capture_output=True, text=True)


def ynl_family(spec):
    """(YnlFamily of spec, its NlError): YNL's library, which cli.py
    drives, in this process; the spec unchecked, as for ynl_cli()."""
    path = ynl()
    if path not in sys.path:
        sys.path.insert(0, path)
    from lib import NlError, YnlFamily
    return YnlFamily(spec, ""), NlError


def genetlink_schema():
    """The YNL schema of genetlink specs, of the YNL ynl() is."""
    return os.path.join(ynl_root(), "Documentation/netlink/genetlink.yaml")


def kunit():
    """The directory of KUnit's tools: kunit_parser.py, kunit_printer.py."""
    return os.path.join(root(), "tools/testing/kunit")
