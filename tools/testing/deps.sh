#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what nlrs needs to build and test, from the package registries only.
# Idempotent: whatever is already present is skipped, so a warm run takes
# seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

debs=(
	linux-source-6.12 rustc-web rust-web-src rust-web-clippy
	clang lld llvm libclang-dev
	clang-22 lld-22 llvm-22 libclang-22-dev
	flex bison bc libelf-dev libssl-dev cpio kmod make gcc libc6-dev
	qemu-system-x86
	python3 python3-venv python3-yaml python3-jsonschema python3-pyroute2 python3-sphinx
	iproute2 nftables
	dkms
)
bindgen_version=0.73.2
vng_version=1.42

# Linux 7.3 is packaged in trixie-backports only. Its linux-source needs
# nothing but binutils and xz-utils, so it installs here; the suite is pinned
# so that nothing else is ever taken from it. 7.3 is built with LLVM 22 from
# bookworm-security, the LLVM that rustc-web links.
backports=trixie-backports
backports_list=/etc/apt/sources.list.d/nlrs-$backports.sources
backports_pin=/etc/apt/preferences.d/nlrs-$backports
debs+=(linux-source-7.3)

add_backports() {
	cat >"$backports_list" <<-EOT
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: $backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOT
	cat >"$backports_pin" <<-EOT
	# nlrs: only linux-source-7.3 comes from $backports.
	Package: *
	Pin: release n=$backports
	Pin-Priority: -1

	Package: linux-source-7.3
	Pin: release n=$backports
	Pin-Priority: 500
	EOT
}

missing=()
for p in "${debs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	[ -f "$backports_list" ] && [ -f "$backports_pin" ] || add_backports
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
	log "installing bindgen-cli $bindgen_version"
	cargo install --quiet --locked "bindgen-cli@$bindgen_version"
fi

if ! "$NLRS_VENV/bin/vng" --version 2>/dev/null | grep -q "$vng_version"; then
	log "installing virtme-ng $vng_version into $NLRS_VENV"
	/usr/bin/python3 -m venv "$NLRS_VENV"
	"$NLRS_VENV/bin/pip" install --quiet --disable-pip-version-check \
		"virtme-ng==$vng_version"
fi
