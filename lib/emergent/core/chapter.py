"""The one way a chapter states its rules, judges its claims and checks its prose.

A page opens with::

    from emergent.core import chapter
    ch = chapter.begin("grokking")

which starts the chapter's results ledger afresh, seeds every generator, applies the house style
for figures and prints the profile and device. Then, before any measurement::

    ch.rules(grokked=claims.above(0.9), abrupt=claims.below(0.2))

prints each decision rule, and after the measurement::

    ch.claim("test_accuracy", "the network generalises", claims.over_seeds(accs), "grokked", "accuracy",
             source="power2022grokking")

judges the claim by the rule named (or a :class:`~emergent.core.claims.Rule` given there), writes
it to the ledger and shows it on the page, always in the same form. A quantity this run could not
measure is passed as ``claims.missing("why")`` (or comes back so from ``over_seeds`` with
``missing=``), and the claim is recorded and shown as *not measured*, with no if/else at the call
site. ``ch.guard(sentence, holds, numbers)`` checks one sentence of prose against the numbers, and
``ch.glue(name, value)`` hands a number to the Markdown of the page (MyST-NB's ``{glue:text}``).

:mod:`emergent.core.claims` stays the engine (an estimate and a rule give a verdict); this module is
how chapters use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from emergent.core import claims, ledger
from emergent.core.claims import Claim, Estimate, Missing, Rule
from emergent.core.plots import use_house_style
from emergent.core.profiles import device_description, profile_name
from emergent.core.seeding import seed_everything


def _show(thing) -> None:
    """Display rich output in a notebook; print it elsewhere (a script, a test)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is always there in a notebook
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(thing)
    else:
        print(thing._repr_markdown_() if hasattr(thing, "_repr_markdown_") else thing)


@dataclass(frozen=True)
class NotMeasured:
    """A claim this run could not measure, shown as such."""

    key: str
    says: str
    source: str
    reason: str
    verdict: str = "not measured"

    def _repr_markdown_(self) -> str:
        cite = f" {{cite:p}}`{self.source}`" if self.source else ""
        return f"**Claim**{cite}: {self.says}  \n**Not measured**: {self.reason}"


@dataclass
class Chapter:
    """A chapter's rules, claims and ledger. Made by :func:`begin`."""

    slug: str
    declared: dict[str, Rule] = field(default_factory=dict)
    claims: dict[str, Claim | NotMeasured] = field(default_factory=dict)

    # --- rules, fixed before measuring -----------------------------------------------------------

    def rules(self, **named: Rule) -> None:
        """Declare decision rules by name and print them, before the cell that measures runs."""
        for name, rule in named.items():
            if not isinstance(rule, Rule):
                raise TypeError(
                    f"rule {name!r} must be a claims.Rule (above, below, contains, ...), got {rule!r}."
                )
            if name in self.declared:
                raise ValueError(
                    f"rule {name!r} is already declared in this chapter; give the new one another name."
                )
            self.declared[name] = rule
            print(f"{name.replace('_', ' ')}: {rule}")

    def rule(self, rule: Rule | str) -> Rule:
        """A declared rule by its name, or the rule itself."""
        if isinstance(rule, Rule):
            return rule
        if rule not in self.declared:
            raise KeyError(
                f"no rule named {rule!r} was declared; declared: {', '.join(self.declared) or 'none'}. "
                "Declare it with ch.rules(...) before the measurement."
            )
        return self.declared[rule]

    # --- claims ----------------------------------------------------------------------------------

    def claim(
        self,
        key: str,
        says: str,
        estimate: Estimate | Missing,
        rule: Rule | str,
        unit: str,
        source: str = "",
        note: str = "",
        show: bool = True,
        evidence: str | None = None,
    ) -> None:
        """Judge a claim by its rule, record it in the ledger and show it on the page.

        A rule judges a quantity measured on trained models only over three or more training
        seeds; otherwise ``evidence="one model"`` states the claim as an illustration (no verdict),
        and ``evidence="no training"`` declares a number no trained model enters
        (:func:`emergent.core.claims.check_evidence`). Returns nothing, so a cell that ends with a
        claim shows it once; read its verdict later with :meth:`verdict`, and what its rule reads
        on an illustration with :meth:`reading`.
        """
        if key in self.claims:
            raise ValueError(
                f"claim {key!r} was already stated in this chapter; each claim is stated once."
            )
        if isinstance(estimate, Missing):
            ledger.not_measured(self.slug, key, estimate.reason, claim=says, source=source)
            judged = NotMeasured(key, says, source, estimate.reason)
        else:
            judged = claims.claim(
                self.slug,
                key,
                says,
                estimate,
                self.rule(rule),
                unit,
                source=source,
                note=note,
                evidence=evidence,
            )
        self.claims[key] = judged
        if show:
            _show(judged)

    def verdict(self, key: str) -> str:
        """The verdict of a claim stated earlier (``not measured`` for a missing quantity)."""
        if key not in self.claims:
            raise KeyError(
                f"no claim {key!r} has been stated yet; stated: {', '.join(self.claims) or 'none'}."
            )
        return self.claims[key].verdict

    def reading(self, key: str) -> str:
        """What the claim's rule reads on its interval: its verdict, or for an illustration (one
        trained model) the reading that is not a verdict; ``not measured`` for a missing quantity."""
        self.verdict(key)  # the same error for a claim not stated yet
        claim = self.claims[key]
        return getattr(claim, "reading", "") or claim.verdict

    def record(self, key: str, value: float, unit: str, **details) -> None:
        """Record a number in the ledger that no rule judges (see :func:`emergent.core.ledger.record`)."""
        ledger.record(self.slug, key, value, unit, **details)

    # --- prose -----------------------------------------------------------------------------------

    def guard(self, sentence: str, holds: bool, numbers: str) -> None:
        """Check a sentence of the page against this build's numbers (see :func:`claims.guard`)."""
        note = claims.guard(sentence, holds, numbers)
        if note is not None:
            _show(note)

    def glue(self, name: str, value) -> None:
        """Hand ``value`` to the page's Markdown, where ``{glue:text}`name``` shows it.

        Outside a Jupyter Book build (Colab) MyST-NB may be missing; then nothing is glued and the
        value stays in the notebook's variables.
        """
        try:
            from myst_nb import glue
        except ImportError:
            return
        if isinstance(
            value, np.generic
        ):  # NumPy 2 shows np.float64(0.5), which no format spec reads
            value = value.item()
        glue(name, value, display=False)


def begin(slug: str, seed: int = 0) -> Chapter:
    """Open a chapter: a fresh ledger, every generator seeded, the house style, the profile and device."""
    ledger.begin(slug)
    seed_everything(seed)
    use_house_style()
    print(f"profile: {profile_name()}, device: {device_description()}")
    return Chapter(slug)
