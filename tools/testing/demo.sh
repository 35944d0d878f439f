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
cat >/tmp/demo.batch <<EOF
add id 10 name udp9000 proto udp dport 9000 threshold 5/60000
add id 11 name lo4 src 127.0.0.0/8
EOF
printf '\n$ cat /tmp/demo.batch\n'; cat /tmp/demo.batch
show nlrsctl nf apply /tmp/demo.batch
printf '\n$ nlrsctl nf listen --count 1 &\n'
nlrsctl nf listen --count 1 --timeout 30 2>/tmp/listen.err &
lis=$!
for _ in $(seq 100); do grep -q listening /tmp/listen.err 2>/dev/null && break; sleep 0.1; done
ip link set lo up
printf '\n$ (4 UDP datagrams to 127.0.0.1:9000)\n'
python3 "$NLRS_ROOT/tools/testing/integration/traffic.py" 127.0.0.1 4 100 --port 9000 >/dev/null
wait $lis && echo "(the listener above got the threshold alert)"
show nlrsctl counters
show nlrsctl checkpoint --reset
show nlrsctl checkpoint
show nlrsctl stats
show nlrsctl rule flush
show nlrsctl echo "$(printf 'x%.0s' $(seq 300))"
echo "(rejected by the kernel's policy, as it should be)"
show sh -c "dmesg | grep -E 'nlrs: |# nlrs_'"
exit 0
