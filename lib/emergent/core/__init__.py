"""What every chapter shares.

- :mod:`~emergent.core.profiles` - the ``default`` (2-core CPU) and ``full`` (GPU) profiles, and the device;
- :mod:`~emergent.core.seeding` - one call that makes a run repeatable;
- :mod:`~emergent.core.threads` - how many CPU threads torch uses, and whether idle ones spin or sleep;
- :mod:`~emergent.core.config` - the frozen configuration base and its checks;
- :mod:`~emergent.core.models` - tiny GPT-2 models built from ``transformers.GPT2Config``;
- :mod:`~emergent.core.attention` - the causal attention of the book's hand-built transformers;
- :mod:`~emergent.core.training` - the one training loop and its ``History``;
- :mod:`~emergent.core.family` - how every member of a model family is trained (four chapters' families);
- :mod:`~emergent.core.tokens` - the one character tokenizer;
- :mod:`~emergent.core.transitions` - where a curve jumps: phase-change step, formation step, width of a rise;
- :mod:`~emergent.core.cache` - trained models on disk, keyed by configuration and training code;
- :mod:`~emergent.core.text_corpus` - the standard library's source as an offline text corpus;
- :mod:`~emergent.core.claims` - estimates with their intervals, decision rules, verdicts, guarded prose;
- :mod:`~emergent.core.chapter` - the one object a page uses to state rules and claims and to glue numbers;
- :mod:`~emergent.core.contents` - the chapters in reading order, read from ``_toc.yml``;
- :mod:`~emergent.core.ledger`, :mod:`~emergent.core.results` - headline numbers and the results page;
- :mod:`~emergent.core.plots`, :mod:`~emergent.core.widgets`, :mod:`~emergent.core.progress` - figures,
  live controls with static twins, progress bars;
- :mod:`~emergent.core.checks` - exercise checks a student calls on their own answer;
- :mod:`~emergent.core.grading` - a class's notebooks run and graded by their checks;
- :mod:`~emergent.core.notebooks` - running a notebook in a fresh kernel (build runner, Colab check, grading);
- :mod:`~emergent.core.source` - a function's source, shown in a chapter.
"""
