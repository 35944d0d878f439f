#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known local traffic for the hook tests: COUNT UDP datagrams of SIZE bytes
from one local socket to another, each received before the next is sent.
Tests call exchange() in their own process; a test that needs traffic to
flow beside it runs this file.

Usage: traffic.py ADDR COUNT SIZE [SECONDS] [--port PORT]
With SECONDS, keeps sending for that long instead (COUNT is ignored) and
prints how many were sent. With PORT, the receiver listens on that port
instead of an ephemeral one."""

import socket
import sys
import time


def exchange(addr, count, size, seconds=None, port=0):
    """Sends COUNT datagrams (or, with SECONDS, as many as fit in that
    time) from a socket to one bound on ADDR, receiving each before the
    next; returns how many went. The sockets live in the caller's network
    namespace."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as rx, socket.socket(fam, socket.SOCK_DGRAM) as tx:
        rx.bind((addr, port))
        rx.settimeout(10)
        dest = rx.getsockname()
        payload = b"n" * size
        sent = 0
        end = time.monotonic() + seconds if seconds else None
        while (sent < count) if end is None else (time.monotonic() < end):
            tx.sendto(payload, dest)
            assert len(rx.recv(65536)) == size
            sent += 1
    return sent


def main():
    args = sys.argv[1:]
    port = 0
    if "--port" in args:
        i = args.index("--port")
        port = int(args[i + 1])
        del args[i:i + 2]
    seconds = float(args[3]) if len(args) > 3 else None
    print(exchange(args[0], int(args[1]), int(args[2]), seconds, port))


if __name__ == "__main__":
    main()
