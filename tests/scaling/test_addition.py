import numpy as np
import pytest

from emergent.scaling.addition import (
    AdditionData,
    IGNORE,
    answer_start,
    decode,
    encode,
    format_problem,
    is_held_out,
    make_batch,
    held_out_problems,
)


def test_format_writes_the_sum_backwards_and_pads_operands():
    assert format_problem(47, 5, 2) == "47+05=250"
    assert format_problem(47, 5, 2, width=4) == "0047+0005=250"
    assert format_problem(999, 1, 3) == "999+001=0001"


def test_batch_holds_the_problems_and_labels_only_the_answer():
    ids, labels = make_batch(np.array([47, 123]), np.array([5, 999]), np.array([2, 3]), width=3)
    assert decode(ids[0])[:11] == "047+005=250"
    assert decode(ids[1]) == "123+999=2211"
    start = answer_start(3)
    assert (labels[:, :start] == IGNORE).all()
    assert decode(labels[1, start:]) == "2211"
    assert labels[0, -1] == IGNORE  # padding does not count


def test_every_answer_is_the_true_sum():
    data = AdditionData(max_digits=4, batch_size=256)
    ids, labels = data.batches()(3)
    for row in ids:
        text = decode(row).rstrip(".")
        a, rest = text.split("+")
        b, answer = rest.split("=")
        assert int(answer[::-1]) == int(a) + int(b)


def test_batches_are_reproducible_and_never_contain_held_out_problems():
    data = AdditionData(batch_size=128)
    first, _ = data.batches()(7)
    again, _ = data.batches()(7)
    assert (first == again).all()
    for step in range(5):
        ids, _ = data.batches()(step)
        for row in ids:
            a, rest = decode(row).split("+")
            b = rest.split("=")[0]
            assert not is_held_out(int(a), int(b))


def test_held_out_problems_are_held_out_and_of_the_right_length():
    for digits in (1, 3, 5):
        a, b = held_out_problems(digits, 200)
        assert is_held_out(a, b).all()
        assert a.max() < 10**digits and b.max() < 10**digits
    a, b = held_out_problems(5, 5000)
    counts = np.bincount((a + b) % 10, minlength=10)
    assert (
        counts.min() > 350
    )  # every units digit of the sum is tested (a linear rule would pick one)
    a, b = held_out_problems(4, 300)
    assert len(set(zip(a.tolist(), b.tolist()))) == 300  # distinct when the space allows


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="alphabet"):
        encode("12x")
    with pytest.raises(ValueError, match="digits"):
        AdditionData(max_digits=0)
    with pytest.raises(ValueError, match="exceed"):
        AdditionData(min_digits=4, max_digits=2)
    with pytest.raises(ValueError, match="width"):
        make_batch(np.array([1]), np.array([1]), np.array([3]), width=2)
    with pytest.raises(ValueError, match="lie in"):
        format_problem(100, 1, 2)
