"""The metric mirage: the same models, scored by a sharp metric and by smooth ones.

Schaeffer et al. (2023) argue that many "emergent abilities" are made by the metric, not the model:
if the per-token cross-entropy falls smoothly with scale, the probability p of getting one token
right rises smoothly, but the probability of getting all L tokens of an answer right, about p^L,
stays near zero and then shoots up. This module holds

* the derivation's functions (cross-entropy power law, p, p^L, L(1 - p));
* the metrics, computed from what a model generated: exact match, per-digit accuracy, token edit
  distance, and the log-probability of the target;
* the BIG-bench emergence ("breakthroughness") score that quantifies "looks emergent";
* a test of the independence assumption behind p^L, and the test-set resolution argument;
* multiple-choice grade against Brier score.
"""

from __future__ import annotations

import math

import numpy as np

from emergent.core.progress import progress_bar

# The derivation ------------------------------------------------------------------------------


def token_cross_entropy(n, c: float, alpha: float):
    """Per-token cross-entropy ``(N / c)^alpha`` with ``alpha < 0``: falls as a power law in N."""
    n = np.asarray(n, dtype=float)
    if (n <= 0).any() or c <= 0:
        raise ValueError("model size n and the constant c must be positive.")
    if alpha >= 0:
        raise ValueError(f"alpha must be negative (loss falls with size), got {alpha}.")
    return (n / c) ** alpha


def token_probability(n, c: float, alpha: float):
    """Probability of the right token, ``p = exp(-L_CE)``: rises smoothly towards 1."""
    return np.exp(-token_cross_entropy(n, c, alpha))


def _check_p_and_length(p, length):
    p = np.asarray(p, dtype=float)
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(f"p is a probability and must lie in [0, 1], got {p}.")
    length_arr = np.asarray(length)
    if not np.issubdtype(length_arr.dtype, np.number) or (length_arr < 1).any():
        raise ValueError(f"the answer length L must be at least 1 token, got {length}.")
    return p, length_arr


def exact_match_prediction(p, length):
    """Exact match if every one of ``length`` tokens must be right, independently: ``p^L``."""
    p, length = _check_p_and_length(p, length)
    return p**length


def length_shift_decades(length, alpha: float) -> float:
    """How far, in decades of N, exact match at ``length`` tokens sits to the right of ``length = 1``.

    Under ``L_CE = (N/c)^alpha``, ``p(N)^L = exp(-L (N/c)^alpha) = p(N L^{1/alpha})``: the curve for
    length L is the one-token curve moved by ``-log10(L) / alpha`` decades, with its shape unchanged.
    """
    _check_p_and_length(0.5, length)
    if alpha >= 0:
        raise ValueError(f"alpha must be negative (loss falls with size), got {alpha}.")
    return float(-np.log10(length) / alpha)


def rise_width_decades(alpha: float, low: float = 0.1, high: float = 0.9) -> float:
    """Decades of N over which ``p^L`` climbs from ``low`` to ``high``: the same for every L.

    ``p^L = exp(-L x)`` equals ``q`` where ``x = -ln(q) / L``; the ratio of the two x values,
    ``ln(low) / ln(high)``, does not involve L, and ``x = (N/c)^alpha`` turns it into decades of N.
    """
    if alpha >= 0:
        raise ValueError(f"alpha must be negative (loss falls with size), got {alpha}.")
    if not 0 < low < high < 1:
        raise ValueError(f"need 0 < low < high < 1, got low={low}, high={high}.")
    return float(np.log10(np.log(low) / np.log(high)) / -alpha)


def edit_distance_prediction(p, length):
    """Expected token edit distance if each token is wrong independently with chance ``1 - p``: ``L (1 - p)``.

    (Strictly this is the expected number of wrong tokens, the Hamming distance; the edit distance
    can only be smaller, and for answers of fixed length it is close.)
    """
    p, length = _check_p_and_length(p, length)
    return length * (1 - p)


# Metrics -------------------------------------------------------------------------------------


def _pair(generated, target):
    generated = np.asarray(generated)
    target = np.asarray(target)
    if generated.ndim != 2 or generated.shape != target.shape:
        raise ValueError(
            f"generated and target must be (items, tokens) arrays of equal shape, got {generated.shape} and {target.shape}."
        )
    if generated.shape[0] == 0:
        raise ValueError("no items to score: generated and target are empty.")
    return generated, target


