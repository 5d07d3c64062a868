"""Two bodies of bytes to compress: one whose entropy is known exactly, and real text.

1. **The addition source.** Lines such as ``07+58=065`` followed by a newline: two operands drawn
   uniformly from ``0 .. 10**digits - 1``, written with a fixed width, then their sum. Only the
   operands are random; the plus sign, the equals sign, the sum and the newline follow from them.
   So the information in ``n`` lines is *exactly* ``n * 2 * digits * log2(10)`` bits: no compressor,
   however clever, can do better on average, and one that has learned to add can get close.

2. **The standard library.** A fixed list of pure-Python modules that ship with every CPython, split
   into files to learn from and files held out for testing. Real text, available offline.
"""

from __future__ import annotations

import math
import sysconfig
from pathlib import Path

import numpy as np

# --------------------------------------------------------------------------------------------
# The addition source


def addition_line_length(digits: int) -> int:
    """Bytes per line: two operands, '+', '=', a sum one digit wider, and a newline."""
    return 2 * digits + 1 + 1 + (digits + 1) + 1


def addition_lines(count: int, seed: int, digits: int = 2) -> bytes:
    """``count`` lines ``a+b=c`` with ``a, b`` uniform on ``0 .. 10**digits - 1`` (fixed width)."""
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}.")
    if not isinstance(digits, int) or not 1 <= digits <= 6:
        raise ValueError(f"digits must be an integer from 1 to 6, got {digits!r}.")
    rng = np.random.default_rng(seed)
    operands = rng.integers(0, 10**digits, size=(count, 2))
    lines = (f"{a:0{digits}d}+{b:0{digits}d}={a + b:0{digits + 1}d}\n" for a, b in operands)
    return "".join(lines).encode("ascii")


def addition_information_bits(count: int, digits: int = 2) -> float:
    """Exact information content of ``count`` lines: ``-log2 P(text)`` under the true source.

    Every outcome is equally likely, so this is the same for every sample, and it is also the
    entropy of the source: the physical limit for any lossless code of these bytes.
    """
    return count * 2 * digits * math.log2(10)


def addition_entropy_rate(digits: int = 2) -> float:
    """The source's entropy rate in bits per byte."""
    return 2 * digits * math.log2(10) / addition_line_length(digits)


# --------------------------------------------------------------------------------------------
# The standard library as text

# Pure-Python modules present in CPython 3.8 and later, chosen to be plain, readable source.
STDLIB_TRAIN = (
    "argparse.py", "ast.py", "base64.py", "bisect.py", "calendar.py", "cmd.py", "code.py",
    "codeop.py", "colorsys.py", "configparser.py", "contextlib.py", "copy.py", "csv.py",
    "dataclasses.py", "datetime.py", "difflib.py", "enum.py", "filecmp.py", "fnmatch.py",
    "fractions.py", "ftplib.py", "functools.py", "getopt.py", "gettext.py", "glob.py",
    "gzip.py", "heapq.py", "hmac.py", "imaplib.py", "inspect.py", "ipaddress.py", "linecache.py",
    "locale.py", "mailbox.py", "netrc.py", "numbers.py", "operator.py", "optparse.py",
    "pathlib.py", "pickle.py", "pprint.py", "queue.py", "random.py", "sched.py", "selectors.py",
    "shlex.py", "shutil.py", "smtplib.py", "socket.py", "statistics.py", "string.py",
    "subprocess.py", "tarfile.py", "tempfile.py", "threading.py", "tokenize.py", "trace.py",
    "traceback.py", "typing.py", "uuid.py", "warnings.py", "weakref.py", "zipfile.py",
)
STDLIB_TEST = ("textwrap.py", "timeit.py", "tabnanny.py", "quopri.py", "stringprep.py", "symtable.py")


def stdlib_folder() -> Path:
    """Where this Python keeps its standard library's source."""
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_text(names: tuple[str, ...] | list[str], limit: int | None = None) -> bytes:
    """The named standard-library files, concatenated in the given order, at most ``limit`` bytes.

    Files missing from this Python (a module removed in a newer version) are skipped.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be None or non-negative, got {limit}.")
    folder = stdlib_folder()
    parts = []
    for name in names:
        path = folder / name
        if path.is_file():
            parts.append(path.read_bytes())
    if not parts:
        raise FileNotFoundError(
            f"None of {list(names)[:3]}... was found in {folder}; this Python ships without its "
            "standard library source."
        )
    text = b"".join(parts)
    return text if limit is None else text[:limit]


def stdlib_split(train_bytes: int, test_bytes: int) -> tuple[bytes, bytes]:
    """Training text and held-out test text from disjoint lists of standard-library files."""
    if set(STDLIB_TRAIN) & set(STDLIB_TEST):
        raise RuntimeError("the training and test file lists overlap")
    return stdlib_text(STDLIB_TRAIN, train_bytes), stdlib_text(STDLIB_TEST, test_bytes)
