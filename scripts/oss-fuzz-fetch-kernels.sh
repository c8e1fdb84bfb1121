#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the kernel files fragsim's extractor reads, for the OSS-Fuzz and
# ClusterFuzzLite Docker images (which have no Debian linux-source-*
# packages): the kernel.org release tarballs of the kernels of
# alloc/kernels.list (its release column: the versions Debian's packages are
# built from), each checked against a SHA-256, cut down to the files that
# `alloc/extract/extract.py --list-files` names.
#
#   scripts/oss-fuzz-fetch-kernels.sh DEST
#
# leaves DEST/<name> for each kernel of the list (linux-6.1, ...: partial
# trees, under 2 MB each, each with a .fragsim-source line saying where it
# came from), which is what scripts/oss-fuzz-build.sh looks for in
# $SRC/kernels.
#
# Environment (all optional), per kernel, named after it (linux-6.1:
# FRAGSIM_LINUX_6_1; scripts/lib.sh's fs_kernel_var):
#   FRAGSIM_LINUX_X_Y   release version (default: the list's release column,
#       the version of Debian's linux-source-X.Y package)
#   FRAGSIM_LINUX_X_Y_SHA256   pinned SHA-256 of the tarball (when unset:
#       the list's sha256 column for its release, if not "-").  When not
#       empty, the tarball must match it.  When empty, it
#       must match its line in kernel.org's sha256sums.asc, fetched in the
#       same run from the same mirror: that catches a truncated or corrupted
#       download, not a compromised mirror (the listing's PGP signature is not
#       checked).  Pin the hashes once they have been read off a trusted copy.
#   FRAGSIM_KERNEL_MIRROR   default https://cdn.kernel.org/pub/linux/kernel
#       (a file:// URL works too; the test in scripts/oss-fuzz-check.sh uses one)
#
# Exit status: 0 trees ready, 1 download or check failed, 2 usage.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/lib.sh"	# fs_kernels: alloc/kernels.list
EXTRACT="$ROOT/alloc/extract/extract.py"
MIRROR=${FRAGSIM_KERNEL_MIRROR:-https://cdn.kernel.org/pub/linux/kernel}
MIRROR=${MIRROR%/}

say() { printf 'fetch-kernels: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ $# -eq 1 ] || { say "usage: $0 DEST"; exit 2; }
DEST=$1
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)

command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
FILES=$(python3 "$EXTRACT" --list-files) || die "extract.py --list-files failed"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# fetch URL FILE
fetch() {
	curl -fsSL --retry 3 --retry-delay 5 -o "$2" "$1" || die "cannot download $1"
}

fetched_listing=""

# fetch_one NAME RELEASE SHA256 (a line of the list) -> DEST/NAME
fetch_one() {
	local name=$1 series=${1#linux-} default=$2 listed=${3#-}
	local vvar hvar
	vvar=$(fs_kernel_var "$name") hvar=$(fs_kernel_var "$name")_SHA256
	[ "$series" != "$name" ] || die "$name: a kernel.org kernel is named linux-X.Y"
	local ver=${!vvar:-$default}
	# The list's hash is that of its release only.
	[ "$ver" = "$default" ] || listed=
	# Set and empty: not pinned (only the mirror's listing is checked).
	local pin=${!hvar-$listed} pinned_by=$hvar
	[ -n "${!hvar:-}" ] || pinned_by=alloc/kernels.list
	local major=${ver%%.*}
	local tarball="linux-$ver.tar.xz" url="$MIRROR/v$major.x/linux-$ver.tar.xz"
	local want got dir="$DEST/$name"

	case $ver in
	"$series".*|"$series") ;;
	*) die "$vvar=$ver is not a $series release" ;;
	esac

	if [ -n "$pin" ]; then
		want=$pin
	else
		if [ "$fetched_listing" != "$major" ]; then
			fetch "$MIRROR/v$major.x/sha256sums.asc" "$TMP/sha256sums.asc"
			fetched_listing=$major
		fi
		want=$(awk -v f="$tarball" '$2 == f { print $1 }' "$TMP/sha256sums.asc")
		[ -n "$want" ] || die "$tarball is not listed in $MIRROR/v$major.x/sha256sums.asc"
	fi
	[[ $want =~ ^[0-9a-f]{64}$ ]] || die "bad SHA-256 for $tarball: '$want'"

	say "downloading $url"
	fetch "$url" "$TMP/$tarball"
	got=$(sha256sum "$TMP/$tarball" | cut -d' ' -f1)
	[ "$got" = "$want" ] ||
		die "$tarball: SHA-256 $got, expected $want${pin:+ (pinned by $pinned_by)}"

	rm -rf "$dir" && mkdir -p "$dir"
	# Files of later layouts (mm/page_frag_cache.c, ...) are absent from
	# older releases: tar complains and goes on; --check below decides.
	local members
	mapfile -t members < <(printf '%s\n' "$FILES" | sed "s|^|linux-$ver/|")
	tar -xJf "$TMP/$tarball" -C "$dir" --strip-components=1 \
		"${members[@]}" 2>/dev/null || true
	rm -f "$TMP/$tarball"

	local mk="$dir/Makefile" v p s
	[ -f "$mk" ] || die "$tarball has no linux-$ver/Makefile"
	v=$(awk '$1 == "VERSION" { print $3; exit }' "$mk")
	p=$(awk '$1 == "PATCHLEVEL" { print $3; exit }' "$mk")
	s=$(awk '$1 == "SUBLEVEL" { print $3; exit }' "$mk")
	case $ver in
	"$v.$p.$s"|"$v.$p") ;;
	*) die "$tarball: Makefile says $v.$p.$s" ;;
	esac
	python3 "$EXTRACT" --tree "$dir" --check >/dev/null ||
		die "$tarball did not give a tree extract.py accepts"
	printf '%s sha256=%s from %s\n' "$tarball" "$got" "$url" > "$dir/.fragsim-source"
	say "$name: $tarball ($(find "$dir" -type f | wc -l) files) in $dir"
}

mapfile -t kernels < <(fs_kernels)
for k in "${kernels[@]}"; do
	read -r name _ _ release sha256 <<< "$k"
	fetch_one "$name" "$release" "$sha256"
done
