# SPDX-License-Identifier: GPL-2.0
"""A small COLO peer for the rust_nfnl_colo sample, in the shape of the
libnfnetlink user API the sample's C original was driven with: open a
handle, open the subsystem, send requests, receive the kernel's messages.

Usable from the tests (import) and by hand in the guest:

    python3 colo.py init primary     # register, then print notifications
"""

import socket
import struct
import sys

import nl

SUBSYS_COLO = 12
KERNEL_NOTIFY, DO_CHECKPOINT, DO_FAILOVER, PROXY_INIT, PROXY_RESET = range(5)
NFNL_COLO_MODE = 1
NFNL_COLO_COMPARE_RESULT = 1
MODES = {"primary": 1, "secondary": 2}


class Peer(nl.Socket):
    """nfnl_open() + nfnl_subsys_open(): one NETLINK_NETFILTER socket
    talking to the colo subsystem."""

    def __init__(self, subsys=SUBSYS_COLO):
        super().__init__(nl.NETLINK_NETFILTER)
        self.subsys = subsys

    def send_request(self, msg, *attrs):
        """Sends one request with an ACK; raises nl.NetlinkError."""
        return self.request(nl.nfnl_type(msg, self.subsys),
                            nl.nfgen_header() + b"".join(attrs))

    def proxy_init(self, mode):
        return self.send_request(PROXY_INIT, nl.attr_u32(NFNL_COLO_MODE, MODES.get(mode, mode)))

    def checkpoint(self):
        return self.send_request(DO_CHECKPOINT)

    def failover(self):
        return self.send_request(DO_FAILOVER)

    def proxy_reset(self):
        return self.send_request(PROXY_RESET)

    def notifications(self, timeout):
        """KERNEL_NOTIFY compare results received within `timeout` s."""
        self.sock.settimeout(timeout)
        results = []
        try:
            while True:
                for ty, _, seq, body in self.recv_msgs():
                    assert ty == nl.nfnl_type(KERNEL_NOTIFY, self.subsys), ty
                    assert seq == 0, seq
                    family, version, res_id = struct.unpack_from("=BBH", body)
                    assert (family, version, res_id) == (socket.AF_UNSPEC, 0, 0)
                    attrs = nl.parse_attrs(body[4:])
                    results.append(struct.unpack("=i", attrs[NFNL_COLO_COMPARE_RESULT])[0])
        except socket.timeout:
            return results
        finally:
            self.sock.settimeout(10)


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "init" or sys.argv[2] not in MODES:
        sys.exit("usage: colo.py init primary|secondary")
    with Peer() as p:
        p.proxy_init(sys.argv[2])
        print(f"peer registered as {sys.argv[2]}; waiting", file=sys.stderr)
        while True:
            for r in p.notifications(3600):
                print(f"KERNEL_NOTIFY compare_result={r}", flush=True)


if __name__ == "__main__":
    main()
