"""Editing one fact: a rank-one update of one MLP (ROME, Meng et al. 2022) against fine-tuning.

An MLP's output matrix W maps a *key* k (the neuron activations at a token) to a *value* W k added to
the residual stream. If the subject's last token produces the key k*, we can make the layer return
any value v* for it, while disturbing the other keys as little as possible, by the rank-one update

    Ŵ = W + Λ (C⁻¹ k*)ᵀ,   Λ = (v* − W k*) / ((C⁻¹ k*)ᵀ k*),

where C = E[k kᵀ] is the second moment of keys over ordinary text. This is the least-squares
solution of "keep W k ≈ Ŵ k for the keys in C, and set Ŵ k* = v*". The value v* is found by
gradient descent: the MLP output at the subject's last token is shifted by a vector δ until the
model gives the new answer.

GPT-2 stores the output matrix as a ``Conv1D`` weight of shape (d_ff, d) and computes k @ W + b,
so in code the update reads W += outer(C⁻¹ k*, Λ).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.core.config import Config
from emergent.core.progress import progress_bar
from emergent.knowledge.fact_model import answer_logits
from emergent.knowledge.hooks import (
    check_gpt2,
    check_layer,
    forward_hooks,
    hidden_state_of,
    with_hidden_state,
)
from emergent.knowledge.memories import mlp_keys
from emergent.knowledge.knowledge_base import KnowledgeBase, Prompt, batch_prompts


def output_matrix(model: GPT2LMHeadModel, layer: int) -> torch.nn.Parameter:
    """The MLP output ("value") matrix of a layer, shape (d_ff, d)."""
    check_gpt2(model)
    check_layer(model, layer)
    return model.transformer.h[layer].mlp.c_proj.weight


@torch.no_grad()
def key_second_moment(
    model: GPT2LMHeadModel,
    layer: int,
    sentences: list[list[int]],
    pad_id: int,
    batch_size: int = 512,
) -> torch.Tensor:
    """C = E[k kᵀ] over every token of ``sentences`` (lists of ids, e.g. the training text).  (d_ff, d_ff)"""
    if not sentences:
        raise ValueError("Give some sentences to estimate the key statistics from.")
    total, count = None, 0
    for start in range(0, len(sentences), batch_size):
        chunk = sentences[start : start + batch_size]
        length = max(map(len, chunk))
        ids = torch.full((len(chunk), length), pad_id, dtype=torch.long)
        for row, s in enumerate(chunk):
            ids[row, : len(s)] = torch.tensor(s)
        mask = torch.arange(length)[None] < torch.tensor([len(s) for s in chunk])[:, None]
        keys = mlp_keys(model, layer, ids)[mask].double()  # (tokens, d_ff)
        total = keys.T @ keys if total is None else total + keys.T @ keys
        count += len(keys)
    return (total / count).float()


@torch.no_grad()
def subject_key(
    model: GPT2LMHeadModel, layer: int, contexts: list[tuple[tuple[int, ...], int]]
) -> torch.Tensor:
    """k*: the key at the subject's last token, averaged over contexts (ids, position).  (d_ff,)"""
    if not contexts:
        raise ValueError("Give at least one (ids, last subject position) context.")
    keys = []
    for ids, position in contexts:
        keys.append(mlp_keys(model, layer, torch.tensor([ids[: position + 1]]))[0, position])
    return torch.stack(keys).mean(0)


@dataclass(frozen=True)
class EditConfig(Config):
    steps: int = 100  # gradient steps for δ (ROME uses 20 on GPT-2 XL with a larger learning rate)
    learning_rate: float = 0.5
    kl_weight: float = 1.0  # keep the subject's other facts: KL to the unedited predictions
    norm_weight: float = 1e-5  # a little pressure towards a short δ
    ridge: float = 1e-3  # added to C's diagonal (relative to its mean eigenvalue) before inverting
    # Stop once every edit prompt gives the new answer this probability. Pushing on towards 1 only
    # lengthens δ, and with it the change that every key along C⁻¹k* (the neighbours') feels.
    target_probability: float = 0.9


