#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shell `make vm` starts in the guest (virtme-ng --shell): load nlrs.ko
# and put nlrsctl on PATH, then hand over to an interactive bash.
repo=$(cd "$(dirname "$0")/../.." && pwd)
exec "$repo/tools/testing/guest.sh" "$(dirname "$repo")" --shell
