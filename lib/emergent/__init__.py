"""The library behind *Emergence, hands-on*.

``emergent.core`` holds what every chapter shares: profiles, seeding, configuration, the tiny-GPT-2
factory, the one trainer, the cache, claims and the ledger, the chapter object that pages use to
state them (``emergent.core.chapter``), the table of contents, notebook execution, grading, plots,
widgets and checks. Each chapter has a package of its own, one module per idea it teaches, with its
exercise checks in ``exercises``: ``emergent.zoo`` (the model zoo page), ``emergence``,
``reasoning``, ``scaling``, ``mirage``, ``prediction``, ``compression``, ``knowledge`` and
``grokking``. Chapters import from the module that defines a name, e.g.
``from emergent.grokking.modular_addition import GrokConfig``.
"""

__version__ = "0.1.0"

# Before anything loads torch: idle OpenMP threads sleep instead of spinning when other work holds
# the cores (see emergent.core.threads; it changes no result, only how long a run takes).
from emergent.core.threads import set_wait_policy as _set_wait_policy  # noqa: E402

_set_wait_policy()
