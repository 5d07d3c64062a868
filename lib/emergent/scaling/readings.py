"""Reading the scaling chapter's runs: the knee in the family's losses, the IsoFLOP profiles, and
where the FLOPs of a tiny model go.

The sweeps come from :func:`emergent.scaling.isoflop.isoflop_sweep` (one row per run); the FLOP
counts from :mod:`emergent.scaling.flops`. Nothing here trains: each function reads numbers that
were measured already, and the plotting functions draw them on an axis the chapter made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergent.core.models import non_embedding_parameters
from emergent.core.plots import PALETTE
from emergent.core.transitions import LATE_CHANGE_TOLERANCE, late_change  # noqa: F401 (chapter)
from emergent.scaling import flops
from emergent.scaling.family import test_loss
from emergent.scaling.isoflop import text_shape
from emergent.scaling.laws import isoflop_optimum

# --- the family over seeds and over training -------------------------------------------------------


def member_names(family) -> list[str]:
    """``"<layers>x<width>"`` for each member of one seed's family."""
    return [f"{shape.n_layer}x{shape.n_embd}" for shape, _, _ in family]


def seed_losses(families: dict, data) -> np.ndarray:
    """(seeds, members): the held-out test loss of every run (``families`` as
    :func:`~emergent.scaling.family.family_by_seed` returns it)."""
    return np.array(
        [[test_loss(model, data) for _, model, _ in family] for family in families.values()]
    )


def late_changes(families: dict) -> np.ndarray:
    """(seeds, members): the share of each run's fall in held-out loss made over its last fifth
    (:func:`~emergent.core.transitions.late_change`)."""
    return np.array(
        [
            [late_change(h.column("step"), h.column("loss")) for _, _, h in family]
            for family in families.values()
        ]
    )


def plot_exact_match_over_training(ax, family, names: list[str], digits: int) -> None:
    """Exact match on ``digits``-digit held-out problems at each evaluation of every member's
    training (``family`` as :func:`~emergent.scaling.family.family_runs` returns it), one line per
    member, so that a knee in size and a knee in training time can be told apart."""
    if len(names) != len(family):
        raise ValueError(f"one name per member: {len(names)} names for {len(family)} members.")
    key = f"exact_{digits}"
    for i, (name, (_, _, history)) in enumerate(zip(names, family)):
        if not history.evaluations or key not in history.evaluations[0]:
            raise KeyError(f"member {name} has no {key!r} in its evaluations.")
        ax.plot(
            history.column("step"),
            history.column(key),
            "o-",
            ms=2.5,
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=7, ncol=2)


# --- the knee in the family's losses ------------------------------------------------------------


@dataclass(frozen=True)
class Drops:
    """How the loss falls between neighbouring members (sorted by size, smallest first)."""

    factors: np.ndarray  # loss[i] / loss[i + 1], one per pair of neighbours
    largest_two: list[int]  # indices of the two largest factors, in order of size
    share: float  # the share of the whole fall in log loss that those two steps hold


def loss_drops(loss) -> Drops:
    """The factors by which loss falls between neighbours, and how much of the fall in log loss the
    two largest hold (the rest is spread over the other steps)."""
    loss = np.asarray(loss, dtype=float)
    if loss.ndim != 1 or len(loss) < 3:
        raise ValueError(
            f"need the losses of at least 3 members, smallest first; got {loss.tolist()}."
        )
    if (loss <= 0).any():
        raise ValueError(f"losses must be positive, got {loss.tolist()}.")
    factors = loss[:-1] / loss[1:]
    top = np.argsort(factors)[::-1][:2]
    share = float(np.log(factors[top]).sum() / np.log(loss[0] / loss[-1]))
    return Drops(factors, sorted(int(i) for i in top), share)


