"""Real text that ships with every Python: the standard library's own source, read as bytes.

A fixed list of pure-Python modules is split into files to learn from and files held out for
testing, so no download is ever needed. Two chapters read it: the scaling chapter's IsoFLOP sweep
trains on it, and the compression chapter compresses it. :func:`byte_windows` cuts the rows that
both train on.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import torch

# Pure-Python modules present in CPython 3.8 and later, chosen to be plain, readable source.
STDLIB_TRAIN = (
    "argparse.py",
    "ast.py",
    "base64.py",
    "bisect.py",
    "calendar.py",
    "cmd.py",
    "code.py",
    "codeop.py",
    "colorsys.py",
    "configparser.py",
    "contextlib.py",
    "copy.py",
    "csv.py",
    "dataclasses.py",
    "datetime.py",
    "difflib.py",
    "enum.py",
    "filecmp.py",
    "fnmatch.py",
    "fractions.py",
    "ftplib.py",
    "functools.py",
    "getopt.py",
    "gettext.py",
    "glob.py",
    "gzip.py",
    "heapq.py",
    "hmac.py",
    "imaplib.py",
    "inspect.py",
    "ipaddress.py",
    "linecache.py",
    "locale.py",
    "mailbox.py",
    "netrc.py",
    "numbers.py",
    "operator.py",
    "optparse.py",
    "pathlib.py",
    "pickle.py",
    "pprint.py",
    "queue.py",
    "random.py",
    "sched.py",
    "selectors.py",
    "shlex.py",
    "shutil.py",
    "smtplib.py",
    "socket.py",
    "statistics.py",
    "string.py",
    "subprocess.py",
    "tarfile.py",
    "tempfile.py",
    "threading.py",
    "tokenize.py",
    "trace.py",
    "traceback.py",
    "typing.py",
    "uuid.py",
    "warnings.py",
    "weakref.py",
    "zipfile.py",
)
STDLIB_TEST = (
    "textwrap.py",
    "timeit.py",
    "tabnanny.py",
    "quopri.py",
    "stringprep.py",
    "symtable.py",
)


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


def byte_windows(
    text: torch.Tensor, starts, block: int, start_token: int | None = None
) -> torch.Tensor:
    """Rows of ``block`` bytes of ``text`` (a 1-D integer tensor) from each of ``starts``.

    With ``start_token``, each row begins with that token, as the compressor's blocks do.
    Returns a ``(len(starts), block)`` or ``(len(starts), block + 1)`` int64 tensor.
    """
    starts = [int(s) for s in starts]
    if any(s < 0 or s + block > len(text) for s in starts):
        raise ValueError(
            f"every window must lie inside the text of {len(text)} bytes; got a start outside [0, {len(text) - block}]."
        )
    windows = torch.stack([text[s : s + block] for s in starts]).long()  # (rows, block)
    if start_token is None:
        return windows
    return torch.cat([torch.full((len(starts), 1), start_token, dtype=torch.long), windows], dim=1)
