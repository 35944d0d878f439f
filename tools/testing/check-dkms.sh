#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dkms.sh KVER: dkms.conf at work on the cached test kernel of KVER.
# The module sources and dkms.conf, as a release would ship them, go into a
# private DKMS tree under a temporary directory (--sourcetree, --dkmstree,
# --installtree), where Debian's dkms adds, builds and installs nlrs for that
# kernel (-k its release, --kernelsourcedir its build directory; no depmod
# of the host's). The installed nlrs.ko must be there and listed by a depmod
# of the temporary root; it is copied to out/KVER/dkms/nlrs.ko, which
# tools/testing/integration/test_dkms.py loads in the guest. Nothing outside
# the cache, out/ and the temporary directory changes: the script checks
# that DKMS's and the module tree's default places are as they were.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# = 1 ] || die "usage: $0 KVER"
kver=$1
command -v dkms >/dev/null || die "dkms is not installed (run make deps)"

kdir=$(KVER=$kver "$NLRS_ROOT/tools/testing/kernel.sh" --cached)
release=$(cat "$kdir/include/config/kernel.release")
conf=$NLRS_ROOT/dkms.conf
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in $conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$tmp/source" "$tmp/dkms" "$root/lib/modules/$release"

# What a DKMS run touches by default: it must not, here.
outside() {
	{
		find /var/lib/dkms /etc/dkms "/lib/modules/$release" -maxdepth 3 -printf '%p %T@\n'
		find /usr/src -maxdepth 1 -printf '%p %T@\n'
	} 2>/dev/null | sort || true
}
before=$(outside)

src=$tmp/source/nlrs-$version
copy_module_sources "$src"
cp "$conf" "$src/"

args=(-m nlrs -v "$version" -k "$release" --kernelsourcedir "$kdir"
	--sourcetree "$tmp/source" --dkmstree "$tmp/dkms" --installtree "$root/lib/modules")
built=$tmp/dkms/nlrs/$version/$release/$(uname -m)/module/nlrs.ko

dkms add "${args[@]}"
t=$SECONDS
if ! dkms build "${args[@]}"; then
	cat "$tmp/dkms/nlrs/$version/build/make.log" 2>/dev/null | tail -40 >&2 || true
	die "dkms build failed for $release"
fi
log "dkms build ($kver, $release): $((SECONDS - t)) s"
[ -f "$built" ] || die "dkms built no $built"
magic=$(modinfo -F vermagic "$built")
[[ $magic == "$release "* ]] || die "nlrs.ko's vermagic is '$magic', not $release's"

dkms install --no-depmod "${args[@]}"
installed=$root/lib/modules/$release/updates/dkms/nlrs.ko
[ -f "$installed" ] || die "dkms installed no $installed"
# The kernel's own lists, as its package would have installed them.
cp "$kdir"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$release/"
depmod -b "$root" "$release"
grep -q '^updates/dkms/nlrs.ko:' "$root/lib/modules/$release/modules.dep" ||
	die "nlrs.ko missing from modules.dep"
dkms status "${args[@]}"

after=$(outside)
[ "$before" = "$after" ] || {
	diff <(echo "$before") <(echo "$after") >&2 || true
	die "dkms changed something outside its private tree"
}

mkdir -p "$(kbuild_dir "$kver")/dkms"
cp "$installed" "$(kbuild_dir "$kver")/dkms/nlrs.ko"
echo "dkms: nlrs $version built and installed for $release: $(kbuild_dir "$kver")/dkms/nlrs.ko"
