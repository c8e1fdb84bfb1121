#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fragsim's main job: set up exactly as scripts/test.sh does (install what is
# missing, unpack the kernel files, build build/), then run a time-boxed
# `fragsim run` against each real-kernel target, the kernel line coverage
# of those runs (--coverage-seconds 0 skips it), then a libFuzzer campaign
# on fuzz_trace for each target (scripts/fuzz.sh; --fuzz-seconds 0 skips
# it), and write a report under reports/<name>/ (see reports/README.md).
#
#   scripts/campaign.sh [--seconds S] [--targets "T1 T2"]
#                       [--seed X] [--name NAME] [--fuzz-seconds S] [--jobs N]
#                       [--coverage-seconds S]
#                       [--suppress FILE]... [--no-default-suppressions]
#
# Exit status: 0 no finding (known, suppressed ones do not count), 1
# finding(s), 2 bad usage, 3 the set-up, a fragsim run or a fuzz run failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Every kernel of alloc/kernels.list, newest first.
default_targets=$(fs_kernels --newest-first | awk '{ print $1 }' | paste -sd' ')

usage() {
	cat <<-EOM
	usage: scripts/campaign.sh [--seconds S] [--targets "T1 T2"] [--seed X] [--name NAME]
	                           [--fuzz-seconds S] [--jobs N] [--coverage-seconds S]
	                           [--suppress FILE]... [--no-default-suppressions]
	  --seconds S    seconds per target (default \$FRAGSIM_SECONDS or 120)
	  --targets "..." targets to run, in order (default "$default_targets";
	                 'build/fragsim targets' lists them)
	  --seed X       seed of every run, decimal or 0x-hex (default: from the clock, printed)
	  --name NAME    campaign directory reports/NAME (default campaign-YYYYmmdd-HHMMSS)
	  --fuzz-seconds S  then fuzz each target S s with libFuzzer on fuzz_trace
	                 (scripts/fuzz.sh; default \$FRAGSIM_FUZZ_SECONDS or 60; 0: no fuzzing)
	  --jobs N       processes for each fragsim run and fuzz run (default: every
	                 core, $(nproc) here; fragsim run --jobs, libFuzzer -fork)
	  --coverage-seconds S  kernel line coverage of each target's fragsim run
	                 traces: replay them on build-cov/ (llvm-cov) for at most S s
	                 (default \$FRAGSIM_COVERAGE_SECONDS or 30; 0: none)
	  --suppress FILE  known bugs counted as "known", not findings (repeatable;
	                 docs/suppressions.md); sim/check/known-bugs.supp is always used
	  --no-default-suppressions  ... unless this is given
	exit status: 0 no finding, 1 finding(s), 2 bad usage, 3 set-up, fragsim or fuzzing failed
	EOM
}

seconds=${FRAGSIM_SECONDS:-120}
seconds_from="FRAGSIM_SECONDS"
[ -n "${FRAGSIM_SECONDS:-}" ] || seconds_from="--seconds"
targets=$default_targets
seed=
name=
fuzz_seconds=${FRAGSIM_FUZZ_SECONDS:-60}
fuzz_seconds_from=FRAGSIM_FUZZ_SECONDS
[ -n "${FRAGSIM_FUZZ_SECONDS:-}" ] || fuzz_seconds_from=--fuzz-seconds
coverage_seconds=${FRAGSIM_COVERAGE_SECONDS:-30}
coverage_seconds_from=FRAGSIM_COVERAGE_SECONDS
[ -n "${FRAGSIM_COVERAGE_SECONDS:-}" ] || coverage_seconds_from=--coverage-seconds
supp_args=()		# for fragsim run and scripts/fuzz.sh alike
jobs=$(nproc)

while [ $# -gt 0 ]; do
	opt=$1 val=
	case $opt in
	-h|--help) usage; exit 0 ;;
	--no-default-suppressions) supp_args+=("$opt"); shift; continue ;;
	--seconds=*|--targets=*|--seed=*|--name=*|--fuzz-seconds=*|--suppress=*|--jobs=*|--coverage-seconds=*)
		val=${opt#*=} opt=${opt%%=*} ;;
	--seconds|--targets|--seed|--name|--fuzz-seconds|--suppress|--jobs|--coverage-seconds)
		[ $# -ge 2 ] || fs_die "$opt needs a value (see scripts/campaign.sh --help)"
		val=$2; shift ;;
	*) fs_die "unknown option or argument '$opt' (see scripts/campaign.sh --help)" ;;
	esac
	shift
	case $opt in
	--seconds) seconds=$val seconds_from=--seconds ;;
	--targets) targets=${val//,/ } ;;
	--seed) seed=$val ;;
	--name) name=$val ;;
	--fuzz-seconds) fuzz_seconds=$val fuzz_seconds_from=--fuzz-seconds ;;
	--jobs) jobs=$val ;;
	--coverage-seconds) coverage_seconds=$val coverage_seconds_from=--coverage-seconds ;;
	--suppress)
		[ -f "$val" ] || fs_die "--suppress: '$val' is not a file"
		# Absolute: the runs below start from the repository root.
		supp_args+=(--suppress "$(cd "$(dirname "$val")" && pwd)/$(basename "$val")") ;;
	esac
