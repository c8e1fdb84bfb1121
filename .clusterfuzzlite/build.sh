#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
# ClusterFuzzLite build: everything is in the repo's scripts/oss-fuzz-build.sh
# (kernel trees from $SRC/kernels, fetched by the Dockerfile).
exec "$SRC/fragsim/scripts/oss-fuzz-build.sh"
