"""The classical compressors the book compares with: gzip, bzip2, xz and zstd at their strongest
settings, and xz given the training text first."""

from __future__ import annotations

import bz2
import gzip
import lzma

import zstandard


def classical_sizes(data: bytes) -> dict[str, int]:
    """Compressed size in bytes of ``data`` under gzip, bzip2, xz and zstd, each at its strongest setting."""
    return {
        "gzip -9": len(gzip.compress(data, compresslevel=9, mtime=0)),
        "bzip2 -9": len(bz2.compress(data, compresslevel=9)),
        "xz -9e": len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)),
        "zstd -19": len(zstandard.ZstdCompressor(level=19).compress(data)),
    }


def xz_conditional_size(train: bytes, test: bytes) -> int:
    """Bytes xz needs for ``test`` once it has seen ``train``: ``xz(train + test) - xz(train)``.

    The fair baseline for a model trained on ``train``: the dictionary coder, too, may use it.
    """
    xz = lambda data: len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))  # noqa: E731
    return xz(train + test) - xz(train)
