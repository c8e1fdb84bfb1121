#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The OSS-Fuzz / ClusterFuzzLite build, checked locally without Docker (the
# gcr.io base images cannot be pulled here).  Exports what base-builder
# exports, runs scripts/oss-fuzz-build.sh, and checks what OSS-Fuzz's
# check_build and runners would:
#
#   0. scripts/oss-fuzz-fetch-kernels.sh against a file:// mirror made from
#      Debian's kernel sources (the Dockerfiles' kernel step, offline);
#   1. libFuzzer + ASan/UBSan build (CFLAGS with -fsanitize=fuzzer-no-link,
#      LIB_FUZZING_ENGINE=-fsanitize=fuzzer); per fuzzer:
#      -runs=4 startup ("Done 4 runs", >= 100 instrumented edges), the seed
#      zip unpacked and replayed with -runs=0, a 10 s run with the .dict and
#      .options;
#   2. SANITIZER=memory is refused with exit 2;
#   3. AFL++ build (CC=afl-clang-fast, ASan/UBSan in CFLAGS as OSS-Fuzz's
#      compile_afl does, LIB_FUZZING_ENGINE=libAFLDriver.a); per fuzzer the
#      seeds replayed through the AFL driver (files first) and
#      `afl-fuzz -V 10` ("All set and ready to roll", execs done, no crash);
#      fuzz_trace once more with the custom mutator library.
#
# A crash found by a short run is a FAIL: the line says how to replay it.
#
# AFL_USE_ASAN=1 is not used: afl-cc appends -fsanitize=address after the
# kernel files' own -fsanitize=thread -fno-sanitize=address,memory, which
# clang refuses ("-fsanitize=address not allowed with -fsanitize=thread").
# With the sanitizer in CFLAGS, the per-file -fno-sanitize=address comes
# last and wins, as in OSS-Fuzz's AFL builds.
#
# Scratch: build-ossfuzz/ in the repo (git-ignored; FRAGSIM_OSSFUZZ_DIR
# overrides; not under /tmp, where AFL++ tools refuse to work).  Installs
# what is missing (scripts/lib.sh, plus afl++, zip, unzip, curl).
# Prints PASS/FAIL lines and "oss-fuzz-check: N passed, N failed"; exit 0
# when nothing failed, 1 otherwise, 2 when it cannot start.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT=$FRAGSIM_ROOT
S=${FRAGSIM_OSSFUZZ_DIR:-$ROOT/build-ossfuzz}
BRIEF_SECONDS=${FRAGSIM_OSSFUZZ_SECONDS:-10}

# lib.sh's list plus what this check needs.
eval "fs_required_base() $(declare -f fs_required | sed 1d)"
fs_required() {
	fs_required_base
	cat <<-'EOM'
	afl-fuzz afl++
	afl-clang-fast afl++
	/usr/lib/afl/libAFLDriver.a afl++
	zip zip
	unzip unzip
	curl curl
	EOM
}

npass=0
nfail=0
pass() { npass=$((npass + 1)); printf 'PASS: %s\n' "$*"; }
fail() { nfail=$((nfail + 1)); printf 'FAIL: %s\n' "$*"; }
# show LOG: the end of a log after a FAIL
show() { tail -n "${2:-40}" "$1" | sed 's/^/    | /'; }
# show_crash LOG: the sanitizer's headline, summary and libFuzzer's artifact line.
show_crash() {
	grep -m 8 -E '^BUG: |^Detail: |==ERROR:|runtime error:|^SUMMARY:|Test unit written|deadly signal|^Running: ' "$1" |
		sed 's/^/    | /' || true
}
now() { date +%s; }
T0=$(now)
fs_install_missing
mapfile -t kernels < <(fs_kernels)
for k in "${kernels[@]}"; do
	read -r name pkg from _ <<< "$k"
	fs_unpack_kernel "$name" "$pkg" "$from"
