# SPDX-License-Identifier: GPL-2.0
"""The kernel versions fragsim builds: alloc/kernels.list, the one list
(meson, scripts/lib.sh's fs_kernels and the OSS-Fuzz images read it too)."""

from pathlib import Path

LIST = Path(__file__).resolve().parent.parent / "alloc" / "kernels.list"
FIELDS = ("name", "package", "source", "release", "sha256")


def kernels():
    """One dict per kernel (FIELDS), oldest first, as the list has them."""
    out = []
    for line in LIST.read_text(encoding="utf-8").splitlines():
        words = line.split("#")[0].split()
        if words:
            out.append(dict(zip(FIELDS, words)))
    return out


def names_newest_first():
    """Target names in the order campaigns run them: newest first."""
    return [k["name"] for k in reversed(kernels())]
