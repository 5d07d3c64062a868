"""The three damaged streams: each differs from the good one where its docstring says, and each is
refused by the stream checks for its own reason."""

import zlib

import numpy as np
import pytest
from emergent.compression import stream, tampering

FINGERPRINT = bytes(range(8))
DATA = b"07+58=065\n" * 40
WORDS = np.arange(40, dtype=np.uint32)  # 160 bytes of payload: the bytes need not decode


def good_blob() -> bytes:
    return stream.pack(stream.STATIC, FINGERPRINT, DATA, WORDS)


def differing_bytes(a: bytes, b: bytes) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_the_good_stream_passes_the_checks():
    length, crc, words = stream.unpack(good_blob(), stream.STATIC, FINGERPRINT)
    assert length == len(DATA) and crc == zlib.crc32(DATA) and np.array_equal(words, WORDS)


def test_each_copy_is_damaged_where_it_says():
    blob = good_blob()
    damaged = tampering.damaged_streams(blob)
    assert list(damaged) == [
        "a flipped payload bit",
        "a header claiming 2^40 bytes",
        "the same, its header checksum recomputed",
    ]
    flipped, forged, resealed = damaged.values()
    assert differing_bytes(blob, flipped) == [100] and flipped[100] == blob[100] ^ 1
    assert set(differing_bytes(blob, forged)) <= set(range(13, 21))
    assert int.from_bytes(forged[13:21], "big") == 2**40
    assert set(differing_bytes(blob, resealed)) <= set(range(13, 29))
    assert all(len(bad) == len(blob) for bad in damaged.values())


def test_each_damaged_copy_is_refused_for_its_own_reason():
    flipped, forged, resealed = tampering.damaged_streams(good_blob()).values()
    # a flipped payload bit passes the header checks; the plaintext CRC catches it after decoding
    stream.unpack(flipped, stream.STATIC, FINGERPRINT)
    with pytest.raises(stream.CompressedStreamError, match="checksum"):
        stream.unpack(forged, stream.STATIC, FINGERPRINT)
    with pytest.raises(stream.CompressedStreamError, match="can encode at most"):
        stream.unpack(resealed, stream.STATIC, FINGERPRINT)


def test_a_stream_too_short_or_a_header_byte_is_refused():
    with pytest.raises(ValueError, match="needs more than"):
        tampering.damaged_streams(good_blob()[:60])
    with pytest.raises(ValueError, match="header"):
        tampering.damaged_streams(good_blob(), flipped_byte=20)
