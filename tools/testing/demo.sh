#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: a short demonstration inside the guest, nlrs.ko already loaded.
set -u
exec 2>&1
show() { printf '\n$ %s\n' "$*"; "$@"; }

echo "== nlrs on $(uname -r) =="
show nlrsctl family

printf '\n$ nlrsctl monitor events --count 1 &\n'
nlrsctl monitor events --count 1 --timeout 15 2>/tmp/monitor.err &
mon=$!
for _ in $(seq 100); do grep -q listening /tmp/monitor.err 2>/dev/null && break; sleep 0.1; done
cat /tmp/monitor.err

show nlrsctl echo "hello from userspace"
wait $mon && echo "(the listener above saw the event)"

show nlrsctl -j echo "json too"

printf '\n$ nlrsctl monitor config --count 3 &\n'
nlrsctl monitor config --count 3 --timeout 30 2>/tmp/monitor.err &
mon=$!
for _ in $(seq 100); do grep -q listening /tmp/monitor.err 2>/dev/null && break; sleep 0.1; done
show nlrsctl rule add name web proto tcp dst 10.0.0.0/8 dport 80-443 threshold 1000/1000
show nlrsctl rule add name dns proto udp dst 2001:db8::/32 dport 53
show nlrsctl rule show
show nlrsctl -j rule show name dns
show nlrsctl rule add name web
echo "(refused: the name is taken; 'rule replace' would replace it)"
show nlrsctl rule del name dns
wait $mon && echo "(the listener above saw the three changes)"
show nlrsctl nf echo "hello over nfnetlink"
show nlrsctl stats
show nlrsctl rule flush
show nlrsctl echo "$(printf 'x%.0s' $(seq 300))"
echo "(rejected by the kernel's policy, as it should be)"
show sh -c "dmesg | grep -E 'nlrs: |# nlrs_'"
exit 0
