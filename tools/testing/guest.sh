#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest (see vm.sh): mount what the tests need, load nlrs.ko,
# then run a command or a shell. The command's output and status go to the
# output directory, since virtme-ng's console mixes them with the kernel log.
#
# Usage: guest.sh MNT [--no-load] [--shell] [-- CMD...], where MNT/repo is the
# repository and MNT/out the output directory. MNT/out/guest.env adds to the
# environment: NLRS_MODULES, the directory of nlrs.ko and samples/*.ko as
# built for the running kernel, NLRS_KSRC, that kernel's source, and
# NLRS_YNL_KSRC, the source whose YNL the tests use.
set -u
mnt=$1
shift
load=1
shell=0
while [ $# -gt 0 ]; do
	case "$1" in
	--no-load) load=0 ;;
	--shell) shell=1 ;;
	--) shift; break ;;
	esac
	shift
done

export NLRS_ROOT=$mnt/repo NLRS_OUT=$mnt/out NLRS_CACHE=${mnt%/*}
set -a
. "$mnt/out/guest.env"
set +a
# The tests run nlrsctl hundreds of times. The repository is a 9p mount
# without a page cache, where each exec pulls the binary through the
# emulated virtio queue again (1.3 s under TCG); from a tmpfs it takes a
# tenth of that.
bin=/run/nlrs-bin
mkdir -p $bin
cp "$NLRS_ROOT/tools/nlrsctl/target/x86_64-unknown-linux-gnu/release/nlrsctl" $bin/
export PATH=$bin:$PATH NLRSCTL=$bin/nlrsctl
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# kmemleak's own thread would scan all memory a minute after boot and every
# ten minutes on, each time 6 to 7 s of the guest's one emulated CPU, in
# the middle of the tests. The teardown scans when it counts (after the
# module is gone).
[ -w /sys/kernel/debug/kmemleak ] && echo scan=off >/sys/kernel/debug/kmemleak

if [ $load = 1 ] && ! grep -q '^nlrs ' /proc/modules; then
	insmod "$NLRS_MODULES/nlrs.ko" || {
		echo "guest: insmod nlrs.ko failed" >"$NLRS_OUT/stderr"
		echo 1 >"$NLRS_OUT/status"
		exit 1
	}
fi

if [ $shell = 1 ]; then
	# The host's rc files (pyenv and the like) assume a writable home.
	echo "nlrs.ko loaded; nlrsctl is on PATH. Ctrl-D leaves."
	PS1='nlrs-vm:\w# ' exec bash --norc --noprofile -i
fi

"$@" >"$NLRS_OUT/stdout" 2>"$NLRS_OUT/stderr"
echo $? >"$NLRS_OUT/status"
