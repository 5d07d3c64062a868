"""Editing many facts at once: MEMIT (Meng et al. 2023), and AlphaEdit's null-space variant (Fang et al. 2025).

ROME changes one fact with a rank-one update of one MLP. MEMIT changes a batch of facts together and
spreads the change over several layers, in three steps:

1. for each fact i, a target hidden state ``z_i`` at the *last* edited layer: the current state at the
   edited token plus a vector δ_i found by gradient descent so that the model gives the new answer;
2. for each edited layer l, first to last: the keys ``K`` (one row per fact, averaged over the edit's
   contexts, with the earlier layers already edited) and the residual ``R = (z - h) / (layers left)``,
   where h is the current last-layer state; so each layer supplies an equal share of what is missing;
3. the least-squares update that writes ``R`` at ``K`` while keeping the outputs of the ordinary keys
   of the training text (second moment C, weight λ) as they were::

       ΔW = (λ C + Kᵀ K)⁻¹ Kᵀ R        (GPT-2's Conv1D orientation: outputs are k @ W)

AlphaEdit replaces the preservation term by a projection: the update is confined to the directions
the ordinary keys do not use (the eigenvectors of C with small eigenvalues), so those keys' outputs
do not change at all, whatever the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.core.config import Config, check_positive
from emergent.core.progress import progress_bar
from emergent.knowledge.editing import (
    EditConfig,
    Editor,
    edit_set,
    evaluate_edit,
    harmonic_mean,
    key_second_moment,
    optimise_delta,
    output_matrix,
    subject_key,
)
from emergent.knowledge.hooks import check_gpt2, check_layer
from emergent.knowledge.logit_lens import residual_stream
from emergent.knowledge.knowledge_base import KnowledgeBase


@dataclass(frozen=True)
class MassEditConfig(Config):
    """How a batch of edits is spread and solved. MEMIT and AlphaEdit each have one strength to set (the
    MEMIT paper uses λ = 15,000 for GPT-J); :func:`calibrate` chooses it on a separate batch of edits."""

    preservation: float = (
        100.0  # MEMIT's λ: weight of the ordinary keys' second moment C (a mean) against the edits
    )
    ridge: float = (
        0.1  # AlphaEdit's regulariser, relative to the mean squared norm of the projected keys
    )
    null_space_share: float = (
        0.02  # AlphaEdit: C's eigen-directions below this share of its mean eigenvalue are "unused"
    )

    def __post_init__(self):
        check_positive(self, "preservation", "ridge", "null_space_share")


class MassEditor:
    """Computes and applies MEMIT and AlphaEdit updates over ``layers`` at one site of one model."""

    def __init__(
        self,
        model: GPT2LMHeadModel,
        kb: KnowledgeBase,
        layers: list[int],
        position: str = "subject",
        text: list[list[int]] | None = None,
        config: MassEditConfig = MassEditConfig(),
        delta_config: EditConfig = EditConfig(),
    ):
        check_gpt2(model)
        if not layers or sorted(set(layers)) != list(layers):
            raise ValueError(
                f"layers must be a non-empty, increasing list of distinct layers, got {layers}."
            )
        for layer in layers:
            check_layer(model, layer)
        if position not in ("subject", "last"):
            raise ValueError(f"position must be 'subject' or 'last', got {position!r}.")
        self.model, self.kb, self.layers, self.position = model, kb, list(layers), position
        self.config, self.delta_config = config, delta_config
        text = kb.training_sentences() if text is None else text
        self.C = {l: key_second_moment(model, l, text, kb.pad_id).double() for l in layers}
        self.projections = {
            l: null_space_projection(C, config.null_space_share) for l, C in self.C.items()
        }

    def _contexts(self, edit):
        entity, relation, new = edit
        prompts = edit_set(self.kb, entity, relation, new)
        if self.position == "last":
            return prompts, [(p.ids, len(p.ids) - 1) for p in prompts]
        return prompts, [(p.ids, p.last_subject) for p in prompts]

    def _hidden(self, layer: int, contexts) -> torch.Tensor:
        """The residual stream after block ``layer`` at each context's edited token, averaged."""
        return torch.stack(
            [
                residual_stream(self.model, ids[: position + 1])[layer + 1, position]
                for ids, position in contexts
            ]
        ).mean(0)

    def targets(self, edits, progress: bool = True) -> torch.Tensor:
        """Step 1: ``z_i`` for each edit, at the last edited layer's output.  (n, d)"""
        kb, last = self.kb, self.layers[-1]
        zs = []
        for entity, relation, new in progress_bar(
            edits, desc="targets", disable=not progress, leave=False
        ):
            prompts, contexts = self._contexts((entity, relation, new))
            preserve = [
                kb.prompt(entity, kb.templates_for(r)[0]) for r in kb.relations if r != relation
            ]
            delta = optimise_delta(
                self.model,
                last,
                prompts,
                kb.index[new],
                preserve,
                kb.pad_id,
                self.delta_config,
                position=self.position,
                site="block",
            )
            zs.append(self._hidden(last, contexts) + delta)
        return torch.stack(zs)

    def updates(
        self, edits, method: str = "memit", progress: bool = True, targets=None
    ) -> dict[int, torch.Tensor]:
        """Steps 2 and 3: ΔW for each layer (the edits are applied while computing and undone after).
        ``targets``: the edits' ``z`` from :meth:`targets`, if already computed."""
        if method not in ("memit", "alphaedit"):
            raise ValueError(f"method must be 'memit' or 'alphaedit', got {method!r}.")
        if not edits:
            raise ValueError("give at least one edit.")
        zs = self.targets(edits, progress) if targets is None else targets
        contexts = [self._contexts(edit)[1] for edit in edits]
        originals = {
            layer: output_matrix(self.model, layer).detach().clone() for layer in self.layers
        }
        deltas = {}
        try:
            for i, layer in enumerate(self.layers):
                keys = torch.stack(
                    [subject_key(self.model, layer, c) for c in contexts]
                ).double()  # (n, d_ff)
                current = torch.stack(
                    [self._hidden(self.layers[-1], c) for c in contexts]
                ).double()  # (n, d)
                residual = (zs.double() - current) / (len(self.layers) - i)
                deltas[layer] = self._solve(layer, keys, residual, method).float()
                with torch.no_grad():
                    output_matrix(self.model, layer).add_(deltas[layer])
        finally:
            _restore(self.model, originals)
        return deltas

    def _solve(
        self, layer: int, keys: torch.Tensor, residual: torch.Tensor, method: str
    ) -> torch.Tensor:
        if method == "memit":
            return mass_update(keys, residual, self.config.preservation * self.C[layer])
        return null_space_update(keys, residual, self.projections[layer], self.config.ridge)

    def applied(self, deltas: dict[int, torch.Tensor]):
        """A context manager that adds every layer's ΔW and restores the weights afterwards."""
        return _Applied(self.model, deltas)


