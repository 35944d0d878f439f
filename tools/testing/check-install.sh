#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch root: the modules of each kernel (KVER's alone
# if set) land under lib/modules/RELEASE/updates with a modules.dep that
# lists them, and nlrsctl under PREFIX/bin, runnable, with its shell
# completions and a man page per command that man can read.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
make -C "$NLRS_ROOT" --no-print-directory install \
	INSTALL_MOD_PATH="$root" DESTDIR="$root" PREFIX=/usr
for kver in "${kvers[@]}"; do
	kdir=$(KVER=$kver "$NLRS_ROOT/tools/testing/kernel.sh" --cached)
	release=$(cat "$kdir/include/config/kernel.release")
	for ko in nlrs.ko samples/rust_genl_echo.ko samples/rust_nfnl_colo.ko; do
		f=$root/lib/modules/$release/updates/$ko
		[ -f "$f" ] || die "not installed: $f"
		grep -q "updates/$ko:" "$root/lib/modules/$release/modules.dep" ||
			die "$ko missing from modules.dep"
		echo "installed $f"
	done
done
"$root/usr/bin/nlrsctl" --version
share=$root/usr/share
for f in bash-completion/completions/nlrsctl zsh/site-functions/_nlrsctl \
	fish/vendor_completions.d/nlrsctl.fish man/man1/nlrsctl.1 man/man1/nlrsctl-rule.1; do
	[ -s "$share/$f" ] || die "not installed: $share/$f"
done
grep -q '_nlrsctl()' "$share/bash-completion/completions/nlrsctl" ||
	die "not a bash completion: $share/bash-completion/completions/nlrsctl"
grep -q '^\.TH' "$share/man/man1/nlrsctl-rule.1" ||
	die "not a man page: $share/man/man1/nlrsctl-rule.1"
if command -v man >/dev/null; then
	man -l "$share/man/man1/nlrsctl-rule.1" 2>/dev/null | grep -q 'nlrsctl-rule' ||
		die "man cannot read $share/man/man1/nlrsctl-rule.1"
fi
echo "installed $(ls "$share/man/man1" | wc -l) man pages and 3 shell completions"
