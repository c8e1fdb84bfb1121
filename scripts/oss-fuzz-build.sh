#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build fragsim's fuzzers the OSS-Fuzz / ClusterFuzzLite way.  The build.sh
# files of .clusterfuzzlite/ and oss-fuzz/ only call this script; so does
# scripts/oss-fuzz-check.sh, the local check CI runs.
#
# Honours the base-builder environment:
#   $CC $CXX $CFLAGS $CXXFLAGS ($LDFLAGS)  compilers and flags; the sanitizer
#       and coverage flags come in here (never -Db_sanitize on top of them:
#       check_build rejects mixed sanitizer runtimes)
#   $LIB_FUZZING_ENGINE   linker args of the engine (-fsanitize=fuzzer,
#       libAFLDriver.a, ...), given to meson as -Dfuzzing_engine
#   $FUZZING_ENGINE       libfuzzer, afl, honggfuzz, centipede or none
#   $SANITIZER            address, undefined, coverage, none (see below)
#   $SRC $WORK $OUT       sources; scratch ($WORK/build is the meson build
#       dir, deleted first); the artifacts
# and, fragsim's own:
#   $FRAGSIM_KERNELS_DIR  holds the kernel trees of alloc/kernels.list, a
#       directory per target named as it (full or partial trees, see
#       scripts/oss-fuzz-fetch-kernels.sh); default $SRC/kernels, else the
#       repo's .cache/kernels (scripts/lib.sh unpacks Debian's linux-source
#       packages there).  It is given to meson as -Dkernel_cache.
#   $FRAGSIM_MESON_ARGS   more meson options, e.g. -Dfuzz_target=<a kernel>.
#       By default the fuzzers' default target is meson's (the newest
#       kernel, the list's last line), so each fuzzer is one binary on one
#       kernel: the OSS-Fuzz runners fuzz the newest kernel.
#       (FRAGSIM_FUZZ_TARGET picks another built-in target at run time.)
#   $FRAGSIM_NINJA_ARGS   default -v
#
# $OUT gets, for each fuzzer fuzz/<name> of `ninja fuzzers`: the binary,
# <name>_seed_corpus.zip (flat zip of corpus/<name>/), fuzz/<name>.dict and
# fuzz/<name>.options when they exist; for FUZZING_ENGINE=afl also
# libfragsim_afl_mutator.so (an AFL_CUSTOM_MUTATOR_LIBRARY, built without
# sanitizers or instrumentation so afl-fuzz can load it); and
# fragsim-build-info.txt (commit, compiler, flags, kernel sources).
#
# Sanitizers: address and undefined (and coverage, none) are supported.
# memory and thread are not, and the script stops with one line and exit 2:
# the kernel code is compiled with -fsanitize=thread against fragsim's own
# __tsan_* runtime (every access is a scheduling point of the simulated
# machine), so it can be neither MSan-instrumented (MSan would then report
# everything the kernel code writes as uninitialized) nor linked with the
# real TSan runtime (the __tsan_* symbols would clash).
#
# AFL++ CMPLOG: OSS-Fuzz's compile_afl turns AFL_LLVM_CMPLOG on by itself
# (and writes $OUT/afl_cmplog.txt); with FRAGSIM_AFL_CMPLOG=1 this script
# also builds a separate CMPLOG binary of each fuzzer as $OUT/<name>.cmplog,
# for `afl-fuzz -c $OUT/<name>.cmplog` outside OSS-Fuzz.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/lib.sh"	# fs_kernels: alloc/kernels.list

say() { printf 'oss-fuzz-build: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

: "${OUT:?set OUT (where the fuzzers go)}"
: "${WORK:?set WORK (scratch; the meson build dir is WORK/build)}"
SRC=${SRC:-$(dirname "$ROOT")}
export CC=${CC:-clang} CXX=${CXX:-clang++}
export CFLAGS=${CFLAGS:-} CXXFLAGS=${CXXFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:-}
FUZZING_ENGINE=${FUZZING_ENGINE:-libfuzzer}
SANITIZER=${SANITIZER:-address}
NINJA_ARGS=${FRAGSIM_NINJA_ARGS--v}

case $SANITIZER in
address|undefined|coverage|none) ;;
memory|thread)
	printf '%s\n' "oss-fuzz-build: SANITIZER=$SANITIZER is not supported: the kernel code is compiled with -fsanitize=thread against fragsim's own __tsan runtime, which rules out MSan and the real TSan runtime" >&2
	exit 2 ;;
