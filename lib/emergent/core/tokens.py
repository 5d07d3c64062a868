"""Characters as tokens: the book's synthetic tasks each have a small alphabet, one token a character."""

from __future__ import annotations


class CharTokenizer:
    """Token ``i`` is the ``i``-th character of ``alphabet``.

    >>> digits = CharTokenizer("0123456789+=.")
    >>> digits.encode("12+3=")
    [1, 2, 10, 3, 11]
    >>> digits.decode([1, 2])
    '12'
    """

    def __init__(self, alphabet: str):
        if not alphabet or len(set(alphabet)) != len(alphabet):
            raise ValueError(f"an alphabet needs distinct characters, got {alphabet!r}.")
        self.alphabet = alphabet
        self.index = {ch: i for i, ch in enumerate(alphabet)}

    def __len__(self) -> int:
        return len(self.alphabet)

    def __repr__(self) -> str:
        return f"CharTokenizer({self.alphabet!r})"

    def encode(self, text: str) -> list[int]:
        """Characters to token ids."""
        try:
            return [self.index[ch] for ch in text]
        except KeyError as error:
            raise ValueError(
                f"{error.args[0]!r} is not in the alphabet {self.alphabet!r}."
            ) from None

    def decode(self, ids) -> str:
        """Token ids back to characters."""
        return "".join(self.alphabet[int(i)] for i in ids)
