#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the benchmark kernel (tools/testing/bench.config over the
# test kernel's fragment, without the debug options; cached like the test
# kernel), build the modules against it in out/bench (a copy of the sources,
# so the test build in the tree stays as it is) and nlbench, boot it once
# and run bench.py there. Prints the table; out/bench/bench.json keeps it.
#
# Usage: bench.sh [RULES] [SECTIONS], SECTIONS a comma-separated subset of
# echo,tool,memory,dump,batch,hook,fanout (default: all).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

rules=${1:-100000}
sections=${2:-}
testing=$NLRS_ROOT/tools/testing
kdir=$("$testing/kernel.sh" "$testing/kernel.config" "$testing/bench.config")
build=$NLRS_ROOT/out/bench

# The module sources only: the objects of the test build are for another
# kernel. cp -p keeps times, so an unchanged file is not rebuilt.
mkdir -p "$build"
(cd "$NLRS_ROOT" && find Kbuild src samples -type f \
	\( -name Kbuild -o -name '*.rs' -o -name '*.c' -o -name '*.h' \
	-o -name bindgen_parameters \) ! -name bindings_generated.rs \
	-exec cp -p --parents {} "$build" \;)
log "building the modules for the benchmark kernel in $build"
make -s -C "$kdir" M="$build" "${KMAKE_FLAGS[@]}" modules
clang -O2 -Wall -Wextra -Werror -o "$build/nlbench" "$testing/bench/nlbench.c"

rm -f "$build/bench.json"
NLRS_NO_LOAD=1 KDIR=$kdir NLRS_VM_TIMEOUT=3600 NLRS_OUT=$build/vm "$testing/vm.sh" \
	/usr/bin/python3 "$NLRS_MNT/repo/tools/testing/bench/bench.py" \
	"$NLRS_MNT/repo/out/bench" "$NLRS_MNT/out/bench.json" "$rules" $sections
cp "$build/vm/bench.json" "$build/bench.json"
log "table as JSON: $build/bench.json"
