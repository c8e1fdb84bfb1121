#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bug-zoo benchmark (issue 13, docs/zoo-bench.md): every zoo entry x
# engine x seed with a time budget, Magma's three stages (reached,
# triggered, detected) and the time of each.  Engines: run (mixed
# strategies), run-pct, libfuzzer (build-libfuzzer), afl++ (build-afl),
# stress, stress-asan (build-asan), stress-tsan (build-tsan); one run at a
# time.  Prints the tables; --report DIR also writes results.json,
# table.txt and index.html (survival plots).
#
#   scripts/zoo-bench.sh [--quick] [--setup] [--build DIR] [--seconds S]
#                        [--seeds N] [--engines "run run-pct ..."]
#                        [--zoo "Z-1 Z-10"] [--kernels "linux-6.12"]
#                        [--json FILE] [--report DIR] [--no-reached]
#
# --quick (CI; the zoo-bench meson test): Z-1, Z-3 and Z-10 on every
# kernel with run, run-pct and stress, 2 seeds of 5 s (about 2 minutes).
# --setup configures and builds the engines' build directories that are
# missing (build-asan, build-tsan, build-libfuzzer, build-afl and the AFL++
# custom mutator in build/), for the --kernels given (default: all).
# Defaults: 5 seeds of 20 s.  Exit 0, 1 when some run's stages are
# inconsistent, 2 on bad usage.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
args=() setup= kernels=
die() { echo "zoo-bench: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) args+=(--seconds 5 --seeds 2 --engines "run run-pct stress"
			--zoo "Z-1 Z-3 Z-10"); shift ;;
	--setup) setup=1; shift ;;
	--no-reached|--keep-logs) args+=("$1"); shift ;;
	--build|--seconds|--seeds|--engines|--zoo|--kernels|--json|--report)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--build) build=$2 ;;
		--kernels) kernels=$2; args+=("$1" "$2") ;;
		*) args+=("$1" "$2") ;;
		esac
		shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done

# setup_builds: the engines' build directories, as docs/stress.md and
# scripts/fuzz.sh make them, restricted to $kernels (a kernel_cache of
# links) so that they build in minutes.
setup_builds() {
	source "$root/scripts/lib.sh"
	local cache=${FRAGSIM_CACHE:-$root/.cache}/kernels k opts
	local san='-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined'
	if [ -n "$kernels" ]; then
		mkdir -p "$build/zoo-bench-kernels"
		for k in $kernels; do
			[ -d "$cache/$k" ] || die "--kernels: no $cache/$k"
			ln -sfn "$cache/$k" "$build/zoo-bench-kernels/$k"
		done
		cache=$build/zoo-bench-kernels
	fi
	opts=(-Dkernel_cache="$cache" -Db_lundef=false)
	cfg() { # DIR NINJA-TARGET ENV... -- MESON-ARGS...
		local d=$1 t=$2 envs=()
		shift 2
		while [ "$1" != -- ]; do envs+=("$1"); shift; done
		shift
		[ -f "$d/build.ninja" ] ||
			env "${envs[@]}" nice meson setup "$d" "$root" "${opts[@]}" "$@" >/dev/null ||
			die "meson setup $d failed"
		# shellcheck disable=SC2086
		env "${envs[@]}" nice ninja -C "$d" -j2 $t >/dev/null || die "building $d failed"
	}
	cfg "$root/build-asan" "" CC=clang -- -Dstress_only=true -Db_sanitize=address,undefined
	cfg "$root/build-tsan" "" CC=clang -- -Dreal_tsan=true
	cfg "$root/build-libfuzzer" fuzzers CC=clang CXX=clang++ \
		"CFLAGS=$san -fsanitize=fuzzer-no-link" "CXXFLAGS=$san -fsanitize=fuzzer-no-link" -- \
		-Db_lto=false -Dfuzzing=true -Dfuzzing_engine=-fsanitize=fuzzer
	cfg "$root/build-afl" fuzzers CC=afl-clang-fast CXX=afl-clang-fast++ AFL_QUIET=1 \
		AFL_DONT_OPTIMIZE=1 "CFLAGS=$san" "CXXFLAGS=$san" -- \
		-Db_lto=false -Dfuzzing=true -Dfuzzing_engine=/usr/lib/afl/libAFLDriver.a
	nice ninja -C "$build" -j2 fuzz/libfragsim_afl_mutator.so >/dev/null ||
		die "building the AFL++ custom mutator in $build failed"
}
[ -z "$setup" ] || setup_builds
exec python3 "$root/scripts/zoo_bench.py" --root "$root" --build "$build" "${args[@]}"
