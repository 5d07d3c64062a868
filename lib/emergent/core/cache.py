"""Trained models kept on disk, keyed by their full configuration and by the code that trains them.

A chapter asks for a model by describing it completely (shape, data, recipe, seed) as a plain,
JSON-serialisable dict, and by naming the modules whose code builds and trains it. If a model
trained from exactly that description, by exactly that code, is on disk, it is loaded; otherwise
it is trained and saved. A second build, or a second chapter asking for the same model, therefore
does not retrain; a change to the description, to those modules or to the book's trainer does, so
the numbers a chapter prints always come from the code on the page.

By convention the functions that go through the cache are named ``<thing>_run`` and return
``(model, history)``; functions named ``train_<thing>`` train and never look at the cache.

GPT-2 models are stored with ``save_pretrained`` and read back with ``from_pretrained``, the same
path that loads the published GPT-2 weights. Other ``torch.nn.Module`` models are stored as a
safetensors state dict and rebuilt by a ``build`` function. Each entry records a SHA-256 of its
weights: an entry that is corrupt or made for another configuration is rebuilt, never used.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
import shutil
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

import torch
from safetensors.torch import load_file, save_file

from emergent import __version__
from emergent.core import ledger, training
from emergent.core.profiles import build_dir
from emergent.core.training import History

CACHE_VARIABLE = "EMERGENT_CACHE"
FORMAT = 2  # bump when the on-disk layout changes, so old entries are not misread
META = "meta.json"
STATE = "state.safetensors"


class CacheEntryError(RuntimeError):
    """A cache entry that cannot be trusted (missing files, wrong checksum, other config)."""


def cache_dir() -> Path:
    """``$EMERGENT_CACHE`` if set, else ``_build/model-cache`` in the book (or the working folder)."""
    folder = Path(os.environ.get(CACHE_VARIABLE) or build_dir() / "model-cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def code_fingerprint(modules: Iterable[ModuleType]) -> str:
    """A short SHA-256 of the code of ``modules`` and of the book's trainer (order does not matter;
    layout and comments do not count)."""
    chosen = {module.__name__: module for module in (*modules, training)}
    digest = hashlib.sha256()
    for name in sorted(chosen):
        source = inspect.getsourcefile(chosen[name])
        if source is None:
            raise TypeError(
                f"module {name} has no source file to fingerprint; name the .py modules that train the model."
            )
        digest.update(
            name.encode() + b"\0" + _normalised(Path(source).read_text()).encode() + b"\0"
        )
    return digest.hexdigest()[:16]


def _normalised(source: str) -> str:
    """The code of a module with its layout and comments taken out (its syntax tree, written back):
    reformatting a file or editing a comment does not retrain its models; any change to what it does,
    docstrings included, still does."""
    return ast.unparse(ast.parse(source))


def config_key(config: dict, code: str = "") -> str:
    """A short, stable fingerprint of a configuration dict (order of keys does not matter) and of
    the training code's fingerprint."""
    try:
        text = json.dumps(
            {"format": FORMAT, "config": config, "code": code}, sort_keys=True, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise TypeError(
            "A cache configuration must be a dict of plain JSON values (numbers, strings, lists, "
            f"dicts, booleans, None) that describes the model completely; got {config!r} ({error})."
        ) from None
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _weights_file(folder: Path) -> Path:
    for name in ("model.safetensors", STATE):
        if (folder / name).is_file():
            return folder / name
    raise CacheEntryError(f"no weights file in {folder}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _save(
    folder: Path, model: torch.nn.Module, config: dict, history: History, code: str
) -> History:
    """Write the entry atomically; return the history as a later load will read it back."""
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if hasattr(model, "save_pretrained"):
        model.save_pretrained(tmp)
    else:
        save_file(
            {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, tmp / STATE
        )
    meta = {
        "config": config,
        "code": code,
        "history": history.as_dict(),
        "weights_sha256": _sha256(_weights_file(tmp)),
        "library_version": __version__,
        "format": FORMAT,
    }
    text = json.dumps(meta, indent=1, sort_keys=True)
    (tmp / META).write_text(text)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)  # the entry appears whole or not at all
    return History.from_dict(json.loads(text)["history"])


def _load(folder: Path, config: dict, build: Callable[[], torch.nn.Module] | None):
    meta_path = folder / META
    if not meta_path.is_file():
        raise CacheEntryError(f"{meta_path} is missing")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as error:
        raise CacheEntryError(f"{meta_path} is not valid JSON ({error})") from None
    if meta.get("config") != json.loads(json.dumps(config)):
        raise CacheEntryError(f"{folder} was made for a different configuration")
    weights = _weights_file(folder)
    if _sha256(weights) != meta.get("weights_sha256"):
        raise CacheEntryError(f"{weights} does not match its recorded checksum")
    if weights.name == STATE:
        if build is None:
            raise CacheEntryError(
                f"{folder} holds a plain state dict but no build function was given"
            )
        model = build()
        model.load_state_dict(load_file(weights))
    else:
        from emergent.core.models import load_gpt2

        model = load_gpt2(folder)
    model.eval()
    try:
        return model, History.from_dict(meta["history"])
    except (KeyError, TypeError) as error:
        raise CacheEntryError(f"{meta_path} holds no readable training history ({error})") from None


def _entry_folder(name: str, config: dict, fingerprint: str) -> Path:
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"Cache name must be letters, digits, '-' or '_', got {name!r}.")
    return cache_dir() / f"{name}-{config_key(config, fingerprint)}"


