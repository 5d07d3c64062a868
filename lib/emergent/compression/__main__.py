"""Compress and decompress files with a byte-level model from the book's cache.

    python -m emergent.compression models
    python -m emergent.compression compress   --model addition-compressor notes.txt notes.lmz
    python -m emergent.compression decompress --model addition-compressor notes.lmz notes.txt

``--model`` is a cache entry's name (the newest entry of that name is used) or the folder of a
saved model. The receiver needs the very same model: the stream's fingerprint says so otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emergent.compression.lm_compressor import CompressedStreamError, LMCompressor
from emergent.core import cache


class CommandError(Exception):
    """A problem the person at the command line can fix; printed without a traceback."""


def byte_models() -> list[dict]:
    """The cache entries that hold a byte-level model, as :func:`cache.cached_entries` lists them."""
    return [e for e in cache.cached_entries() if (e.get("config") or {}).get("task") == "byte-lm"]


def load_model(name_or_folder: str):
    """The model of a cache entry called ``name_or_folder``, or of the folder it names."""
    folder = Path(name_or_folder)
    if not (folder / cache.META).is_file():
        named = cache.entries_named(name_or_folder)
        if not named:
            known = sorted({e["name"] for e in byte_models()})
            raise CommandError(
                f"No cached model called {name_or_folder!r} in {cache.cache_dir()}; "
                f"byte-level models there: {', '.join(known) or 'none (build the compression chapter first)'}."
            )
        folder = named[0]
    try:
        model, _ = cache.load_entry(folder)
    except (cache.CacheEntryError, OSError, ValueError) as error:
        raise CommandError(f"Cannot load the model in {folder}: {error}") from None
    if getattr(model.config, "vocab_size", None) != 256:
        raise CommandError(
            f"{folder} holds a model with vocab_size {model.config.vocab_size}; "
            "compression needs a byte-level model (vocab_size 256)."
        )
    return model


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None


def run(arguments: argparse.Namespace) -> str:
    """Carry out one command; returns the line to print."""
    if arguments.command == "models":
        rows = byte_models()
        return (
            "\n".join(
                f"{e['name']}-{e['key']}  ({e['config']['text_bytes']:,} training bytes)"
                for e in rows
            )
            or f"no byte-level models in {cache.cache_dir()}"
        )
    compressor = LMCompressor(load_model(arguments.model))
    data = _read(arguments.source)
    if arguments.command == "compress":
        result = compressor.compress(data)
    else:
        try:
            result = compressor.decompress(data)
        except CompressedStreamError as error:
            raise CommandError(f"{arguments.source}: {error}") from None
    try:
        Path(arguments.target).write_bytes(result)
    except OSError as error:
        raise CommandError(f"Cannot write {arguments.target}: {error.strerror}.") from None
    return f"{arguments.source} ({len(data):,} bytes) -> {arguments.target} ({len(result):,} bytes)"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m emergent.compression", description=__doc__.split("\n\n")[0]
    )
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("models", help="list the byte-level models in the cache")
    for name, what in (
        ("compress", "compress a file"),
        ("decompress", "decompress a file made by compress"),
    ):
        command = commands.add_parser(name, help=what)
        command.add_argument(
            "--model", required=True, help="a cache entry's name, or a model's folder"
        )
        command.add_argument("source", help="the file to read")
        command.add_argument("target", help="the file to write")
    return top


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        print(run(arguments))
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
