# SPDX-License-Identifier: GPL-2.0
# Shared set-up for scripts/test.sh and scripts/campaign.sh: install what
# is missing (Debian), unpack the kernel files the extractor reads into a
# git-ignored cache, configure and build build/.  Idempotent: a second run
# only checks stamps and lets ninja decide what to rebuild.

FRAGSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGSIM_BUILD=${FRAGSIM_BUILD:-$FRAGSIM_ROOT/build}
FRAGSIM_CACHE=${FRAGSIM_CACHE:-$FRAGSIM_ROOT/.cache}
FRAGSIM_KERNELS="6.1 6.12"

fs_log() { printf '%s\n' "fragsim: $*" >&2; }
fs_die() { printf '%s\n' "fragsim: error: $*" >&2; exit 2; }

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
	for v in $FRAGSIM_KERNELS; do
		echo "/usr/src/linux-source-$v.tar.xz linux-source-$v"
	done
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

# Unpack only the files alloc/extract reads, into .cache/kernels/linux-X.Y.
fs_unpack_kernel() {
	local v=$1 tarball=/usr/src/linux-source-$1.tar.xz
	local dir=$FRAGSIM_CACHE/kernels/linux-$v
	local files stamp
	files=$(python3 "$FRAGSIM_ROOT/alloc/extract/extract.py" --list-files) ||
		fs_die "alloc/extract/extract.py --list-files failed"
	stamp="$(stat -c '%s %Y' "$tarball") $(echo "$files" | sha1sum | cut -c1-12)"
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
		return 0
	fi
	fs_log "unpacking the page_frag files of linux-source-$v into ${dir#$FRAGSIM_ROOT/}"
	rm -rf "$dir" && mkdir -p "$dir"
	# Files of later layouts are absent from this release: tar says so and
	# goes on; what matters is that the tree then passes --check.
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		$(echo "$files" | sed "s|^|linux-source-$v/|") 2>/dev/null || true
	python3 "$FRAGSIM_ROOT/alloc/extract/extract.py" --tree "$dir" --check >/dev/null ||
		fs_die "$tarball did not give a usable tree"
	echo "$stamp" > "$dir/.stamp"
}

fs_build() {
	local v opts=()
	for v in $FRAGSIM_KERNELS; do
		opts+=("-Dlinux_${v//./_}=$FRAGSIM_CACHE/kernels/linux-$v")
	done
	if [ ! -f "$FRAGSIM_BUILD/build.ninja" ]; then
		CC=${CC:-clang} meson setup "$FRAGSIM_BUILD" "$FRAGSIM_ROOT" "${opts[@]}" >/dev/null ||
			fs_die "meson setup failed (see $FRAGSIM_BUILD/meson-logs/meson-log.txt)"
	fi
	ninja -C "$FRAGSIM_BUILD" >/dev/null || {
		ninja -C "$FRAGSIM_BUILD" | tail -40 >&2
		fs_die "build failed"
	}
}

fs_setup() {
	fs_install_missing
	for v in $FRAGSIM_KERNELS; do
		fs_unpack_kernel "$v"
	done
	fs_build
}
