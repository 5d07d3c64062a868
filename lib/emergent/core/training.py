"""The book's one training loop, and the one record it leaves behind.

Every model the book trains - the tiny GPT-2s, the attention-only induction model, the grokking
networks, the toy models of superposition, the digit classifiers - goes through :func:`train`:

1. ``loss_at(model, step)`` gives the training loss of step ``step`` (0-based); the caller decides
   what a batch is, so full-batch, sampled and teacher-forced training all fit.
2. AdamW with decoupled weight decay (``weight_decay=0`` makes it plain Adam), a linear warm-up,
   then either a constant rate or a cosine decay to a fraction of the peak; optional gradient
   clipping.
3. ``evaluate(model)`` runs in eval mode without gradients whenever ``evaluate_at(done)`` is true,
   where ``done`` is the number of optimiser steps taken so far (0 is before any step); the run's
   last step is always evaluated. ``stop(history)`` may then end the run early.
4. A progress bar (off on the rendered site) and wall-clock timing, with the time spent evaluating
   kept apart from the time spent training.

Two loops stay special, and say so where they live: the compressor's lock-step online training
(encoder and decoder must take the very same steps, one block at a time) and the optimisation of
the new value vector inside a model edit (it trains one vector, not a model).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import torch

from emergent.core.progress import progress_bar

LossAt = Callable[[torch.nn.Module, int], torch.Tensor]


@dataclass
class History:
    """What a training run leaves behind, in one schema for the whole book.

    ``losses[i]`` is the training loss of step ``i``. ``evaluations`` holds one row per evaluation:
    ``{"step": steps done, "seconds": training seconds so far (evaluations excluded), ...metrics}``.
    ``seconds`` is the whole run's wall-clock time, evaluations included. ``extras`` holds what a
    run records once (a snapshot of weights at some moment, a final score).
    """

    losses: list[float] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early: bool = False
    extras: dict = field(default_factory=dict)

    def column(self, name: str) -> list:
        """One quantity across the evaluations, e.g. ``history.column("test_acc")``."""
        if not self.evaluations:
            raise KeyError(f"this run was never evaluated, so it has no {name!r} column.")
        if name not in self.evaluations[0]:
            raise KeyError(
                f"no {name!r} among the evaluated quantities {sorted(self.evaluations[0])}."
            )
        return [row[name] for row in self.evaluations]

    @property
    def steps_done(self) -> int:
        return len(self.losses)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "History":
        return cls(**data)


def learning_rate_factor(step: int, steps: int, warmup_steps: int, decay_to: float | None) -> float:
    """The multiplier of the peak learning rate at ``step``: linear warm-up, then constant or cosine.

    With ``decay_to`` the rate falls along a half cosine from the peak to ``decay_to`` times the peak
    at the last step (GPT-2-style); without it, the rate stays at the peak, so nothing blurs an
    abrupt change in what the model learns.
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if decay_to is None:
        return 1.0
    progress_fraction = (step - warmup_steps) / max(1, steps - warmup_steps)
    return decay_to + (1 - decay_to) * 0.5 * (1 + math.cos(math.pi * progress_fraction))


