# SPDX-License-Identifier: GPL-2.0
# Shared settings for the nlrs build and test scripts. Sourced, not run.

NLRS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NLRS_CACHE=${NLRS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nlrs}
NLRS_VENV=$NLRS_CACHE/venv
# Where the guest mounts the repository (repo/) and its output (out/).
NLRS_MNT=$NLRS_CACHE/mnt

# The kernel and the module must be built by Debian's rustc, which matches
# Debian's library source; rustup's rustc (first on PATH) is for the tool.
KRUSTC=/usr/bin/rustc
KRUSTDOC=/usr/bin/rustdoc
KMAKE_FLAGS=(LLVM=1 "RUSTC=$KRUSTC" "RUSTDOC=$KRUSTDOC")

export PATH="$NLRS_VENV/bin:$HOME/.cargo/bin:$PATH"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
