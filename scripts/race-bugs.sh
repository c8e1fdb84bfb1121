#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hand-made race-only bugs for measuring time to detect (issue 14): each
# splits an atomic "decrement and test" of a page's refcount into a
# decrement and a later read, so two CPUs can both act on the same value.
# Sequentially every one is correct; only an interleaving exposes it.
#
#   scripts/race-bugs.sh BUG SRC_TREE DEST_TREE
#
# copies SRC_TREE (a full or partial kernel tree, 6.12 or 7.x) to DEST_TREE
# and applies BUG there; then
#   meson setup B -Dkernel_tree=DEST_TREE -Dzoo=false && ninja -C B
#   B/fragsim run --target tree --stop --seed 1
# On a 7.x copy the base's own open bug (Z-5, oversize-null-no-refill) comes
# first: the built-in suppressions name the packaged kernels, never "tree"
# (docs/suppressions.md).  The script writes DEST_TREE/known-z5.supp for it:
#   B/fragsim run --target tree --stop --seed 1 --suppress DEST_TREE/known-z5.supp
# BUG:
#   free     page_frag_free(): page_ref_dec(); if (page_ref_count() == 0) free
#   drain    __page_frag_cache_drain(): page_ref_sub(); if (!page_ref_count()) free
#   recycle  __page_frag_alloc_align()'s recycle: page_ref_sub(bias); if (page_ref_count()) refill
# No kernel text is kept here: the edits are patterns applied to your copy.
set -euo pipefail

[ $# -eq 3 ] || { sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
bug=$1 src=$2 dst=$3
for f in mm/page_frag_cache.c mm/page_alloc.c; do
	if [ -f "$src/$f" ] && grep -q '^void page_frag_free' "$src/$f"; then
		file=$f
	fi
done
[ -n "${file:-}" ] || { echo "race-bugs: no page_frag_free() in $src/mm" >&2; exit 2; }
rm -rf "$dst"
cp -a "$src" "$dst"
case $bug in
free)
	perl -0777 -pi -e 's/(void page_frag_free\(void \*addr\)\n\{\n[^\n]*\n\n)\tif \(unlikely\(put_page_testzero\(page\)\)\)/$1\tpage_ref_dec(page);\n\tif (unlikely(page_ref_count(page) == 0))/ or die "free: pattern not found\n"' "$dst/$file" ;;
drain)
	perl -0777 -pi -e 's/\tif \(page_ref_sub_and_test\(page, count\)\)/\tpage_ref_sub(page, count);\n\tif (page_ref_count(page) == 0)/ or die "drain: pattern not found\n"' "$dst/$file" ;;
recycle)
	perl -0777 -pi -e 's/\t\tif \(!page_ref_sub_and_test\(page, nc->pagecnt_bias\)\)/\t\tpage_ref_sub(page, nc->pagecnt_bias);\n\t\tif (page_ref_count(page))/ or die "recycle: pattern not found\n"' "$dst/$file" ;;
*)
	echo "race-bugs: unknown bug '$bug' (free, drain, recycle)" >&2; exit 2 ;;
esac
# The built-in entry for Z-5, re-targeted at "tree" (one definition:
# sim/check/known-bugs.supp).
{
	echo "# The base kernel's own open bug, so that a run reaches the injected race."
	awk -v RS= '/kind: oversize-null-no-refill/ { sub(/target: [^\n]*/, "target: tree"); print }' \
		"$(dirname "$0")/../sim/check/known-bugs.supp" | grep -v '^#'
} > "$dst/known-z5.supp"
grep -q '^target: tree' "$dst/known-z5.supp" ||
	{ echo "race-bugs: no Z-5 entry in sim/check/known-bugs.supp" >&2; exit 2; }
echo "race-bugs: $bug applied to $dst/$file"
