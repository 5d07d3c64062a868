"""What a forecaster may see: the training records of the smaller models, and nothing else.

A forecast of a larger model is honest only if nothing about that model leaked into it. So the
forecasting functions never receive models: they receive :class:`Member` records, each made from a
smaller model's training history (its size and its checkpoint scores), and the chapter builds those
records only for the models the forecaster is allowed to see.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    """One smaller model as the forecaster sees it.

    ``checkpoints`` are the rows its training recorded (``emergent.scaling.family.checkpoint_scores``):
    ``step``, ``loss`` (nats per answer token, every length) and, per number of digits ``n``,
    ``loss_<n>`` and ``exact_<n>``. The last row is the trained model.
    """

    name: str
    parameters: int  # non-embedding N
    checkpoints: tuple[dict, ...]

    def __post_init__(self):
        if not isinstance(self.parameters, int) or self.parameters < 1:
            raise ValueError(
                f"{self.name}: parameters must be a positive integer, got {self.parameters!r}."
            )
        if not self.checkpoints:
            raise ValueError(
                f"{self.name} has no checkpoints: train it with checkpoint scores "
                "(emergent.scaling.family.member_run records them)."
            )

    @property
    def final(self) -> dict:
        """The scores of the trained model (its last checkpoint)."""
        return self.checkpoints[-1]

    def score(self, key: str) -> float:
        """One of the trained model's scores, e.g. ``member.score("exact_5")``."""
        if key not in self.final:
            raise KeyError(f"{self.name} has no score {key!r}; it has {sorted(self.final)}.")
        return float(self.final[key])


def member_name(shape) -> str:
    """``"2x28"``: layers x width, the name the chapters give a family member."""
    return f"{shape.n_layer}x{shape.n_embd}"


def observe(family) -> list[Member]:
    """Records of the models in ``family`` (``(shape, model, history)`` triples), smallest first.

    Only their histories are read; the models themselves do not reach the forecaster.
    """
    members = [
        Member(
            member_name(shape),
            int(history.extras["non_embedding_parameters"]),
            tuple(history.evaluations),
        )
        for shape, _, history in family
    ]
    return sorted(members, key=lambda m: m.parameters)
