#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel, or reuse the cached build, and print its directory.
#
# Usage: kernel.sh [--cached] [FRAGMENT...]
#
# With --cached, only print the directory of an existing build (exit 1 if
# there is none).
#
# Debian's linux-source-$KVER (KVER=6.12 or 7.3; default 6.12) is configured
# as x86_64 defconfig plus the FRAGMENTs in order, a later one overriding an
# earlier one (default tools/testing/kernel.config: the debug test kernel;
# "make bench" adds tools/testing/bench.config), and built with the version's
# LLVM (kver_llvm in lib.sh) and Debian's rustc. The build lives in
# $NLRS_CACHE/kernel/<package version>-<key>, where the key hashes the
# fragments and the toolchain, so every clone on the machine shares it and a
# changed fragment builds anew.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KVER=${kvers[0]}
cached_only=0
if [ "${1:-}" = --cached ]; then
	cached_only=1
	shift
fi
[ $# -gt 0 ] || set -- "$NLRS_ROOT/tools/testing/kernel.config"
frags=()
for f in "$@"; do frags+=("$(realpath "$f")"); done
llvm=$(kver_llvm "$KVER")
clang=clang${llvm#1}
ver=$(source_version "$KVER")
key=$({ cat "${frags[@]}"; echo "$ver"; $KRUSTC --version; $clang --version | head -1;
	bindgen --version; } | sha256sum | cut -c1-12)
src=$NLRS_CACHE/src/linux-source-$ver
out=$NLRS_CACHE/kernel/$ver-$key

mkdir -p "$NLRS_CACHE/kernel" "$NLRS_CACHE/src"
exec 9>"$NLRS_CACHE/kernel/.lock-$ver-$key"
flock 9

if [ -f "$out/.nlrs-built" ]; then
	echo "$out"
	exit 0
fi
[ $cached_only = 0 ] || exit 1

unpack_source "$KVER" "$ver"

kmake_out() { kmake "$llvm" -C "$src" O="$out" "$@"; }

# Configure once; an interrupted build then resumes where it stopped, since
# make only redoes what is out of date.
if [ ! -f "$out/.nlrs-configured" ]; then
	log "configuring kernel $ver (${frags[*]##*/}, key $key) in $out"
	rm -rf "$out"
	mkdir -p "$out"
	{
		kmake_out defconfig
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
		kmake_out olddefconfig
	} >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; die "configuring failed"; }

	# merge_config warns but goes on when a dependency drops an option;
	# this kernel is useless without them, so refuse. The last fragment
	# to name an option decides what it should be.
	declare -A want=()
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) want[${line%%=*}]=$line ;;
		"# CONFIG_"*" is not set") line=${line#\# }; want[${line%% *}]= ;;
		esac
	done < <(cat "${frags[@]}")
	bad=0
	for opt in "${!want[@]}"; do
		line=${want[$opt]}
		[ -n "$line" ] || continue
		grep -qxF "$line" "$out/.config" || {
			echo "config: wanted '$line', got '$(grep "^$opt=" "$out/.config" || echo unset)'" >&2
			bad=1; }
	done
	[ $bad = 0 ] || die "the kernel config does not hold the fragment (see above)"
	touch "$out/.nlrs-configured"
fi

# Progress, once a minute: kbuild prints a line per step (CC, RUSTC, LD...),
# counted against what a full build of the test configuration printed on the
# reference machine, where it took about 18 minutes (6.12) or 22 (7.3). The
# log is appended to, so a resumed build counts what was done before it.
case $KVER in
6.12) STEPS=3140 minutes=18 ;;
7.3) STEPS=3330 minutes=22 ;;
esac
progress() {
	local start=$SECONDS n
	# The sleep outlives a kill of this loop by up to a minute: it must not
	# hold the log's pipe or the build lock meanwhile.
	while sleep 60 </dev/null >/dev/null 2>&1 9>&-; do
		n=$(grep -c '^  [A-Z]' "$out/build.log")
		log "kernel: $n of about $STEPS build steps" \
			"($((n * 100 / STEPS > 99 ? 99 : n * 100 / STEPS))%)," \
			"$(((SECONDS - start) / 60)) min"
	done
}

log "building kernel $ver in $out (log: $out/build.log)"
log "a cold build takes about $minutes minutes on 2 cores; an interrupted one resumes"
start=$SECONDS
progress &
progress_pid=$!
# Under set -e, a failing command in an EXIT trap would become the script's
# status: the loop may be gone already.
stop_progress() { kill "$progress_pid" 2>/dev/null || true; }
trap stop_progress EXIT
if ! kmake_out -j"$(nproc)" all >>"$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -20 >&2
	die "kernel build failed; log: $out/build.log"
fi
stop_progress
log "kernel built in $((SECONDS - start)) s"
touch "$out/.nlrs-built"
echo "$out"