def is_cached(name: str, config: dict, code: Iterable[ModuleType]) -> bool:
    """Is a model trained from exactly ``config`` by exactly this ``code`` on disk? (Nothing is loaded.)"""
    return (_entry_folder(name, config, code_fingerprint(code)) / META).is_file()


def load_or_train(
    name: str,
    config: dict,
    train: Callable[[], tuple[torch.nn.Module, History]],
    code: Iterable[ModuleType],
    build: Callable[[], torch.nn.Module] | None = None,
) -> tuple[torch.nn.Module, History]:
    """Return ``(model, history)`` for ``config``, training with ``train()`` only if needed.

    ``train()`` returns the trained model and its :class:`~emergent.core.training.History`
    (JSON-serialisable: it is stored beside the weights). ``code`` lists the modules whose source
    builds and trains the model (data, model, recipe); with the book's trainer, their source is part
    of the key. ``build()`` rebuilds an untrained model of the right shape, needed only for models
    without ``save_pretrained``. Models come back on the CPU, in eval mode.
    """
    code = code_fingerprint(code)
    folder = _entry_folder(name, config, code)
    ledger.note_model(folder.name)  # the syllabus reads which chapters share a model
    if folder.exists():
        try:
            return _load(folder, config, build)
        except (CacheEntryError, OSError, RuntimeError, ValueError) as error:
            warnings.warn(
                f"Cache entry {folder} cannot be used ({error}); retraining it. "
                f"Delete {cache_dir()} to clear the whole cache.",
                stacklevel=2,
            )
            shutil.rmtree(folder, ignore_errors=True)
    model, history = train()
    if not isinstance(history, History):
        raise TypeError(
            f"train() for {name!r} must return (model, History), got a {type(history).__name__} as the second item."
        )
    model = model.cpu().eval()
    return model, _save(folder, model, config, history, code)


def cached_entries() -> list[dict[str, Any]]:
    """What the cache holds: one dict per entry (name, key, config), for the model-zoo page."""
    entries = []
    for meta_path in sorted(cache_dir().glob(f"*/{META}")):
        try:
            meta = json.loads(meta_path.read_text())
        except json.JSONDecodeError:
            continue
        name, _, key = meta_path.parent.name.rpartition("-")
        entries.append({"name": name, "key": key, "config": meta.get("config")})
    return entries


def entries_named(name: str) -> list[Path]:
    """The folders of the cache entries called ``name`` (any configuration), newest first."""
    folders = [
        meta.parent
        for meta in cache_dir().glob(f"{name}-*/{META}")
        if meta.parent.name.rpartition("-")[0] == name
    ]
    return sorted(folders, key=lambda folder: (folder / META).stat().st_mtime, reverse=True)


def load_entry(folder: Path | str) -> tuple[torch.nn.Module, History]:
    """Load the GPT-2 of one cache entry by its folder, after checking its weights' checksum."""
    folder = Path(folder)
    try:
        config = json.loads((folder / META).read_text()).get("config")
    except (OSError, json.JSONDecodeError) as error:
        raise CacheEntryError(f"{folder} is not a readable cache entry ({error})") from None
    return _load(folder, config, None)
