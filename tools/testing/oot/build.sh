#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh KVER: build the out-of-tree test module (rnl_kv_main.rs, for
# test_oot.py) against the cached test kernel of KVER the way a third party
# would: in a temporary directory holding only its Kbuild, its crate root
# and a copy of the layer (src/netlink/, as rnl/), whose netlink.mk the
# Kbuild includes. The module goes to out/KVER/oot/rnl_kv.ko.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

kver=$1
kdir=$(KVER=$kver "$NLRS_ROOT/tools/testing/kernel.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The layer as a user vendors it: its sources, nothing this tree built.
mkdir -p "$tmp/rnl"
(cd "$NLRS_ROOT/src/netlink" && find . -type f \
	\( -name '*.rs' -o -name '*.c' -o -name '*.h' -o -name '*.mk' \
	-o -name bindgen_parameters \) ! -name bindings_generated.rs \
	-exec cp --parents -t "$tmp/rnl" {} +)
cp "$NLRS_ROOT/tools/testing/oot/Kbuild" "$NLRS_ROOT/tools/testing/oot/rnl_kv_main.rs" "$tmp/"

kbuild "$kdir" "$tmp" modules
mkdir -p "$(kbuild_dir "$kver")/oot"
cp "$tmp/rnl_kv.ko" "$(kbuild_dir "$kver")/oot/"
echo "built $(kbuild_dir "$kver")/oot/rnl_kv.ko from a temporary directory"
