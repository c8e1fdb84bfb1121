#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fragsim's tests: install what is missing, unpack the kernel files, build
# build/, run `meson test`.  Extra arguments go to meson test (e.g.
# --suite zoo).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_setup
cd "$FRAGSIM_ROOT"
exec meson test -C "$FRAGSIM_BUILD" --print-errorlogs "$@"
