"""Show a library function's source in a chapter: whole, its signature alone, or its body alone.

Chapters print the code that produced a figure where seeing it teaches something. One helper, so
every chapter trims the same way: by whole lines, with a marked cut, never mid-statement.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

PARTS = ("whole", "signature", "body")


def source(obj, part: str = "whole", max_lines: int | None = None) -> str:
    """The source of a function or class.

    ``part="signature"``: the ``def`` line(s) up to the docstring; ``"body"``: the code after the
    docstring (dedented); ``"whole"``: everything. ``max_lines`` cuts the text after that many lines
    and marks the cut with ``...``.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}; got {part!r}.")
    if max_lines is not None and (
        isinstance(max_lines, bool) or not isinstance(max_lines, int) or max_lines < 1
    ):
        raise ValueError(f"max_lines must be a positive integer or None, got {max_lines!r}.")
    text = textwrap.dedent(inspect.getsource(obj))
    lines = text.splitlines()
    if part != "whole":
        node = ast.parse(text).body[0]
        has_docstring = ast.get_docstring(node) is not None
        first_statement = node.body[0]
        if part == "signature":
            lines = lines[: first_statement.lineno - 1] + ["    ..."]
        else:
            start = first_statement.end_lineno if has_docstring else first_statement.lineno - 1
            lines = textwrap.dedent("\n".join(lines[start:])).strip("\n").splitlines()
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines] + ["..."]
    return "\n".join(lines)


def show_source(obj, part: str = "whole", max_lines: int | None = None) -> None:
    """Print :func:`source` (a chapter cell's way of showing the code behind a result)."""
    print(source(obj, part, max_lines))
