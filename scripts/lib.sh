# SPDX-License-Identifier: GPL-2.0
# Shared set-up for scripts/test.sh and scripts/campaign.sh: install what
# is missing (Debian), unpack the kernel files the extractor reads into a
# git-ignored cache, configure and build build/.  Idempotent: a second run
# only checks stamps and lets ninja decide what to rebuild.

FRAGSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGSIM_BUILD=${FRAGSIM_BUILD:-$FRAGSIM_ROOT/build}
FRAGSIM_CACHE=${FRAGSIM_CACHE:-$FRAGSIM_ROOT/.cache}
source "$FRAGSIM_ROOT/scripts/debian-kernel.sh"

fs_log() { printf '%s\n' "fragsim: $*" >&2; }
fs_die() { printf '%s\n' "fragsim: error: $*" >&2; exit 2; }

# The kernel versions (alloc/kernels.list, the one list), without its
# comments: "NAME PACKAGE FROM RELEASE SHA256" lines, oldest first, or
# newest first (the order campaigns run them in) with --newest-first.
fs_kernels() {
	local list=$FRAGSIM_ROOT/alloc/kernels.list
	[ -f "$list" ] || fs_die "no $list"
	if [ "${1:-}" = --newest-first ]; then
		fs_kernels | tac
	else
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"
	fi
}

