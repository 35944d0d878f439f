# SPDX-License-Identifier: GPL-2.0
# Shared settings for the nlrs build and test scripts. Sourced, not run.

NLRS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NLRS_CACHE=${NLRS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nlrs}
NLRS_VENV=$NLRS_CACHE/venv
# Where the guest mounts the repository (repo/) and its output (out/).
NLRS_MNT=$NLRS_CACHE/mnt

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The kernels nlrs is built and tested on: Debian's linux-source-X.Y. KVER
# limits a target to one of them: kvers holds KVER, or all of them when it
# is unset. What boots one kernel (make run, make vm) takes the first.
NLRS_KVERS=(6.12 7.3)
if [ -n "${KVER:-}" ]; then
	[[ " ${NLRS_KVERS[*]} " == *" $KVER "* ]] ||
		die "KVER=$KVER: nlrs supports ${NLRS_KVERS[*]}"
	kvers=("$KVER")
else
	kvers=("${NLRS_KVERS[@]}")
fi

# The kernel and the module must be built by Debian's rustc, which matches
# Debian's library source; rustup's rustc (first on PATH) is for the tool.
KRUSTC=/usr/bin/rustc
KRUSTDOC=/usr/bin/rustdoc

# The LLVM a kernel version is built with, as make's LLVM= value: bookworm's
# clang 14 for 6.12, and LLVM 22 (bookworm-security) for 7.3, which needs
# LLVM 17 or later; 22 is also the LLVM that rustc-web links.
kver_llvm() {
	case $1 in
	6.12) echo 1 ;;
	7.3) echo -22 ;;
	*) die "KVER=$1: nlrs supports ${NLRS_KVERS[*]}" ;;
	esac
}

# The LLVM= value for building against the configured kernel tree $1: the
# clang that built it, found from its config, so that a KDIR= tree of either
# version is served too.
tree_llvm() {
	local auto=$1/include/config/auto.conf ver major
	[ -f "$auto" ] || die "$1 is not a configured kernel tree"
	ver=$(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$auto")
	[ -n "$ver" ] && [ "$ver" != 0 ] ||
		die "$1 was not built with clang; nlrs needs an LLVM=1 kernel"
	major=$((ver / 10000))
	if [ "$(clang -dumpversion | cut -d. -f1)" = "$major" ]; then
		echo 1
	else
		command -v "clang-$major" >/dev/null ||
			die "$1 was built with clang $major, which is not installed"
		echo "-$major"
	fi
}

# kmake LLVM ARG...: make with the toolchain of LLVM (make's LLVM= value).
# bindgen, given that clang's flags, must load that clang's libclang, and
# not the newest one it finds.
kmake() {
	local llvm=$1 clang
	shift
	clang=$(readlink -f "$(command -v "clang${llvm#1}")")
	LIBCLANG_PATH=${clang%/bin/*}/lib make LLVM="$llvm" RUSTC="$KRUSTC" RUSTDOC="$KRUSTDOC" "$@"
}

# The source of the kernel tree $1: an O= build links it as source.
kernel_source() {
	if [ -L "$1/source" ]; then readlink -f "$1/source"; else echo "$1"; fi
}

# The Debian package version of linux-source-$1 (X.Y).
source_version() {
	dpkg-query -W -f='${Version}' "linux-source-$1" 2>/dev/null ||
		die "linux-source-$1 is not installed (run make deps)"
}

# unpack_source KVER VERSION: Debian's linux-source-KVER, of package version
# VERSION, unpacked once as $NLRS_CACHE/src/linux-source-VERSION (which
# kernel.sh builds with O=, and tools/testing/ynl-c/build.sh generates from;
# nothing writes into it).
unpack_source() {
	local src=$NLRS_CACHE/src/linux-source-$2 tmp
	[ ! -f "$src/Makefile" ] || return 0
	mkdir -p "$NLRS_CACHE/src"
	(
		flock 8
		[ ! -f "$src/Makefile" ] || exit 0
		log "unpacking linux-source $2"
		tmp=$(mktemp -d "$NLRS_CACHE/src/.unpack.XXXXXX")
		tar -C "$tmp" -xf "/usr/src/linux-source-$1.tar.xz"
		rm -rf "$src"
		mv "$tmp/linux-source-$1" "$src"
		rmdir "$tmp"
	) 8>"$NLRS_CACHE/src/.lock-$2"
}

# The newest supported kernel's source, unpacked: its YNL (ynl_gen_c.py,
# ynl_gen_rst.py, nlspec.py, cli.py, libynl) serves both kernels.
ynl_source() {
	local kver=${NLRS_KVERS[-1]} ver
	ver=$(source_version "$kver")
	unpack_source "$kver" "$ver"
	echo "$NLRS_CACHE/src/linux-source-$ver"
}

# kbuild KDIR DIR ARG...: kbuild on the module sources in DIR against the
# configured kernel tree KDIR, with the clang that built it.
kbuild() {
	local kdir=$1 dir=$2
	shift 2
	kmake "$(tree_llvm "$kdir")" -C "$kdir" M="$dir" "$@"
}

# Where the modules are built for the cached kernel of version $1.
kbuild_dir() { echo "$NLRS_ROOT/out/$1"; }

# The module sources under the current directory: what kbuild reads,
# without what it generates.
module_sources() {
	find Kbuild src samples -type f \
		\( -name Kbuild -o -name '*.mk' -o -name '*.rs' -o -name '*.c' \
		-o -name '*.h' -o -name bindgen_parameters \) \
		! -name bindings_generated.rs ! -path 'src/netlink/helpers-*.c' \
		2>/dev/null
}

# Copy the module sources into $1 for a build of their own there: the
# objects of one kernel's build are not the other's. cp -p keeps times, so
# an unchanged file is not rebuilt. A source the tree no longer has goes
# from the copy too (a file that became a directory, say, would otherwise
# stay as its twin).
copy_module_sources() {
	local f
	mkdir -p "$1"
	(cd "$1" && module_sources || true) | while read -r f; do
		[ -e "$NLRS_ROOT/$f" ] || rm -f "$1/$f"
	done
	(cd "$NLRS_ROOT" && module_sources | xargs cp -p --parents -t "$1")
}

export PATH="$NLRS_VENV/bin:$HOME/.cargo/bin:$PATH"
