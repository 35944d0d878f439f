#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make regen: generates the code the YNL specs describe, with the newest
# supported kernel's YNL library, into a temporary directory, then moves it
# into the tree once all of it is made. With --check, compares it with the
# tree instead and fails on any difference (make test runs this): a
# generated file is never edited by hand.
set -euo pipefail
. "$(dirname "$0")/../testing/lib.sh"

check=
[ "${1:-}" != --check ] || check=1

specs=(genl=Documentation/netlink/specs/nlrs.yaml
	nfnl=Documentation/netlink/specs/nlrs_nfnl.yaml)
# output file, generator mode, formatter; then the reference page of each
# spec, by the kernel's ynl_gen_rst.py
outputs=("src/uapi.rs uapi rust" "src/policy.rs kernel rust"
	"tools/testing/integration/uapi.py python none")
for s in "${specs[@]}"; do
	page=${s#*=}
	page=${page##*/}
	outputs+=("Documentation/netlink/${page%.yaml}.rst rst ${s#*=}")
done

ksrc=$(ynl_source)
ynl_lib=$ksrc/tools/net/ynl/pyynl/lib

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

cd "$NLRS_ROOT"
status=0
for o in "${outputs[@]}"; do
	read -r file mode arg <<<"$o"
	mkdir -p "$dest/$(dirname "$file")"
	if [ "$mode" = rst ]; then
		/usr/bin/python3 "$ynl_lib/../ynl_gen_rst.py" -i "$arg" -o "$dest/$file.body"
		{
			echo ".. Do not edit directly, auto-generated from: $arg"
			echo ".. by the kernel's ynl_gen_rst.py (make regen)."
			echo
			# The kernel's Sphinx extension drops its line markers.
			grep -v "^\.\. LINENO " "$dest/$file.body"
		} >"$dest/$file"
		rm "$dest/$file.body"
	else
		/usr/bin/python3 tools/ynl-gen-rust/ynl_gen_rust.py --ynl-lib "$ynl_lib" \
			--schema-dir "$ksrc/Documentation/netlink" --mode "$mode" \
			-o "$dest/$file" "${specs[@]}"
	fi
	[ "$arg" != rust ] ||
		rustfmt --edition 2021 --config-path "$ksrc/.rustfmt.toml" "$dest/$file"
	if [ -n "$check" ] && ! diff -u "$file" "$dest/$file"; then
		echo "$file differs from what make regen generates" >&2
		status=1
	fi
done
if [ -n "$check" ]; then
	[ "$status" = 0 ] ||
		die "generated files were edited by hand or not regenerated: run make regen"
	echo "generated files match the specs (${#outputs[@]} files)"
	exit
fi
for o in "${outputs[@]}"; do
	read -r file _ <<<"$o"
	cp "$dest/$file" "$file"
	echo "  GEN     $file"
done