*) die "unknown SANITIZER=$SANITIZER" ;;
esac
case $CFLAGS in
*-fsanitize=fuzzer\ *|*-fsanitize=fuzzer) die "CFLAGS must not hold -fsanitize=fuzzer (use -fsanitize=fuzzer-no-link; the engine goes in LIB_FUZZING_ENGINE)" ;;
esac
if [ -z "$LIB_FUZZING_ENGINE" ] && [ "$FUZZING_ENGINE" != none ]; then
	die "LIB_FUZZING_ENGINE is empty (FUZZING_ENGINE=$FUZZING_ENGINE)"
fi
command -v meson >/dev/null || die "meson is needed (pip3 install meson ninja)"
command -v ninja >/dev/null || die "ninja is needed (pip3 install meson ninja)"
command -v zip >/dev/null || die "zip is needed"
mkdir -p "$OUT" "$WORK"

# Kernel trees: the first of $FRAGSIM_KERNELS_DIR, $SRC/kernels, the repo's
# .cache/kernels that holds a tree of alloc/kernels.list.
kernels=$(fs_kernels | awk '{ print $1 }')
newest=$(tail -1 <<< "$kernels")
kdir=""
for d in ${FRAGSIM_KERNELS_DIR:+"$FRAGSIM_KERNELS_DIR"} "$SRC/kernels" "$ROOT/.cache/kernels"; do
	for k in $kernels; do
		[ ! -d "$d/$k" ] || kdir=$d
	done
	[ -z "$kdir" ] || break
	if [ -n "${FRAGSIM_KERNELS_DIR:-}" ] && [ "$d" = "$FRAGSIM_KERNELS_DIR" ]; then
		die "FRAGSIM_KERNELS_DIR=$d holds neither $(sed 's|$|/|' <<< "$kernels" | paste -sd, | sed 's/,/ nor /g')"
	fi
done
[ -n "$kdir" ] || die "no kernel trees: looked for $(sed 's|$|/|' <<< "$kernels" | paste -sd, | sed 's/,/ and /g') in $SRC/kernels and $ROOT/.cache/kernels (scripts/oss-fuzz-fetch-kernels.sh DIR fetches them; or set FRAGSIM_KERNELS_DIR)"
if [ ! -d "$kdir/$newest" ] && [[ " ${FRAGSIM_MESON_ARGS:-} " != *" -Dfuzz_target="* ]]; then
	die "$kdir/$newest is missing: it is the default fuzz target (or pass FRAGSIM_MESON_ARGS=-Dfuzz_target=...)"
fi
kernel_opts=("-Dkernel_cache=$kdir")
say "kernel trees from $kdir"

# setup BUILDDIR [extra meson args...]: configure with the current env.
setup() {
	local b=$1
	shift
	rm -rf "$b"
	# shellcheck disable=SC2086
	# b_lto off: the project's default LTO would run the sanitizer and
	# coverage passes at link time and wants a gold/lld plugin.
	if ! meson setup "$b" "$ROOT" \
		--buildtype=plain \
		-Ddefault_library=static \
		-Db_lundef=false \
		-Db_lto=false \
		-Dzoo=false \
		-Dfuzzing=true \
		"${kernel_opts[@]}" \
		${FRAGSIM_MESON_ARGS:-} \
		"$@"; then
		say "meson setup failed; $b/meson-logs/meson-log.txt follows"
		cat "$b/meson-logs/meson-log.txt" >&2 || true
		die "meson setup failed"
	fi
}

# fuzzers_in BUILDDIR: names of the built fuzz/fuzz_* executables.
fuzzers_in() {
	find "$1/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x 2>/dev/null |
		sed 's|.*/||' | grep -E '^[A-Za-z0-9_-]+$' | sort
}

B="$WORK/build"
say "CC=$CC CXX=$CXX SANITIZER=$SANITIZER FUZZING_ENGINE=$FUZZING_ENGINE LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"
setup "$B" "-Dfuzzing_engine=$LIB_FUZZING_ENGINE"
# shellcheck disable=SC2086
ninja -C "$B" $NINJA_ARGS fuzzers || die "ninja fuzzers failed"

FUZZERS=$(fuzzers_in "$B")
[ -n "$FUZZERS" ] || die "ninja fuzzers built no fuzz/fuzz_* executable"

