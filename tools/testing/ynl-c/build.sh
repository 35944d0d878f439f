#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build nlrs-ynl-client: the user-space C library that the kernel's own YNL
# generator (ynl_gen_c.py) makes of Documentation/netlink/specs/nlrs.yaml,
# the kernel's libynl, and the client over them (nlrs-ynl-client.c here),
# all from the source of the newest supported kernel and against its uapi
# headers. test_ynl_c.py runs the client in the guests of both kernels.
#
# Usage: build.sh [OUT]   OUT: the output directory (default out/ynl-c);
#                         the client is OUT/nlrs-ynl-client
#
# Nothing is written into the kernel source or the repository's sources:
#
# - ynl_gen_c.py names the spec in its output by its path in a kernel tree,
#   which it takes to be the nearest directory above the spec that holds a
#   MAINTAINERS file (with none up to /, it loops forever), and validates
#   the spec against Documentation/netlink/genetlink.yaml two directories
#   above it (it has no option to name a schema). So the spec is copied
#   into OUT/tree/Documentation/netlink/specs/, beside the kernel's schema
#   and an empty MAINTAINERS: the spec is validated, and the output says
#   it came from Documentation/netlink/specs/nlrs.yaml.
# - the generated user header includes the family's uapi header,
#   <linux/nlrs.h>, which no kernel tree has: the generator's uapi mode
#   makes it, in OUT/include (nlbench includes it too).
# - the kernel's uapi headers ("make headers", headers_install's tree without
#   its rsync) are made once per kernel version, with O= in
#   $NLRS_CACHE/uapi/VERSION, and come before the host's (Debian 12 has
#   6.1's), as in the kernel's selftests.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

here=$NLRS_ROOT/tools/testing/ynl-c
out=$(realpath -m "${1:-$NLRS_ROOT/out/ynl-c}")
ksrc=$(ynl_source)
ver=${ksrc##*/linux-source-}
gen=$ksrc/tools/net/ynl/pyynl/ynl_gen_c.py
libynl=$ksrc/tools/net/ynl/lib
[ -f "$gen" ] && [ -f "$libynl/ynl.c" ] || die "no ynl_gen_c.py or libynl in $ksrc"

hdrs=$NLRS_CACHE/uapi/$ver
if [ ! -f "$hdrs/.nlrs-done" ]; then
	mkdir -p "$NLRS_CACHE/uapi"
	(
		flock 8
		[ ! -f "$hdrs/.nlrs-done" ] || exit 0
		log "making the uapi headers of Linux $ver in $hdrs"
		rm -rf "$hdrs"
		mkdir -p "$hdrs"
		# Not the variables of a make this runs under (make test's T=,
		# KVER=): kbuild would take them as its own.
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			make -s -C "$ksrc" O="$hdrs" headers >"$hdrs.log" 2>&1 ||
			{ tail -20 "$hdrs.log" >&2; die "make headers failed; log: $hdrs.log"; }
		touch "$hdrs/.nlrs-done"
	) 8>"$NLRS_CACHE/uapi/.lock-$ver"
fi

# What an earlier build left: a failed build leaves no client behind.
tree=$out/tree
rm -rf "$tree" "$out/include"
rm -f "$out"/{nlrs-user.h,nlrs-user.c,*.o,nlrs-ynl-client}
mkdir -p "$tree/Documentation/netlink/specs" "$out/include/linux"
cp "$NLRS_ROOT/Documentation/netlink/specs/nlrs.yaml" "$tree/Documentation/netlink/specs/"
cp "$ksrc/Documentation/netlink/genetlink.yaml" "$tree/Documentation/netlink/"
: >"$tree/MAINTAINERS"

spec=$tree/Documentation/netlink/specs/nlrs.yaml
/usr/bin/python3 "$gen" --mode uapi --header --spec "$spec" -o "$out/include/linux/nlrs.h"
/usr/bin/python3 "$gen" --mode user --header --spec "$spec" -o "$out/nlrs-user.h"
/usr/bin/python3 "$gen" --mode user --source --spec "$spec" -o "$out/nlrs-user.c"

# The flags the kernel builds libynl and the generated code with
# (tools/net/ynl/lib/Makefile), and no warning.
cflags=(-std=gnu11 -O2 -W -Wall -Wextra -Wno-unused-parameter -Wshadow -Werror
	-I"$out" -I"$out/include" -I"$libynl" -isystem "$hdrs/usr/include")
gcc "${cflags[@]}" -c -o "$out/ynl.o" "$libynl/ynl.c"
gcc "${cflags[@]}" -c -o "$out/nlrs-user.o" "$out/nlrs-user.c"
gcc "${cflags[@]}" -c -o "$out/nlrs-ynl-client.o" "$here/nlrs-ynl-client.c"
gcc -o "$out/nlrs-ynl-client" "$out/nlrs-ynl-client.o" "$out/nlrs-user.o" "$out/ynl.o"
echo "ynl-c: $out/nlrs-ynl-client (ynl-gen-c and libynl of Linux $ver)"