def mass_update(keys, residual, preserve) -> torch.Tensor:
    """ΔW minimising Σ_i ‖k_i ΔW - r_i‖² + tr(ΔWᵀ P ΔW): ``(P + Kᵀ K)⁻¹ Kᵀ R``.

    ``keys`` (n, d_ff), ``residual`` (n, d), ``preserve`` (d_ff, d_ff) = λ C. Returns (d_ff, d).
    """
    keys, residual, preserve = (
        torch.as_tensor(x, dtype=torch.float64) for x in (keys, residual, preserve)
    )
    if (
        keys.ndim != 2
        or residual.shape[0] != keys.shape[0]
        or preserve.shape != (keys.shape[1], keys.shape[1])
    ):
        raise ValueError(
            f"shapes must be keys (n, d_ff), residual (n, d), preserve (d_ff, d_ff); got "
            f"{tuple(keys.shape)}, {tuple(residual.shape)}, {tuple(preserve.shape)}."
        )
    return torch.linalg.solve(preserve + keys.T @ keys, keys.T @ residual)


def null_space_projection(C, share: float) -> torch.Tensor:
    """P projecting onto the eigen-directions of C whose eigenvalue is below ``share`` × the mean eigenvalue."""
    C = torch.as_tensor(C, dtype=torch.float64)
    values, vectors = torch.linalg.eigh(C)
    unused = vectors[:, values < share * values.mean()]
    return unused @ unused.T