for f in $FUZZERS; do
	cp -f "$B/fuzz/$f" "$OUT/$f"
	# Runners only have $OUT: no shared library of the build tree.
	if command -v ldd >/dev/null && ldd "$OUT/$f" 2>/dev/null |
		grep -E "not found|$WORK|$ROOT" >&2; then
		die "$f needs shared libraries that are not on the runner (above)"
	fi
	rm -f "$OUT/${f}_seed_corpus.zip"
	if [ -d "$ROOT/corpus/$f" ]; then
		# Flat, sorted, no dot files.
		(cd "$ROOT/corpus/$f" && find . -maxdepth 1 -type f ! -name '.*' |
			sed 's|^\./||' | LC_ALL=C sort |
			zip -q -X -j "$OUT/${f}_seed_corpus.zip" -@) ||
			die "zip of corpus/$f failed"
	fi
	for ext in dict options; do
		if [ -f "$ROOT/fuzz/$f.$ext" ]; then
			cp -f "$ROOT/fuzz/$f.$ext" "$OUT/$f.$ext"
		fi
	done
	n=0
	[ -f "$OUT/${f}_seed_corpus.zip" ] && n=$(unzip -Z1 "$OUT/${f}_seed_corpus.zip" 2>/dev/null | wc -l)
	say "$f -> $OUT ($n seeds$([ -f "$OUT/$f.dict" ] && echo ", dict")$([ -f "$OUT/$f.options" ] && echo ", options"))"
done

if [ "$FUZZING_ENGINE" = afl ]; then
	# The custom mutator is loaded by afl-fuzz itself: build it in a plain
	# build dir (no sanitizer, no AFL instrumentation).
	M="$WORK/build-mutator"
	# shellcheck disable=SC2030
	if (
		export CC=clang CXX=clang++ CFLAGS="" CXXFLAGS="" LDFLAGS=""
		unset AFL_LLVM_CMPLOG AFL_LLVM_DICT2FILE AFL_LLVM_LAF_ALL AFL_LLVM_INSTRUMENT
		setup "$M" -Dfuzzing_engine= &&
			ninja -C "$M" fuzz/libfragsim_afl_mutator.so
	) > "$WORK/build-mutator.log" 2>&1; then
		cp -f "$M/fuzz/libfragsim_afl_mutator.so" "$OUT/"
		say "libfragsim_afl_mutator.so -> $OUT (AFL_CUSTOM_MUTATOR_LIBRARY)"
	else
		tail -n 20 "$WORK/build-mutator.log" >&2
		say "warning: no libfragsim_afl_mutator.so (its plain build failed, above)"
	fi
	if [ "${FRAGSIM_AFL_CMPLOG:-0}" = 1 ]; then
		C="$WORK/build-cmplog"
		(
			export AFL_LLVM_CMPLOG=1
			setup "$C" "-Dfuzzing_engine=$LIB_FUZZING_ENGINE" >/dev/null
			# shellcheck disable=SC2086
			ninja -C "$C" $NINJA_ARGS fuzzers
		) || die "CMPLOG build failed"
		for f in $FUZZERS; do
			cp -f "$C/fuzz/$f" "$OUT/$f.cmplog"
		done
		say "CMPLOG binaries -> $OUT/<fuzzer>.cmplog"
	fi
fi

# shellcheck disable=SC2031
{
	echo "fragsim $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "engine: $FUZZING_ENGINE ($LIB_FUZZING_ENGINE), sanitizer: $SANITIZER"
	echo "CC: $CC ($("$CC" --version 2>/dev/null | head -1))"
	echo "CXX: $CXX"
	echo "CFLAGS: $CFLAGS"
	echo "CXXFLAGS: $CXXFLAGS"
	echo "meson: $(meson --version) setup --buildtype=plain -Ddefault_library=static -Db_lundef=false -Db_lto=false -Dzoo=false -Dfuzzing=true -Dfuzzing_engine='$LIB_FUZZING_ENGINE' ${kernel_opts[*]} ${FRAGSIM_MESON_ARGS:-}"
	for k in $kernels; do
		if [ -f "$kdir/$k/.fragsim-source" ]; then
			echo "$k: $(cat "$kdir/$k/.fragsim-source")"
		elif [ -f "$kdir/$k/Makefile" ]; then
			echo "$k: $kdir/$k ($(awk '$1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL)$/ { printf "%s%s", s, $3; s = "." }' "$kdir/$k/Makefile"))"
		fi
	done
	echo "fuzzers: ${FUZZERS//$'\n'/ }"
} > "$OUT/fragsim-build-info.txt"
say "done: ${FUZZERS//$'\n'/ }"