def optimise_delta(
    model: GPT2LMHeadModel,
    layer: int,
    prompts: list[Prompt],
    new_answer: int,
    preserve: list[Prompt],
    pad_id: int,
    config: EditConfig = EditConfig(),
    position: str = "subject",
    site: str = "mlp",
) -> torch.Tensor:
    """δ such that adding it to the MLP output at the subject's last token makes ``new_answer`` the
    prediction for ``prompts``, while ``preserve`` prompts (other facts of the subject) keep their
    predicted distributions. ``position="last"`` adds δ at the last token of the edit prompts instead
    (and not to the preserved prompts, whose last token asks another question). ``site="block"`` adds
    it to the whole block's output, the residual stream (MEMIT's target), instead of the MLP's."""
    if site not in ("mlp", "block"):
        raise ValueError(f"site must be 'mlp' or 'block', got {site!r}.")
    d = model.config.n_embd
    delta = torch.zeros(d, requires_grad=True)
    # A loop of its own, not the book's trainer: it optimises one vector inside a frozen model.
    optimiser = torch.optim.Adam([delta], lr=config.learning_rate)
    everything = prompts + preserve
    ids, last = batch_prompts(everything, pad_id)
    rows = torch.arange(len(everything))
    if position == "last":
        subject_last, where = last[: len(prompts)], torch.arange(len(prompts))
    else:
        subject_last, where = torch.tensor([p.last_subject for p in everything]), rows
    with torch.no_grad():
        reference = model(input_ids=ids).logits[rows, last][len(prompts) :].log_softmax(-1)

    def add_delta(module, inputs, output):
        out = hidden_state_of(output).clone()
        out[where, subject_last] += delta
        return with_hidden_state(output, out)

    for p in model.parameters():
        p.requires_grad_(False)
    try:
        module = model.transformer.h[layer].mlp if site == "mlp" else model.transformer.h[layer]
        with forward_hooks([(module, add_delta)]):
            for _ in range(config.steps):
                logp = model(input_ids=ids).logits[rows, last].log_softmax(-1)
                nll = -logp[: len(prompts), new_answer].mean()
                kl = (
                    (reference.exp() * (reference - logp[len(prompts) :])).sum(-1).mean()
                    if preserve
                    else 0.0
                )
                loss = nll + config.kl_weight * kl + config.norm_weight * delta.pow(2).sum()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                if (
                    float(logp.detach()[: len(prompts), new_answer].exp().min())
                    > config.target_probability
                ):
                    break
    finally:
        for p in model.parameters():
            p.requires_grad_(True)
    return delta.detach()


