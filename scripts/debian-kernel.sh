# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/lib.sh: fetch a Debian linux-source package that the
# machine's own suites do not carry (linux-source-7.x lives in Debian's
# trixie-backports and sid) with `apt-get download`, against a sources list
# and package lists kept in fragsim's own cache.  The mirror is the one the
# machine's apt sources already use; the system's apt configuration is never
# edited and the package is never installed.
#
# Needs FRAGSIM_CACHE, fs_log and fs_die (scripts/lib.sh).

# The first Debian archive URI of the machine's apt sources (deb822
# .sources files and one-line sources.list), security archives skipped.
fs_debian_mirror() {
	local f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] && awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] && awk '$1 == "deb" {
				for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f"
		done
	} 2>/dev/null | grep -v -e '-security' -e '^cdrom:' | grep -E '/debian/?$' | head -n 1
}

# apt-get/apt-cache options that point every state and cache directory at
# $FRAGSIM_CACHE/apt, so nothing of the system's apt is touched.
fs_apt_private_opts() {
	local d=$FRAGSIM_CACHE/apt
	printf '%s\n' -o "Dir::Etc::SourceList=$d/sources.list" \
		-o "Dir::Etc::SourceParts=$d/sources.list.d" \
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" \
		-o "APT::Sandbox::User=$(id -un)" -o Debug::NoLocking=1
}

# fs_apt_private_update SUITES: a private sources list for SUITES
# (comma-separated) on the machine's mirror; refreshed once a day.
fs_apt_private_update() {
	local suites=$1 d=$FRAGSIM_CACHE/apt mirror keyring s list
	local -a opts
	mirror=$(fs_debian_mirror)
	[ -n "$mirror" ] ||
		fs_die "no Debian mirror in /etc/apt/sources* to fetch ${suites//,/ or } from"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$d/sources.list.d" "$d/lists/partial" "$d/cache/archives/partial"
	list=""
	for s in ${suites//,/ }; do
		list+="deb [signed-by=$keyring] $mirror $s main"$'\n'
	done
	if [ "$(cat "$d/sources.list" 2>/dev/null)" = "${list%$'\n'}" ] &&
	   [ -n "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		return 0
	fi
	printf '%s' "$list" > "$d/sources.list"
	mapfile -t opts < <(fs_apt_private_opts)
	fs_log "reading the package lists of ${suites//,/ and } from $mirror (into ${d#$FRAGSIM_ROOT/})"
	apt-get "${opts[@]}" update -qq >/dev/null 2>&1 ||
		fs_die "apt-get update of ${suites//,/ and } from $mirror failed"
}

# fs_fetch_debian_source PACKAGE SUITES: download PACKAGE's .deb from SUITES
# into $FRAGSIM_CACHE/debs (once) and print the path of the .deb.
fs_fetch_debian_source() {
	local pkg=$1 suites=$2 dir=$FRAGSIM_CACHE/debs deb
	local -a opts
	deb=$(ls "$dir/${pkg}_"*_all.deb 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		fs_apt_private_update "$suites"
		mapfile -t opts < <(fs_apt_private_opts)
		mkdir -p "$dir"
		fs_log "downloading $pkg from Debian ${suites//,/ or } (apt-get download, not installed)"
		(cd "$dir" && apt-get "${opts[@]}" download -qq "$pkg" >/dev/null 2>&1) ||
			fs_die "apt-get download $pkg from ${suites//,/ or } failed"
		deb=$(ls "$dir/${pkg}_"*_all.deb 2>/dev/null | sort -V | tail -n 1)
		[ -n "$deb" ] || fs_die "apt-get download $pkg left no .deb in ${dir#$FRAGSIM_ROOT/}"
	fi
	printf '%s\n' "$deb"
}