done
kernel_names=$(fs_kernels | awk '{ print $1 }')

case $S in
/tmp/*|/var/tmp/*) fs_log "warning: $S is under a system temp dir; AFL++ tools may refuse it" ;;
esac
rm -rf "$S"
mkdir -p "$S"
S=$(cd "$S" && pwd)

# base-builder's environment (minus -stdlib=libc++, which Debian lacks).
export SRC="$S/src"
SAN_FLAGS="-fsanitize=address,undefined -fsanitize-address-use-after-scope -fno-sanitize-recover=undefined"
BASE_FLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
unset LDFLAGS FRAGSIM_KERNELS_DIR FRAGSIM_MESON_ARGS ASAN_OPTIONS UBSAN_OPTIONS MSAN_OPTIONS
# Symbolized sanitizer reports (the unversioned name comes with Debian's llvm).
for sym in "$(command -v llvm-symbolizer || true)" /usr/lib/llvm-14/bin/llvm-symbolizer; do
	if [ -x "$sym" ]; then
		export ASAN_SYMBOLIZER_PATH=$sym
		break
	fi
done
# base-runner's sanitizer options (ClusterFuzz varies some of them).
RUN_ASAN_OPTIONS=alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3
RUN_UBSAN_OPTIONS=print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:halt_on_error=1:symbolize=1:dedup_token_length=3

# --- 0. the Dockerfiles' kernel step, against a local mirror ---------------
kernel_fetch_check() {
	local m="$S/mirror" st="$S/mirror-stage" s v x ok=1
	mkdir -p "$st"
	for s in $kernel_names; do
		v=$(awk '$1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL)$/ { printf "%s%s", d, $3; d = "." }' \
			"$FRAGSIM_CACHE/kernels/$s/Makefile")
		x=$m/v${v%%.*}.x
		mkdir -p "$x"
		cp -r "$FRAGSIM_CACHE/kernels/$s" "$st/linux-$v"
		find "$st/linux-$v" -name '.*' -type f -delete
		tar -C "$st" -cJf "$x/linux-$v.tar.xz" "linux-$v"
		# The release of the Debian tree, not pinned: the local mirror's
		# tarballs are not kernel.org's.
		export "$(fs_kernel_var "$s")=$v" "$(fs_kernel_var "$s")_SHA256="
	done
	for x in "$m"/v*.x; do
		(cd "$x" && { echo '-----BEGIN PGP SIGNED MESSAGE-----'; echo 'Hash: SHA256';
			echo; sha256sum linux-*.tar.xz; echo '-----BEGIN PGP SIGNATURE-----'; } > sha256sums.asc)
	done
	if ! FRAGSIM_KERNEL_MIRROR="file://$m" \
		"$ROOT/scripts/oss-fuzz-fetch-kernels.sh" "$SRC/kernels" > "$S/fetch.log" 2>&1; then
		fail "kernel fetch (scripts/oss-fuzz-fetch-kernels.sh, file:// mirror)"
		show "$S/fetch.log"
		return 1
	fi
	for s in $kernel_names; do
		diff -r -x '.*' "$FRAGSIM_CACHE/kernels/$s" "$SRC/kernels/$s" \
			> "$S/fetch-diff.log" 2>&1 || ok=0
	done
	if [ $ok = 1 ]; then
		pass "kernel fetch: $(cd "$SRC/kernels" && cat linux-*/.fragsim-source | cut -d' ' -f1 | tr '\n' ' ')verified and cut down to the extractor's files"
	else
		fail "kernel fetch: trees differ from Debian's"
		show "$S/fetch-diff.log"
		return 1
	fi
	# A corrupted download (of the newest kernel) must be refused.
	printf 'x' >> "$m/v${v%%.*}.x/linux-$v.tar.xz"
	if FRAGSIM_KERNEL_MIRROR="file://$m" \
		"$ROOT/scripts/oss-fuzz-fetch-kernels.sh" "$S/kernels-bad" > "$S/fetch-bad.log" 2>&1; then
		fail "kernel fetch accepted a tarball whose SHA-256 is wrong"
	elif grep -q 'SHA-256' "$S/fetch-bad.log"; then
		pass "kernel fetch refuses a tarball whose SHA-256 is wrong"
	else
		fail "kernel fetch of a bad tarball failed for another reason"
		show "$S/fetch-bad.log"
	fi
	rm -rf "$S/kernels-bad" "$st"
}
if ! kernel_fetch_check; then
	# Fall back to the Debian trees so the build checks still run.
	mkdir -p "$SRC"
	rm -rf "$SRC/kernels"
	cp -r "$FRAGSIM_CACHE/kernels" "$SRC/kernels"
