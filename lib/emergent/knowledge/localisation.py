"""Does localisation inform editing? (Hase et al. 2023)

Causal tracing says at which layer a fact's hidden state matters most; a rank-one edit can be made
at any layer. Hase et al. edited GPT-J at every layer, on facts whose tracing they also measured, and
asked whether a fact's tracing effect at a layer predicts how well an edit there works. It hardly
did: knowing the layer explained much of an edit's success, and adding the tracing effect explained
almost nothing more.

The same question on the book's model: per fact and layer, the MLP tracing effect at the edited
token, and the *rewrite score* of a rank-one edit there, ``(p_after - p_before) / (1 - p_before)`` of
the new answer on the held-out paraphrases (1: fully rewritten, 0: unchanged).
"""

from __future__ import annotations

import numpy as np

from emergent.core.progress import progress_bar
from emergent.knowledge.editing import Editor, edit_prompts
from emergent.knowledge.fact_model import answer_logits
from emergent.knowledge.tracing import causal_trace


def rewrite_score(before: float, after: float) -> float:
    """How much of the way from ``before`` to certainty the new answer's probability moved."""
    if not (0 <= before <= 1 and 0 <= after <= 1):
        raise ValueError(f"probabilities lie in [0, 1], got {before} and {after}.")
    return 0.0 if before >= 1 else (after - before) / (1 - before)


def new_answer_probability(model, kb, prompts, new_answer: str) -> float:
    """Mean probability of ``new_answer`` at the end of ``prompts``."""
    logits = answer_logits(model, prompts, kb.pad_id)
    return float(logits.softmax(-1)[:, kb.index[new_answer]].mean())


def tracing_and_editing(
    model,
    kb,
    edits,
    noise: float,
    position: str = "subject",
    text=None,
    samples: int = 10,
    progress: bool = True,
) -> dict:
    """For each edit (entity, relation, new answer) and layer: the MLP tracing effect at the edited token
    (the last subject token, or the last token) and the rewrite score of a rank-one edit at that layer.

    Returns ``{"tracing": (facts, layers), "rewrite": (facts, layers)}``.
    """
    if position not in ("subject", "last"):
        raise ValueError(f"position must be 'subject' or 'last', got {position!r}.")
    layers = range(model.config.n_layer)
    editors = [Editor(model, kb, layer, position=position, text=text) for layer in layers]
    tracing, rewrite = [], []
    for entity, relation, new in progress_bar(
        edits, desc="trace and edit", disable=not progress, leave=False
    ):
        prompt = kb.prompt(entity, kb.templates_for(relation)[0])
        where = prompt.last_subject if position == "subject" else len(prompt.ids) - 1
        trace = causal_trace(
            model, prompt.ids, prompt.subject, prompt.answer, noise, kind="mlp", samples=samples
        )
        tracing.append(trace.indirect_effect[:, where])
        paraphrases = edit_prompts(kb, entity, relation)["paraphrase"]
        before = new_answer_probability(model, kb, paraphrases, new)
        row = []
        for editor in editors:
            with editor.applied(editor.rome_delta_w(entity, relation, new)):
                row.append(
                    rewrite_score(before, new_answer_probability(model, kb, paraphrases, new))
                )
        rewrite.append(row)
    return {"tracing": np.array(tracing), "rewrite": np.array(rewrite)}


def r_squared(design: np.ndarray, target: np.ndarray) -> float:
    """Share of the variance of ``target`` a least-squares fit on ``design`` (with an intercept) explains."""
    design, target = np.asarray(design, dtype=float), np.asarray(target, dtype=float)
    if design.ndim == 1:
        design = design[:, None]
    if len(design) != len(target) or len(target) < 3:
        raise ValueError(
            f"need one row of predictors per target value, at least 3; got {design.shape} and {target.shape}."
        )
    X = np.column_stack([np.ones(len(target)), design])
    fitted = X @ np.linalg.lstsq(X, target, rcond=None)[0]
    spread = ((target - target.mean()) ** 2).sum()
    return 0.0 if spread == 0 else float(1 - ((target - fitted) ** 2).sum() / spread)


def localisation_gain(tracing: np.ndarray, rewrite: np.ndarray) -> dict:
    """Hase et al.'s comparison: R² of the rewrite score from the layer alone (``score ~ layer``), and from the
    layer, the tracing effect and their interaction (``score ~ layer * tracing``: a slope per layer)."""
    tracing, rewrite = np.asarray(tracing, dtype=float), np.asarray(rewrite, dtype=float)
    if tracing.shape != rewrite.shape or tracing.ndim != 2:
        raise ValueError(
            f"tracing and rewrite must both be (facts, layers), got {tracing.shape} and {rewrite.shape}."
        )
    facts, layers = tracing.shape
    one_hot = np.kron(
        np.ones((facts, 1)), np.eye(layers)
    )  # (facts * layers, layers), rows fact-major
    layer_only = r_squared(one_hot[:, 1:], rewrite.ravel())  # one column per layer but the first
    slopes = (
        one_hot * tracing.ravel()[:, None]
    )  # the tracing effect, with a slope of its own in each layer
    with_tracing = r_squared(np.column_stack([one_hot[:, 1:], slopes]), rewrite.ravel())
    return {
        "layer": layer_only,
        "layer_and_tracing": with_tracing,
        "gain": with_tracing - layer_only,
    }


def bootstrap_gain(tracing, rewrite, resamples: int = 500, seed: int = 0) -> np.ndarray:
    """The R² gain recomputed on facts resampled with replacement: its bootstrap draws."""
    tracing, rewrite = np.asarray(tracing), np.asarray(rewrite)
    rng = np.random.default_rng(seed)
    return np.array(
        [
            localisation_gain(tracing[pick], rewrite[pick])["gain"]
            for pick in rng.integers(0, len(tracing), (resamples, len(tracing)))
        ]
    )
