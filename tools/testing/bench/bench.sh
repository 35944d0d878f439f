#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: for each kernel (KVER's alone if set), build the benchmark
# kernel (tools/testing/bench.config over the test kernel's fragment, without
# the debug options, then tools/testing/bench-VERSION.config if there is
# one; cached like the test kernel), build the modules against
# it in out/bench/VERSION (a copy of the sources) and nlbench, then boot it
# once per clock and run bench.py there: with the guest's clock in real time
# (wall), then counting instructions (icount: QEMU's -icount shift=0,
# sleep=off, see vm.sh), where the figures repeat from run to run. Prints
# one table with every figure in both clocks; out/bench/VERSION/bench.json
# keeps it, with each run's own.
#
# Usage: bench.sh [RULES] [SECTIONS], SECTIONS a comma-separated subset of
# echo,tool,memory,dump,batch,hook,load,fanout (default: all). From the
# environment:
#   BENCH_COUNTS=1,1000,...  the hook section's rule counts (default 1,
#                            1,000, 10,000, 100,000, RULES the top one)
#   BENCH_SHAPES=hosts,...   its rule shapes (ports,ranges,hosts,prefixes,mix)
#   BENCH_CLOCKS=wall,icount the clocks to run in, in turn
#   BENCH_ICOUNT_RUNS=N      boot the icount run N times (default 1); from 2,
#                            prints how far apart the runs are
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

rules=${1:-100000}
sections=${2:-}
testing=$NLRS_ROOT/tools/testing
clocks=${BENCH_CLOCKS:-wall,icount}
icount_runs=${BENCH_ICOUNT_RUNS:-1}
opts=()
[ -z "${BENCH_COUNTS:-}" ] || opts+=(--counts "$BENCH_COUNTS")
[ -z "${BENCH_SHAPES:-}" ] || opts+=(--shapes "$BENCH_SHAPES")

# On each kernel (or KVER's) in turn, in out/bench/VERSION.
for kver in "${kvers[@]}"; do
	frags=("$testing/kernel.config" "$testing/bench.config")
	[ ! -f "$testing/bench-$kver.config" ] || frags+=("$testing/bench-$kver.config")
	kdir=$(KVER=$kver "$testing/kernel.sh" "${frags[@]}")
	build=$NLRS_ROOT/out/bench/$kver
	copy_module_sources "$build"
	log "building the modules for the $kver benchmark kernel in $build"
	kbuild "$kdir" "$build" -s modules
	# nlbench takes the protocol's numbers from the uapi header ynl-gen-c
	# makes of the spec.
	"$testing/ynl-c/build.sh" >/dev/null
	clang -O2 -Wall -Wextra -Werror -I "$NLRS_ROOT/out/ynl-c/include" \
		-o "$build/nlbench" "$testing/bench/nlbench.c"

	rm -f "$build"/bench*.json
	runs=()
	start=$SECONDS
	for clock in ${clocks//,/ }; do
		n=1
		[ "$clock" = icount ] && n=$icount_runs
		for ((i = 1; i <= n; i++)); do
			log "benchmarks on $kver, $clock clock, run $i of $n"
			t0=$SECONDS
			rm -f "$build/vm-$clock-$i/bench.json"
			NLRS_VM_ICOUNT=$([ "$clock" = icount ] && echo 1 || echo 0) \
				NLRS_NO_LOAD=1 KDIR=$kdir NLRS_MODULES=$build \
				NLRS_VM_TIMEOUT=5400 NLRS_OUT=$build/vm-$clock-$i \
				"$testing/vm.sh" /usr/bin/python3 \
				"$NLRS_MNT/repo/tools/testing/bench/bench.py" \
				"$NLRS_MNT/repo/out/bench/$kver" "$NLRS_MNT/out/bench.json" \
				"$rules" "$sections" --clock "$clock" "${opts[@]}"
			cp "$build/vm-$clock-$i/bench.json" "$build/bench-$clock-$i.json"
			runs+=("$build/bench-$clock-$i.json")
			log "$clock run $i on $kver: $((SECONDS - t0)) s"
		done
	done
	echo
	python3 "$testing/bench/bench.py" --merge "$build/bench.json" "${runs[@]}"
	log "make bench on $kver: $((SECONDS - start)) s for ${#runs[@]} boots;" \
		"table as JSON: $build/bench.json"
done
