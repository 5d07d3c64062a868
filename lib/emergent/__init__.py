"""The library behind *Emergence, hands-on*.

``emergent.core`` holds what every chapter shares (profiles, seeding, configuration, the tiny-GPT-2
factory, the one trainer, the cache, the ledger, plots, widgets, checks). Each chapter has a package
of its own, one module per idea it teaches, with its exercise checks in ``exercises``:
``emergent.zoo`` (the model zoo page), ``emergence``, ``scaling``, ``mirage``, ``compression``,
``knowledge`` and ``grokking``. Chapters import from the module that defines a name, e.g.
``from emergent.grokking.modular_addition import GrokConfig``.
"""

__version__ = "0.1.0"
