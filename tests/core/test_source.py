"""Showing a function's source in a chapter: whole, signature or body, cut by whole lines."""

import pytest

from emergent.core.source import show_source, source


def example(a: int, b: int = 2) -> int:
    """Add two numbers.

    A docstring of several lines, which the body view leaves out.
    """
    total = a + b
    total = total * 1
    return total


class Example:
    """A class."""

    def method(self):
        return 1


def test_parts_of_a_function():
    assert source(example, "signature") == "def example(a: int, b: int = 2) -> int:\n    ..."
    assert source(example, "body") == "total = a + b\ntotal = total * 1\nreturn total"
    assert source(example).startswith("def example(") and source(example).endswith("return total")
    assert source(example, "body", max_lines=2) == "total = a + b\ntotal = total * 1\n..."
    assert source(Example.method, "body") == "return 1"  # a method, dedented
    assert source(Example, "signature") == "class Example:\n    ..."


def test_show_source_prints_and_bad_requests_are_refused(capsys):
    show_source(example, "body", max_lines=1)
    assert capsys.readouterr().out == "total = a + b\n...\n"
    with pytest.raises(ValueError, match="part must be one of"):
        source(example, "docstring")
    with pytest.raises(ValueError, match="max_lines"):
        source(example, max_lines=0)