fi

# build NAME: run scripts/oss-fuzz-build.sh with the current env into
# $S/NAME/{out,work}; logs to $S/NAME/build.log.
build() {
	local d="$S/$1" t
	mkdir -p "$d/out" "$d/work"
	t=$(now)
	if OUT="$d/out" WORK="$d/work" "$ROOT/scripts/oss-fuzz-build.sh" > "$d/build.log" 2>&1; then
		pass "$1 build ($(($(now) - t)) s): $(grep -o 'done: .*' "$d/build.log" | cut -c7-)"
	else
		fail "$1 build (scripts/oss-fuzz-build.sh; log $d/build.log)"
		show "$d/build.log" 60
		return 1
	fi
	# Runs must not need the build tree.
	mv "$d/work/build" "$d/work/build.hidden"
}

# fuzzers DIR: the fuzzer binaries in an $OUT.
fuzzers() {
	find "$1" -maxdepth 1 -type f -perm -u+x -name 'fuzz_*' ! -name '*.*' -printf '%f\n' | sort
}

# --- 1. libFuzzer ---------------------------------------------------------
export CC=clang CXX=clang++
export CFLAGS="$BASE_FLAGS $SAN_FLAGS -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer FUZZING_ENGINE=libfuzzer SANITIZER=address
if build libfuzzer; then
	L="$S/libfuzzer"
	OUTL="$L/out"
	mkdir -p "$L/run" "$L/artifacts"
	for f in $(fuzzers "$OUTL"); do
		log="$L/run/$f"
		# The runner appends the .options file's [asan]/[ubsan] keys.
		fa=$(fs_fuzz_options "$OUTL/$f.options" asan)
		fu=$(fs_fuzz_options "$OUTL/$f.options" ubsan)
		export ASAN_OPTIONS="$RUN_ASAN_OPTIONS${fa:+:$fa}"
		export UBSAN_OPTIONS="$RUN_UBSAN_OPTIONS${fu:+:$fu}"
		# check_build: startup with -runs=4, and enough instrumentation.
		if (cd "$L/run" && timeout 120 "$OUTL/$f" -runs=4) > "$log.runs4" 2>&1 &&
			grep -q 'Done 4 runs' "$log.runs4"; then
			edges=$(sed -n 's/.*Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p;T;q' "$log.runs4")
			if [ "${edges:-0}" -ge 100 ]; then
				pass "$f: -runs=4 startup (Done 4 runs, $edges inline 8-bit counters)"
			else
				fail "$f: only ${edges:-0} instrumented edges (check_build wants about 100)"
			fi
		else
			fail "$f: -runs=4 startup did not print 'Done 4 runs'"
			show "$log.runs4"
		fi
		# The seed corpus replays clean (a crashing seed fails check_build).
		zip="$OUTL/${f}_seed_corpus.zip"
		seeds="$L/seeds/$f"
		mkdir -p "$seeds"
		if [ ! -f "$zip" ]; then
			fail "$f: no ${f}_seed_corpus.zip in \$OUT"
		else
			unzip -q -o "$zip" -d "$seeds"
			n=$(find "$seeds" -type f | wc -l)
			if (cd "$L/run" && timeout 600 "$OUTL/$f" "$seeds" -runs=0 \
				-error_exitcode=1 -timeout=25 -rss_limit_mb=2560) > "$log.seeds" 2>&1 &&
				grep -q 'INITED' "$log.seeds"; then
				pass "$f: $n seeds replayed with -runs=0 (exit 0)"
			else
				fail "$f: seed replay ($n seeds)"
				show_crash "$log.seeds"
				show "$log.seeds" 10
			fi
		fi
		# Inputs that once gave a false finding stay quiet on their target.
		for q in "$ROOT"/tests/fuzz/quiet/*/; do
			[ "$f" = fuzz_trace ] && [ -d "$q" ] || continue
			qt=$(basename "$q")
			if (cd "$L/run" && FRAGSIM_FUZZ_TARGET="$qt" timeout 120 "$OUTL/$f" "$q" \
				-runs=0 -error_exitcode=1 -timeout=25) > "$log.quiet-$qt" 2>&1; then
				pass "$f: tests/fuzz/quiet/$qt inputs replay with no finding"
			else
				fail "$f: a tests/fuzz/quiet/$qt input gives a finding again"
				show_crash "$log.quiet-$qt"
			fi
		done
		# A short run as the runner does it: corpus dir first, dict, options.
		corpus="$L/corpus/$f"
		mkdir -p "$corpus"
		cp -r "$seeds/." "$corpus/"
		extra=()
		[ -f "$OUTL/$f.dict" ] && extra+=("-dict=$OUTL/$f.dict")
		read -r -a opts <<< "$(fs_fuzz_options "$OUTL/$f.options" libfuzzer)"
		extra+=("${opts[@]}")
		if (cd "$L/run" && timeout $((BRIEF_SECONDS + 120)) "$OUTL/$f" "$corpus" \
			-max_total_time="$BRIEF_SECONDS" -seed=1 -error_exitcode=1 -timeout=25 \
			-rss_limit_mb=2560 -print_final_stats=1 \
			-artifact_prefix="$L/artifacts/$f-" "${extra[@]}") > "$log.fuzz" 2>&1; then
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.fuzz")
			peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log.fuzz")
			pass "$f: ${BRIEF_SECONDS} s libFuzzer run, ${execs:-?} execs, peak RSS ${peak:-?} MB$([ -f "$OUTL/$f.dict" ] && echo ", dict")${opts[*]:+, ${opts[*]}}"
		else
			fail "$f: ${BRIEF_SECONDS} s libFuzzer run found a crash or failed (artifacts in $L/artifacts/)"
			show_crash "$log.fuzz"
			show "$log.fuzz" 5
		fi
	done
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# --- 2. unsupported sanitizers are refused in one line ---------------------
rc=0
SANITIZER=memory OUT="$S/msan/out" WORK="$S/msan/work" \
	"$ROOT/scripts/oss-fuzz-build.sh" > "$S/msan.log" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then
	fail "SANITIZER=memory was accepted"
elif [ $rc -eq 2 ] && [ "$(wc -l < "$S/msan.log")" -eq 1 ]; then
	pass "SANITIZER=memory refused (exit 2): $(cut -c1-60 "$S/msan.log")..."
else
	fail "SANITIZER=memory: expected exit 2 and one line"
	show "$S/msan.log"
fi

# --- 3. AFL++ -----------------------------------------------------------------
export CC=afl-clang-fast CXX=afl-clang-fast++
export CFLAGS="$BASE_FLAGS $SAN_FLAGS"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a FUZZING_ENGINE=afl SANITIZER=address
export AFL_QUIET=1
if build afl; then
	A="$S/afl"
	OUTA="$A/out"
	mkdir -p "$A/run"
	for f in $(fuzzers "$OUTA"); do
		seeds="$A/seeds/$f"
		mkdir -p "$seeds"
		[ -f "$OUTA/${f}_seed_corpus.zip" ] && unzip -q -o "$OUTA/${f}_seed_corpus.zip" -d "$seeds"
		mapfile -t files < <(find "$seeds" -type f | sort)
		if [ ${#files[@]} -eq 0 ]; then
			fail "$f (AFL): no seeds"
			continue
		fi
		# Files first: the 4.04c driver runs nothing when a flag comes first.
		if (cd "$A/run" && ASAN_OPTIONS=$RUN_ASAN_OPTIONS UBSAN_OPTIONS=$RUN_UBSAN_OPTIONS \
			timeout 600 "$OUTA/$f" "${files[@]}") > "$A/run/$f.seeds" 2>&1; then
			pass "$f (AFL driver): ${#files[@]} seeds replayed (exit 0)"
		else
			fail "$f (AFL driver): seed replay"
			show_crash "$A/run/$f.seeds"
			show "$A/run/$f.seeds" 10
		fi
	done
	# afl-fuzz: startup and a short run, plain, then with the custom mutator.
	afl_run() { # NAME FUZZER [env...]
		local name=$1 f=$2 o="$A/out-$1"
		shift 2
		local x=()
		[ -f "$OUTA/$f.dict" ] && x=(-x "$OUTA/$f.dict")
		rm -rf "$o"
		if (cd "$A/run" && env -u ASAN_OPTIONS -u UBSAN_OPTIONS AFL_SKIP_CPUFREQ=1 \
			AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 "$@" \
			timeout $((BRIEF_SECONDS + 120)) afl-fuzz -s 1 -V "$BRIEF_SECONDS" \
			-i "$A/seeds/$f" -o "$o" "${x[@]}" -- "$OUTA/$f") > "$A/run/$name.log" 2>&1 &&
			grep -q 'All set and ready to roll' "$A/run/$name.log"; then
			local execs crashes
			execs=$(awk '$1 == "execs_done" { print $3 }' "$o/default/fuzzer_stats" 2>/dev/null)
			crashes=$(find "$o/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
			if [ "${execs:-0}" -gt 0 ] && [ "$crashes" -eq 0 ]; then
				pass "afl-fuzz -V $BRIEF_SECONDS $f ($name): All set and ready to roll, $execs execs, 0 crashes"
			elif [ "${execs:-0}" -eq 0 ]; then
				fail "afl-fuzz $f ($name): no execs"
				show "$A/run/$name.log"
			else
				local first
				first=$(find "$o/default/crashes" -name 'id:*' | sort | sed -n 1p)
				fail "afl-fuzz $f ($name): $crashes crash(es) in $execs execs; the first one replays with: $OUTA/$f '$first'"
				(cd "$A/run" && ASAN_OPTIONS=$RUN_ASAN_OPTIONS UBSAN_OPTIONS=$RUN_UBSAN_OPTIONS \
					timeout 60 "$OUTA/$f" "$first") > "$A/run/$name.crash" 2>&1 || true
				show_crash "$A/run/$name.crash"
			fi
		else
			fail "afl-fuzz $f ($name): did not start and finish cleanly"
			show "$A/run/$name.log"
		fi
	}
	for f in $(fuzzers "$OUTA"); do
		afl_run "$f" "$f"
	done
	if [ -x "$OUTA/fuzz_trace" ]; then
		if [ -f "$OUTA/libfragsim_afl_mutator.so" ]; then
			afl_run fuzz_trace-mutator fuzz_trace \
				AFL_CUSTOM_MUTATOR_LIBRARY="$OUTA/libfragsim_afl_mutator.so"
		else
			fail "AFL build: no libfragsim_afl_mutator.so in \$OUT"
		fi
	else
		fail "AFL build: no fuzz_trace in \$OUT"
	fi
fi

echo "oss-fuzz-check: scratch $S, $(($(now) - T0)) s"
echo "oss-fuzz-check: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