# fs_kernel_var NAME: the environment variable that overrides kernel NAME's
# release in scripts/oss-fuzz-fetch-kernels.sh (linux-6.1: FRAGSIM_LINUX_6_1;
# its SHA-256: that name plus _SHA256).
fs_kernel_var() {
	local v=${1^^}
	v=${v//[.-]/_}
	echo "FRAGSIM_$v"
}

# command-or-file -> Debian package
fs_required() {
	cat <<-'EOM'
	meson meson
	ninja ninja-build
	clang clang
	python3 python3
	xz xz-utils
	/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a libclang-rt-14-dev
	EOM
	fs_kernels | awk '$3 == "install" { print "/usr/src/" $2 ".tar.xz " $2 }'
}

fs_install_missing() {
	local missing=() what pkg
	while read -r what pkg; do
		if [[ $what == /* ]]; then
			[ -e "$what" ] && continue
		else
			command -v "$what" >/dev/null 2>&1 && continue
		fi
		missing+=("$pkg")
	done < <(fs_required)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		fs_die "missing Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})"
	fi
	fs_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null ||
		fs_die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		fs_die "apt-get install ${missing[*]} failed"
}

# fs_kernel_tarball PACKAGE FROM: the linux-source tarball of PACKAGE, as
# "FILE" (installed: /usr/src/PACKAGE.tar.xz) or "DEB" (downloaded from the
# suites FROM, the tarball still inside the .deb).
fs_kernel_tarball() {
	if [ "$2" = install ]; then
		echo "/usr/src/$1.tar.xz"
	else
		fs_fetch_debian_source "$1" "$2"
	fi
}

# fs_unpack_kernel NAME PACKAGE FROM: unpack only the files alloc/extract
# reads, into .cache/kernels/NAME.
fs_unpack_kernel() {
	local name=$1 pkg=$2 from=$3 src dir=$FRAGSIM_CACHE/kernels/$1
	local files stamp
	src=$(fs_kernel_tarball "$pkg" "$from") || exit 2
	files=$(python3 "$FRAGSIM_ROOT/alloc/extract/extract.py" --list-files) ||
		fs_die "alloc/extract/extract.py --list-files failed"
	stamp="$(basename "$src") $(stat -c '%s %Y' "$src") $(echo "$files" | sha1sum | cut -c1-12)"
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
		return 0
	fi
	fs_log "unpacking the page_frag files of $pkg into ${dir#$FRAGSIM_ROOT/}"
	rm -rf "$dir" && mkdir -p "$dir"
	# Files of later layouts are absent from this release: tar says so and
	# goes on; what matters is that the tree then passes --check.
	case $src in
	*.deb)	dpkg-deb --fsys-tarfile "$src" | tar -xO "./usr/src/$pkg.tar.xz" ;;
	*)	cat "$src" ;;
	esac | tar -xJ -C "$dir" --strip-components=1 \
		$(echo "$files" | sed "s|^|$pkg/|") 2>/dev/null || true
	python3 "$FRAGSIM_ROOT/alloc/extract/extract.py" --tree "$dir" --check >/dev/null ||
		fs_die "$src did not give a usable tree"
	echo "$stamp" > "$dir/.stamp"
}

# fs_fuzz_options FILE SECTION: a section of a fuzzer's .options file (the
# OSS-Fuzz INI form), as OSS-Fuzz's runner uses it: [libfuzzer] as
# "-key=value ..." flags, [asan] / [ubsan] as "key=value:...".  Every script
# that starts a fuzzer takes its flags from here.
fs_fuzz_options() {
	[ -f "$1" ] || return 0
	python3 - "$1" "$2" <<-'EOF'
	import configparser, sys
	c = configparser.ConfigParser()
	c.read(sys.argv[1])
	s = sys.argv[2]
	if c.has_section(s):
	    kv = c.items(s)
	    if s == "libfuzzer":
	        print(" ".join("-%s=%s" % x for x in kv))
	    else:
	        print(":".join("%s=%s" % x for x in kv))
	EOF
}

# fs_build_option DIR NAME: the value of meson option NAME in build dir DIR
# (empty when DIR is not configured or has no such option).
fs_build_option() {
	python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == sys.argv[2]), ""))' \
		"$1/meson-info/intro-buildoptions.json" "$2" 2>/dev/null
}

# fs_build_variant DIR NINJA-TARGETS ENV... -- MESON-ARGS...: configure DIR once
# with ENV (meson reads CC/CFLAGS only then: a change of ENV or MESON-ARGS
# starts DIR afresh), then build NINJA-TARGETS with ENV (AFL_USE_ASAN
# works at compile time).  The kernel trees are fs_build's for build/, and
# the tree of target "tree" if build/ was configured with one.
fs_build_variant() {
	local bdir=$1 ninja_targets=$2 envs=() stamp log kernel_tree
	local kernel_opts=("-Dkernel_cache=$FRAGSIM_CACHE/kernels")
	kernel_tree=$(fs_build_option "$FRAGSIM_BUILD" kernel_tree)
	[ -z "$kernel_tree" ] || kernel_opts+=("-Dkernel_tree=$kernel_tree")
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	stamp="${envs[*]} | $* ${kernel_opts[*]}"
	if [ -e "$bdir" ] && { [ ! -f "$bdir/build.ninja" ] ||
			[ "$(cat "$bdir/.fragsim-fuzz-config" 2>/dev/null)" != "$stamp" ]; }; then
		fs_log "${bdir#"$FRAGSIM_ROOT"/}: not configured, or with other flags; configuring it afresh"
		rm -rf "$bdir"
	fi
	if [ ! -f "$bdir/build.ninja" ]; then
		fs_log "configuring ${bdir#"$FRAGSIM_ROOT"/} (${envs[*]})"
		mkdir -p "$bdir/meson-private"
		# Sanity-check programs of an instrumented compiler write profiles:
		# keep them out of the source tree.
		if ! env "${envs[@]}" LLVM_PROFILE_FILE="$bdir/meson-private/%p.profraw" \
				meson setup "$bdir" "$FRAGSIM_ROOT" "${kernel_opts[@]}" "$@" \
				> "$bdir/fragsim-fuzz-setup.log" 2>&1; then
			tail -20 "$bdir/fragsim-fuzz-setup.log" >&2
			fs_log "error: meson setup ${bdir#"$FRAGSIM_ROOT"/} failed (see ${bdir#"$FRAGSIM_ROOT"/}/fragsim-fuzz-setup.log)"
			return 1
		fi
		rm -f "$bdir/fragsim-fuzz-setup.log"
		echo "$stamp" > "$bdir/.fragsim-fuzz-config"
	fi
	log=$bdir/meson-logs/fragsim-fuzz-ninja.log
	# shellcheck disable=SC2086 # a list of ninja targets
	if ! env "${envs[@]}" LLVM_PROFILE_FILE="$bdir/meson-private/%p.profraw" \
			nice ninja -C "$bdir" $ninja_targets > "$log" 2>&1; then
		grep -E 'error|FAILED' "$log" | head -20 >&2
		fs_log "error: building ${bdir#"$FRAGSIM_ROOT"/} failed (see ${log#"$FRAGSIM_ROOT"/})"
		return 1
	fi
}

# fs_build_cov NINJA-TARGETS: build-cov/, llvm source-based coverage of
# everything (the fuzzers' replay main: scripts/fuzz.sh; fragsim: the
# campaign's kernel coverage of its fragsim run traces).
fs_build_cov() {
	fs_build_variant "$FRAGSIM_ROOT/build-cov" "$1" CC=clang CXX=clang++ \
		"CFLAGS=-fprofile-instr-generate -fcoverage-mapping" \
		"LDFLAGS=-fprofile-instr-generate" -- \
		-Db_lto=false -Dfuzzing=true -Dfuzzing_engine=
}

fs_build() {
	local cache=$FRAGSIM_CACHE/kernels
	if [ ! -f "$FRAGSIM_BUILD/build.ninja" ]; then
		CC=${CC:-clang} meson setup "$FRAGSIM_BUILD" "$FRAGSIM_ROOT" \
			"-Dkernel_cache=$cache" >/dev/null ||
			fs_die "meson setup failed (see $FRAGSIM_BUILD/meson-logs/meson-log.txt)"
	elif [ "$(fs_build_option "$FRAGSIM_BUILD" kernel_cache)" != "$cache" ]; then
		# Configured elsewhere, or before the kernel_cache option existed.
		meson setup --reconfigure "$FRAGSIM_BUILD" "$FRAGSIM_ROOT" \
			"-Dkernel_cache=$cache" >/dev/null ||
			fs_die "meson setup --reconfigure failed (see $FRAGSIM_BUILD/meson-logs/meson-log.txt)"
	fi
	ninja -C "$FRAGSIM_BUILD" >/dev/null || {
		ninja -C "$FRAGSIM_BUILD" | tail -40 >&2
		fs_die "build failed"
	}
}

fs_setup() {
	local name pkg from
	fs_install_missing
	while read -r name pkg from _; do
		fs_unpack_kernel "$name" "$pkg" "$from"
	done < <(fs_kernels)
	fs_build
}
