#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Validate a page_frag patch: build the unpatched and the patched code as
# two targets of one binary (tree-base, tree), run the same fixed, seeded
# work on both (fragsim validate), measure which changed lines ran (gcov),
# and write a report under reports/validate-NAME/.  The first line of the
# output is the verdict.  docs/validating-a-patch.md.
#
#   scripts/validate.sh --tree ~/linux --patch 0001-x.patch [--patch ...]
#   scripts/validate.sh --base ~/linux-base --patched ~/linux-work
#   scripts/validate.sh --git ~/linux --range origin/main..HEAD
#
# Exit status: 0 PASS, FIXES or nothing to validate; 1 REGRESSION or
# BEHAVIOUR CHANGE; 2 bad input (one line); 3 internal error.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEFAULT_BUDGET=240

usage() {
	cat <<-EOF
	usage: scripts/validate.sh (--tree DIR --patch FILE [--patch FILE]... |
	                            --base DIR --patched DIR | --git REPO --range A..B)
	                           [--budget N | --minutes M] [--jobs J] [--seed X]
	                           [--name NAME] [--suppress FILE]... [--no-default-suppressions]
	  --tree DIR      a kernel tree (full, or the files of extract.py --list-files)
	  --patch FILE    a unified diff or a git format-patch mail, applied (-p1) in
	                  order to a private copy of the tree's page_frag files
	  --base/--patched DIR   two trees
	  --git REPO --range R   the commits of R: base = before the first, patched = the last
	  --budget N      generated traces, each run on both sides (default $DEFAULT_BUDGET)
	  --minutes M     generate traces for about M minutes instead
	  --jobs J        worker processes (default: every core, $(nproc))
	  --seed X        seed of the generated traces (default 1)
	  --name NAME     report directory reports/validate-NAME (default: from the input)
	  --suppress FILE known bugs (docs/suppressions.md), on both sides: a new
	                  finding they name is "known", not a REGRESSION (repeatable)
	  --no-default-suppressions  without fragsim's built-in list
	exit status: 0 PASS, FIXES or nothing to validate; 1 REGRESSION or BEHAVIOUR
	CHANGE; 2 bad input; 3 internal error
	EOF
}

die() { printf 'fragsim: error: %s\n' "$*" >&2; exit 2; }
internal() { printf 'fragsim: internal error: %s\n' "$*" >&2; exit 3; }
say() { printf 'validate: %s\n' "$*" >&2; }

tree= base= patched= git= range= name= seed=1 budget= minutes=
sup=()
jobs=$(nproc)
patches=()
while [ $# -gt 0 ]; do
	case $1 in
	--tree|--patch|--base|--patched|--git|--range|--budget|--minutes|--jobs|--seed|--name|--suppress)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;
	esac
	case $1 in
	--tree) tree=$2 ;;
	--patch) patches+=("$2") ;;
	--base) base=$2 ;;
	--patched) patched=$2 ;;
	--git) git=$2 ;;
	--range) range=$2 ;;
	--budget) budget=$2 ;;
	--minutes) minutes=$2 ;;
	--jobs) jobs=$2 ;;
	--seed) seed=$2 ;;
	--name) name=$2 ;;
	--suppress)
		[ -r "$2" ] || die "--suppress $2: no such file"
		sup+=(--suppress "$(realpath "$2")") ;;
	--no-default-suppressions) sup+=("$1"); shift; continue ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift 2
done

# ---------------------------------------------------------------- inputs