def exact_match(generated, target) -> float:
    """Fraction of answers with every token right: the sharp, all-or-nothing metric."""
    generated, target = _pair(generated, target)
    return float((generated == target).all(axis=1).mean())


def per_token_accuracy(generated, target) -> float:
    """Fraction of answer tokens (here: digits) that are right, position by position."""
    generated, target = _pair(generated, target)
    return float((generated == target).mean())


def needs_no_carry(a, b, positions: int) -> np.ndarray:
    """``(items, positions)`` booleans: answer digit i (units first) receives no carry from below.

    Digit i of ``a + b`` is ``(a_i + b_i) mod 10`` exactly when the lower i digits of a and b sum to
    less than ``10^i``; the units digit never receives a carry.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"a and b must be 1-D arrays of the same length, got shapes {a.shape} and {b.shape}."
        )
    powers = 10 ** np.arange(positions, dtype=np.int64)
    return (a[:, None] % powers + b[:, None] % powers) < powers


def carry_free_scores(generated, target, a, b) -> tuple[np.ndarray, np.ndarray]:
    """Per item, on the answer digits that need no carry: ``(all right, fraction right)``.

    A control with no algorithmic knee: these digits are ``(a_i + b_i) mod 10``, which a model can
    learn without learning to carry. The last answer digit is the carry out of the top position, so
    it is never carry-free; the units digit always is, so every item has at least one such digit.
    """
    generated, target = _pair(generated, target)
    mask = needs_no_carry(a, b, target.shape[1] - 1)
    if len(mask) != len(target):
        raise ValueError(
            f"{len(mask)} problems for {len(target)} answers: pass the operands of these answers."
        )
    right = generated[:, :-1] == target[:, :-1]
    all_right = (right | ~mask).all(axis=1)
    fraction = (right & mask).sum(axis=1) / mask.sum(axis=1)
    return all_right, fraction


def levenshtein(a, b) -> int:
    """Edit distance: fewest insertions, deletions and substitutions that turn ``a`` into ``b``."""
    a, b = list(a), list(b)
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def token_edit_distance(generated, target) -> float:
    """Mean token edit distance between what was generated and the target (0 is perfect)."""
    generated, target = _pair(generated, target)
    return float(np.mean([levenshtein(g, t) for g, t in zip(generated, target)]))


def target_log_probability(p_correct) -> float:
    """Mean over items of ``log P(target)`` = sum over its tokens of ``log p`` (nats; 0 is perfect)."""
    p_correct = np.asarray(p_correct, dtype=float)
    if p_correct.ndim != 2 or p_correct.size == 0:
        raise ValueError("p_correct must be a non-empty (items, tokens) array of probabilities.")
    return float(np.log(np.clip(p_correct, 1e-300, None)).sum(axis=1).mean())


# How emergent does a curve look? ------------------------------------------------------------------


def emergence_score(scale, score, resolution: float = 0.0) -> float:
    """The BIG-bench breakthroughness ("emergence score") of a metric across a model family.

    With models sorted by ``scale`` and scores ``y_1 .. y_n``::

        sign(argmax y - argmin y) * (max y - min y) / sqrt(median_i (y_i - y_{i-1})^2)

    Large when the whole rise happens in one or two steps between neighbouring models, about
    ``n - 1`` for a straight line. Orient metrics so that higher is better (negate an edit distance).
    ``resolution`` floors the denominator: a step smaller than what the test set can resolve
    (e.g. one item in ``count``: ``1 / count``) counts as that size, so the score stays finite.
    """
    scale = np.asarray(scale, dtype=float)
    score = np.asarray(score, dtype=float)
    if scale.ndim != 1 or scale.shape != score.shape:
        raise ValueError(
            f"scale and score must be 1-D and of equal length, got {scale.shape} and {score.shape}."
        )
    if len(scale) < 3:
        raise ValueError(
            f"an emergence score needs at least 3 models, got {len(scale)} (is the family empty?)."
        )
    if resolution < 0:
        raise ValueError(f"resolution must be non-negative, got {resolution}.")
    y = score[np.argsort(scale, kind="stable")]
    steps = np.diff(y)
    denominator = max(math.sqrt(float(np.median(steps**2))), resolution)
    if denominator == 0:
        raise ValueError(
            "the median step is zero: give a resolution (e.g. 1 / number of test items)."
        )
    direction = np.sign(int(np.argmax(y)) - int(np.argmin(y)))
    return float(direction * (y.max() - y.min()) / denominator)


# The independence assumption -------------------------------------------------------------------


def independence_check(correct) -> dict:
    """Does ``P(all right) = product of P(token i right)`` hold? ``correct``: (items, tokens) booleans.

    Returns the measured exact match, the product of per-position accuracies, the mean accuracy to
    the power L (what p^L uses), and the mean correlation between errors at two positions
    (0 under independence; positive when errors come together, e.g. through a carry).
    """
    correct = np.asarray(correct, dtype=bool)
    if correct.ndim != 2 or correct.size == 0:
        raise ValueError("correct must be a non-empty (items, tokens) boolean array.")
    per_position = correct.mean(axis=0)
    length = correct.shape[1]
    wrong = ~correct
    correlations = []
    for i in range(length):
        for j in range(i + 1, length):
            if wrong[:, i].std() > 0 and wrong[:, j].std() > 0:
                correlations.append(np.corrcoef(wrong[:, i], wrong[:, j])[0, 1])
    return {
        "measured": float(correct.all(axis=1).mean()),
        "product_of_positions": float(np.prod(per_position)),
        "mean_to_the_L": float(per_position.mean() ** length),
        "error_correlation": float(np.mean(correlations)) if correlations else 0.0,
    }


# Resolution: how many test items does it take to see a small accuracy? ----------------------------


def items_to_resolve(accuracy: float, confidence: float = 0.95) -> int:
    """Test items needed to see at least one success with probability ``confidence``.

    Solves ``1 - (1 - a)^n >= confidence``; for 95 % and small ``a`` this is about ``3 / a``
    (the "rule of three").
    """
    if not 0 < accuracy <= 1:
        raise ValueError(f"accuracy must lie in (0, 1], got {accuracy}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}.")
    if accuracy == 1:
        return 1
    return int(math.ceil(math.log(1 - confidence) / math.log(1 - accuracy)))


def sampled_accuracy(true_accuracy, items: int, seed: int = 0):
    """What a test set of ``items`` problems reports for each true accuracy (a binomial draw)."""
    true_accuracy = np.asarray(true_accuracy, dtype=float)
    if not isinstance(items, (int, np.integer)) or items < 1:
        raise ValueError(f"items must be a positive integer, got {items!r}.")
    rng = np.random.default_rng(seed)
    return rng.binomial(items, np.clip(true_accuracy, 0, 1)) / items


# Multiple choice -----------------------------------------------------------------------------------


def multiple_choice_grade(option_log_probs, correct_index) -> float:
    """Fraction of questions where the right option has the highest score (all or nothing)."""
    scores = np.asarray(option_log_probs, dtype=float)
    correct_index = np.asarray(correct_index)
    if scores.ndim != 2 or scores.shape[0] != correct_index.shape[0] or scores.shape[0] == 0:
        raise ValueError(
            "option_log_probs must be (questions, options) and correct_index one per question."
        )
    return float((scores.argmax(axis=1) == correct_index).mean())


def brier_score(option_log_probs, correct_index) -> float:
    """Mean squared error between the options' normalised probabilities and the one-hot truth (0 is perfect)."""
    scores = np.asarray(option_log_probs, dtype=float)
    correct_index = np.asarray(correct_index)
    if scores.ndim != 2 or scores.shape[0] != correct_index.shape[0] or scores.shape[0] == 0:
        raise ValueError(
            "option_log_probs must be (questions, options) and correct_index one per question."
        )
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    truth = np.zeros_like(probs)
    truth[np.arange(len(probs)), correct_index] = 1
    return float(((probs - truth) ** 2).sum(axis=1).mean())


