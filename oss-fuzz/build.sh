#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
# OSS-Fuzz build for fragsim: the build lives in the repository
# (scripts/oss-fuzz-build.sh); kernel trees come from $SRC/kernels, fetched
# by the Dockerfile.
exec "$SRC/fragsim/scripts/oss-fuzz-build.sh"
