#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A time-boxed fuzz campaign on one fuzz target (fuzz/), with libFuzzer or
# AFL++, then crash triage, kernel coverage and a report under
# reports/<name>/ (see docs/fuzzing.md and reports/README.md).
#
#   scripts/fuzz.sh [--engine libfuzzer|afl] [--target T] [--seconds S]
#                   [--jobs J] [--fuzzer fuzz_trace] [--name NAME]
#                   [--suppress FILE]... [--no-default-suppressions]
#
# Set-up as scripts/test.sh (build/ is the plain build: fragsim replay,
# decode and minimize), plus its own build directories: build-libfuzzer/
# or build-afl/ (the fuzzers, ASan+UBSan) and build-cov/ (the fuzzers with
# the replay main and llvm source-based coverage).
#
# Exit status: 0 no finding, 1 finding(s), 2 bad usage, 3 the set-up, the
# fuzzer or the report failed, 130 interrupted (the report covers what ran).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The kernels of alloc/kernels.list, newest first.
kernels=$(fs_kernels --newest-first | awk '{ print $1 }')
newest=$(head -1 <<< "$kernels") oldest=$(tail -1 <<< "$kernels")

usage() {
	cat <<-EOM
	usage: scripts/fuzz.sh [--engine libfuzzer|afl] [--target T] [--seconds S] [--jobs J]
	                       [--fuzzer NAME] [--name NAME | --out DIR] [--no-coverage]
	  --engine E     libfuzzer (default; build-libfuzzer/) or afl (AFL++; build-afl/)
	  --target T     code under test (FRAGSIM_FUZZ_TARGET), a kernel or bug-zoo target
	                 such as $oldest or Z-1@$newest (default $newest;
	                 'build/fragsim targets' and 'build/fragsim-zoo targets' list them)
	  --seconds S    fuzzing time in whole seconds (default \$FRAGSIM_FUZZ_SECONDS or 60)
	  --jobs J       parallel fuzzing processes (libFuzzer -fork=J; AFL++ one -M and J-1 -S;
	                 default 1)
	  --fuzzer NAME  fuzz_trace (default), fuzz_diff or fuzz_trace_text
	  --name NAME    report directory reports/NAME (default fuzz-YYYYmmdd-HHMMSS)
	  --out DIR      report directory DIR instead (must not exist; scripts/campaign.sh uses it)
	  --no-coverage  skip the llvm-cov step (no build-cov/)
	  --suppress FILE  known bugs: not crashes, counted as "known" (repeatable;
	                 FRAGSIM_SUPPRESS for the fuzzer; docs/suppressions.md)
	  --no-default-suppressions  without the built-in list (sim/check/known-bugs.supp)
	exit status: 0 no finding, 1 finding(s), 2 bad usage, 3 set-up, fuzzer or report failed
	EOM
}

engine=libfuzzer
target=
seconds=${FRAGSIM_FUZZ_SECONDS:-60}
seconds_from=FRAGSIM_FUZZ_SECONDS
[ -n "${FRAGSIM_FUZZ_SECONDS:-}" ] || seconds_from=--seconds
jobs=1
fuzzer=fuzz_trace
name=
out=
coverage=1
supp_files=() supp_args=()

while [ $# -gt 0 ]; do
	opt=$1 val=
	case $opt in
	-h|--help) usage; exit 0 ;;
	--no-coverage) coverage=; shift; continue ;;
	--no-default-suppressions)
		supp_args+=("$opt"); export FRAGSIM_NO_DEFAULT_SUPPRESSIONS=1; shift; continue ;;
	--engine=*|--target=*|--seconds=*|--jobs=*|--fuzzer=*|--name=*|--out=*|--suppress=*)
		val=${opt#*=} opt=${opt%%=*} ;;
	--engine|--target|--seconds|--jobs|--fuzzer|--name|--out|--suppress)
		[ $# -ge 2 ] || fs_die "$opt needs a value (see scripts/fuzz.sh --help)"
		val=$2; shift ;;
	*) fs_die "unknown option or argument '$opt' (see scripts/fuzz.sh --help)" ;;
	esac
	shift
	case $opt in
	--engine) engine=$val ;;
	--target) target=$val ;;
	--seconds) seconds=$val seconds_from=--seconds ;;
	--jobs) jobs=$val ;;
	--fuzzer) fuzzer=$val ;;
	--name) name=$val ;;
	--out) out=$val ;;
	--suppress)
		[ -f "$val" ] || fs_die "--suppress: '$val' is not a file"
		case $val in *:*) fs_die "--suppress: '$val': no ':' in the name (FRAGSIM_SUPPRESS separates with it)" ;; esac
		val=$(cd "$(dirname "$val")" && pwd)/$(basename "$val")
		supp_files+=("$val") supp_args+=(--suppress "$val") ;;
	esac
