#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known local traffic for the hook tests: COUNT UDP datagrams of SIZE bytes
from one local socket to another, each received before the next is sent.

Usage: traffic.py ADDR COUNT SIZE [SECONDS] [--port PORT]
       traffic.py recv PORT COUNT SIZE
       traffic.py send ADDR PORT COUNT SIZE
With SECONDS, keeps sending for that long instead (COUNT is ignored) and
prints how many were sent. With PORT, the receiver listens on that port
instead of an ephemeral one."""

import socket
import sys
import time


def recv(port, count, size):
    """Receives COUNT datagrams of SIZE bytes on PORT (IPv4, any address)."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("0.0.0.0", port))
    rx.settimeout(10)
    print("ready", flush=True)
    for _ in range(count):
        assert len(rx.recv(65536)) == size
    print(count)


def send(addr, port, count, size):
    """Sends COUNT datagrams of SIZE bytes to ADDR:PORT."""
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(count):
        tx.sendto(b"n" * size, (addr, port))
        time.sleep(0.01)
    print(count)


def main():
    args = sys.argv[1:]
    if args[0] == "recv":
        return recv(int(args[1]), int(args[2]), int(args[3]))
    if args[0] == "send":
        return send(args[1], int(args[2]), int(args[3]), int(args[4]))
    port = 0
    if "--port" in args:
        i = args.index("--port")
        port = int(args[i + 1])
        del args[i:i + 2]
    addr, count, size = args[0], int(args[1]), int(args[2])
    seconds = float(args[3]) if len(args) > 3 else None
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    rx = socket.socket(fam, socket.SOCK_DGRAM)
    rx.bind((addr, port))
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