# Scoring the model family -------------------------------------------------------------------------


def score_family(
    members, width: int, lengths, count: int = 500, seed: int = 1234, progress: bool = True
) -> dict:
    """Every metric for every member and answer length, on held-out additions.

    ``members`` is the list from :func:`emergent.scaling.family.family_runs`; ``lengths`` are numbers of
    digits (the answer has one token more). Returns arrays of shape ``(members, lengths)``:
    exact match, per-digit accuracy, token edit distance, log-probability of the target, the
    exact match and per-digit accuracy on the digits that need no carry, the arithmetic and geometric mean
    per-token probability ``p`` with the predictions ``p^L`` from each, the exact match that sampling at
    temperature 1 would get on average (``sampled_exact_match``, computed exactly), the same prediction from the per-token
    *accuracy*, and the independence check (product of per-position accuracies, error correlation);
    the per-item exact match, shape ``(members, lengths, count)``; plus ``N`` and
    ``answer_length``.
    """
    from emergent.scaling.addition import answer_length, held_out_problems
    from emergent.scaling.family import answer_probabilities, greedy_answers

    members = list(members)
    lengths = list(lengths)
    if not members:
        raise ValueError(
            "the family is empty: train it first (emergent.scaling.family.family_runs)."
        )
    if not lengths:
        raise ValueError("give at least one answer length (number of digits).")
    names = (
        "exact_match",
        "per_digit_accuracy",
        "edit_distance",
        "log_probability",
        "p_mean",
        "p_to_the_L",
        "p_geometric",
        "p_geometric_to_the_L",
        "sampled_exact_match",
        "carry_free_exact_match",
        "carry_free_accuracy",
        "accuracy_to_the_L",
        "product_of_positions",
        "error_correlation",
    )
    out = {name: np.zeros((len(members), len(lengths))) for name in names}
    # Per-item exact match, for re-scoring the same answers at a lower resolution.
    out["exact_match_items"] = np.zeros((len(members), len(lengths), count), dtype=bool)
    for i, (_, model, _) in enumerate(progress_bar(members, desc="scoring", disable=not progress)):
        for j, digits in enumerate(lengths):
            generated, target = greedy_answers(model, digits, width, count, seed)
            probs = answer_probabilities(model, digits, width, count, seed)
            out["exact_match_items"][i, j] = (generated == target).all(axis=1)
            out["exact_match"][i, j] = exact_match(generated, target)
            out["per_digit_accuracy"][i, j] = per_token_accuracy(generated, target)
            distances = [levenshtein(g, t) for g, t in zip(generated, target)]
            out["edit_distance"][i, j] = float(np.mean(distances))
            out["log_probability"][i, j] = target_log_probability(probs["p_correct"])
            a, b = held_out_problems(digits, count, seed=seed)
            free_all, free_fraction = carry_free_scores(generated, target, a, b)
            out["carry_free_exact_match"][i, j], out["carry_free_accuracy"][i, j] = (
                free_all.mean(),
                free_fraction.mean(),
            )
            # Two summaries of "the chance one token is right": the theorem's p = exp(-mean CE) is the
            # geometric mean of the right token's probability; the arithmetic mean is never smaller.
            p = float(probs["p_correct"].mean())
            out["p_mean"][i, j] = p
            out["p_to_the_L"][i, j] = exact_match_prediction(p, answer_length(digits))
            p_geometric = float(np.exp(np.log(np.clip(probs["p_correct"], 1e-12, 1)).mean()))
            out["p_geometric"][i, j] = p_geometric
            out["p_geometric_to_the_L"][i, j] = exact_match_prediction(
                p_geometric, answer_length(digits)
            )
            # Sampling at temperature 1 writes the whole answer right with probability the product
            # of the right digits' probabilities given the right digits before them: the exact
            # match the theorem's p^L speaks of, computed exactly rather than by drawing samples.
            out["sampled_exact_match"][i, j] = float(probs["p_correct"].prod(axis=1).mean())
            check = independence_check(probs["argmax"] == probs["target"])
            out["accuracy_to_the_L"][i, j] = check["mean_to_the_L"]
            out["product_of_positions"][i, j] = check["product_of_positions"]
            out["error_correlation"][i, j] = check["error_correlation"]
    out["N"] = np.array(
        [history.extras["non_embedding_parameters"] for _, _, history in members], dtype=float
    )
    out["digits"] = np.array(lengths)
    out["answer_length"] = np.array([answer_length(d) for d in lengths])
    return out