def null_space_update(keys, residual, projection, ridge: float = 1e-6) -> torch.Tensor:
    """AlphaEdit's update, ΔW = P X with X minimising Σ_i ‖k_i P X - r_i‖² + ρ‖X‖²: confined to the
    directions P keeps, so a key outside them (an ordinary key, in C's span) sees no change."""
    keys, residual, P = (
        torch.as_tensor(x, dtype=torch.float64) for x in (keys, residual, projection)
    )
    projected = keys @ P  # (n, d_ff): what each key looks like inside the unused directions
    scale = float((projected**2).sum(1).mean()) or 1.0
    X = torch.linalg.solve(
        projected.T @ projected + ridge * scale * torch.eye(P.shape[0], dtype=torch.float64),
        projected.T @ residual,
    )
    return P @ X


def _restore(model, originals: dict[int, torch.Tensor]) -> None:
    """Put the saved output matrices back, bit for bit (subtracting a change again need not round back)."""
    with torch.no_grad():
        for layer, original in originals.items():
            output_matrix(model, layer).copy_(original)


class _Applied:
    def __init__(self, model, deltas):
        self.model, self.deltas = model, deltas

    def __enter__(self):
        self.originals = {
            layer: output_matrix(self.model, layer).detach().clone() for layer in self.deltas
        }
        with torch.no_grad():
            for layer, delta in self.deltas.items():
                output_matrix(self.model, layer).add_(delta)
        return self.model

    def __exit__(self, *exc):
        _restore(self.model, self.originals)
        return False


def sequential_rome(editor: Editor, edits, progress: bool = True) -> dict[int, torch.Tensor]:
    """ROME edits made one after another, each on the model the earlier ones left; the summed ΔW."""
    W = output_matrix(editor.model, editor.layer)
    original = W.detach().clone()
    try:
        for edit in progress_bar(edits, desc="one by one", disable=not progress, leave=False):
            delta = editor.rome_delta_w(*edit)  # on the model as the earlier edits left it
            with torch.no_grad():
                W.add_(delta)
        return {editor.layer: (W.detach() - original).clone()}
    finally:
        with torch.no_grad():
            W.copy_(original)


def calibrate(
    model,
    kb: KnowledgeBase,
    layers,
    position: str,
    edits,
    method: str,
    candidates,
    text=None,
    progress: bool = True,
) -> tuple[float, dict]:
    """The strength (MEMIT's λ or AlphaEdit's ridge) among ``candidates`` with the best score S on
    ``edits``, a batch kept apart from the edits that are evaluated; returns it and every candidate's S."""
    fields = {"memit": "preservation", "alphaedit": "ridge"}
    if method not in fields:
        raise ValueError(f"calibrate tunes 'memit' or 'alphaedit'; got method={method!r}.")
    field = fields[method]
    scores = {}
    base = MassEditor(model, kb, layers, position=position, text=text)
    targets = base.targets(edits, progress=False)  # the same for every strength
    for value in progress_bar(
        candidates, desc=f"calibrating {method}", disable=not progress, leave=False
    ):
        base.config = base.config.with_(**{field: value})
        with base.applied(base.updates(edits, method, progress=False, targets=targets)):
            scores[value] = evaluate_batch(model, kb, edits)["summary"]["score"]
    return max(scores, key=scores.get), scores


def evaluate_batch(model, kb: KnowledgeBase, edits) -> dict:
    """Meng et al.'s scores averaged over a batch of edits that are all applied at once (each edit's
    neighbours leave out the facts the batch itself changed)."""
    edited = [(entity, relation) for entity, relation, _ in edits]
    rows = [
        evaluate_edit(model, kb, entity, relation, new, edited) for entity, relation, new in edits
    ]
    summary = {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}
    summary["score"] = harmonic_mean([summary["ES"], summary["PS"], summary["NS"]])
    return {"summary": summary, "per_edit": rows}
