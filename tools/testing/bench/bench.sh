#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: for each kernel (KVER's alone if set), build the benchmark
# kernel (tools/testing/bench.config over the test kernel's fragment, without
# the debug options; cached like the test kernel), build the modules against
# it in out/bench/VERSION (a copy of the sources) and nlbench, boot it once
# and run bench.py there. Prints the table; out/bench/VERSION/bench.json
# keeps it.
#
# Usage: bench.sh [RULES] [SECTIONS], SECTIONS a comma-separated subset of
# echo,tool,memory,dump,batch,hook,fanout (default: all).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

rules=${1:-100000}
sections=${2:-}
testing=$NLRS_ROOT/tools/testing

# On each kernel (or KVER's) in turn, in out/bench/VERSION.
for kver in "${kvers[@]}"; do
	kdir=$(KVER=$kver "$testing/kernel.sh" "$testing/kernel.config" "$testing/bench.config")
	build=$NLRS_ROOT/out/bench/$kver
	copy_module_sources "$build"
	log "building the modules for the $kver benchmark kernel in $build"
	kbuild "$kdir" "$build" -s modules
	# nlbench takes the protocol's numbers from the uapi header ynl-gen-c
	# makes of the spec.
	"$testing/ynl-c/build.sh" >/dev/null
	clang -O2 -Wall -Wextra -Werror -I "$NLRS_ROOT/out/ynl-c/include" \
		-o "$build/nlbench" "$testing/bench/nlbench.c"

	rm -f "$build/bench.json"
	log "benchmarks on $kver"
	NLRS_NO_LOAD=1 KDIR=$kdir NLRS_MODULES=$build NLRS_VM_TIMEOUT=3600 NLRS_OUT=$build/vm \
		"$testing/vm.sh" /usr/bin/python3 "$NLRS_MNT/repo/tools/testing/bench/bench.py" \
		"$NLRS_MNT/repo/out/bench/$kver" "$NLRS_MNT/out/bench.json" "$rules" $sections
	cp "$build/vm/bench.json" "$build/bench.json"
	log "table as JSON: $build/bench.json"
done