@torch.no_grad()
def rank_one_update(
    W: torch.Tensor, C_inv_k: torch.Tensor, k: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """ΔW (same shape as the Conv1D weight W, (d_ff, d)) such that k @ (W + ΔW) = v, of rank one along C⁻¹k.

    Λ = (v − k W) / (C⁻¹k · k);  ΔW = outer(C⁻¹k, Λ).
    """
    W, C_inv_k, k, v = (torch.as_tensor(x, dtype=torch.float32) for x in (W, C_inv_k, k, v))
    if (
        W.ndim != 2
        or C_inv_k.shape != (W.shape[0],)
        or k.shape != (W.shape[0],)
        or v.shape != (W.shape[1],)
    ):
        raise ValueError(
            f"Shapes must be W (d_ff, d), C⁻¹k (d_ff,), k (d_ff,), v (d,); got {tuple(W.shape)}, "
            f"{tuple(C_inv_k.shape)}, {tuple(k.shape)}, {tuple(v.shape)}."
        )
    denominator = float(C_inv_k @ k)
    if abs(denominator) < 1e-12:
        raise ValueError(
            "C⁻¹k · k is zero: the key is orthogonal to its own whitened direction; check C and k."
        )
    Lambda = (v - k @ W) / denominator
    return torch.outer(C_inv_k, Lambda)


def edit_set(kb: KnowledgeBase, entity: int, relation: str, new_answer: str) -> list[Prompt]:
    """The prompts an edit is made on: the relation's first phrasing under every training opening
    (the role of ROME's random prefixes). Other phrasings and held-out openings stay unseen."""
    templates = kb.templates_for(relation)
    return [
        kb.prompt(entity, t, answer=new_answer)
        for t in templates
        if t.phrasing == templates[0].phrasing
    ]


class Editor:
    """Applies and undoes edits of one model, with the key statistics of one layer computed once."""

    def __init__(
        self,
        model: GPT2LMHeadModel,
        kb: KnowledgeBase,
        layer: int,
        config: EditConfig = EditConfig(),
        position: str = "subject",
        text: list[list[int]] | None = None,
    ):
        """``position``: edit the key of the subject's last token (ROME) or of the prompt's last token,
        for models that look facts up there (see the chapter's causal traces). ``text``: token ids
        of the model's training text, for the key statistics C (default: the one-fact sentences)."""
        check_gpt2(model)
        check_layer(model, layer)
        if position not in ("subject", "last"):
            raise ValueError(f"position must be 'subject' or 'last', got {position!r}.")
        self.model, self.kb, self.layer, self.config, self.position = (
            model,
            kb,
            layer,
            config,
            position,
        )
        C = key_second_moment(
            model, layer, kb.training_sentences() if text is None else text, kb.pad_id
        )
        C = C + config.ridge * C.diagonal().mean() * torch.eye(len(C))
        self.C_inv = torch.linalg.inv(C.double()).float()

    def contexts(self, entity: int) -> list[tuple[tuple[int, ...], int]]:
        """Every training prompt that mentions the entity, as (ids, last subject position)."""
        prompts = self.kb.prompts(held_out=False, entities=[entity])
        return [(p.ids, p.last_subject) for p in prompts]

    def edit_set(self, entity: int, relation: str, new_answer: str) -> list[Prompt]:
        return edit_set(self.kb, entity, relation, new_answer)

    def rome_delta_w(self, entity: int, relation: str, new_answer: str) -> torch.Tensor:
        """The rank-one ΔW that makes ``relation(entity) = new_answer``."""
        kb, model = self.kb, self.model
        prompts = self.edit_set(entity, relation, new_answer)
        preserve = [
            kb.prompt(entity, kb.templates_for(r)[0]) for r in kb.relations if r != relation
        ]
        delta = optimise_delta(
            model,
            self.layer,
            prompts,
            kb.index[new_answer],
            preserve,
            kb.pad_id,
            self.config,
            position=self.position,
        )
        W = output_matrix(model, self.layer).detach()
        if self.position == "last":
            k_star = k_edit = subject_key(
                model, self.layer, [(p.ids, len(p.ids) - 1) for p in prompts]
            )
        else:
            k_star = subject_key(model, self.layer, self.contexts(entity))
            k_edit = subject_key(model, self.layer, [(p.ids, p.last_subject) for p in prompts])
        v_star = k_edit @ W + delta  # the value the edit prompts should now produce (bias cancels)
        return rank_one_update(W, self.C_inv @ k_star, k_star, v_star)

    @contextmanager
    def applied(self, delta_w: torch.Tensor):
        """Temporarily add ΔW to the layer's output matrix."""
        W = output_matrix(self.model, self.layer)
        original = W.detach().clone()
        with torch.no_grad():
            W.add_(delta_w)
        try:
            yield self.model
        finally:
            with torch.no_grad():
                W.copy_(original)

    def fine_tune_delta_w(
        self,
        entity: int,
        relation: str,
        new_answer: str,
        steps: int = 25,
        learning_rate: float = 1e-3,
        linf: float | None = None,
    ) -> torch.Tensor:
        """Fine-tuning baseline: gradient steps on the same layer's output matrix only, on the same edit
        prompts as ROME (Meng et al.'s FT); ``linf`` bounds each weight change (their FT+L)."""
        kb, model = self.kb, self.model
        prompts = self.edit_set(entity, relation, new_answer)
        ids, last = batch_prompts(prompts, kb.pad_id)
        rows, target = torch.arange(len(prompts)), kb.index[new_answer]
        W = output_matrix(model, self.layer)
        original = W.detach().clone()
        for p in model.parameters():
            p.requires_grad_(p is W)
        # A loop of its own, not the book's trainer: it updates one matrix, projected after every step (FT+L).
        optimiser = torch.optim.Adam([W], lr=learning_rate)
        try:
            for _ in range(steps):
                logp = model(input_ids=ids).logits[rows, last].log_softmax(-1)[:, target]
                if float(logp.detach().exp().min()) > 0.99:
                    break
                optimiser.zero_grad()
                (-logp.mean()).backward()
                optimiser.step()
                if linf is not None:
                    with torch.no_grad():
                        W.copy_(original + (W - original).clamp(-linf, linf))
            change = (W.detach() - original).clone()
        finally:
            with torch.no_grad():
                W.copy_(original)
            for p in model.parameters():
                p.requires_grad_(True)
        return change


# --------------------------------------------------------------------------------------------
# Measuring an edit
# --------------------------------------------------------------------------------------------


def choose_edits(
    model: GPT2LMHeadModel, kb: KnowledgeBase, count: int, seed: int = 0
) -> list[tuple[int, str, str]]:
    """``count`` (entity, relation, new answer) edits of facts the model knows on every training template."""
    rng = np.random.default_rng(seed)
    pool = [(e, r) for e in range(kb.n_entities) for r in kb.relations]
    order = rng.permutation(len(pool))
    edits = []
    for i in order:
        entity, relation = pool[i]
        prompts = [kb.prompt(entity, t) for t in kb.templates_for(relation)]
        logits = answer_logits(model, prompts, kb.pad_id)
        if not bool((logits.argmax(-1) == prompts[0].answer).all()):
            continue
        others = [a for a in kb.answers(relation) if a != kb.attribute(entity, relation)]
        edits.append((entity, relation, others[int(rng.integers(len(others)))]))
        if len(edits) == count:
            break
    if len(edits) < count:
        raise ValueError(
            f"Only {len(edits)} facts are known on every template; asked for {count} edits."
        )
    return edits


def _top1(model, kb, prompts: list[Prompt], target: int | None = None) -> np.ndarray:
    logits = answer_logits(model, prompts, kb.pad_id)
    targets = (
        torch.tensor([p.answer for p in prompts])
        if target is None
        else torch.full((len(prompts),), target)
    )
    return (logits.argmax(-1) == targets).numpy()


def _beats(model, kb, prompts: list[Prompt], winner: int | None, loser: int | None) -> np.ndarray:
    """Meng et al.'s probability comparison: P(winner) > P(loser) (None = each prompt's own answer)."""
    logits = answer_logits(model, prompts, kb.pad_id)
    own = torch.tensor([p.answer for p in prompts])
    w = own if winner is None else torch.full_like(own, winner)
    l = own if loser is None else torch.full_like(own, loser)
    rows = torch.arange(len(prompts))
    return (logits[rows, w] > logits[rows, l]).numpy()


def edit_prompts(
    kb: KnowledgeBase, entity: int, relation: str, edited=()
) -> dict[str, list[Prompt]]:
    """The prompts an edit of (entity, relation) is judged on. ``edited`` lists other (entity, relation)
    pairs changed in the same batch: their prompts are left out of the neighbours and the same subject."""
    train = kb.templates_for(relation)
    first = train[0].phrasing
    changed = set(edited)
    return {
        "edit": [kb.prompt(entity, t) for t in train if t.phrasing == first],
        "paraphrase_train": [kb.prompt(entity, t) for t in train if t.phrasing != first],
        "paraphrase": [kb.prompt(entity, t) for t in kb.templates_for(relation, held_out=True)],
        "neighbours": [
            kb.prompt(n, t)
            for n in kb.neighbours(entity)
            if (n, relation) not in changed
            for t in train[:: max(1, len(train) // 4)]
        ],
        "same_subject": [
            kb.prompt(entity, t)
            for r in kb.relations
            if r != relation and (entity, r) not in changed
            for t in kb.templates_for(r)
        ],
    }


def evaluate_edit(
    model: GPT2LMHeadModel,
    kb: KnowledgeBase,
    entity: int,
    relation: str,
    new_answer: str,
    edited=(),
) -> dict:
    """Top-1 metrics of an (applied) edit, and Meng et al.'s probability-comparison scores.

    efficacy: the edit prompts now answer ``new_answer``; paraphrase: so do the held-out templates
    (``paraphrase_train``: the relation's training templates with other phrasings); specificity: neighbours
    (entities sharing a name part) keep their true answer; same_subject: the entity's other
    relations keep theirs.
    """
    groups = edit_prompts(kb, entity, relation, edited)
    new, old = kb.index[new_answer], kb.index[kb.attribute(entity, relation)]
    out = {
        "efficacy": float(_top1(model, kb, groups["edit"], new).mean()),
        "paraphrase": float(_top1(model, kb, groups["paraphrase"], new).mean()),
        "paraphrase_train": float(_top1(model, kb, groups["paraphrase_train"], new).mean()),
        "specificity": float(_top1(model, kb, groups["neighbours"]).mean())
        if groups["neighbours"]
        else float("nan"),
        "same_subject": float(_top1(model, kb, groups["same_subject"]).mean())
        if groups["same_subject"]
        else float("nan"),
        "ES": float(_beats(model, kb, groups["edit"], new, old).mean()),
        "PS": float(_beats(model, kb, groups["paraphrase"], new, old).mean()),
    }
    neighbours = [p for p in groups["neighbours"] if p.answer != new]
    out["NS"] = (
        float(_beats(model, kb, neighbours, None, new).mean()) if neighbours else float("nan")
    )
    return out


def harmonic_mean(values) -> float:
    """The harmonic mean, Meng et al.'s single score S over efficacy, paraphrase and specificity."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or np.any(values < 0):
        raise ValueError("Give one or more non-negative scores.")
    if np.any(values == 0):
        return 0.0
    return float(len(values) / np.sum(1.0 / values))


def run_edits(editor: Editor, edits, method: str = "rome", progress: bool = True, **kwargs) -> dict:
    """Apply each edit alone (undoing it afterwards) and average the metrics; ``method`` is 'rome',
    'ft' (fine-tuning the same layer) or 'ft+l' (fine-tuning with an L∞ bound)."""
    if method not in ("rome", "ft", "ft+l"):
        raise ValueError(f"method must be 'rome', 'ft' or 'ft+l', got {method!r}.")
    rows, start = [], time.perf_counter()
    for entity, relation, new in progress_bar(
        edits, desc=method, disable=not progress, leave=False
    ):
        if method == "rome":
            delta_w = editor.rome_delta_w(entity, relation, new)
        else:
            linf = kwargs.get("linf", 5e-3) if method == "ft+l" else None
            delta_w = editor.fine_tune_delta_w(
                entity, relation, new, linf=linf, **{k: v for k, v in kwargs.items() if k != "linf"}
            )
        with editor.applied(delta_w):
            rows.append(evaluate_edit(editor.model, editor.kb, entity, relation, new))
    seconds = time.perf_counter() - start
    summary = {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}
    summary["score"] = harmonic_mean([summary["ES"], summary["PS"], summary["NS"]])
    summary["harmonic_mean"] = harmonic_mean(
        [
            summary["efficacy"],
            summary["paraphrase"],
            summary["specificity"],
            summary["same_subject"],
        ]
    )
    summary["seconds_per_edit"] = seconds / len(edits)
    return {"summary": summary, "per_edit": rows}
