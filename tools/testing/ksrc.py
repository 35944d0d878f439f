# SPDX-License-Identifier: GPL-2.0
"""The unpacked source of the kernel under test ($NLRS_KSRC, which the
scripts set: vm.sh for the guest's kernel, run-tests.sh for the newest
kernel under test on the host), and the tools of it that nlrs uses."""

import os


def root():
    path = os.environ.get("NLRS_KSRC")
    if not path or not os.path.isdir(path):
        raise SystemExit(f"NLRS_KSRC={path!r} is not a kernel source "
                         "(set by tools/testing/vm.sh and run-tests.sh)")
    return path


def ynl():
    """YNL's Python directory: cli.py and its lib/. 6.12 has them in
    tools/net/ynl, 7.3 in tools/net/ynl/pyynl."""
    for sub in ("tools/net/ynl/pyynl", "tools/net/ynl"):
        path = os.path.join(root(), sub)
        if os.path.exists(os.path.join(path, "cli.py")):
            return path
    raise SystemExit(f"no YNL cli.py in {root()}")


def genetlink_schema():
    """The YNL schema of genetlink specs."""
    return os.path.join(root(), "Documentation/netlink/genetlink.yaml")


def kunit():
    """The directory of KUnit's tools: kunit_parser.py, kunit_printer.py."""
    return os.path.join(root(), "tools/testing/kunit")