done

if ! [[ $seconds =~ ^([0-9]+([.][0-9]*)?|[.][0-9]+)$ && $seconds =~ [1-9] ]]; then
	fs_die "$seconds_from: '$seconds' is not a positive number of seconds"
fi
int=${seconds%%.*}
if [ ${#int} -gt 8 ] || (( 10#${int:-0} >= 10000000 )); then
	fs_die "$seconds_from: '$seconds' must be below 10000000 seconds"
fi
[[ $fuzz_seconds =~ ^[0-9]{1,7}$ ]] ||
	fs_die "$fuzz_seconds_from: '$fuzz_seconds' is not a whole number of seconds (0: no fuzzing)"
fuzz_seconds=$((10#$fuzz_seconds))
[[ $coverage_seconds =~ ^[0-9]{1,7}$ ]] ||
	fs_die "$coverage_seconds_from: '$coverage_seconds' is not a whole number of seconds (0: no coverage)"
coverage_seconds=$((10#$coverage_seconds))
# scripts/fuzz.sh takes 1 to 64; fragsim run up to 256.
[[ $jobs =~ ^[0-9]{1,2}$ ]] && (( 10#$jobs >= 1 && 10#$jobs <= 64 )) ||
	fs_die "--jobs: '$jobs' is not a number of processes from 1 to 64"
jobs=$((10#$jobs))
read -r -a target_list <<< "$targets"
[ ${#target_list[@]} -gt 0 ] || fs_die "--targets: no target given"
for ((i = 0; i < ${#target_list[@]}; i++)); do
	for ((j = 0; j < i; j++)); do
		[ "${target_list[i]}" != "${target_list[j]}" ] ||
			fs_die "--targets: '${target_list[i]}' is given twice"
	done
done
if [ -n "$seed" ]; then
	[[ $seed =~ ^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$ ]] ||
		fs_die "--seed: '$seed' is not a decimal or 0x-hex 64-bit integer"
	# shellcheck disable=SC2071 # same length: string order is numeric order
	[[ ${#seed} -ne 20 || $seed < 18446744073709551616 ]] ||
		fs_die "--seed: '$seed' is not a decimal or 0x-hex 64-bit integer"
else
	# From the clock, printed below so that the campaign can be re-run.
	seed=0x$(date +%s%N | sha256sum | cut -c1-16)
fi
if [ -n "$name" ]; then
	[[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]] ||
		fs_die "--name: '$name' is not a plain directory name ([A-Za-z0-9._-], no '/')"
	[ ! -e "$FRAGSIM_ROOT/reports/$name" ] ||
		fs_die "--name: reports/$name already exists (pick another name or remove it)"
else
	name=campaign-$(date +%Y%m%d-%H%M%S)
	base=$name n=2
	while [ -e "$FRAGSIM_ROOT/reports/$name" ]; do
		name=$base-$n n=$((n + 1))
	done
fi

# A set-up failure is not a usage error: fs_die's status 2 becomes 3.
( fs_setup ) || { fs_log "set-up failed; no campaign run"; exit 3; }

# Run from the repository root with relative paths, so that the replay
# commands fragsim prints work from there as they are.
cd "$FRAGSIM_ROOT" || exit 3
fragsim=$FRAGSIM_BUILD/fragsim
case $fragsim in "$FRAGSIM_ROOT"/*) fragsim=${fragsim#"$FRAGSIM_ROOT"/} ;; esac
known=$("$fragsim" targets | awk 'NR > 1 { print $1 }') ||
	{ fs_log "'$fragsim targets' failed"; exit 3; }
# The campaign's exit status from one run's: a finding makes it 1, a failed
# run 3 (an interruption, 130, stays).
fold_status() { # RC MESSAGE
	case $1 in
	0) ;;
	1) [ "$status" -ne 0 ] || status=1 ;;
	*) echo "fragsim: error: $2" >&2
	   [ "$status" -eq 130 ] || status=3 ;;
	esac
}

for t in "${target_list[@]}"; do
	grep -qxF -- "$t" <<< "$known" ||
		fs_die "--targets: no target '$t' in this build (targets: ${known//$'\n'/, })"
done

dir=reports/$name
mkdir -p "$dir/findings" || exit 3
info=$dir/campaign.info
{
	echo "name=$name"
	echo "started=$(date -Iseconds)"
	echo "uname_r=$(uname -r)"
	echo "nproc=$(nproc)"
	echo "jobs=$jobs"
	echo "seconds=$seconds"
	echo "seed=$seed"
	echo "targets=${target_list[*]}"
	echo "fragsim=$fragsim"
	echo "fuzz_seconds=$fuzz_seconds"
	echo "coverage_seconds=$coverage_seconds"
	echo "suppressions=${supp_args[*]}"
} > "$info"

echo "fragsim campaign $name: ${target_list[*]}, $seconds s each, seed $seed, $jobs job(s)"
echo "  (the same --seed runs the same traces in the same order)"
status=0 interrupted=
trap 'interrupted=1' INT
for t in "${target_list[@]}"; do
	echo
	echo "== target $t: $seconds s =="
	# stdout (reports, summary) goes to the log; stderr (a progress line
	# every 10 s, as it is not a tty here, and any error) is shown and kept.
	{ "$fragsim" run --target "$t" --seconds "$seconds" --seed "$seed" \
		--jobs "$jobs" --out "$dir/findings/$t" "${supp_args[@]}" 2>&1 >"$dir/$t.log"; } |
		tee "$dir/$t.progress" >&2
	rc=${PIPESTATUS[0]}
	echo "exit.$t=$rc" >> "$info"
	sed -n '/^fragsim run: [^ ]*: .* finding(s)\(, [0-9]* known (suppressed)\)\{0,1\}$/,$p' "$dir/$t.log"
	if [ -n "$interrupted" ]; then
		echo "fragsim: interrupted; reporting what has run" >&2
		status=130
		break
	fi
	fold_status "$rc" "the $t run failed (exit $rc; see $dir/$t.progress)"
done

# Kernel line coverage of the fragsim run part: each target's traces
# 0, 1, 2, ... under the campaign's seed (the very traces its run ran,
# whichever worker ran them) replayed by build-cov/fragsim (llvm
# source-based coverage, as scripts/fuzz.sh's coverage of the fuzz corpus),
# as --jobs shards, up to as many traces as the run had, for at most
# --coverage-seconds (SIGINT: fragsim run stops between traces and writes
# its profile); llvm-cov on the target's extracted kernel file.  The
# report (scripts/report.py) reads coverage/<target>/.
run_coverage() { # TARGET
	local t=$1 cdir=$dir/coverage/$1 traces kfile i pids=() covered=0 n
	traces=$(sed -n 's/^fragsim run: [^ ]*: [0-9.]* s, \([0-9]*\) traces.*/\1/p' "$dir/$t.log" 2>/dev/null)
	if [ -z "$traces" ] || [ "$traces" -eq 0 ]; then
		echo "fragsim: coverage: no traces of $t ran: no kernel coverage" >&2
		return 0
	fi
	kfile=$(grep -lxF "#define FS_TARGET_NAME \"$t\"" "$cbuild"/alloc/*.c 2>/dev/null |
		grep -v '_native\.c$' | head -1)
	if [ -z "$kfile" ]; then	# the reference model has no kernel code
		echo "fragsim: coverage: no extracted kernel code for $t" >&2
		return 0
	fi
	rm -rf "$cdir" && mkdir -p "$cdir/raw" "$cdir/out" || return 1
	echo "coverage: $t: traces 0..$((traces - 1)) of seed $seed on build-cov, at most $coverage_seconds s"
	for ((i = 0; i < jobs; i++)); do
		LLVM_PROFILE_FILE="$cdir/raw/%p.profraw" timeout -s INT -k 30 "$coverage_seconds" \
			"$cbin" run --target "$t" --seed "$seed" --runs "$traces" \
			--shard "$i/$jobs" --jobs 1 --quiet --minimize-seconds 0 \
			--out "$cdir/out" "${supp_args[@]}" > "$cdir/run-$i.log" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for ((i = 0; i < jobs; i++)); do
		n=$(sed -n 's/^fragsim run: [^ ]*: [0-9.]* s, \([0-9]*\) traces.*/\1/p' "$cdir/run-$i.log")
		covered=$((covered + ${n:-0}))
	done
	{
		echo "target=$t"
		echo "kernel_file=${kfile#"$FRAGSIM_ROOT"/}"
		echo "kernel_file_abs=$kfile"
		echo "binary=${cbin#"$FRAGSIM_ROOT"/}"
		echo "llvm_cov=$(llvm-cov-14 --version | grep -m1 -oE 'version [0-9.]+')"
		echo "kernel_source=$(basename "$kfile")"
		echo "seed=$seed"
		echo "traces.campaign=$traces"
		echo "inputs.run=$covered"
		echo "seconds=$coverage_seconds"
	} > "$cdir/coverage.info"
	cp "$kfile" "$cdir/"
	if ! compgen -G "$cdir/raw/*.profraw" > /dev/null; then
		echo "error.run=no profile written (see coverage/$t/run-*.log)" >> "$cdir/coverage.info"
		return 1
	fi
	llvm-profdata-14 merge -sparse "$cdir/raw"/*.profraw -o "$cdir/run.profdata" &&
	llvm-cov-14 export -format=text -instr-profile "$cdir/run.profdata" "$cbin" "$kfile" \
		> "$cdir/run.json" &&
	llvm-cov-14 report -show-functions -instr-profile "$cdir/run.profdata" "$cbin" "$kfile" \
		> "$cdir/run-functions.txt" || {
		echo "error.run=llvm-cov failed" >> "$cdir/coverage.info"
		return 1
	}
	llvm-cov-14 show -format=html -show-branches=count -output-dir "$cdir/html" \
		-instr-profile "$cdir/run.profdata" "$cbin" "$kfile" > /dev/null 2>&1 || rm -rf "$cdir/html"
	rm -rf "$cdir/raw" "$cdir/out"
	sed -n 's/^TOTAL.*/  &/p' "$cdir/run-functions.txt"
}

if [ "$coverage_seconds" -gt 0 ] && [ -z "$interrupted" ]; then
	echo
	echo "== coverage: kernel lines of the fragsim run traces (build-cov, llvm-cov) =="
	cbuild=$FRAGSIM_ROOT/build-cov
	cbin=$cbuild/sim/fragsim
	if fs_build_cov sim/fragsim; then
		for t in "${target_list[@]}"; do
			run_coverage "$t" ||
				echo "fragsim: warning: no kernel coverage of the $t run (see $dir/coverage/$t/)" >&2
			[ -z "$interrupted" ] || break
		done
	else
		echo "fragsim: warning: build-cov failed: no kernel coverage of the fragsim run part" >&2
	fi
	if [ -n "$interrupted" ]; then
		echo "fragsim: interrupted; reporting what has run" >&2
		status=130
	fi
fi

# The fuzz campaign: libFuzzer on fuzz_trace, per target, each with its own
# report in fuzz/<target>/ (scripts/fuzz.sh; it prints its progress).
if [ "$fuzz_seconds" -gt 0 ] && [ -z "$interrupted" ]; then
	for t in "${target_list[@]}"; do
		echo
		echo "== fuzz $t: libFuzzer on fuzz_trace, $fuzz_seconds s =="
		# stdout (triage, coverage, summary) is kept; stderr (a progress
		# line every 10 s, errors) is shown and kept.  Not *.log/*.progress
		# at the top: those are fragsim run's, for scripts/report.py.
		mkdir -p "$dir/fuzz"
		{ scripts/fuzz.sh --engine libfuzzer --fuzzer fuzz_trace --target "$t" \
			--seconds "$fuzz_seconds" --jobs "$jobs" --out "$dir/fuzz/$t" \
			"${supp_args[@]}" 2>&1 \
			>"$dir/fuzz/$t.stdout"; } | tee "$dir/fuzz/$t.stderr" >&2
		rc=${PIPESTATUS[0]}
		echo "fuzz.exit.$t=$rc" >> "$info"
		sed -n -e '/^status:/,/^artifacts:/p' -e '/^  lines /p' -e '/^  branches /p' \
			"$dir/fuzz/$t/summary.txt" 2>/dev/null
		if [ -n "$interrupted" ] || [ "$rc" -eq 130 ]; then
			echo "fragsim: interrupted; reporting what has run" >&2
			status=130
			break
		fi
		fold_status "$rc" "the fuzz run of $t failed (exit $rc; see $dir/fuzz/$t.stderr)"
	done
fi
trap - INT
echo "finished=$(date -Iseconds)" >> "$info"

echo
if ! python3 scripts/report.py "$dir"; then
	echo "fragsim: error: scripts/report.py $dir failed" >&2
	exit 3
fi
if [ "$fuzz_seconds" -gt 0 ] && ! python3 scripts/fuzz_report.py --campaign "$dir"; then
	echo "fragsim: error: scripts/fuzz_report.py --campaign $dir failed" >&2
	exit 3
fi
echo
cat "$dir/summary.txt"
echo
echo "report: $dir/index.html (and summary.txt, summary.json, ops.svg, coverage.svg there)"
[ "$fuzz_seconds" -gt 0 ] && echo "fuzz reports: $dir/fuzz/<target>/index.html"
exit $status
