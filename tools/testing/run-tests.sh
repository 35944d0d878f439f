#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: build everything, run the host unit tests, then boot the test
# kernel once for KUnit (run at insmod) and the integration tests. Prints each
# test and a closing "N passed, N failed"; exits non-zero if anything failed
# or a stage did not run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=${NLRS_TEST_OUT:-$NLRS_ROOT/out/test}
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS

stage() { # name, command...
	local name=$1; shift
	log "$name"
	if "$@" >"$out/$name.log" 2>&1; then
		echo "ok" >"$out/$name.status"
	else
		echo "failed" >"$out/$name.status"
		tail -30 "$out/$name.log" >&2
	fi
}

stage kernel "$NLRS_ROOT/tools/testing/kernel.sh"
stage module make -C "$NLRS_ROOT" --no-print-directory module
stage tool make -C "$NLRS_ROOT" --no-print-directory tool
stage host-test make -C "$NLRS_ROOT" --no-print-directory host-test
stage fmt-check make -C "$NLRS_ROOT" --no-print-directory fmt-check
stage unsafe-audit python3 "$NLRS_ROOT/tools/testing/check-unsafe.py"
stage spec-check /usr/bin/python3 "$NLRS_ROOT/tools/testing/check-spec.py"
stage htmldocs make -C "$NLRS_ROOT" --no-print-directory htmldocs
stage rustdoc make -C "$NLRS_ROOT" --no-print-directory rustdoc
stage install-check "$NLRS_ROOT/tools/testing/check-install.sh"

if [ "$(cat "$out/module.status")" = ok ] && [ "$(cat "$out/tool.status")" = ok ]; then
	log "guest: KUnit and integration tests (QEMU, TCG)"
	mkdir -p "$out/guest"
	NLRS_NO_LOAD=1 NLRS_OUT="$out/guest" "$NLRS_ROOT/tools/testing/vm.sh" \
		/usr/bin/python3 "$NLRS_MNT/repo/tools/testing/integration/runner.py" \
		>"$out/guest.log" 2>&1
	echo $? >"$out/guest.status"
fi

python3 "$NLRS_ROOT/tools/testing/summarize.py" "$out"
rc=$?
log "make test took $((SECONDS - start)) s; logs in $out"
exit $rc
