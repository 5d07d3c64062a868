"""How many CPU threads torch uses, and how they wait: spinning on a quiet machine, sleeping on a busy one.

Torch's CPU threads come from OpenMP. Between two parallel pieces of work an idle thread of GNU
OpenMP (torch's on Linux) spins for a while before it sleeps, which saves a wake-up on a quiet
machine. On a machine whose cores another job keeps busy, the spinning threads take their turns
from that job and from each other: a chapter that takes two minutes alone took more than fifteen
beside a two-thread job (the README has the measurements). ``OMP_WAIT_POLICY=PASSIVE`` makes idle
threads sleep at once. It changes no result, bit for bit, only the time; on a quiet machine it
costs about half as much time again, so it is chosen only when the cores are taken.

OpenMP reads the variable once, when torch is loaded. So the choice is made when ``emergent`` is
imported, before torch, by watching the cores for a quarter of a second: import ``emergent`` first,
or set ``OMP_WAIT_POLICY`` yourself (which also skips the watching).
"""

from __future__ import annotations

import os
import sys
import time

MARGIN_CORES = 0.5  # other work below half a core does not make spinning threads queue


def default_threads() -> int:
    """``$EMERGENT_THREADS``, else the number of cores, at most 4 (tiny models gain nothing from more)."""
    given = os.environ.get("EMERGENT_THREADS")
    if given is None:
        return min(os.cpu_count() or 1, 4)
    if not given.strip().isdigit() or int(given) < 1:
        raise ValueError(
            f"EMERGENT_THREADS must be a whole number of threads, at least 1; it is {given!r}."
        )
    return int(given)


def _cpu_times() -> tuple[float, float] | None:
    """(busy, total) clock ticks summed over the CPUs this process may run on, from ``/proc/stat``."""
    try:
        with open("/proc/stat") as stat:
            lines = stat.read().splitlines()
        allowed = os.sched_getaffinity(0)
    except (OSError, AttributeError):  # not Linux
        return None
    busy = total = 0.0
    for line in lines:
        name, *fields = line.split()
        if not (name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in allowed):
            continue
        ticks = [float(field) for field in fields]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0.0)  # idle and waiting for the disk
        total += sum(ticks[:8])  # user..steal; guest time is counted inside user already
        busy += sum(ticks[:8]) - idle
    return (busy, total) if total else None


def busy_cores(window: float = 0.25) -> float | None:
    """How many cores are kept busy while this process sleeps for ``window`` seconds; None off Linux."""
    before = _cpu_times()
    if before is None:
        return None
    time.sleep(window)
    after = _cpu_times()
    if after is None or after[1] <= before[1]:
        return None
    cores = len(os.sched_getaffinity(0))
    return cores * (after[0] - before[0]) / (after[1] - before[1])


def choose_wait_policy(busy: float | None, threads: int, cores: int) -> str | None:
    """``"PASSIVE"`` when other work leaves fewer free cores than ``threads``; None (OpenMP's default) otherwise."""
    if busy is None:
        return None
    free = cores - busy
    return "PASSIVE" if free < threads - MARGIN_CORES else None


# What was decided when the package was imported, in words; the chapters' device line shows it.
WAIT_POLICY_NOTE = ""


def set_wait_policy() -> str:
    """Set ``OMP_WAIT_POLICY`` for this process from the load on the machine, if torch is not loaded yet.

    Leaves alone a policy the reader set. Returns (and keeps in :data:`WAIT_POLICY_NOTE`) a short
    description of what was done, e.g. ``"idle OpenMP threads sleep (1.9 cores busy elsewhere)"``.
    """
    global WAIT_POLICY_NOTE
    if "OMP_WAIT_POLICY" in os.environ:
        note = f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']} (set by you)"
    elif "torch" in sys.modules:
        note = "OpenMP's default waiting (torch was imported before emergent)"
    else:
        busy = busy_cores()
        policy = choose_wait_policy(
            busy,
            default_threads(),
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else (os.cpu_count() or 1),
        )
        if busy is None:
            note = "OpenMP's default waiting (the load is not readable here)"
        elif policy is None:
            note = f"idle OpenMP threads spin ({busy:.1f} cores busy at start)"
        else:
            os.environ["OMP_WAIT_POLICY"] = policy
            note = f"idle OpenMP threads sleep ({busy:.1f} cores busy at start)"
    WAIT_POLICY_NOTE = note
    return note
