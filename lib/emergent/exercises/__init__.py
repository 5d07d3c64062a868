"""Exercise checks, one module per chapter: ``from emergent.exercises import grokking``.

Each check runs the student's answer against the library's reference implementation
(see :mod:`emergent.checks`)."""