done

case $engine in
libfuzzer|afl) ;;
*) fs_die "--engine: '$engine' is not libfuzzer or afl" ;;
esac
[[ $seconds =~ ^[0-9]{1,7}$ ]] && (( 10#$seconds > 0 )) ||
	fs_die "$seconds_from: '$seconds' is not a whole number of seconds from 1 to 9999999"
seconds=$((10#$seconds))
[[ $jobs =~ ^[0-9]{1,3}$ ]] && (( 10#$jobs >= 1 && 10#$jobs <= 64 )) ||
	fs_die "--jobs: '$jobs' is not a number of processes from 1 to 64"
jobs=$((10#$jobs))
[[ $fuzzer =~ ^fuzz_[A-Za-z0-9_]+$ ]] ||
	fs_die "--fuzzer: '$fuzzer' is not a fuzz target name (fuzz_trace, fuzz_diff, fuzz_trace_text)"
if [ -n "$target" ] && ! [[ $target =~ ^[A-Za-z0-9_][A-Za-z0-9._@-]*$ ]]; then
	fs_die "--target: '$target' is not a target name"
fi
[ -z "$name" ] || [ -z "$out" ] || fs_die "--name and --out exclude each other"
if [ -n "$name" ]; then
	[[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]] ||
		fs_die "--name: '$name' is not a plain directory name ([A-Za-z0-9._-], no '/')"
	[ ! -e "$FRAGSIM_ROOT/reports/$name" ] ||
		fs_die "--name: reports/$name already exists (pick another name or remove it)"
	dir=$FRAGSIM_ROOT/reports/$name
elif [ -n "$out" ]; then
	[ ! -e "$out" ] || fs_die "--out: '$out' already exists"
	mkdir -p "$(dirname "$out")" || fs_die "--out: cannot create '$(dirname "$out")'"
	dir=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
	name=$(basename "$out")
else
	name=fuzz-$(date +%Y%m%d-%H%M%S)
	base=$name n=2
	while [ -e "$FRAGSIM_ROOT/reports/$name" ]; do
		name=$base-$n n=$((n + 1))
	done
	dir=$FRAGSIM_ROOT/reports/$name
fi

# ---------------------------------------------------------------- set-up

# A set-up failure is not a usage error: fs_die's status 2 becomes 3.
( fs_setup ) || { fs_log "set-up failed; no fuzz run"; exit 3; }
cd "$FRAGSIM_ROOT" || exit 3
[ -f fuzz/meson.build ] || { fs_log "error: no fuzz/meson.build in this tree"; exit 3; }

# Paths as printed and written into the report: relative to the repository
# root when below it (replay commands are run from there).
relroot() {
	case $1 in
	"$FRAGSIM_ROOT"/*) printf '%s\n' "${1#"$FRAGSIM_ROOT"/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}
fragsim=$(relroot "$FRAGSIM_BUILD/fragsim")
fragsim_zoo=$(relroot "$FRAGSIM_BUILD/fragsim-zoo")
[ -x "$fragsim_zoo" ] || fragsim_zoo=$(relroot "$FRAGSIM_BUILD/sim/fragsim-zoo")
known=$("$fragsim" targets | awk 'NR > 1 { print $1 }') ||
	{ fs_log "error: '$fragsim targets' failed"; exit 3; }
known_zoo=
[ -x "$fragsim_zoo" ] && known_zoo=$("$fragsim_zoo" targets | awk 'NR > 1 { print $1 }')
if [ -z "$target" ]; then
	# The fuzzers' own default (meson option fuzz_target) is not always
	# what the plain build replays by default: name it explicitly.
	for t in $kernels; do
		grep -qxF -- "$t" <<< "$known" && { target=$t; break; }
	done
	[ -n "$target" ] || target=$(head -1 <<< "$known")
fi
if grep -qxF -- "$target" <<< "$known"; then
	replayer=$fragsim
elif grep -qxF -- "$target" <<< "$known_zoo"; then
	replayer=$fragsim_zoo
else
	all=$(printf '%s\n%s\n' "$known" "$known_zoo" | awk 'NF && !seen[$0]++' | paste -sd, |
		sed 's/,/, /g')
	fs_die "--target: no target '$target' in this build (targets: $all)"
fi

san_flags='-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined'
case $engine in
libfuzzer)
	fbuild=$FRAGSIM_ROOT/build-libfuzzer
	fs_build_variant "$fbuild" fuzzers CC=clang CXX=clang++ \
		"CFLAGS=$san_flags -fsanitize=fuzzer-no-link" \
		"CXXFLAGS=$san_flags -fsanitize=fuzzer-no-link" -- \
		-Db_lundef=false -Db_lto=false -Dfuzzing=true -Dfuzzing_engine=-fsanitize=fuzzer ||
		exit 3
	;;
afl)
	command -v afl-fuzz >/dev/null && command -v afl-clang-fast >/dev/null || {
		[ "$(id -u)" = 0 ] || { fs_log "error: AFL++ is missing (as root: apt-get install afl++)"; exit 3; }
		fs_log "installing afl++"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ \
			>/dev/null || { fs_log "error: apt-get install afl++ failed"; exit 3; }
	}
	afl_driver=/usr/lib/afl/libAFLDriver.a
	[ -f "$afl_driver" ] || { fs_log "error: no $afl_driver (Debian package afl++)"; exit 3; }
	fbuild=$FRAGSIM_ROOT/build-afl
	# Sanitizers through CFLAGS, not AFL_USE_ASAN: afl-cc appends that
	# -fsanitize=address after the kernel code's -fno-sanitize=address,
	# which cannot share a file with its -fsanitize=thread (alloc/meson.build).
	# AFL_DONT_OPTIMIZE: no -O3 -funroll-loops on the kernel code, whose
	# memory accesses number the scheduling points that an input's
	# decisions name (the same -O1 as the libFuzzer build).
	fs_build_variant "$fbuild" fuzzers CC=afl-clang-fast CXX=afl-clang-fast++ AFL_QUIET=1 \
		AFL_DONT_OPTIMIZE=1 \
		"CFLAGS=$san_flags" "CXXFLAGS=$san_flags" -- \
		-Db_lundef=false -Db_lto=false -Dfuzzing=true "-Dfuzzing_engine=$afl_driver" ||
		exit 3
	# The custom mutator is taken from the plain build: build-afl's copy
	# is compiled by afl-clang-fast, instrumented, and does not load
	# (undefined symbol __afl_area_ptr).
	mutator=$FRAGSIM_BUILD/fuzz/libfragsim_afl_mutator.so
	[ -f "$mutator" ] ||
		fs_log "warning: no ${mutator#"$FRAGSIM_ROOT"/}; AFL++ mutates without fragsim's mutator"
	;;
esac
fbin=$fbuild/fuzz/$fuzzer
if [ ! -x "$fbin" ]; then
	have=$(cd "$fbuild/fuzz" 2>/dev/null && find . -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x |
		sed 's|^\./||' | sort | paste -sd, | sed 's/,/, /g')
	fs_die "--fuzzer: no fuzzer '$fuzzer' in this build (fuzzers: ${have:-none})"
fi
if [ -n "$coverage" ]; then
	cbuild=$FRAGSIM_ROOT/build-cov
	fs_build_cov fuzzers || exit 3
fi

# ---------------------------------------------------------------- the run

seeds=corpus/$fuzzer
dict=fuzz/$fuzzer.dict
options=fuzz/$fuzzer.options
mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/findings" || exit 3
rdir=$(relroot "$dir")
info=$dir/fuzz.info
progress=$dir/fuzz.progress
log=$dir/fuzz.log
: > "$progress"

# The .options file (OSS-Fuzz INI): [libfuzzer] keys become -key=value,
# [asan] / [ubsan] keys go to ASAN_OPTIONS / UBSAN_OPTIONS.
read -r -a lf_opts <<< "$(fs_fuzz_options "$options" libfuzzer)"
asan_opts=detect_leaks=1 ubsan_opts=halt_on_error=1:print_stacktrace=1
opt=$(fs_fuzz_options "$options" asan) && asan_opts+=${opt:+:$opt}
opt=$(fs_fuzz_options "$options" ubsan) && ubsan_opts+=${opt:+:$opt}
opt_timeout=
for opt in "${lf_opts[@]}"; do
	case $opt in -timeout=*) opt_timeout=${opt#-timeout=} ;; esac
done

{
	echo "name=$name"
	echo "started=$(date -Iseconds)"
	echo "uname_r=$(uname -r)"
	echo "nproc=$(nproc)"
	echo "engine=$engine"
	echo "fuzzer=$fuzzer"
	echo "target=$target"
	echo "seconds=$seconds"
	echo "jobs=$jobs"
	echo "fuzzer_binary=$(relroot "$fbin")"
	echo "replayer=$replayer"
	echo "seeds=$seeds"
	echo "seed_count=$(find "$seeds" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l)"
	[ -f "$dict" ] && echo "dict=$dict"
	[ -f "$options" ] && echo "options=$options"
	echo "dir=$rdir"
	echo "suppressions=${supp_args[*]}"
	echo "git=$(git rev-parse --short=12 HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
} > "$info"

# Seed the work corpus: libFuzzer grows corpus/ in place; AFL++ reads
# afl-in/ and its queues are gathered into corpus/ at the end.
seed_dir=$dir/corpus
[ "$engine" = afl ] && seed_dir=$dir/afl-in && mkdir -p "$seed_dir"
if [ -d "$seeds" ]; then
	find "$seeds" -maxdepth 1 -type f ! -name '.*' -exec cp -t "$seed_dir" {} +
fi
if [ "$engine" = afl ] && [ -z "$(ls -A "$seed_dir")" ]; then
	# AFL++ needs one input: an empty binary trace (magic, version).
	printf 'FZ\001\000\000\000\000' > "$seed_dir/empty"
fi

export FRAGSIM_FUZZ_TARGET=$target
# The fuzzer's suppressions (libFuzzer owns its command line).
FRAGSIM_SUPPRESS=$(IFS=:; echo "${supp_files[*]}")
export FRAGSIM_SUPPRESS
pids=()
case $engine in
libfuzzer)
	cmd=("$(relroot "$fbin")" "${lf_opts[@]}")
	[ -f "$dict" ] && cmd+=("-dict=$dict")
	[ -n "$opt_timeout" ] || cmd+=(-timeout=25)
	# fork mode even for one job: a crash does not end the campaign
	# (-ignore_crashes), each is kept as an artifact.
	cmd+=("-fork=$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
	      -rss_limit_mb=2560 "-max_total_time=$seconds" -print_final_stats=1
	      "-artifact_prefix=$rdir/artifacts/" "$rdir/corpus")
	echo "command=FRAGSIM_FUZZ_TARGET=$target ${cmd[*]}" >> "$info"
	ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts \
		setsid "${cmd[@]}" > "$log" 2>&1 < /dev/null &
	pids+=($!)
	;;
afl)
	mkdir -p "$dir/afl"
	afl_env=(AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
	         AFL_NO_AFFINITY=1)
	[ -f "$mutator" ] && afl_env+=("AFL_CUSTOM_MUTATOR_LIBRARY=$mutator")
	afl_args=(-i "$rdir/afl-in" -o "$rdir/afl" -V "$seconds")
	[ -f "$dict" ] && afl_args+=(-x "$dict")
	[ -n "$opt_timeout" ] && afl_args+=(-t "$((opt_timeout * 1000))")
	for ((i = 0; i < jobs; i++)); do
		if [ $i -eq 0 ]; then role=(-M main) inst=main; else role=(-S "s$i") inst=s$i; fi
		cmd=(afl-fuzz "${afl_args[@]}" "${role[@]}" -- "$(relroot "$fbin")")
		echo "command.$inst=${afl_env[*]} FRAGSIM_FUZZ_TARGET=$target ${cmd[*]}" >> "$info"
		env "${afl_env[@]}" setsid "${cmd[@]}" > "$dir/afl-$inst.log" 2>&1 < /dev/null &
		pids+=($!)
	done
	: > "$log"
	;;
esac

echo "fragsim fuzz $name: $engine $fuzzer on $target, $seconds s, $jobs job(s)"
echo "  (corpus $rdir/corpus, seeded from $seeds/; log $rdir/fuzz.log)"

# One sample of the fuzzer's state: "execs exec/s corpus cov ft crashes".
sample() {
	local crashes
	crashes=$(find "$dir/artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l)
	case $engine in
	libfuzzer)
		# -fork prints "#N: cov: C ft: F corp: K exec/s E oom/timeout/crash:
		# a/b/c time: Ts job: J ..." when a job ends: exec/s over the last
		# two lines of different times, by libFuzzer's clock.
		grep -aE '^#[0-9]+: cov: ' "$log" 2>/dev/null |
			sed -E 's/^#([0-9]+): cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).* time: ([0-9]+)s.*/\1 \2 \3 \4 \5/' |
			awk -v c="$crashes" '
				NF == 5 { if ($5 != t1) { n0 = n1; t0 = t1 } n1 = $1; t1 = $5
				          cov = $2; ft = $3; corp = $4; ok = 1 }
				END { if (!ok) { print 0, 0, 0, 0, 0, c; exit }
				      r = (t1 > t0) ? (n1 - n0) / (t1 - t0) : 0
				      printf "%d %d %d %d %d %d\n", n1, r, corp, cov, ft, c }'
		;;
	afl)
		# AFL++ 4.04c writes plot_data only after 60 s and fuzzer_stats
		# once a minute: the queue and crash counts come from the output
		# directory; execs and edges from the latest of the two files.
		local i execs=0 rate=0 corpus=0 edges=0 cr=0 e r g q row st
		for i in "$dir"/afl/*/; do
			[ -d "$i/queue" ] || continue
			q=$(find "$i/queue" -maxdepth 1 -name 'id:*' -type f | wc -l)
			(( q > corpus )) && corpus=$q
			cr=$((cr + $(find "$i/crashes" "$i/hangs" -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)))
			e=0 r=0 g=0
			if [ -f "$i/fuzzer_stats" ]; then
				st=$(awk -F' *: *' '$1 == "execs_done" { e = $2 } $1 == "execs_per_sec" { r = $2 }
					$1 == "edges_found" { g = $2 } END { printf "%d %d %d", e, r, g }' "$i/fuzzer_stats")
				read -r e r g <<< "$st"
			fi
			# relative_time, cycles_done, cur_item, corpus_count, pending_total,
			# pending_favs, map_size, saved_crashes, saved_hangs, max_depth,
			# execs_per_sec, total_execs, edges_found
			row=$(grep -v '^#' "$i/plot_data" 2>/dev/null | tail -1 | tr -d ' %')
			if [ -n "$row" ]; then
				local pe pr pg
				IFS=, read -r _ _ _ _ _ _ _ _ _ _ pr pe pg <<< "$row"
				if (( ${pe:-0} > e )); then e=$pe r=${pr%.*} g=$pg; fi
			fi
			execs=$((execs + e)) rate=$((rate + r))
			(( g > edges )) && edges=$g
		done
		echo "$execs $rate $corpus $edges - $cr"
		;;
	esac
}

start=$(date +%s.%N)
elapsed() { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }
afl_t=0 afl_x=0 afl_rate=0
report_progress() {
	local t=$1 execs rate corpus cov ft crashes line
	read -r execs rate corpus cov ft crashes <<< "$(sample)"
	if [ "$engine" = afl ]; then
		# AFL++'s own execs_per_sec is wild at first (calibration): the
		# rate between two changes of its execs count, by our clock.
		if [ "$execs" -gt "$afl_x" ]; then
			afl_rate=$(awk -v a="$execs" -v b="$afl_x" -v t="$t" -v u="$afl_t" \
				'BEGIN { printf "%d", t > u ? (a - b) / (t - u) : 0 }')
			afl_t=$t afl_x=$execs
		fi
		rate=$afl_rate
		line=$(printf '[%6.1fs] execs %s  exec/s %s  corpus %s  edges %s  crashes %s' \
			"$t" "$execs" "$rate" "$corpus" "$cov" "$crashes")
	else
		line=$(printf '[%6.1fs] execs %s  exec/s %s  corpus %s  cov %s  ft %s  crashes %s' \
			"$t" "$execs" "$rate" "$corpus" "$cov" "$ft" "$crashes")
	fi
	echo "$line" >> "$progress"
	echo "$line" >&2
}

stop_fuzzers() {
	local p
	for p in "${pids[@]}"; do
		# setsid made each fuzzer the leader of its own process group:
		# this ends it and the jobs it forked, nothing else.
		kill -TERM -- "-$p" 2>/dev/null
	done
	sleep 2
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL -- "-$p" 2>/dev/null
	done
}

interrupted=
trap 'interrupted=1' INT TERM
# libFuzzer's fork mode finishes the running job after -max_total_time;
# past this grace the campaign is stopped.
deadline=$((seconds + 30 + seconds / 10))
next=10 timed_out=
while :; do
	alive=
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ -n "$alive" ] || break
	if [ -n "$interrupted" ]; then
		echo "fragsim: interrupted; stopping the fuzzer and reporting what has run" >&2
		stop_fuzzers
		break
	fi
	t=$(elapsed)
	if (( ${t%.*} >= deadline )); then
		echo "fragsim: the fuzzer overran its $seconds s by ${t%.*} - $seconds s; stopping it" >&2
		stop_fuzzers
		timed_out=1
		break
	fi
	if (( ${t%.*} >= next )); then
		report_progress "$t"
		next=$((next + 10))
	fi
	sleep 1
done
fuzz_rc=0
for p in "${pids[@]}"; do
	wait "$p"; rc=$?
	[ $rc -eq 0 ] || fuzz_rc=$rc
done
trap - INT TERM
t=$(elapsed)
report_progress "$t"
{
	echo "fuzz_exit=$fuzz_rc"
	echo "fuzz_seconds=$t"
	[ -n "$interrupted" ] && echo "interrupted=1"
	[ -n "$timed_out" ] && echo "overrun=1"
} >> "$info"

# AFL++: gather the queues into corpus/ (SHA-1 names) and the crashes and
# hangs into artifacts/ (crash-<sha1>, timeout-<sha1>: the colons and
# commas of id:...,sig:... names break other tools).
if [ "$engine" = afl ]; then
	# without the colours
	sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g' "$dir"/afl-*.log > "$log" 2>/dev/null
	for f in "$dir"/afl/*/queue/id:*; do
		[ -f "$f" ] || continue
		cp "$f" "$dir/corpus/$(sha1sum < "$f" | cut -c1-40)"
	done
	for f in "$dir"/afl/*/crashes/id:* "$dir"/afl/*/hangs/id:*; do
		[ -f "$f" ] || continue
		case $f in */hangs/*) kind=timeout ;; *) kind=crash ;; esac
		cp -p "$f" "$dir/artifacts/$kind-$(sha1sum < "$f" | cut -c1-40)"
	done
fi

# A failing fuzzer with nothing to show for it (a bad flag, a seed that
# crashes, a build that does not start) is an error, not a clean run.
fuzz_failed=
nexecs=$(sample | awk '{ print $1 }')
if [ -z "$interrupted" ] && [ "${nexecs:-0}" = 0 ] && [ -z "$(ls -A "$dir/artifacts")" ]; then
	fuzz_failed=1
	echo "fragsim: error: the fuzzer ran no input (exit $fuzz_rc); its output:" >&2
	tail -15 "$log" >&2 2>/dev/null
	echo "fuzz_failed=1" >> "$info"
fi

# ---------------------------------------------------------------- triage

# Each artifact is replayed by the plain fragsim (exit 1: a finding, its
# title the report's first line).  What fragsim does not reproduce is run
# through the fuzzer itself ("fuzzer-only": a sanitizer report, a libFuzzer
# leak or timeout, or a finding only that build's code shows).  Findings
# are deduplicated by title; the first artifact of each (oldest first, one
# fragsim reproduces before one it does not) is minimized and written
# under findings/<slug>/ with its report and replay command.
triage=$dir/triage.tsv
mapfile -t artifacts < <(find "$dir/artifacts" -maxdepth 1 -type f \
	\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
	-printf '%T@ %p\n' | sort -n | cut -d' ' -f2-)
max_triage=${FRAGSIM_FUZZ_MAX_TRIAGE:-300}
first_title() {
	awk '/^={20,}$/ { inblock = !inblock; next }
	     inblock && NF { sub(/^[ \t]+/, ""); sub(/[ \t]+$/, ""); print; exit }' "$1"
}
slugify() {
	sed -E 's/^BUG: fragsim: //; s/[^A-Za-z0-9._-]+/-/g; s/^-+//; s/-+$//' <<< "$1" | cut -c1-80
}
if [ ${#artifacts[@]} -gt 0 ]; then
	echo
	echo "== triage: ${#artifacts[@]} artifact(s) =="
fi
tdir=$dir/.triage
rm -rf "$tdir" && mkdir -p "$tdir"
fuzz_cmd="FRAGSIM_FUZZ_TARGET=$target $(relroot "$fbin")"
# Pass 1: replay everything.
a_kind=() a_rc=() a_verdict=() a_title=()
for i in "${!artifacts[@]}"; do
	art=${artifacts[i]}
	base=$(basename "$art")
	kind=${base%%-*}
	out=$tdir/$i.out
	a_kind[i]=$kind a_rc[i]=- a_verdict[i]=not-triaged a_title[i]=
	[ "$i" -lt "$max_triage" ] || continue
	rart=$(relroot "$art")   # reports and replay commands name it from the root
	{ timeout 120 "$replayer" replay --target "$target" "${supp_args[@]}" "$rart" > "$out" 2>&1; } 2>/dev/null
	rc=$?
	verdict='' title=''
	case $rc in
	1)
		verdict=finding
		title=$(first_title "$out")
		[ -n "$title" ] || title=$(grep -m1 -E '^(BUG: |kernel BUG at |WARNING in )' "$out")
		[ -n "$title" ] || title="(fragsim replay exit 1 without a report)"
		;;
	0)
		if grep -q '(known: suppressed by ' "$out"; then
			# A known bug (docs/suppressions.md): counted, not a finding.
			verdict=known title=$(first_title "$out")
			a_rc[i]=$rc a_verdict[i]=$verdict a_title[i]=$title
			continue
		fi
		# Not a fragsim finding: what does the fuzzer itself say?
		{ ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts \
			timeout 120 "$(relroot "$fbin")" "$rart" -runs=1 > "$out.fuzzer" 2>&1 < /dev/null
		} 2>/dev/null
		frc=$?
		if [ $frc -ne 0 ]; then
			verdict='fuzzer-only'
			title=$(grep -m1 -E '^(BUG: fragsim|kernel BUG at |WARNING in )' "$out.fuzzer")
			[ -n "$title" ] || title=$(grep -m1 -E '^SUMMARY: ' "$out.fuzzer")
			[ -n "$title" ] || title=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z -]+' "$out.fuzzer")
			[ -n "$title" ] || { [ $frc -eq 124 ] && title="$kind: the fuzzer timed out replaying it"; }
			[ -n "$title" ] || title="$kind: the fuzzer exits $frc on it"
			{ echo "fragsim replay: no finding (exit 0); the fuzzer's own run (exit $frc):"
			  echo "$fuzz_cmd $rart"
			  cat "$out.fuzzer"; } >> "$out"
		else
			verdict='not-reproduced'
		fi
		rm -f "$out.fuzzer"
		;;
	124)
		verdict='replay-timeout' title="$kind: fragsim replay did not finish in 120 s" ;;
	*)
		verdict='replay-error' title="fragsim replay exit $rc: $(grep -m1 -E 'error' "$out")" ;;
	esac
	a_rc[i]=$rc a_verdict[i]=$verdict a_title[i]=$title
done
# Pass 2: one finding directory per title.
declare -A seen_title=()
a_fdir=()
nfindings=0 nskipped=0
for pass in finding other; do
	for i in "${!artifacts[@]}"; do
		title=${a_title[i]} verdict=${a_verdict[i]}
		[ -n "$title" ] && [ "$verdict" != not-reproduced ] && [ "$verdict" != known ] || continue
		if [ $pass = finding ]; then [ "$verdict" = finding ] || continue
		else [ "$verdict" != finding ] || continue
		fi
		nfindings=$((nfindings + 1))
		if [ -n "${seen_title[$title]:-}" ]; then
			a_fdir[i]=${seen_title[$title]}
			continue
		fi
		art=${artifacts[i]}
		base=$(basename "$art")
		rart=$(relroot "$art")
		slug=$(slugify "$title")
		[ -n "$slug" ] || slug=finding
		fdir=findings/$slug n=2
		while [ -e "$dir/$fdir" ]; do fdir=findings/$slug-$n; n=$((n + 1)); done
		seen_title[$title]=$fdir a_fdir[i]=$fdir
		mkdir -p "$dir/$fdir"
		cp -p "$art" "$dir/$fdir/$base"
		cp "$tdir/$i.out" "$dir/$fdir/report.txt"
		if [ "$verdict" = fuzzer-only ]; then
			echo "$fuzz_cmd $rdir/$fdir/$base" > "$dir/$fdir/replay.txt"
		else
			echo "$replayer replay --target $target $rdir/$fdir/$base" > "$dir/$fdir/replay.txt"
		fi
		"$fragsim" decode "$rart" > "$dir/$fdir/decoded.trace" 2>/dev/null ||
			rm -f "$dir/$fdir/decoded.trace"
		echo "$title"
		echo "  $rdir/$fdir/ ($verdict, $base)"
		if [ "$verdict" = finding ]; then
			# minimize exits 1 when the minimized trace reports the finding
			# SIGINT at the budget: minimize writes its smallest trace so far
			{ timeout -s INT -k 30 "${FRAGSIM_MINIMIZE_SECONDS:-300}" \
				"$replayer" minimize --quiet \
				--target "$target" -o "$rdir/$fdir/minimized.trace" "$rart" \
				> "$dir/$fdir/minimize.log" 2>&1; } 2>/dev/null
			mrc=$?
			if [ $mrc -eq 1 ] && [ -s "$dir/$fdir/minimized.trace" ]; then
				echo "  minimized: $rdir/$fdir/minimized.trace"
			else
				echo "  (minimize failed, exit $mrc; see $rdir/$fdir/minimize.log)"
				rm -f "$dir/$fdir/minimized.trace"
			fi
		fi
		echo "  replay: $(cat "$dir/$fdir/replay.txt")"
	done
done
printf 'artifact\tkind\treplay_exit\tverdict\ttitle\tfinding\n' > "$triage"
for i in "${!artifacts[@]}"; do
	[ "${a_verdict[i]}" != not-reproduced ] || nskipped=$((nskipped + 1))
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "artifacts/$(basename "${artifacts[i]}")" "${a_kind[i]}" \
		"${a_rc[i]}" "${a_verdict[i]}" "${a_title[i]}" "${a_fdir[i]:-}" >> "$triage"
done
rm -rf "$tdir"
if [ ${#artifacts[@]} -gt 0 ]; then
	echo "triage: ${#seen_title[@]} distinct title(s) over $nfindings artifact(s)" \
		"($nskipped not reproduced)"
fi

# ---------------------------------------------------------------- coverage

# The final corpus through the coverage build's replay main, profiles
# merged, then llvm-cov on the extracted kernel file of the target only.
cov_failed=
if [ -n "$coverage" ]; then
	echo
	echo "== coverage: kernel code of $target (llvm-cov, ${cbuild#"$FRAGSIM_ROOT"/}) =="
	cdir=$dir/coverage
	mkdir -p "$cdir/raw"
	cbin=$cbuild/fuzz/$fuzzer
	kfile=$(grep -lxF "#define FS_TARGET_NAME \"$target\"" \
		"$cbuild"/alloc/*.c "$cbuild"/alloc/zoo/*.c 2>/dev/null | grep -v '_native\.c$' | head -1)
	# cov_run TAG DIR: run every file of DIR; a file that aborts (a finding)
	# loses its batch's profile, so a failed batch is rerun file by file.
	cov_run() {
		local tag=$1 src=$2 batch=() f n=0
		rm -rf "${cdir:?}/raw/$tag" && mkdir -p "$cdir/raw/$tag"
		run_batch() {
			{ FRAGSIM_FUZZ_TARGET=$target LLVM_PROFILE_FILE="$cdir/raw/$tag/%p.profraw" \
				timeout 600 "$cbin" "$@" > /dev/null 2>&1; } 2>/dev/null
		}
		while IFS= read -r -d '' f; do
			batch+=("$f"); n=$((n + 1))
			if [ ${#batch[@]} -ge 200 ]; then
				run_batch "${batch[@]}" || for f in "${batch[@]}"; do run_batch "$f"; done
				batch=()
			fi
		done < <(find "$src" -maxdepth 1 -type f ! -name '.*' -print0 | sort -z)
		if [ ${#batch[@]} -gt 0 ]; then
			run_batch "${batch[@]}" || for f in "${batch[@]}"; do run_batch "$f"; done
		fi
		echo "inputs.$tag=$n" >> "$cdir/coverage.info"
		if ! compgen -G "$cdir/raw/$tag/*.profraw" > /dev/null; then
			echo "error.$tag=no profile written" >> "$cdir/coverage.info"
			return 1
		fi
		llvm-profdata-14 merge -sparse "$cdir/raw/$tag"/*.profraw -o "$cdir/$tag.profdata" &&
		llvm-cov-14 export -format=text -instr-profile "$cdir/$tag.profdata" "$cbin" \
			"$kfile" > "$cdir/$tag.json" &&
		llvm-cov-14 report -show-functions -instr-profile "$cdir/$tag.profdata" "$cbin" \
			"$kfile" > "$cdir/$tag-functions.txt"
	}
	if [ ! -x "$cbin" ]; then
		echo "fragsim: error: no $(relroot "$cbin")" >&2
		cov_failed=1
	elif [ -z "$kfile" ]; then
		# the reference model (target ref) has no kernel code
		echo "fragsim: no extracted kernel code for $target: no kernel coverage" >&2
	elif [ "$(nm "$cbin" 2>/dev/null |
			grep -c " [Tt] fs_$(sed -n 's/^#define FS_TARGET_ID //p' "$kfile")_")" = 0 ]; then
		# fuzz_trace_text: the text parser alone, no kernel code linked in
		echo "fragsim: $fuzzer does not run the kernel code: no kernel coverage" >&2
	else
		{
			echo "target=$target"
			echo "kernel_file=$(relroot "$kfile")"
			echo "kernel_file_abs=$kfile"
			echo "binary=$(relroot "$cbin")"
			echo "llvm_cov=$(llvm-cov-14 --version | grep -m1 -oE 'version [0-9.]+')"
		} > "$cdir/coverage.info"
		cp "$kfile" "$cdir/$(basename "$kfile")"
		echo "kernel_source=$(basename "$kfile")" >> "$cdir/coverage.info"
		if [ -d "$seeds" ]; then
			cov_run seeds "$seeds" || echo "fragsim: warning: no coverage of the seeds" >&2
		fi
		if cov_run corpus "$dir/corpus"; then
			llvm-cov-14 show -format=html -show-branches=count -output-dir "$cdir/html" \
				-instr-profile "$cdir/corpus.profdata" "$cbin" "$kfile" > /dev/null 2>&1 ||
				rm -rf "$cdir/html"
		else
			echo "fragsim: error: the coverage run of the corpus failed" >&2
			cov_failed=1
		fi
		rm -rf "$cdir/raw"
	fi
fi
echo "finished=$(date -Iseconds)" >> "$info"

# ---------------------------------------------------------------- report

echo
if ! python3 scripts/fuzz_report.py "$dir"; then
	echo "fragsim: error: scripts/fuzz_report.py $rdir failed" >&2
	exit 3
fi
echo
cat "$dir/summary.txt"
echo
echo "report: $rdir/index.html (and summary.txt, summary.json, *.svg there)"
[ -n "$interrupted" ] && exit 130
[ -n "$fuzz_failed" ] || [ -n "$cov_failed" ] && exit 3
[ ${#seen_title[@]} -gt 0 ] && exit 1
exit 0
