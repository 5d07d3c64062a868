"""Nanda et al.'s progress measures: restricted loss, excluded loss, and knocking out key frequencies.

A network that has grokked modular addition computes the answer with waves at a few *key
frequencies* ``w_k = 2 pi k / p``: its neurons, read over the grid of all pairs ``(a, b)``, vary like
``cos(w_k (a + b))`` and ``sin(w_k (a + b))``. Nanda et al. (2023, section 5.1) turned this into two
losses that can be measured at every checkpoint, with the key frequencies of the *final* model:

* **restricted loss** - keep only the key-frequency part of each neuron's activation pattern (and
  its mean), read the logits out of that, and measure the loss on all ``p*p`` pairs. It falls when
  the Fourier circuit is in place, and can fall before the test loss does.
* **excluded loss** - take the key-frequency directions out of the logits and measure the loss on
  the *training* pairs. (Nanda et al. take them out of the neurons' contribution to the logits; for
  a model whose only other path to the logits is a constant per class, as in the book's MLP, the
  two are the same.) While the network memorises, this removal costs nothing; as the circuit
  takes over the training pairs, it costs more and more, so the excluded loss rises during the
  plateau while the training loss stays low.

The third test is causal: take the key frequencies out of the residue embedding and the test
accuracy should collapse, while taking out as many other frequencies should not matter.

Pairs are laid out on the grid in natural order: row ``i`` is ``(a, b) = (i // p, i % p)``.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F


def _check_frequencies(p: int, frequencies) -> list[int]:
    chosen = [int(f) for f in frequencies]
    if not chosen:
        raise ValueError("give at least one frequency (an integer k with 1 <= k <= (p-1)//2).")
    bad = [f for f in chosen if not 1 <= f <= (p - 1) // 2]
    if bad:
        raise ValueError(f"frequencies must lie in 1..{(p - 1) // 2} for p = {p}; {bad} do not.")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"frequencies must be distinct, got {chosen}.")
    return sorted(chosen)


def all_pairs(p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every pair ``(a, b)`` in natural order, shape ``(p*p, 2)``, and its label ``(a + b) mod p``."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 3:
        raise ValueError(f"p must be an integer of at least 3, got {p!r}.")
    index = torch.arange(p * p)
    pairs = torch.stack([index // p, index % p], dim=1)
    return pairs, pairs.sum(dim=1) % p


def sum_waves(p: int, frequencies) -> torch.Tensor:
    """Unit vectors ``cos(w_k (a + b))`` and ``sin(w_k (a + b))`` over the grid, shape ``(p*p, 2K)``.

    For distinct ``k`` in ``1..(p-1)//2`` they are orthogonal to each other and to the constant, so a
    projection onto them is a plain sum of dot products.
    """
    chosen = _check_frequencies(p, frequencies)
    pairs, _ = all_pairs(p)
    total = pairs.sum(dim=1, keepdim=True).double()  # (p*p, 1): a + b
    angles = 2 * torch.pi * total * torch.tensor(chosen, dtype=torch.double) / p  # (p*p, K)
    waves = torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)  # (p*p, 2K)
    return waves / waves.norm(dim=0, keepdim=True)


def _project(values: torch.Tensor, waves: torch.Tensor) -> torch.Tensor:
    """The part of each column of ``values`` (rows: grid pairs) that lies along the ``waves``."""
    return waves @ (waves.T @ values)


def excluded_logits(logits: torch.Tensor, p: int, frequencies) -> torch.Tensor:
    """``logits`` over the grid ``(p*p, p)`` with the key-frequency directions taken out."""
    _check_grid(logits, p, "logits")
    logits = logits.double()
    return logits - _project(logits, sum_waves(p, frequencies))


def restricted_logits(
    neurons: torch.Tensor, readout: torch.Tensor, logits: torch.Tensor, p: int, frequencies
) -> torch.Tensor:
    """Logits read out of the neurons' mean plus their key-frequency part only.

    ``neurons`` are the activations ``(p*p, n)`` over the grid, ``readout`` the ``(n, p)`` map from
    neurons to logits. Everything the neurons do not carry (the direct path, biases) is replaced by
    the mean logit of each class, as Nanda et al. do, so that only the neurons' variation is tested.
    """
    _check_grid(neurons, p, "neurons")
    _check_grid(logits, p, "logits")
    neurons = neurons.double()
    kept = neurons.mean(dim=0, keepdim=True) + _project(
        neurons - neurons.mean(dim=0, keepdim=True), sum_waves(p, frequencies)
    )
    restricted = kept @ readout.double()
    return (
        restricted
        + logits.double().mean(dim=0, keepdim=True)
        - restricted.mean(dim=0, keepdim=True)
    )


def _check_grid(values: torch.Tensor, p: int, name: str) -> None:
    if values.ndim != 2 or values.shape[0] != p * p:
        raise ValueError(
            f"{name} must have one row per grid pair, shape (p*p, ...) = ({p * p}, ...); got {tuple(values.shape)}. "
            "Evaluate the model on all_pairs(p), in that order."
        )


@torch.no_grad()
def progress_losses(model, p: int, frequencies, train_pairs: torch.Tensor) -> dict:
    """Restricted loss (all pairs) and excluded loss (training pairs) of ``model`` for ``frequencies``.

    The model must offer ``neurons(pairs)`` and ``readout()`` (both of the book's models do).
    """
    device = next(model.parameters()).device
    pairs, labels = (t.to(device) for t in all_pairs(p))
    logits = model(pairs)
    restricted = restricted_logits(model.neurons(pairs), model.readout(), logits, p, frequencies)
    train_rows = (train_pairs[:, 0] * p + train_pairs[:, 1]).to(device)
    excluded = excluded_logits(logits, p, frequencies)[train_rows]
    return {
        "restricted_loss": float(F.cross_entropy(restricted, labels)),
        "excluded_loss": float(F.cross_entropy(excluded, labels[train_rows])),
    }


def without_frequencies(embedding, frequencies) -> np.ndarray:
    """A ``(p, d)`` residue embedding with its components at ``frequencies`` removed (the mean kept)."""
    matrix = np.asarray(embedding, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"embedding must be a (p, d) matrix, got shape {matrix.shape}.")
    p = matrix.shape[0]
    chosen = _check_frequencies(p, frequencies)
    residues = np.arange(p)[:, None]
    angles = 2 * np.pi * residues * np.array(chosen)[None, :] / p  # (p, K)
    waves = np.concatenate([np.cos(angles), np.sin(angles)], axis=1)
    waves /= np.linalg.norm(waves, axis=0, keepdims=True)
    return matrix - waves @ (waves.T @ matrix)


@torch.no_grad()
def accuracy_without(
    model, p: int, frequencies, pairs: torch.Tensor, labels: torch.Tensor
) -> float:
    """Accuracy on ``pairs`` of a copy of ``model`` whose residue embedding lost ``frequencies``."""
    ablated = copy.deepcopy(model)
    weight = (
        ablated.embed.weight
    )  # rows 0..p-1 are the residues (the transformer's "=" row is left alone)
    weight[:p] = torch.as_tensor(
        without_frequencies(weight[:p].cpu().double().numpy(), frequencies),
        dtype=weight.dtype,
        device=weight.device,
    )
    device = weight.device
    return float((ablated(pairs.to(device)).argmax(-1) == labels.to(device)).float().mean())


def other_frequencies(p: int, keys, count: int, draws: int, seed: int = 0) -> list[list[int]]:
    """``draws`` random sets of ``count`` frequencies, none of them among ``keys`` (the control)."""
    keys = set(_check_frequencies(p, keys))
    pool = [f for f in range(1, (p - 1) // 2 + 1) if f not in keys]
    if not 1 <= count <= len(pool):
        raise ValueError(
            f"count must lie between 1 and {len(pool)} (the frequencies that are not keys), got {count}."
        )
    rng = np.random.default_rng(seed)
    return [
        sorted(int(f) for f in rng.choice(pool, size=count, replace=False)) for _ in range(draws)
    ]
