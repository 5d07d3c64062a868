"""The library behind *Emergence, hands-on*.

One module per idea the book teaches. The shared infrastructure is:

- :mod:`emergent.profiles` - the ``default`` (2-core CPU) and ``full`` (GPU) profiles, and the device;
- :mod:`emergent.seeding` - one call that makes a run repeatable;
- :mod:`emergent.models` - tiny GPT-2 models built from ``transformers.GPT2Config`` and a trainer;
- :mod:`emergent.cache` - trained models kept on disk, keyed by their full configuration;
- :mod:`emergent.ledger` - the headline numbers each chapter measures, for the results page;
- :mod:`emergent.plots`, :mod:`emergent.widgets` - the house figure style, live controls with static twins;
- :mod:`emergent.checks` - exercise checks a student calls on their own answer.
"""

__version__ = "0.1.0"