# --- IsoFLOP profiles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """One budget of an IsoFLOP sweep: the sizes tried, their losses and the fitted optimum."""

    compute: float
    sizes: np.ndarray  # parameters of each run, in the sweep's order
    losses: np.ndarray
    best_size: float  # vertex of the parabola in log N, kept inside the sizes tried
    best_loss: float

    @property
    def bracketed(self) -> bool:
        """Whether the optimum lies strictly inside the sizes tried (not at an edge)."""
        return bool(self.sizes.min() < self.best_size < self.sizes.max())

    @property
    def best_tokens(self) -> float:
        """Tokens the budget buys at the optimum under ``C = 6 N D``."""
        return self.compute / (6 * self.best_size)


def isoflop_profiles(rows: list[dict], size: str = "N") -> list[Profile]:
    """One :class:`Profile` per budget of the sweep ``rows``, smallest budget first; ``size`` names
    the parameter count (``"N"``, non-embedding, or ``"N_total"``)."""
    if not rows:
        raise ValueError("the sweep has no runs.")
    profiles = []
    for compute in sorted({r["compute"] for r in rows}):
        runs = [r for r in rows if r["compute"] == compute]
        sizes = np.array([r[size] for r in runs], float)
        losses = np.array([r["loss"] for r in runs])
        best_size, best_loss = isoflop_optimum(sizes, losses, strict=False)
        profiles.append(Profile(compute, sizes, losses, best_size, best_loss))
    return profiles


def plot_isoflop_profiles(ax, profiles: list[Profile]) -> None:
    """Each budget's runs as points, its parabola in log N as a line, its optimum as a star."""
    for colour, p in zip(PALETTE, profiles):
        grid = np.geomspace(p.sizes.min(), p.sizes.max(), 100)
        parabola = np.polyfit(np.log(p.sizes), p.losses, 2)
        ax.plot(p.sizes, p.losses, "o", color=colour, label=f"C = {p.compute:.0e}")
        ax.plot(grid, np.polyval(parabola, np.log(grid)), color=colour, lw=1)
        ax.plot(p.best_size, p.best_loss, "*", color=colour, ms=14, mec="k")
    ax.legend()


def plot_isoflop_curves(ax, rows: list[dict], size: str) -> None:
    """Loss against ``size`` for each budget of a sweep, the runs joined in order of size."""
    for colour, compute in zip(PALETTE, sorted({r["compute"] for r in rows})):
        here = sorted((r for r in rows if r["compute"] == compute), key=lambda r: r[size])
        ax.plot(
            [r[size] for r in here],
            [r["loss"] for r in here],
            "o-",
            color=colour,
            label=f"C = {compute:.1e}",
        )
    ax.legend(fontsize=7)


# --- where the FLOPs go ---------------------------------------------------------------------------


def flop_rows(sizes: list[tuple[int, int]], data) -> list[dict]:
    """Per ``(n_layer, n_embd)`` text model: ``6N`` and the true training FLOPs per token, the latter
    by part (blocks, attention over the context, unembedding; forward and backward)."""
    rows = []
    for n_layer, n_embd in sizes:
        shape = text_shape(n_layer, n_embd, data)
        parts = {k: 3 * v for k, v in flops.forward_flops_per_token(shape).items()}  # fwd + bwd
        rows.append(
            {
                "size": f"{n_layer}x{n_embd}",
                "six_n": 6 * non_embedding_parameters(shape),
                **parts,
                "true": flops.training_flops_per_token(shape),
            }
        )
    return rows


def flop_table(rows: list[dict]) -> str:
    """The rows of :func:`flop_rows` as a plain-text table, with the ratio of true FLOPs to 6N."""
    header = (
        f"{'size':>6} {'6N':>8} {'blocks':>8} {'attention':>10} {'unembed':>8} {'true':>8} "
        f"{'true/6N':>8}"
    )
    lines = [header]
    for r in rows:
        lines.append(
            f"{r['size']:<6} {r['six_n']:>8,} {r['blocks']:>8,} "
            f"{r['attention_context']:>10,} {r['unembedding']:>8,} {r['true']:>8,} "
            f"{r['true'] / r['six_n']:>8.1f}"
        )
    return "\n".join(lines)
