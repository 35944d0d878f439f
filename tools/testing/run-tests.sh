#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: build everything and run the host checks, then the integration
# tests split over guests booted side by side (one per host core; KUnit runs
# in each as it loads the module). Prints each test and a closing
# "N passed, N failed"; exits non-zero if anything failed or did not run.
#
#   T=NAMES     only these integration tests (names or globs, comma-separated;
#               a module name selects its tests): builds what the guest needs,
#               skips the host checks
#   NLRS_TEST_SEED=S      run each guest's tests in an order shuffled by S
#   NLRS_GUESTS=N         guests side by side (default: the host's cores, at
#                         most 2)
#   NLRS_GUEST_SLOWDOWN=K each guest gets 1/K of a host core (vm.sh)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=${NLRS_TEST_OUT:-$NLRS_ROOT/out/test}
only=${T:-}
guests=${NLRS_GUESTS:-$(( $(nproc) < 2 ? 1 : 2 ))}
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

# The stages, in order. The guests need the first three; the builds that
# share the tree the guests load their modules from (rustdoc, install) come
# before the guests boot, and the checks that touch nothing the guests read
# run beside them, on what the guests leave of the host's two cores.
before=(kernel module tool rustdoc install-check)
beside=(host-test fmt-check unsafe-audit spec-check htmldocs)
[ -z "$only" ] || { before=(kernel module tool); beside=(); echo "$only" >"$out/only"; }
printf '%s\n' "${before[@]}" "${beside[@]}" >"$out/stages"

stage_cmd() {
	case $1 in
	kernel) "$NLRS_ROOT/tools/testing/kernel.sh" ;;
	unsafe-audit) python3 "$NLRS_ROOT/tools/testing/check-unsafe.py" ;;
	spec-check) /usr/bin/python3 "$NLRS_ROOT/tools/testing/check-spec.py" ;;
	install-check) "$NLRS_ROOT/tools/testing/check-install.sh" ;;
	module) make -C "$NLRS_ROOT" --no-print-directory -j"$(nproc)" module ;;
	*) make -C "$NLRS_ROOT" --no-print-directory "$1" ;;
	esac
}

# A stage's output goes to its log; its progress lines ("==> ...": packages
# installed, the kernel build's minutes) to the terminal as well.
run_stage() {
	local name=$1 t=$SECONDS
	log "$name"
	(
		[ -z "$nice" ] || renice -n "$nice" $BASHPID >/dev/null
		stage_cmd "$name"
	) 2>&1 | tee "$out/$name.log" | grep --line-buffered '^==> ' >&2
	if [ "${PIPESTATUS[0]}" = 0 ]; then
		echo "ok" >"$out/$name.status"
	else
		echo "failed" >"$out/$name.status"
		tail -30 "$out/$name.log" >&2
	fi
	echo "$name $((SECONDS - t))" >>"$out/times"
}

nice=
for name in "${before[@]}"; do
	run_stage "$name"
done

pids=()
if [ "$(cat "$out/module.status")" = ok ] && [ "$(cat "$out/tool.status")" = ok ]; then
	plan=(/usr/bin/python3 "$NLRS_ROOT/tools/testing/integration/catalog.py" plan "$out"
		--guests "$guests")
	[ -z "$only" ] || plan+=(--only "$only")
	[ -z "${NLRS_TEST_SEED:-}" ] || plan+=(--seed "$NLRS_TEST_SEED")
	if dirs=$("${plan[@]}" 2>"$out/plan.log"); then
		# The guests see the repository read-only: their Python could not
		# cache the test modules' bytecode, and would compile them again
		# in every process, under emulation. The host's python3 is theirs.
		/usr/bin/python3 -m compileall -q "$NLRS_ROOT/tools/testing" >/dev/null
		guests_start=$SECONDS
		for d in $dirs; do
			log "guest ${d##*/}: $(wc -l <"$d/plan") integration tests" \
				"(limit $(cat "$d/limit") s)"
			NLRS_NO_LOAD=1 NLRS_OUT="$d" NLRS_VM_TIMEOUT=$(cat "$d/limit") \
				"$NLRS_ROOT/tools/testing/vm.sh" /usr/bin/python3 \
				"$NLRS_MNT/repo/tools/testing/integration/runner.py" \
				"$NLRS_MNT/out/plan" >"$d.log" 2>&1 &
			pids+=($!)
		done
	else
		cat "$out/plan.log" >&2
	fi
fi

# The guests are the critical path: the checks beside them get what the
# guests leave of the host's cores, not a share of them.
nice=19
for name in "${beside[@]}"; do
	run_stage "$name"
done

if [ ${#pids[@]} -gt 0 ]; then
	wait "${pids[@]}"
	echo "guests $((SECONDS - guests_start))" >>"$out/times"
fi

/usr/bin/python3 "$NLRS_ROOT/tools/testing/summarize.py" "$out"
rc=$?
log "make test took $((SECONDS - start)) s ($(tr '\n' ' ' <"$out/times" | sed 's/ $//;s/ \([a-z]\)/, \1/g'))"
log "logs in $out"
exit $rc
