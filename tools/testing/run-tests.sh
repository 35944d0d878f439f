#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: build everything and run the host checks, then, on each
# supported kernel, the integration tests split over guests booted side by
# side (one per host core in all; KUnit runs in each as it loads the
# module). Prints each test with its kernel, a "VERSION: N passed, N failed"
# line per kernel, and a closing "N passed, N failed" over all; exits
# non-zero if anything failed or did not run, on either kernel.
#
#   T=NAMES     only these integration tests (names or globs, comma-separated;
#               a module name selects its tests): builds what the guest needs,
#               skips the host checks
#   NLRS_TEST_SEED=S      run each guest's tests in an order shuffled by S
#   KVER=X.Y              only this kernel (default: every supported one)
#   NLRS_GUESTS=N         guests per kernel (default: the host's cores, at
#                         most 2, shared among the kernels; at least 1)
#   NLRS_GUEST_SLOWDOWN=K each guest gets 1/K of a host core (vm.sh)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# make test tests the cached kernels; KDIR= is for building against others.
[ -z "${KDIR:-}" ] || die "make test builds and boots its own kernels: unset KDIR (use KVER=)"

out=${NLRS_TEST_OUT:-$NLRS_ROOT/out/test}
only=${T:-}
cores=$(( $(nproc) < 2 ? 1 : 2 ))
# Guests per kernel: the host's cores shared among the kernels under test.
guests=${NLRS_GUESTS:-$(( cores / ${#kvers[@]} > 1 ? cores / ${#kvers[@]} : 1 ))}
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

# The stages, in order: the tool and the C client generated from the spec
# (ynl-c, one build that both kernels' guests run); then, for each kernel,
# the builds its guests need and those that share the tree they load their
# modules from (rustdoc, install, dkms: the module DKMS builds, which a test
# loads), after which its guests boot; last, beside
# all guests, the checks that touch nothing the guests read, on what the
# guests leave of the host's cores. A kernel's stages and guests are under
# OUT/VERSION.
before=(tool ynl-c)
per_kernel=(kernel module oot-module rustdoc install-check dkms)
beside=(host-test fmt-check unsafe-audit import-check regen-check htmldocs)
[ -z "$only" ] || { per_kernel=(kernel module oot-module); beside=(); echo "$only" >"$out/only"; }
# A selection naming the dkms tests builds the module they load.
[ -z "$only" ] || [[ $only != *dkms* ]] || per_kernel+=(dkms)
printf '%s\n' "${before[@]}" "${beside[@]}" >"$out/stages"
printf '%s\n' "${kvers[@]}" >"$out/kernels"

# stage_cmd NAME [KVER]
stage_cmd() {
	case $1 in
	kernel) KVER=$2 "$NLRS_ROOT/tools/testing/kernel.sh" ;;
	module) make -C "$NLRS_ROOT" --no-print-directory -j"$(nproc)" module KVER="$2" ;;
	oot-module) "$NLRS_ROOT/tools/testing/oot/build.sh" "$2" ;;
	rustdoc) make -C "$NLRS_ROOT" --no-print-directory rustdoc KVER="$2" ;;
	install-check) KVER=$2 "$NLRS_ROOT/tools/testing/check-install.sh" ;;
	dkms) "$NLRS_ROOT/tools/testing/check-dkms.sh" "$2" ;;
	unsafe-audit) python3 "$NLRS_ROOT/tools/testing/check-unsafe.py" ;;
	import-check) python3 "$NLRS_ROOT/tools/testing/check-imports.py" --self-test ;;
	regen-check) "$NLRS_ROOT/tools/ynl-gen-rust/regen.sh" --check ;;
	*) make -C "$NLRS_ROOT" --no-print-directory "$1" ;;
	esac
}

