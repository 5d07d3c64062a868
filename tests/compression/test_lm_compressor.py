"""The LM compressor round-trips bit-exactly, refuses streams it cannot decode, and codes at the model's cross-entropy."""

import lzma
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from emergent.compression import sources
from emergent.core import text_corpus
from emergent.compression.byte_models import model_bits_per_byte, byte_model_run
from emergent.compression.lm_compressor import (
    HEADER,
    CompressedStreamError,
    LMCompressor,
    OnlineRecipe,
    PrequentialCompressor,
    Predictor,
)
from emergent.core.models import TinyGPT2, tiny_gpt2

SHAPE = TinyGPT2(vocab_size=256, n_positions=32, n_layer=2, n_head=4, n_embd=32)


@pytest.fixture(scope="module")
def compressor():
    return LMCompressor(tiny_gpt2(SHAPE, seed=0))


@pytest.mark.parametrize(
    "data",
    [b"", b"a", bytes(range(256)), bytes(range(256))[::-1] * 3, b"\n" * 100],
    ids=["empty", "one byte", "all 256 values", "reversed, repeated", "newlines"],
)
def test_round_trip_edge_cases(compressor, data):
    blob = compressor.compress(data)
    assert compressor.decompress(blob) == data
    assert len(blob) >= HEADER.size


@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=400))
def test_round_trip_random_bytes(compressor, data):
    assert compressor.decompress(compressor.compress(data)) == data


def test_round_trip_long_text_and_code_length(compressor):
    text = text_corpus.stdlib_text(text_corpus.STDLIB_TEST, 12_000)
    blob = compressor.compress(text)
    assert compressor.decompress(blob) == text
    report = compressor.report
    # the coder spends what the model's cross-entropy says, within 0.1 %
    assert report.overhead < 0.001
    assert report.ideal_bits == pytest.approx(
        model_bits_per_byte(compressor.model, text) * len(text), rel=1e-5
    )


def test_decoder_in_a_fresh_compressor_gives_the_same_bytes(compressor):
    text = sources.addition_lines(300, seed=5)
    copy = tiny_gpt2(SHAPE, seed=1)
    copy.load_state_dict(compressor.model.state_dict())
    assert compressor.compress(text) == LMCompressor(copy).compress(
        text
    )  # deterministic, bit for bit
    assert LMCompressor(copy).decompress(compressor.compress(text)) == text


def test_predictor_is_gpt2(compressor):
    tokens = torch.randint(0, 256, (3, 10), generator=torch.Generator().manual_seed(0))
    predictor = Predictor(compressor.model, rows=3)
    with torch.inference_mode():
        steps = [predictor.step(tokens[:, t], t) for t in range(10)]
        reference = compressor.model(input_ids=tokens).logits.softmax(-1).double().numpy()
    assert np.allclose(np.stack(steps, axis=1), reference, atol=1e-6)


def test_bad_streams_are_refused(compressor):
    text = text_corpus.stdlib_text(text_corpus.STDLIB_TEST, 3000)
    blob = compressor.compress(text)
    with pytest.raises(CompressedStreamError, match="truncated"):
        compressor.decompress(blob[:-1])
    with pytest.raises(CompressedStreamError, match="corrupted|Checksum"):
        compressor.decompress(blob[:-4])
    corrupted = bytearray(blob)
    corrupted[HEADER.size + 40] ^= 0x10
    with pytest.raises(CompressedStreamError, match="corrupted|Checksum"):
        compressor.decompress(bytes(corrupted))
    with pytest.raises(CompressedStreamError, match="different model"):
        LMCompressor(tiny_gpt2(SHAPE, seed=7)).decompress(blob)
    with pytest.raises(CompressedStreamError, match="too short"):
        compressor.decompress(blob[:10])
    with pytest.raises(CompressedStreamError, match="Not a stream"):
        compressor.decompress(b"PK\x03\x04" + blob[4:])
    with pytest.raises(CompressedStreamError, match="prequential"):
        PrequentialCompressor(SHAPE).decompress(blob)
    with pytest.raises(TypeError, match="encode text"):
        compressor.compress("a string")
    with pytest.raises(ValueError, match="vocab_size"):
        LMCompressor(tiny_gpt2(TinyGPT2(vocab_size=16, n_positions=8)))


@pytest.mark.slow
def test_prequential_round_trip_and_code_length_is_the_area_under_the_loss():
    text = text_corpus.stdlib_text(text_corpus.STDLIB_TEST, 12_000)
    prequential = PrequentialCompressor(SHAPE, OnlineRecipe(learning_rate=3e-3, blocks_per_chunk=8))
    blob = prequential.compress(text)
    report = prequential.report
    assert (
        PrequentialCompressor(
            SHAPE, OnlineRecipe(learning_rate=3e-3, blocks_per_chunk=8)
        ).decompress(blob)
        == text
    )
    area = sum(report.online_loss_bits)
    assert (
        abs(report.payload_bits / area - 1) < 0.001
    )  # the code is the summed online training loss
    losses = np.array(report.online_loss_bits) / np.array(report.chunk_bytes)
    assert (
        losses[-5:].mean() < losses[:2].mean() - 1.0
    )  # it learned while it coded: > 1 bit/byte better
    with pytest.raises(CompressedStreamError, match="different model"):
        PrequentialCompressor(
            SHAPE, OnlineRecipe(learning_rate=1e-3, blocks_per_chunk=8)
        ).decompress(blob)


@pytest.mark.slow
def test_trained_model_beats_xz_on_the_addition_source():
    shape = TinyGPT2(vocab_size=256, n_positions=41, n_layer=2, n_head=4, n_embd=48)
    train = sources.addition_lines(50_000, seed=1)
    model, _ = byte_model_run(
        "test-addition",
        train,
        shape,
        steps=250,
        batch_size=32,
        learning_rate=3e-3,
        align=sources.addition_line_length(2),
    )
    test = sources.addition_lines(1000, seed=2)
    compressor = LMCompressor(model)
    blob = compressor.compress(test)
    assert compressor.decompress(blob) == test
    model_bits = 8 * len(blob)
    xz_bits = 8 * len(lzma.compress(test, preset=9 | lzma.PRESET_EXTREME))
    entropy = sources.addition_information_bits(1000)
    assert entropy < model_bits < xz_bits  # never below the physical limit; already better than xz
    assert model_bits / len(test) < 2.3 and math.isfinite(model_bits)


def test_guess_and_correction_splits_the_whole_code_length(compressor):
    from emergent.compression.byte_models import guess_and_correction

    text = sources.addition_lines(40, seed=5)
    split = guess_and_correction(compressor.model, text)
    assert split["bits_on_right_guesses"] + split["bits_on_wrong_guesses"] == pytest.approx(
        split["total_bits_per_byte"]
    )
    assert split["total_bits_per_byte"] == pytest.approx(
        model_bits_per_byte(compressor.model, text), rel=1e-6
    )
    assert 0 <= split["guessed_right_share"] <= 1
    with pytest.raises(ValueError, match="empty"):
        guess_and_correction(compressor.model, b"")


def test_weights_are_sent_once_even_when_tied(compressor):
    from emergent.compression.byte_models import weight_bytes

    model = compressor.model
    unique = {p.data_ptr(): p.numel() for p in model.parameters()}
    size = weight_bytes(model)
    assert 0 < size <= 4 * sum(unique.values()) * 1.01 + 64  # float32, xz adds at most a little
    assert (
        model.transformer.wte.weight.data_ptr() == model.lm_head.weight.data_ptr()
    )  # tied: counted once
