"""The compressed-stream format: a header that protects itself, then the range coder's words.

Layout (big-endian header, then the coder's little-endian 32-bit words)::

    b"LMZ2" | mode (1 byte) | model fingerprint (8) | length (8) | CRC-32 of the plaintext (4)
            | CRC-32 of the 25 header bytes before it (4) | words...

Every way a stream can be wrong is refused with :class:`CompressedStreamError` before or while it
is decoded, never by returning wrong bytes:

- a damaged header fails its own checksum at once, before any decoding starts;
- a length the payload cannot possibly hold is refused at once (see :func:`longest_message`), so
  a forged length cannot make the decoder run for hours;
- a damaged payload decodes to bytes whose CRC-32 differs from the one in the header.
"""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np

MAGIC = b"LMZ2"
STATIC, PREQUENTIAL = 0, 1
MODES = {STATIC: "static", PREQUENTIAL: "prequential"}
_FIELDS = struct.Struct(">4sB8sQI")  # magic, mode, fingerprint, length, plaintext CRC-32: 25 bytes
HEADER = struct.Struct(">4sB8sQII")  # the same fields and the header's own CRC-32: 29 bytes

# The coder quantises each probability table to 24-bit integer frequencies and gives every byte
# at least frequency 1, so no byte is ever more likely than 1 - 255 / 2^24: each one costs at
# least this many bits, and a payload of w words can hold only so many bytes.
PRECISION = 24
MIN_BITS_PER_BYTE = -math.log2(1 - 255 / 2**PRECISION)
FLUSH_WORDS = 4  # slack for the coder's 64-bit state and its flush, with room to spare


class CompressedStreamError(ValueError):
    """A compressed stream that cannot be decoded correctly: wrong model, truncated or corrupted."""


def longest_message(words: int) -> int:
    """The most bytes that ``words`` 32-bit words of payload can encode, however good the model."""
    return math.floor(32 * (words + FLUSH_WORDS) / MIN_BITS_PER_BYTE)


def pack(mode: int, fingerprint: bytes, data: bytes, words: np.ndarray) -> bytes:
    """Header and payload of one stream."""
    fields = _FIELDS.pack(MAGIC, mode, fingerprint, len(data), zlib.crc32(data))
    return fields + struct.pack(">I", zlib.crc32(fields)) + np.asarray(words, dtype="<u4").tobytes()


def unpack(blob: bytes, mode: int, fingerprint: bytes) -> tuple[int, int, np.ndarray]:
    """``(length, plaintext CRC-32, payload words)`` of a stream, after every check that can be
    made before decoding; raises :class:`CompressedStreamError` naming what is wrong."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise TypeError(f"Expected the compressed bytes, got {type(blob).__name__}.")
    blob = bytes(blob)
    if len(blob) < HEADER.size:
        raise CompressedStreamError(
            f"Stream too short ({len(blob)} bytes) to hold the {HEADER.size}-byte header: truncated?"
        )
    magic, found_mode, found_print, length, crc, header_crc = HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise CompressedStreamError(
            f"Not a stream of this compressor (starts with {magic!r}, expected {MAGIC!r})."
        )
    if zlib.crc32(blob[: _FIELDS.size]) != header_crc:
        raise CompressedStreamError(
            "The header fails its checksum: the stream's header is corrupted."
        )
    if found_mode != mode:
        raise CompressedStreamError(
            f"This stream was made in {MODES.get(found_mode, found_mode)} mode; decode it with the "
            f"{MODES.get(found_mode, '?')} compressor, not the {MODES[mode]} one."
        )
    if found_print != fingerprint:
        raise CompressedStreamError(
            f"This stream was made by a different model (fingerprint {found_print.hex()}, this one is "
            f"{fingerprint.hex()}): decoding it would give wrong bytes."
        )
    payload = blob[HEADER.size :]
    if len(payload) % 4:
        raise CompressedStreamError(
            f"Payload of {len(payload)} bytes is not whole 32-bit words: truncated?"
        )
    words = len(payload) // 4
    if length > longest_message(words):
        raise CompressedStreamError(
            f"The header claims {length:,} bytes, but {words:,} words of payload can encode at most "
            f"{longest_message(words):,}: the stream is truncated or its length is corrupted."
        )
    return length, crc, np.frombuffer(payload, dtype="<u4").astype(np.uint32)


def verified(decoded: bytes, length: int, crc: int) -> bytes:
    """``decoded`` if it has the length and CRC-32 the header promised; raises otherwise."""
    if len(decoded) != length or zlib.crc32(decoded) != crc:
        raise CompressedStreamError(
            "Checksum mismatch: the stream is corrupted or truncated (the decoded bytes differ from the original)."
        )
    return decoded
