"""The command line compresses and decompresses a file with a cached model, and says clearly what is wrong."""

import os
import subprocess
import sys

import pytest

from emergent.compression.__main__ import main
from emergent.compression.byte_models import byte_model_run
from emergent.core.models import TinyGPT2

SHAPE = TinyGPT2(vocab_size=256, n_positions=16, n_layer=1, n_head=2, n_embd=16)
TEXT = b"the quick brown fox jumps over the lazy dog\n" * 40


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "cache"))
    byte_model_run("cli-test", TEXT, SHAPE, steps=3, batch_size=4)
    return tmp_path


def test_compress_then_decompress_gives_the_file_back(cache, capsys):
    source, packed, back = cache / "in.txt", cache / "in.lmz", cache / "out.txt"
    source.write_bytes(TEXT[:500])
    assert main(["compress", "--model", "cli-test", str(source), str(packed)]) == 0
    assert main(["decompress", "--model", "cli-test", str(packed), str(back)]) == 0
    assert back.read_bytes() == source.read_bytes()
    assert "500 bytes" in capsys.readouterr().out


def test_errors_say_what_to_fix(cache, capsys):
    source, packed = cache / "in.txt", cache / "in.lmz"
    source.write_bytes(b"some bytes")
    assert main(["compress", "--model", "no-such-model", str(source), str(packed)]) == 2
    assert "No cached model called 'no-such-model'" in capsys.readouterr().err
    assert main(["compress", "--model", "cli-test", str(cache / "missing.txt"), str(packed)]) == 2
    assert "Cannot read" in capsys.readouterr().err
    assert main(["decompress", "--model", "cli-test", str(source), str(cache / "out")]) == 2
    assert "too short" in capsys.readouterr().err
    assert main(["compress", "--model", "cli-test", str(source), str(packed)]) == 0
    damaged = bytearray(packed.read_bytes())
    damaged[-1] ^= 1
    packed.write_bytes(bytes(damaged))
    assert main(["decompress", "--model", "cli-test", str(packed), str(cache / "out")]) == 2
    assert "corrupted" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_lists_the_cached_models(cache):
    result = subprocess.run(
        [sys.executable, "-m", "emergent.compression", "models"],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "cli-test-" in result.stdout
