"""The one base of every configuration in the book: a frozen dataclass that checks itself.

A configuration describes an experiment completely, so it is also the experiment's cache key.
Subclasses are ``@dataclass(frozen=True)`` and list their fields with a comment saying why each
default is what it is; their ``__post_init__`` calls the checks below, whose messages say what to
change.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Iterable


class Config:
    """Mixin for frozen dataclasses: ``as_dict()`` for the cache, ``with_(...)`` for variations."""

    def as_dict(self) -> dict:
        return asdict(self)

    def with_(self, **changes):
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)


def _owner(config) -> str:
    return type(config).__name__


def check_positive_int(config, *names: str, minimum: int = 1) -> None:
    """Each named field must be an integer (not a bool) of at least ``minimum``."""
    wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{_owner(config)}.{name} must be {wanted}, got {value!r}.")


def check_positive(config, *names: str) -> None:
    """Each named field must be a number greater than zero."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{_owner(config)}.{name} must be a positive number, got {value!r}.")


def check_non_negative(config, *names: str) -> None:
    """Each named field must be a number of at least zero (zero switches the thing off)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(
                f"{_owner(config)}.{name} must be a non-negative number (0 switches it off), got {value!r}."
            )


def check_one_of(config, name: str, allowed: Iterable) -> None:
    """The named field must be one of ``allowed``."""
    allowed = tuple(allowed)
    value = getattr(config, name)
    if value not in allowed:
        raise ValueError(
            f"{_owner(config)}.{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}."
        )