def train(
    model: torch.nn.Module,
    loss_at: LossAt,
    steps: int,
    *,
    learning_rate: float,
    weight_decay: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.999),
    warmup_steps: int = 0,
    decay_to: float | None = None,
    clip_grad_norm: float | None = None,
    evaluate: Callable[[torch.nn.Module], dict] | None = None,
    evaluate_at: Callable[[int], bool] | None = None,
    stop: Callable[[History], bool] | None = None,
    progress: bool = True,
    description: str = "training",
    show: tuple[str, ...] = (),
) -> History:
    """Train ``model`` in place for up to ``steps`` optimiser steps; return its :class:`History`.

    ``show`` names evaluated quantities to print on the progress bar. The model is left in eval
    mode on the device it was given on.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    if weight_decay < 0:
        raise ValueError(
            f"weight_decay must be non-negative (0 switches it off), got {weight_decay!r}."
        )
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be non-negative, got {warmup_steps!r}.")
    if evaluate_at is not None and evaluate is None:
        raise ValueError(
            "evaluate_at was given without an evaluate function to call at those steps."
        )
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=learning_rate, weight_decay=weight_decay, betas=betas
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: learning_rate_factor(step, steps, warmup_steps, decay_to)
    )
    device = next(model.parameters()).device
    on_gpu = device.type == "cuda"
    # Each step's loss is copied into one buffer, read back once at the end (a .item() per step
    # stalls a GPU). Keeping the steps' own loss tensors instead (thousands of tiny allocations left
    # among the activations', likely fragmenting the heap) made CPU steps 2 to 3 times slower by
    # the end of a few-thousand-step run.
    history, losses, done = History(), torch.empty(steps, dtype=torch.float32, device=device), 0
    run_start, evaluating = time.perf_counter(), [0.0]  # seconds spent evaluating so far

    def evaluate_now(done: int) -> bool:
        """Evaluate after ``done`` steps; True if the run should stop here."""
        if on_gpu:
            torch.cuda.synchronize()  # the queued steps finish before the clock is read
        began = time.perf_counter()
        model.eval()
        with torch.no_grad():
            trained = (
                began - run_start - evaluating[0] if done else 0.0
            )  # wall time outside evaluations
            row = {"step": done, "seconds": trained, **evaluate(model)}
        model.train()
        evaluating[0] += time.perf_counter() - began
        history.evaluations.append(row)
        if show:
            bar.set_postfix({name: f"{row[name]:.3f}" for name in show}, refresh=False)
        return stop is not None and stop(history)

    bar = progress_bar(
        range(steps), desc=description, disable=not progress, mininterval=1.0, leave=False
    )
    model.train()
    stopped = (
        evaluate is not None and evaluate_at is not None and evaluate_at(0) and evaluate_now(0)
    )
    for step in [] if stopped else bar:
        loss = loss_at(model, step)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        if clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimiser.step()
        scheduler.step()
        losses[step] = loss.detach()
        done = step + 1
        if step % 50 == 0 and not show:
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
        if evaluate is not None and (
            done == steps or (evaluate_at is not None and evaluate_at(done))
        ):
            if evaluate_now(done):
                stopped = done < steps
                break
    bar.close()
    model.eval()
    history.losses = losses[:done].cpu().tolist()
    history.seconds = time.perf_counter() - run_start
    history.stopped_early = bool(stopped)
    return history


def next_token_loss(batches: Callable[[int], tuple[torch.Tensor, torch.Tensor]]) -> LossAt:
    """``loss_at`` for a GPT-2: ``batches(step)`` gives ``(input_ids, labels)``, label -100 ignored."""

    def loss_at(model, step: int) -> torch.Tensor:
        input_ids, labels = batches(step)
        device = next(model.parameters()).device
        return model(input_ids=input_ids.to(device), labels=labels.to(device)).loss

    return loss_at


def train_language_model(
    model: torch.nn.Module,
    batches: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
    steps: int,
    learning_rate: float = 3e-3,
    weight_decay: float = 0.01,
    warmup_steps: int = 50,
    progress: bool = True,
    description: str = "training",
    evaluate: Callable[[torch.nn.Module], dict] | None = None,
    evaluate_at: Callable[[int], bool] | None = None,
) -> History:
    """:func:`train` with GPT-2's recipe: next-token loss, warm-up, cosine decay to a tenth of the
    peak, gradients clipped to norm 1. ``batches(step)`` gives ``(input_ids, labels)``; ``evaluate``
    and ``evaluate_at`` are :func:`train`'s (checkpoints scored during the run)."""
    return train(
        model,
        next_token_loss(batches),
        steps,
        learning_rate=learning_rate,
        weight_decay=weight_decay,
        warmup_steps=warmup_steps,
        decay_to=0.1,
        clip_grad_norm=1.0,
        progress=progress,
        description=description,
        evaluate=evaluate,
        evaluate_at=evaluate_at,
    )


def every(interval: int, dense_until: int = 0) -> Callable[[int], bool]:
    """An ``evaluate_at``: every step up to ``dense_until``, then every ``interval`` steps."""
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise ValueError(f"interval must be a positive integer, got {interval!r}.")
    return lambda done: done < dense_until or done % interval == 0
