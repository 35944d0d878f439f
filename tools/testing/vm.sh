#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel of KVER (default: the first supported version), or
# the kernel of KDIR, in QEMU (virtme-ng, TCG) over the host's root
# filesystem (read-only), with the repository mounted read-only and an output
# directory read-write. The guest's root is the host's, so their mount points
# are made on the host, under the cache directory ($NLRS_MNT below).
#
#   vm.sh                 an interactive shell, nlrs.ko loaded
#   vm.sh CMD [ARG...]    run CMD there (nlrs.ko loaded, nlrsctl on PATH),
#                         print its output, exit with its status
#
# NLRS_NO_LOAD=1 skips loading the module; NLRS_OUT=DIR keeps the guest's
# output directory (console.log, stdout, stderr, status) in DIR.
# NLRS_VM_TIMEOUT=S kills the guest after S seconds (make test derives it
# from its tests' limits; the default suits a command run by hand), and
# writes why in DIR/killed.
# NLRS_GUEST_SLOWDOWN=K runs the guest on 1/K of a host core (a CPU quota on
# a cgroup of its own): what a machine K times slower would give it.
# NLRS_VM_ICOUNT=1 runs QEMU with -icount shift=0,sleep=off: the guest's
# clock counts the instructions it executes (one a nanosecond) instead of
# real time, and an idle guest's clock jumps to its next timer; timings in
# the guest become instruction counts, the same from run to run (make bench
# uses it). It needs the single-threaded TCG below.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The kernel, and where the modules were built for it (see kbuild.sh; or
# NLRS_MODULES, a directory of the repository).
if [ -n "${KDIR:-}" ]; then
	kdir=$KDIR
	modules=${NLRS_MODULES:-$NLRS_ROOT}
else
	KVER=${kvers[0]}
	kdir=$(KVER=$KVER "$NLRS_ROOT/tools/testing/kernel.sh")
	modules=$(kbuild_dir "$KVER")
fi
image=$kdir/arch/x86/boot/bzImage
[ -f "$image" ] || die "no kernel image at $image"
[ -f "$modules/nlrs.ko" ] || die "no nlrs.ko in $modules (make module)"

out=${NLRS_OUT:-$(mktemp -d)}
mkdir -p "$out" "$NLRS_MNT/repo" "$NLRS_MNT/out"
rm -f "$out/status" "$out/stdout" "$out/stderr" "$out/killed"
# What the guest's environment adds (guest.sh reads it): where the modules
# are, the running kernel's source (its KUnit parser), and the one whose
# YNL the tests use (ksrc.py).
ynl_ksrc=$(ynl_source)
cat >"$out/guest.env" <<EOF
NLRS_MODULES=$NLRS_MNT/repo${modules#"$NLRS_ROOT"}
NLRS_KSRC=$(kernel_source "$kdir")
NLRS_YNL_KSRC=$ynl_ksrc
EOF

# The guest's root is the host's, read-only over 9p. virtme-ng mounts it
# without a page cache, so every exec and every Python import reads its
# files again through the emulated virtio queue; a later rootflags= wins,
# and the guest cannot change the root, so it may cache it.
rootflags=rootflags=version=9p2000.L,trans=virtio,access=any,msize=512000,cache=loose

vng_args=(
	--run "$image" --disable-microvm --disable-kvm
	# 1 GiB leaves about 680 MB available after boot, and the teardown's
	# two kmemleak scans walk all of it: 6 to 7 s a scan (at 2 GiB, on the
	# 1000 Hz kernel, 13 to 28 s against 8 to 10 at 1 GiB).
	--cpus 2 --memory 1G
	--append "panic_on_warn=1 oops=panic panic=-1 no5lvl $rootflags"
	# One TCG thread for both vCPUs: with a thread per vCPU, a CPU can run
	# stale translated code while another patches kernel text (static
	# keys flipped at runtime), and the guest dies of a stray int3, e.g.
	# in sched_clock_tick when sched_clock is marked stable at boot.
	--qemu-opt=-accel --qemu-opt=tcg,thread=single
	--rodir "$NLRS_MNT/repo=$NLRS_ROOT" --rwdir "$NLRS_MNT/out=$out"
	--cwd "$NLRS_MNT/repo"
)
[ "${NLRS_VM_ICOUNT:-0}" = 1 ] && vng_args+=(--qemu-opt=-icount --qemu-opt=shift=0,sleep=off)

guest=("$NLRS_MNT/repo/tools/testing/guest.sh" "$NLRS_MNT")
[ "${NLRS_NO_LOAD:-0}" = 1 ] && guest+=(--no-load)

if [ $# -eq 0 ]; then
	# Interactive: the shell gets the console, the kernel log stays quiet.
	exec vng "${vng_args[@]}" --shell "$NLRS_MNT/repo/tools/testing/guest-shell.sh"
fi

# A cgroup of the CPU controller (v2, or v1's cpu hierarchy) whose quota
# gives its processes 1/K of a core, in slices of a 10 ms period: a longer
# one stalls the guest for most of each period, which a slow CPU does not.
slow_down() {
	local k=$1 cg period=10000 quota
	quota=$((period / k))
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		cg=/sys/fs/cgroup/nlrs-guest-$$
		mkdir "$cg" && echo "$quota $period" >"$cg/cpu.max"
	else
		cg=/sys/fs/cgroup/cpu/nlrs-guest-$$
		mkdir "$cg" && echo "$period" >"$cg/cpu.cfs_period_us" &&
			echo "$quota" >"$cg/cpu.cfs_quota_us"
	fi || die "cannot make a cgroup with a CPU quota for NLRS_GUEST_SLOWDOWN"
	echo "$cg"
}

# The command line crosses two shells; quote each word once.
cmd=$(printf '%q ' "$@")
limit=${NLRS_VM_TIMEOUT:-3600}
cg=
[ "${NLRS_GUEST_SLOWDOWN:-1}" = 1 ] || cg=$(slow_down "$NLRS_GUEST_SLOWDOWN")
# virtme-ng finds no virtio-serial script port here and falls back to the
# console, which it only shows with --verbose; output goes through files.
rc=0
(
	[ -z "$cg" ] || echo "$BASHPID" >"$cg/cgroup.procs"
	exec timeout --kill-after=30 "$limit" vng "${vng_args[@]}" --verbose \
		--exec "${guest[*]} -- $cmd" >"$out/console.log" 2>&1 </dev/null
) || rc=$?
[ -z "$cg" ] || rmdir "$cg" 2>/dev/null || true
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "the guest was killed at its limit of $limit s" >"$out/killed"
fi

[ -f "$out/stdout" ] && cat "$out/stdout"
[ -f "$out/stderr" ] && cat "$out/stderr" >&2
if [ ! -f "$out/status" ]; then
	echo "vm: the guest did not finish$([ -f "$out/killed" ] && echo ": $(cat "$out/killed")");" \
		"last console lines:" >&2
	tail -40 "$out/console.log" >&2
	exit 125
fi
exit "$(cat "$out/status")"