# run_stage DIR NAME [KVER]: the output of stage NAME (for kernel KVER) goes
# to DIR/NAME.log; its progress lines ("==> ...": packages installed, the
# kernel build's minutes) to the terminal as well. After a kernel's failed
# build, its other stages fail without running (they would build it again).
run_stage() {
	local dir=$1 name=$2 kver=${3:-} t=$SECONDS
	if [ -n "$kver" ] && [ "$(cat "$dir/kernel.status" 2>/dev/null)" = failed ]; then
		echo "the $kver kernel did not build" >"$dir/$name.log"
		echo "skipped: the kernel did not build" >"$dir/$name.status"
		return
	fi
	log "$name${kver:+ ($kver)}"
	(
		[ -z "$nice" ] || renice -n "$nice" $BASHPID >/dev/null
		stage_cmd "$name" "$kver"
	) 2>&1 | tee "$dir/$name.log" | grep --line-buffered '^==> ' >&2
	if [ "${PIPESTATUS[0]}" = 0 ]; then
		echo "ok" >"$dir/$name.status"
	else
		echo "failed" >"$dir/$name.status"
		tail -30 "$dir/$name.log" >&2
	fi
	echo "$name${kver:+ $kver} $((SECONDS - t))" >>"$out/times"
}

# boot_guests KVER: plan the kernel's integration tests over its guests and
# boot them in the background.
pids=()
guests_start=
boot_guests() {
	local kver=$1 dir=$out/$1 dirs d
	local plan=(/usr/bin/python3 "$NLRS_ROOT/tools/testing/integration/catalog.py" plan "$dir"
		--guests "$guests")
	[ -z "$only" ] || plan+=(--only "$only")
	[ -z "${NLRS_TEST_SEED:-}" ] || plan+=(--seed "$NLRS_TEST_SEED")
	dirs=$("${plan[@]}" 2>"$dir/plan.log") || { cat "$dir/plan.log" >&2; return; }
	[ -n "$guests_start" ] || guests_start=$SECONDS
	for d in $dirs; do
		log "guest $kver/${d##*/}: $(wc -l <"$d/plan") integration tests" \
			"(limit $(cat "$d/limit") s)"
		(
			t=$SECONDS
			NLRS_NO_LOAD=1 NLRS_OUT="$d" NLRS_VM_TIMEOUT=$(cat "$d/limit") KVER=$kver \
				"$NLRS_ROOT/tools/testing/vm.sh" /usr/bin/python3 \
				"$NLRS_MNT/repo/tools/testing/integration/runner.py" \
				"$NLRS_MNT/out/plan" >"$d.log" 2>&1
			echo "guest $kver/${d##*/} $((SECONDS - t))" >>"$out/times"
		) &
		pids+=($!)
	done
}

nice=
for name in "${before[@]}"; do
	run_stage "$out" "$name"
done

# The guests see the repository read-only: their Python could not cache the
# test modules' bytecode, and would compile them again in every process,
# under emulation. The host's python3 is theirs.
/usr/bin/python3 -m compileall -q "$NLRS_ROOT/tools/testing" >/dev/null

for kver in "${kvers[@]}"; do
	mkdir -p "$out/$kver"
	# The dkms stage's module, or none: never a previous run's.
	rm -rf "$(kbuild_dir "$kver")/dkms"
	printf '%s\n' "${per_kernel[@]}" >"$out/$kver/stages"
	for name in "${per_kernel[@]}"; do
		run_stage "$out/$kver" "$name" "$kver"
	done
	# A kernel's guests boot as soon as its modules are built; the next
	# kernel's builds go on beside them, after them in the scheduler's eyes.
	if [ "$(cat "$out/$kver/module.status")" = ok ] && [ "$(cat "$out/tool.status")" = ok ]; then
		boot_guests "$kver"
		nice=19
	fi
done

# The host's tools that read the kernel's (its YNL schema, its KTAP parser)
# take the newest kernel under test that was built.
NLRS_KSRC=
for ((i = ${#kvers[@]} - 1; i >= 0; i--)); do
	kdir=$(KVER=${kvers[i]} "$NLRS_ROOT/tools/testing/kernel.sh" --cached) || continue
	NLRS_KSRC=$(kernel_source "$kdir")
	break
done
export NLRS_KSRC

# The guests are the critical path: the checks beside them get what the
# guests leave of the host's cores, not a share of them (nice, as above).
nice=19
for name in "${beside[@]}"; do
	run_stage "$out" "$name"
done

if [ ${#pids[@]} -gt 0 ]; then
	wait "${pids[@]}"
	echo "guests $((SECONDS - guests_start))" >>"$out/times"
fi

log "make test took $((SECONDS - start)) s ($(tr '\n' ' ' <"$out/times" | sed 's/ $//;s/ \([a-z]\)/, \1/g'))"
log "logs in $out"
# Last: its closing line is the run's.
/usr/bin/python3 "$NLRS_ROOT/tools/testing/summarize.py" "$out"
