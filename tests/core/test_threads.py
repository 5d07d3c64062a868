"""How torch's idle threads wait: chosen from the load when ``emergent`` is imported, never changing a result."""

import os
import subprocess
import sys
import time

import pytest

from emergent.core.threads import busy_cores, choose_wait_policy, default_threads

linux_only = pytest.mark.skipif(
    not os.path.exists("/proc/stat"), reason="reads the load from /proc/stat"
)


def test_threads_sleep_only_when_other_work_leaves_too_few_cores():
    assert choose_wait_policy(busy=0.1, threads=2, cores=2) is None
    assert choose_wait_policy(busy=0.6, threads=2, cores=2) == "PASSIVE"
    assert choose_wait_policy(busy=1.9, threads=2, cores=2) == "PASSIVE"
    assert choose_wait_policy(busy=8.0, threads=4, cores=16) is None  # eight cores still free
    assert (
        choose_wait_policy(busy=None, threads=2, cores=2) is None
    )  # unknown load: OpenMP's default


def test_a_bad_thread_count_says_what_to_set(monkeypatch):
    monkeypatch.setenv("EMERGENT_THREADS", "two")
    with pytest.raises(ValueError, match="EMERGENT_THREADS must be a whole number"):
        default_threads()
    monkeypatch.setenv("EMERGENT_THREADS", "3")
    assert default_threads() == 3


def _spinners(count: int, seconds: float) -> list[subprocess.Popen]:
    """``count`` processes that each keep one core busy for ``seconds``."""
    loop = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass"
    return [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]


@linux_only
def test_busy_cores_sees_a_planted_load():
    spinners = _spinners(1, seconds=3)
    try:
        time.sleep(0.5)  # let it start
        busy = busy_cores(window=0.5)
    finally:
        for process in spinners:
            process.kill()
    assert 0.7 <= busy <= len(os.sched_getaffinity(0)) + 0.01


def _run(code: str, **env) -> str:
    """Run ``code`` in a fresh Python with ``env`` added and no inherited wait policy; its output."""
    inherited = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@linux_only
def test_importing_emergent_on_a_full_machine_makes_idle_threads_sleep():
    spinners = _spinners(len(os.sched_getaffinity(0)), seconds=4)
    try:
        time.sleep(0.5)
        policy = _run(
            "import os, emergent; print(os.environ.get('OMP_WAIT_POLICY'))", EMERGENT_THREADS="2"
        )
    finally:
        for process in spinners:
            process.kill()
    assert policy == "PASSIVE"


def test_a_policy_the_reader_set_or_an_early_torch_is_left_alone():
    note = "import emergent.core.threads as t; print(t.WAIT_POLICY_NOTE)"
    assert "set by you" in _run(note, OMP_WAIT_POLICY="ACTIVE")
    assert "torch was imported before" in _run("import torch\n" + note)


TRAIN = """
import hashlib, torch
from emergent.core.models import TinyGPT2, tiny_gpt2
from emergent.core.seeding import seed_everything
from emergent.core.training import train_language_model
seed_everything(0, threads=2)
model = tiny_gpt2(TinyGPT2(vocab_size=16, n_positions=16, n_layer=2, n_head=2, n_embd=32), seed=0)
batch = lambda step: (lambda t: (t, t))(torch.randint(0, 16, (16, 16), generator=torch.Generator().manual_seed(step)))
train_language_model(model, batch, steps=30, learning_rate=1e-3, warmup_steps=3, progress=False)
print(hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest())
"""


@pytest.mark.slow
def test_sleeping_threads_train_bit_identical_weights():
    assert _run(TRAIN, OMP_WAIT_POLICY="PASSIVE") == _run(TRAIN, OMP_WAIT_POLICY="ACTIVE")
