"""Damaged streams: what a receiver must refuse rather than decode into wrong bytes.

A stream of :mod:`emergent.compression.stream` starts with a 29-byte header: magic (4 bytes), mode
(1), the model's fingerprint (8), the length of the original bytes (8, bytes 13-20), a CRC-32 of
those bytes (4), then a CRC-32 of the header's first 25 bytes (4, bytes 25-28); the coder's 32-bit
words follow. :func:`damaged_streams` makes three damaged copies of a good stream, each of which
the decoder must refuse for a different reason.
"""

from __future__ import annotations

import zlib

from emergent.compression.stream import HEADER

LENGTH = slice(13, 21)  # the header's 8-byte big-endian length of the original bytes
FIELDS = 25  # the header's fields before its own CRC-32
FORGED_LENGTH = 2**40  # far more bytes than any payload here could encode


def damaged_streams(blob: bytes, flipped_byte: int = 100) -> dict[str, bytes]:
    """Three damaged copies of ``blob``, by what was done to each:

    - one bit of the payload flipped (byte ``flipped_byte``): the plaintext CRC catches it;
    - the header's length forged to 2^40 bytes: the header's own CRC catches it;
    - the same forged length with the header's CRC recomputed: only the check that the payload
      could hold that many bytes catches it.
    """
    if len(blob) <= max(HEADER.size, flipped_byte):
        raise ValueError(
            f"the stream has {len(blob)} bytes; flipping byte {flipped_byte} of its "
            f"payload needs more than {max(HEADER.size, flipped_byte)}."
        )
    if flipped_byte < HEADER.size:
        raise ValueError(
            f"byte {flipped_byte} is in the {HEADER.size}-byte header, not the payload."
        )
    damaged = bytearray(blob)
    damaged[flipped_byte] ^= 1
    forged = bytearray(blob)
    forged[LENGTH] = FORGED_LENGTH.to_bytes(8, "big")
    resealed = (
        forged[:FIELDS] + zlib.crc32(forged[:FIELDS]).to_bytes(4, "big") + forged[FIELDS + 4 :]
    )
    return {
        "a flipped payload bit": bytes(damaged),
        "a header claiming 2^40 bytes": bytes(forged),
        "the same, its header checksum recomputed": bytes(resealed),
    }
