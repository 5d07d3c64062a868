"""The teaching coder round-trips exactly and meets the 2-bit bound; the range coder agrees with it within 2 bits."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergent.compression import arithmetic_coding as ac
from emergent.core.checks import CheckFailed
from emergent.compression import exercises


@st.composite
def tables_and_messages(draw):
    size = draw(st.integers(2, 6))
    weights = draw(st.lists(st.integers(1, 20), min_size=size, max_size=size))
    message = draw(st.lists(st.integers(0, size - 1), max_size=40))
    return weights, message


@settings(max_examples=150, deadline=None)
@given(tables_and_messages())
def test_teaching_coder_round_trips_within_two_bits(case):
    table, message = case
    bits = ac.encode(message, table)
    assert ac.decode(bits, table, len(message)) == message
    assert len(bits) <= ac.ideal_code_length(message, table) + 2


def test_adaptive_model_round_trips():
    def laplace(prefix):  # counts so far, plus one: an adaptive model
        return [1 + sum(1 for s in prefix if s == k) for k in range(3)]

    message = [0, 0, 1, 0, 2, 0, 0, 0, 1, 0]
    bits = ac.encode(message, laplace)
    assert ac.decode(bits, laplace, len(message)) == message
    assert len(bits) <= ac.ideal_code_length(message, laplace) + 2


def test_interval_widths_multiply_probabilities():
    trace = ac.interval_trace([2, 0], [1, 1, 2])
    assert trace[-1] == (Fraction(1, 2), Fraction(1, 8))
    assert ac.encode([], [1, 1]) == ""  # nothing to say costs nothing


def test_information_basics():
    assert ac.entropy([0.25] * 4) == pytest.approx(2.0)
    assert ac.entropy([1, 1, 2]) == pytest.approx(1.5)
    assert ac.nats_to_bits(3.0) == pytest.approx(4.328, abs=1e-3)  # not 3, as a seed has it
    assert ac.bits_per_byte(1.6, 4.0) == pytest.approx(1.6 / math.log(2) / 4)
    assert ac.compression_ratio(1.0) == 8.0
    lengths = [math.ceil(ac.self_information(p)) for p in (0.5, 0.3, 0.2)]
    assert ac.kraft_sum(lengths) <= 1.0  # Shannon's lengths always fit
    assert ac.kraft_sum([1, 1, 1]) > 1.0  # three 1-bit codewords cannot be prefix-free


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="alphabet"):
        ac.encode([3], [1, 1])
    with pytest.raises(ValueError, match="probability 0"):
        ac.encode([1], [1, 0])
    with pytest.raises(ValueError, match="'0' and '1'"):
        ac.decode("012", [1, 1], 2)
    with pytest.raises(ValueError, match="unit"):
        ac.bits_per_byte(1.0, 4.0, unit="decibels")
    with pytest.raises(ValueError):
        ac.self_information(0.0)


def test_range_coder_round_trip_and_overhead_on_100kB():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.full(256, 0.3))
    symbols = rng.choice(256, size=150_000, p=probabilities)
    words = ac.range_encode(symbols, probabilities)
    assert np.array_equal(ac.range_decode(words, probabilities, symbols.size), symbols)
    ideal = -np.log2(probabilities[symbols]).sum()
    assert 32 * words.size / ideal - 1 <= 0.001  # within 0.1 % of sum -log2 p


@settings(max_examples=40, deadline=None)
@given(tables_and_messages())
def test_teaching_and_production_coders_agree(case):
    table, message = case
    probabilities = np.array(table, dtype=float) / sum(table)
    teaching = len(ac.encode(message, table))
    production = ac.range_encode_shortest(message, probabilities)
    ideal = ac.ideal_code_length(message, table)
    assert np.array_equal(ac.range_decode_bits(production, probabilities, len(message)), message)
    assert teaching <= ideal + 2
    assert (
        len(production) <= ideal + 2 + 1e-6
    )  # 24-bit quantised tables cost far less than a bit here
    assert abs(len(production) - teaching) <= 2


def test_whole_word_stream_is_at_most_two_words_longer_than_the_shortest_ending():
    rng = np.random.default_rng(3)
    probabilities = rng.dirichlet(np.ones(16))
    symbols = rng.choice(16, size=2000, p=probabilities)
    shortest = ac.range_encode_shortest(symbols, probabilities)
    assert np.array_equal(ac.range_decode_bits(shortest, probabilities, symbols.size), symbols)
    assert 0 <= 32 * ac.range_encode(symbols, probabilities).size - len(shortest) <= 64
    with pytest.raises(ValueError, match="'0' and '1'"):
        ac.range_decode_bits("01x", probabilities, 3)


def test_exercise_checks_pass_reference_and_catch_mistakes():
    assert exercises.check_ideal_code_length(ac.ideal_code_length)
    assert exercises.check_bits_per_byte(ac.bits_per_byte)
    assert exercises.check_decode(ac.decode)
    ratio = ac.compression_ratio(ac.bits_per_byte(1.6, 4.0))
    assert exercises.check_llama_compression(ratio)

    def natural_log(message, table):  # forgot to use base 2
        total = sum(table)
        return sum(-math.log(table[s] / total) for s in message)

    with pytest.raises(CheckFailed, match="Case 1 of"):
        exercises.check_ideal_code_length(natural_log)

    def nats_as_bits(loss, bytes_per_token, unit="nats"):  # the seed's mistake
        if bytes_per_token <= 0 or unit not in ("nats", "bits"):
            raise ValueError("bad input")
        return loss / bytes_per_token

    with pytest.raises(CheckFailed, match="ln 2"):
        exercises.check_bits_per_byte(nats_as_bits)

    def always_zero(bits, table, length):
        return [0] * length

    with pytest.raises(CheckFailed, match="Case 1 of 5"):
        exercises.check_decode(always_zero)
    with pytest.raises(CheckFailed, match="compression ratio"):
        exercises.check_llama_compression(8 / 1.6 * 4)  # nats read as bits


def test_calibrated_confidence_codes_best():
    qs = np.linspace(0.05, 0.995, 500)
    for accuracy in (0.3, 0.7, 0.95):
        costs = [ac.expected_code_length(q, accuracy, 10) for q in qs]
        assert qs[int(np.argmin(costs))] == pytest.approx(accuracy, abs=0.01)
    with pytest.raises(ValueError):
        ac.expected_code_length(1.0, 0.5, 10)
