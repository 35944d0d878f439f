#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kbuild on the modules (nlrs.ko and the samples) with the make
# arguments given, e.g. "modules", "CLIPPY=1 modules" or "modules_install".
#
#   KDIR=/path   against that prepared tree, in the source tree itself, as
#                out-of-tree modules are usually built
#   otherwise    against the cached test kernel of KVER, or of each
#                supported version when KVER is unset, in out/KVER: a copy
#                of the module sources per kernel, so that both builds, and
#                the guests that load them, stand side by side
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${KDIR:-}" ]; then
	kbuild "$KDIR" "$NLRS_ROOT" "$@"
	exit
fi

for kver in "${kvers[@]}"; do
	kdir=$(KVER=$kver "$NLRS_ROOT/tools/testing/kernel.sh")
	dir=$(kbuild_dir "$kver")
	copy_module_sources "$dir"
	kbuild "$kdir" "$dir" "$@"
done