mode=
[ -n "$tree" ] && mode=tree
[ -n "$base$patched" ] && { [ -z "$mode" ] || die "give one of --tree, --base/--patched, --git"; mode=trees; }
[ -n "$git" ] && { [ -z "$mode" ] || die "give one of --tree, --base/--patched, --git"; mode=git; }
case $mode in
tree)	[ ${#patches[@]} -gt 0 ] || die "--tree needs at least one --patch" ;;
trees)	[ -n "$base" ] && [ -n "$patched" ] || die "give both --base and --patched" ;;
git)	[ -n "$range" ] || die "--git needs --range A..B" ;;
*)	die "nothing to validate: give --tree and --patch, --base and --patched, or --git and --range (see --help)" ;;
esac
[ "$mode" = tree ] || [ ${#patches[@]} -eq 0 ] || die "--patch goes with --tree"
[ -z "$budget" ] || [ -z "$minutes" ] || die "give --budget or --minutes, not both"
[[ -z "$budget" || "$budget" =~ ^[1-9][0-9]*$ ]] || die "--budget: a positive number of traces"
[[ -z "$minutes" || "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--minutes: a number"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: a positive number"
for p in "${patches[@]}"; do
	[ -f "$p" ] || die "--patch $p: no such file"
done

for cmd in meson ninja python3 cc gcov git patch; do
	command -v "$cmd" >/dev/null 2>&1 || die "validate needs '$cmd' (Debian: apt-get install meson ninja-build python3 gcc git patch)"
done

EXTRACT=$FRAGSIM_ROOT/alloc/extract/extract.py
PATCHPY=$FRAGSIM_ROOT/scripts/validate_patch.py
mapfile -t FILES < <(python3 "$EXTRACT" --list-files) || internal "extract.py --list-files failed"
WORK=$FRAGSIM_CACHE/validate
BUILD=${FRAGSIM_VALIDATE_BUILD:-$FRAGSIM_ROOT/build-validate}
STAGE=$WORK/stage
rm -rf "$STAGE" && mkdir -p "$STAGE/base" "$STAGE/patched" || internal "cannot create $STAGE"

# check_tree DIR: the extractor's one-line reason when DIR is no kernel.
check_tree() {
	local msg
	[ -d "$1" ] || die "$1: no such directory"
	msg=$(python3 "$EXTRACT" --tree "$1" --check 2>&1 >/dev/null) ||
		die "$1: not a kernel tree fragsim can use: ${msg#extract: error: }"
}

# copy_files SRC DEST: the files the extractor reads.
copy_files() {
	local f
	for f in "${FILES[@]}"; do
		[ -f "$1/$f" ] || continue
		mkdir -p "$2/$(dirname "$f")" && cp "$1/$f" "$2/$f" || internal "cannot copy $1/$f"
	done
}

# git_files REPO COMMIT DEST: the extractor's files at COMMIT.
git_files() {
	local f
	for f in "${FILES[@]}"; do
		git -C "$1" cat-file -e "$2:$f" 2>/dev/null || continue
		mkdir -p "$3/$(dirname "$f")" &&
			git -C "$1" show "$2:$f" > "$3/$f" || internal "cannot read $f at $2"
	done
}

is_extracted() {
	local f
	for f in "${FILES[@]}"; do
		[ "$f" = "$1" ] && return 0
	done
	return 1
}

# apply_patch FILE: onto $STAGE/patched, its sections of the extractor's
# files only; git apply first, then patch -p1 (which takes offsets and
# fuzz, and names the hunk that fails).
apply_patch() {
	local p=$1 cut=$STAGE/$(basename "$1").cut out hunk file n
	python3 "$PATCHPY" filter "$p" "${FILES[@]}" > "$cut" || exit 2
	# The stage lies inside fragsim's git repository: keep git from
	# finding it, so paths are taken from the stage.
	(cd "$STAGE/patched" && GIT_CEILING_DIRECTORIES=$STAGE git apply "$cut") \
		>/dev/null 2>&1 && return 0
	out=$(cd "$STAGE/patched" && patch -p1 --dry-run -f < "$cut" 2>&1) &&
		(cd "$STAGE/patched" && patch -p1 -f -s < "$cut") >/dev/null 2>&1 &&
		return 0
	file=$(printf '%s\n' "$out" | awk '/^(patching|checking) file /{f=$3} /FAILED/{print f; exit}')
	n=$(printf '%s\n' "$out" | sed -n 's/^Hunk #\([0-9]*\) FAILED.*/\1/p' | head -1)
	if [ -n "$file" ] && [ -n "$n" ]; then
		hunk=$(python3 "$PATCHPY" hunk "$p" "$file" "$n")
		die "$p does not apply: $file: $hunk"
	fi
	die "$p does not apply: $(printf '%s\n' "$out" | grep -m1 -iE 'error|can.t find|no such|malformed|only garbage' || printf '%s\n' "$out" | tail -1)"
}

case $mode in
tree)
	check_tree "$tree"
	touched=0
	for p in "${patches[@]}"; do
		mapfile -t pf < <(python3 "$PATCHPY" files "$p") || exit 2
		[ ${#pf[@]} -gt 0 ] || exit 2
		for f in "${pf[@]}"; do is_extracted "$f" && touched=1; done
	done
	if [ $touched = 0 ]; then
		echo "nothing to validate: the patches touch none of the files fragsim extracts (${FILES[*]})"
		exit 0
	fi
	copy_files "$tree" "$STAGE/base"
	copy_files "$tree" "$STAGE/patched"
	for p in "${patches[@]}"; do apply_patch "$p"; done
	: "${name:=$(basename "${patches[0]}" | sed 's/\.\(patch\|diff\|eml\|mbox\)$//')}" ;;
trees)
	check_tree "$base"
	check_tree "$patched"
	copy_files "$base" "$STAGE/base"
	copy_files "$patched" "$STAGE/patched"
	: "${name:=$(basename "$base")-vs-$(basename "$patched")}" ;;
git)
	git -C "$git" rev-parse --git-dir >/dev/null 2>&1 || die "$git: not a git repository"
	commits=$(git -C "$git" rev-list "$range" 2>/dev/null) || die "--range $range: not a revision range of $git"
	[ -n "$commits" ] || die "--range $range: no commits"
	tip=$(printf '%s\n' "$commits" | head -1)
	first=$(printf '%s\n' "$commits" | tail -1)
	git -C "$git" rev-parse -q --verify "$first^" >/dev/null || die "--range $range: its first commit has no parent"
	git_files "$git" "$first^" "$STAGE/base"
	git_files "$git" "$tip" "$STAGE/patched"
	check_tree "$STAGE/base"
	: "${name:=$(printf '%s' "$range" | tr -c 'A-Za-z0-9._-' '_')}" ;;
esac
name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
REPORT=$FRAGSIM_ROOT/reports/validate-$name

# The patched tree must still be usable (one line from the extractor).
msg=$(python3 "$EXTRACT" --tree "$STAGE/patched" --check 2>&1 >/dev/null) ||
	die "the patched tree: ${msg#extract: error: }"

# Nothing fragsim runs changed: same extracted code once #line is set aside.
cut_code() {
	python3 "$EXTRACT" --tree "$1" --name tree --id tree --out "$2" 2>"$2.err" ||
		die "$(head -1 "$2.err" | sed 's/^extract: error: //')"
	# The header and FS_KERNEL_TREE name the tree; the build id hashes line
	# numbers.
	grep -v -e '^#line ' -e '^#define FS_BUILD_ID ' -e '^#define FS_KERNEL_TREE ' -e '^/\* Generated by alloc/extract' \
		"$2" > "$2.code"
}
cut_code "$STAGE/base" "$STAGE/base.c"
cut_code "$STAGE/patched" "$STAGE/patched.c"
if cmp -s "$STAGE/base.c.code" "$STAGE/patched.c.code"; then
	echo "nothing to validate: the change leaves the page_frag code fragsim extracts as it was"
	exit 0
fi

# ---------------------------------------------------------------- build

# The tests stop here: they never build kernels.
[ -z "${FRAGSIM_VALIDATE_NO_BUILD:-}" ] || internal "FRAGSIM_VALIDATE_NO_BUILD is set: no build"

# The trees the build reads: a file is rewritten only when it changed, so
# ninja rebuilds exactly what the change touched, never a stale tree.
sync_tree() {
	local src=$1 dst=$2 f
	mkdir -p "$dst"
	for f in "${FILES[@]}"; do
		if [ -f "$src/$f" ]; then
			cmp -s "$src/$f" "$dst/$f" 2>/dev/null && continue
			mkdir -p "$dst/$(dirname "$f")" && cp "$src/$f" "$dst/$f"
		else
			rm -f "$dst/$f"
		fi
	done
}
sync_tree "$STAGE/base" "$WORK/trees/base"
sync_tree "$STAGE/patched" "$WORK/trees/patched"
mkdir -p "$WORK/no-kernels"

# Meson reads the set of files and the layouts at configure time: a
# change there, or other options, reconfigures.
stamp=$(for d in base patched; do
	(cd "$WORK/trees/$d" && find . -type f | sort)
	python3 "$EXTRACT" --tree "$WORK/trees/$d" --check
done | sha1sum | cut -c1-16)
opts=(-Dkernel_tree="$WORK/trees/patched" -Dkernel_tree_base="$WORK/trees/base"
      -Dkernel_cache="$WORK/no-kernels" -Dzoo=false -Dfuzzing=false
      -Dkernel_coverage=true)
t0=$(date +%s)
if [ ! -f "$BUILD/build.ninja" ]; then
	say "configuring ${BUILD#"$FRAGSIM_ROOT"/} (compiler: $(${CC:-cc} --version | head -1))"
	meson setup "$BUILD" "$FRAGSIM_ROOT" "${opts[@]}" > "$WORK/meson.log" 2>&1 ||
		die "meson setup failed: $(grep -m1 -E 'ERROR' "$WORK/meson.log" || tail -1 "$WORK/meson.log")"
elif [ "$(cat "$BUILD/.validate-stamp" 2>/dev/null)" != "$stamp" ]; then
	meson setup --reconfigure "$BUILD" "$FRAGSIM_ROOT" "${opts[@]}" > "$WORK/meson.log" 2>&1 ||
		die "meson setup failed: $(grep -m1 -E 'ERROR' "$WORK/meson.log" || tail -1 "$WORK/meson.log")"
fi
echo "$stamp" > "$BUILD/.validate-stamp"
say "building tree-base and tree"
if ! ninja -C "$BUILD" sim/fragsim > "$WORK/build.log" 2>&1; then
	err=$(grep -m1 -E 'error:' "$WORK/build.log")
	die "the patched code does not build: ${err:-see $WORK/build.log}"
fi
say "built in $(( $(date +%s) - t0 )) s"
FRAGSIM=$BUILD/sim/fragsim

# ---------------------------------------------------------------- run

rm -rf "$REPORT" && mkdir -p "$REPORT" || internal "cannot create $REPORT"
find "$BUILD" -name '*.gcda' -delete
work=(--budget "${budget:-$DEFAULT_BUDGET}")
[ -n "$minutes" ] && work=(--minutes "$minutes")
corpora=()
for d in "$FRAGSIM_ROOT"/corpus/regress "$FRAGSIM_ROOT"/corpus/fuzz_*; do
	[ -d "$d" ] && corpora+=(--corpus "${d#"$FRAGSIM_ROOT"/}")
done
say "fragsim validate ${work[*]} --jobs $jobs --seed $seed"
(cd "$FRAGSIM_ROOT" && "$FRAGSIM" validate --base tree-base --patched tree \
	"${work[@]}" --jobs "$jobs" --seed "$seed" "${corpora[@]}" "${sup[@]}" \
	--out "$REPORT") > "$REPORT/validate.out"
rc=$?
[ $rc -le 1 ] || { cat "$REPORT/validate.out" >&2; internal "fragsim validate exited with $rc"; }

# ---------------------------------------------------------------- coverage

# gcov of the patched target's object; its #line directives name the
# tree's files, so counts land on the tree's lines.
changed=("${FILES[@]}")
python3 "$PATCHPY" changed "$WORK/trees/base" "$WORK/trees/patched" "${changed[@]}" \
	> "$REPORT/changed.json" || internal "cannot diff the trees"
obj=$(find "$BUILD/alloc/libk_tree.a.p" -name '*tree.c.gcda' 2>/dev/null | head -1)
if [ -n "$obj" ]; then
	gcov=(gcov)
	if ${CC:-cc} --version | grep -q clang; then
		gcov=("$(command -v llvm-cov || command -v llvm-cov-14)" gcov)
	fi
	(cd "$WORK/trees/patched" && "${gcov[@]}" -t -o "$(dirname "$obj")" "$obj" \
		> "$REPORT/gcov.txt" 2> "$REPORT/gcov.err")
fi
[ -s "$REPORT/gcov.txt" ] || : > "$REPORT/gcov.txt"
python3 "$PATCHPY" coverage "$REPORT/gcov.txt" "$REPORT/changed.json" \
	> "$REPORT/coverage.json" || internal "coverage failed"
rm -f "$REPORT/gcov.txt"

# ---------------------------------------------------------------- report

{
	echo "mode=$mode"
	case $mode in
	tree) echo "tree=$tree"; for p in "${patches[@]}"; do echo "patch=$p"; done ;;
	trees) echo "base=$base"; echo "patched=$patched" ;;
	git) echo "git=$git"; echo "range=$range"; echo "base_commit=$first^"; echo "patched_commit=$tip" ;;
	esac
	echo "build=${BUILD#"$FRAGSIM_ROOT"/}"
	echo "fragsim=$FRAGSIM"
	echo "compiler=$(${CC:-cc} --version | head -1)"
} > "$REPORT/validate.info"
python3 "$FRAGSIM_ROOT/scripts/validate_report.py" "$REPORT" ||
	internal "the report failed"
exit $rc
