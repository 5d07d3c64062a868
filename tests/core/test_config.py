"""The configuration base: frozen, copied with changes, and checked with messages that say what to fix."""

from dataclasses import FrozenInstanceError, dataclass

import pytest

from emergent.core.config import (
    Config,
    check_non_negative,
    check_one_of,
    check_positive,
    check_positive_int,
)


@dataclass(frozen=True)
class Toy(Config):
    steps: int = 10
    rate: float = 0.1
    decay: float = 0.0
    kind: str = "a"

    def __post_init__(self):
        check_positive_int(self, "steps")
        check_positive(self, "rate")
        check_non_negative(self, "decay")
        check_one_of(self, "kind", ("a", "b"))


def test_as_dict_and_with_():
    toy = Toy()
    assert toy.as_dict() == {"steps": 10, "rate": 0.1, "decay": 0.0, "kind": "a"}
    assert toy.with_(steps=3).steps == 3 and toy.steps == 10
    with pytest.raises(FrozenInstanceError):
        toy.steps = 2


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"steps": 0}, r"Toy.steps must be a positive integer, got 0"),
        ({"steps": True}, r"Toy.steps must be a positive integer"),
        ({"rate": 0}, r"Toy.rate must be a positive number"),
        ({"decay": -1}, r"Toy.decay must be a non-negative number \(0 switches it off\)"),
        ({"kind": "c"}, r"Toy.kind must be one of 'a', 'b'; got 'c'"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match=message):
        Toy().with_(**changes)
