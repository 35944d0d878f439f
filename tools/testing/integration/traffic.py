#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known local traffic for the hook tests: COUNT UDP datagrams of SIZE bytes
from one local socket to another, each received before the next is sent.

Usage: traffic.py ADDR COUNT SIZE [SECONDS]
With SECONDS, keeps sending for that long instead (COUNT is ignored) and
prints how many were sent."""

import socket
import sys
import time


def main():
    addr, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else None
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    rx = socket.socket(fam, socket.SOCK_DGRAM)
    rx.bind((addr, 0))
    rx.settimeout(5)
    tx = socket.socket(fam, socket.SOCK_DGRAM)
    dest = rx.getsockname()
    payload = b"n" * size
    sent = 0
    end = time.monotonic() + seconds if seconds else None
    while (sent < count) if end is None else (time.monotonic() < end):
        tx.sendto(payload, dest)
        assert len(rx.recv(65536)) == size
        sent += 1
    print(sent)


if __name__ == "__main__":
    main()
