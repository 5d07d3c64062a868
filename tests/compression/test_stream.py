"""The stream format: every damaged or forged stream is refused quickly, never decoded into wrong bytes."""

import functools
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergent.compression import stream
from emergent.compression.lm_compressor import (
    CompressedStreamError,
    LMCompressor,
    OnlineRecipe,
    PrequentialCompressor,
)
from emergent.core.models import TinyGPT2, tiny_gpt2

SHAPE = TinyGPT2(vocab_size=256, n_positions=16, n_layer=1, n_head=2, n_embd=16)
MESSAGE = b"03+41=044\n77+19=096\n" * 3
FIELDS = {
    "magic": (0, 4),
    "mode": (4, 5),
    "fingerprint": (5, 13),
    "length": (13, 21),
    "plaintext crc": (21, 25),
    "header crc": (25, 29),
}


@functools.lru_cache(maxsize=None)
def coder(mode: str):
    if mode == "static":
        return LMCompressor(tiny_gpt2(SHAPE, seed=0))
    return PrequentialCompressor(SHAPE, OnlineRecipe(blocks_per_chunk=2))


@functools.lru_cache(maxsize=None)
def good_stream(mode: str) -> bytes:
    return coder(mode).compress(MESSAGE)


def reseal(blob: bytearray) -> bytearray:
    """Recompute the header's own checksum, as a forger would."""
    blob[25:29] = zlib.crc32(bytes(blob[:25])).to_bytes(4, "big")
    return blob


mutations = st.one_of(
    st.tuples(
        st.just("field"),
        st.sampled_from(sorted(FIELDS)),
        st.binary(min_size=8, max_size=8),
        st.booleans(),
    ),
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=16)),
)


def mutate(blob: bytes, mutation) -> bytes:
    blob, kind = bytearray(blob), mutation[0]
    if kind == "field":
        _, name, value, resealed = mutation
        start, stop = FIELDS[name]
        blob[start:stop] = value[: stop - start]
        if resealed and name != "header crc":
            reseal(blob)
    elif kind == "flip":
        blob[mutation[1] % len(blob)] ^= 1 << mutation[2]
    elif kind == "truncate":
        del blob[mutation[1] % len(blob) :]
    else:
        blob += mutation[1]
    return bytes(blob)


def decodes_right_or_is_refused_at_once(mode: str, bad: bytes):
    start = time.perf_counter()
    try:
        assert coder(mode).decompress(bad) == MESSAGE, (
            "a damaged stream was decoded into wrong bytes"
        )
    except CompressedStreamError:
        pass
    assert time.perf_counter() - start < 1.0, "a damaged stream took over a second to refuse"


@settings(max_examples=600, deadline=None, derandomize=True)
@given(mutations)
def test_every_mutation_of_a_static_stream_round_trips_or_is_refused(mutation):
    decodes_right_or_is_refused_at_once("static", mutate(good_stream("static"), mutation))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(mutations)
def test_every_mutation_of_a_prequential_stream_round_trips_or_is_refused(mutation):
    decodes_right_or_is_refused_at_once("prequential", mutate(good_stream("prequential"), mutation))


@pytest.mark.parametrize("mode", ["static", "prequential"])
def test_a_forged_length_is_refused_before_decoding(mode):
    blob = bytearray(good_stream(mode))
    blob[13:21] = (2**40).to_bytes(8, "big")
    with pytest.raises(CompressedStreamError, match="header fails its checksum"):
        coder(mode).decompress(bytes(blob))
    with pytest.raises(CompressedStreamError, match="can encode at most"):
        coder(mode).decompress(bytes(reseal(blob)))


def test_the_length_bound_follows_from_the_coder_precision():
    # each byte costs at least -log2(1 - 255/2^24) bits: about 2.2e-5
    assert stream.MIN_BITS_PER_BYTE == pytest.approx(2.1929e-5, rel=1e-4)
    assert stream.longest_message(10) == int(
        32 * (10 + stream.FLUSH_WORDS) / stream.MIN_BITS_PER_BYTE
    )
    words = len(good_stream("static")) // 4
    assert len(MESSAGE) <= stream.longest_message(words)


def test_header_layout_and_bad_input():
    blob = good_stream("static")
    assert stream.HEADER.size == 29 and blob[:4] == stream.MAGIC
    assert int.from_bytes(blob[13:21], "big") == len(MESSAGE)
    with pytest.raises(TypeError, match="compressed bytes"):
        coder("static").decompress("not bytes")
