"""Scaling laws: fitting L(N) = E + A N^-alpha, and splitting a compute budget between N and D.

Three ideas, in the order the chapter uses them:

1. A power law with a floor, fitted to (parameters, loss) points, with an uncertainty from a
   residual bootstrap (refit on the fitted curve plus resampled residuals).
2. The two published answers to "10x more compute: how much bigger a model, how much more data?":
   Kaplan et al. (2020), N_opt ~ C^0.73, and Hoffmann et al. (2022, "Chinchilla"), whose parametric
   loss L(N, D) = E + A/N^alpha + B/D^beta gives N_opt ~ C^(beta/(alpha+beta)) in closed form.
3. The IsoFLOP method: at a fixed budget C = 6ND, train several sizes, fit a parabola to loss
   against log N, and read off the optimum (Chinchilla's approach 2).
4. Chinchilla's approach 3: fit the parametric loss L(N, D) = E + A/N^alpha + B/D^beta to every
   run at once, with their Huber loss on log L, and read N_opt ~ C^(beta/(alpha+beta)) off it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit, minimize
from scipy.special import logsumexp

# Published constants --------------------------------------------------------------------------

KAPLAN_N_EXPONENT = 0.73  # Kaplan et al. (2020): N_opt ~ C^0.73 (their D_opt ~ C^0.27)
CHINCHILLA = {
    "E": 1.69,
    "A": 406.4,
    "B": 410.7,
    "alpha": 0.34,
    "beta": 0.28,
}  # Hoffmann et al., approach 3
CHINCHILLA_TOKENS_PER_PARAMETER = (
    20.0  # the rule of thumb from Chinchilla itself: 70B params, 1.4T tokens
)


# 1. Power laws ------------------------------------------------------------------------------


def power_law(n, E: float, A: float, alpha: float):
    """``E + A * n**(-alpha)``: an irreducible floor plus a term that shrinks with size."""
    return E + A * np.asarray(n, dtype=float) ** (-alpha)


def _as_points(x, y, at_least: int):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be 1-D and of equal length, got shapes {x.shape} and {y.shape}."
        )
    if len(x) < at_least:
        raise ValueError(f"need at least {at_least} points to fit, got {len(x)}.")
    if (x <= 0).any() or (y <= 0).any() or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("every x and y must be positive and finite (power laws live on log axes).")
    return x, y


def fit_pure_power_law(x, y) -> tuple[float, float]:
    """Least squares on log-log axes: ``y ~ k * x**a``. Returns ``(a, k)``.

    This is how exponents such as N_opt ~ C^a are read off: a straight line through
    ``(log x, log y)``; its slope is the exponent.
    """
    x, y = _as_points(x, y, 2)
    if np.ptp(np.log(x)) == 0:
        raise ValueError("all x are equal: a slope needs at least two different x values.")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(math.exp(intercept))


@dataclass
class PowerLawFit:
    """``L(N) = E + A N^-alpha`` with bootstrap standard errors and percentile intervals."""

    E: float
    A: float
    alpha: float
    E_err: float
    alpha_err: float
    alpha_interval: tuple[float, float]
    E_interval: tuple[float, float]
    samples: np.ndarray  # (bootstrap, 3): E, A, alpha of every refit

    def __call__(self, n):
        return power_law(n, self.E, self.A, self.alpha)

    def __str__(self):
        law = f"L(N) = {self.E:.3f} + {self.A:.3g} N^-{self.alpha:.3f}"
        if np.isnan(self.alpha_err):  # no bootstrap, so no error bars to show
            return law
        return (
            f"{law}   (alpha = {self.alpha:.2f} ± {self.alpha_err:.2f}, "
            f"E = {self.E:.2f} ± {self.E_err:.2f})"
        )


def _fit_once(n, loss, start):
    # Fit log L: every point then weighs by its relative error, as on the log-log plot.
    def model(log_n, E, log_A, alpha):
        return np.log(E + np.exp(log_A - alpha * log_n))

    bounds = ([0.0, -50.0, 0.01], [float(loss.min()) * 0.999, 50.0, 3.0])
    start = np.clip(start, np.array(bounds[0]) + 1e-6, np.array(bounds[1]) - 1e-6)
    params, _ = curve_fit(model, np.log(n), np.log(loss), p0=start, bounds=bounds, maxfev=20000)
    return params


def fit_power_law(n, loss, bootstrap: int = 300, seed: int = 0) -> PowerLawFit:
    """Fit ``L = E + A N^-alpha`` to points ``(n, loss)`` and bootstrap the uncertainty.

    The bootstrap resamples the *residuals* of the fit (in log loss) and refits ``bootstrap`` times:
    with a handful of models, resampling the models themselves would often leave too few distinct
    sizes to fit three parameters.
    """
    n, loss = _as_points(n, loss, 4)
    if not isinstance(bootstrap, int) or bootstrap < 0:
        raise ValueError(f"bootstrap must be a non-negative integer, got {bootstrap!r}.")
    best, best_cost = None, np.inf
    for alpha0 in (0.1, 0.3, 0.6, 1.0):
        for floor in (0.0, 0.5, 0.9):
            E0 = floor * loss.min()
            A0 = max(loss.max() - E0, 1e-9) * n.min() ** alpha0
            try:
                params = _fit_once(n, loss, np.array([E0, math.log(A0), alpha0]))
            except (RuntimeError, ValueError):
                continue
            cost = np.sum(
                (np.log(power_law(n, params[0], math.exp(params[1]), params[2])) - np.log(loss))
                ** 2
            )
            if cost < best_cost:
                best, best_cost = params, cost
    if best is None:
        raise ValueError("the power-law fit did not converge; check that loss falls with n.")
    fitted = np.log(power_law(n, best[0], math.exp(best[1]), best[2]))
    residuals = np.log(loss) - fitted
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(bootstrap):
        fake = np.exp(fitted + rng.choice(residuals, size=len(residuals), replace=True))
        try:
            p = _fit_once(n, fake, best)
        except (RuntimeError, ValueError):
            continue
        samples.append([p[0], math.exp(p[1]), p[2]])
    samples = np.array(samples).reshape(-1, 3)
    spread = samples.std(axis=0) if len(samples) > 1 else np.full(3, np.nan)
    interval = lambda column: (
        tuple(np.percentile(samples[:, column], [2.5, 97.5]))
        if len(samples) > 1
        else (np.nan, np.nan)
    )  # noqa: E731
    return PowerLawFit(
        E=float(best[0]),
        A=float(math.exp(best[1])),
        alpha=float(best[2]),
        E_err=float(spread[0]),
        alpha_err=float(spread[2]),
        alpha_interval=interval(2),
        E_interval=interval(0),
        samples=samples,
    )


# 2. Allocating compute ------------------------------------------------------------------------


def allocate(compute_factor: float, n_exponent: float) -> tuple[float, float]:
    """Grow compute by ``compute_factor``: by what factor grow N and D, if N_opt ~ C^a?

    With C = 6ND fixed, D_opt ~ C^(1-a), so the two factors multiply back to ``compute_factor``.
    """
    if not compute_factor > 0:
        raise ValueError(f"compute_factor must be positive, got {compute_factor}.")
    if not 0 <= n_exponent <= 1:
        raise ValueError(
            f"n_exponent must lie in [0, 1] (N and D both grow with C), got {n_exponent}."
        )
    return compute_factor**n_exponent, compute_factor ** (1 - n_exponent)


def kaplan_allocation(compute_factor: float) -> tuple[float, float]:
    """Kaplan et al.: parameters take most of the growth (N ~ C^0.73, D ~ C^0.27)."""
    return allocate(compute_factor, KAPLAN_N_EXPONENT)


def chinchilla_exponent(
    alpha: float = CHINCHILLA["alpha"], beta: float = CHINCHILLA["beta"]
) -> float:
    """The exponent a in N_opt ~ C^a implied by L = E + A/N^alpha + B/D^beta: beta / (alpha + beta)."""
    if alpha <= 0 or beta <= 0:
        raise ValueError(f"alpha and beta must be positive, got {alpha} and {beta}.")
    return beta / (alpha + beta)


def chinchilla_allocation(compute_factor: float) -> tuple[float, float]:
    """Hoffmann et al.: parameters and data grow about equally (N ~ C^0.45 from the parametric fit)."""
    return allocate(compute_factor, chinchilla_exponent())


def chinchilla_loss(
    n,
    d,
    E=CHINCHILLA["E"],
    A=CHINCHILLA["A"],
    B=CHINCHILLA["B"],
    alpha=CHINCHILLA["alpha"],
    beta=CHINCHILLA["beta"],
):
    """The parametric loss of Hoffmann et al.: ``E + A/N^alpha + B/D^beta`` (nats per token)."""
    n = np.asarray(n, dtype=float)
    d = np.asarray(d, dtype=float)
    if (n <= 0).any() or (d <= 0).any():
        raise ValueError("parameters n and tokens d must be positive.")
    return E + A / n**alpha + B / d**beta


def chinchilla_optimum(
    compute: float,
    A=CHINCHILLA["A"],
    B=CHINCHILLA["B"],
    alpha=CHINCHILLA["alpha"],
    beta=CHINCHILLA["beta"],
) -> tuple[float, float]:
    """``(N_opt, D_opt)`` minimising the parametric loss at ``6 N D = compute`` (closed form).

    N_opt = G (C/6)^(beta/(alpha+beta)) and D_opt = (C/6) / N_opt, with
    G = (alpha A / (beta B))^(1/(alpha+beta)).
    """
    if not compute > 0:
        raise ValueError(f"compute must be positive (FLOPs), got {compute}.")
    G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n_opt = G * (compute / 6) ** (beta / (alpha + beta))
    return n_opt, compute / (6 * n_opt)


# 3. IsoFLOP profiles ----------------------------------------------------------------------------


def isoflop_optimum(n, loss, strict: bool = True) -> tuple[float, float]:
    """Fit ``loss = u (log N)^2 + v log N + w`` and return ``(N_opt, loss at N_opt)``.

    With ``strict``, raises ValueError when the parabola opens downwards (the sizes tried do not
    bracket a minimum). With ``strict=False`` it then falls back to the best size tried, and it keeps
    the vertex inside the range of sizes tried rather than extrapolating.
    """
    n, loss = _as_points(n, loss, 3)
    u, v, w = np.polyfit(np.log(n), loss, 2)
    if u <= 0:
        if strict:
            raise ValueError(
                "loss against log N is not convex here: try sizes on both sides of the optimum."
            )
        best = int(np.argmin(loss))
        return float(n[best]), float(loss[best])
    log_opt = -v / (2 * u)
    if not strict:
        log_opt = float(np.clip(log_opt, np.log(n).min(), np.log(n).max()))
    return float(math.exp(log_opt)), float(u * log_opt**2 + v * log_opt + w)


def isoflop_exponent(rows, size: str = "N") -> dict:
    """Fit ``N_opt ~ C^a`` over the budgets of an IsoFLOP sweep, with leave-one-size-out ranges.

    ``rows`` come from :func:`emergent.scaling.isoflop.isoflop_sweep`; ``size`` names the parameter
    count to use (``"N"``, non-embedding, or ``"N_total"``). Each budget's optimum is the vertex of
    a parabola in log N (kept inside the sizes tried); its tokens ``D_opt`` are read off the budget's
    own runs, interpolated in log N. Returns the budgets, optima, which optima are bracketed, the
    exponent ``a`` and the geometric-mean tokens per parameter, and for both the values of every
    refit that leaves one size out of each budget (all combinations across budgets).
    """
    budgets = sorted({r["compute"] for r in rows})
    if len(budgets) < 2:
        raise ValueError(f"an exponent needs at least 2 budgets, got {len(budgets)}.")
    runs = []  # per budget: (log N, loss, log D), sorted by N
    for c in budgets:
        here = sorted((r for r in rows if r["compute"] == c), key=lambda r: r[size])
        runs.append(
            tuple(
                np.array([f(r) for r in here], dtype=float)
                for f in (
                    lambda r: math.log(r[size]),
                    lambda r: r["loss"],
                    lambda r: math.log(r["D"]),
                )
            )
        )

    def optimum(log_n, loss, log_d):
        n_opt, _ = isoflop_optimum(np.exp(log_n), loss, strict=False)
        return n_opt, math.exp(np.interp(math.log(n_opt), log_n, log_d))

    def fit(optima):
        n_opt, d_opt = np.array(optima).T
        return fit_pure_power_law(np.array(budgets), n_opt)[0], float(
            np.exp(np.mean(np.log(d_opt / n_opt)))
        )

    optima = [optimum(*r) for r in runs]
    a, ratio = fit(optima)
    left_out = [[optimum(*(np.delete(x, i) for x in r)) for i in range(len(r[0]))] for r in runs]
    refits = [fit(combo) for combo in itertools.product(*left_out)]
    return {
        "budgets": np.array(budgets),
        "N_opt": np.array([o[0] for o in optima]),
        "D_opt": np.array([o[1] for o in optima]),
        "bracketed": [bool(r[0].min() < math.log(o[0]) < r[0].max()) for r, o in zip(runs, optima)],
        "a": a,
        "tokens_per_parameter": ratio,
        "a_refits": np.array([x[0] for x in refits]),
        "ratio_refits": np.array([x[1] for x in refits]),
    }


def steps_for_budget(compute: float, n: int, tokens_per_step: float) -> int:
    """Training steps that spend ``compute`` FLOPs on a model of ``n`` parameters (C = 6 N D)."""
    if compute <= 0 or n <= 0 or tokens_per_step <= 0:
        raise ValueError("compute, n and tokens_per_step must all be positive.")
    return max(1, round(compute / (6 * n * tokens_per_step)))


def lack_of_fit(n, loss_by_seed, fit: "PowerLawFit") -> tuple[float, float]:
    """``(F, p)``: does ``fit`` miss the seeds' mean log loss by more than the seeds differ?

    The classical lack-of-fit test with replicates: the seeds of one size are replicates, so their
    spread around their own mean is *pure error*, which no curve can remove. What the curve leaves
    between its values and the sizes' means is *lack of fit*. With ``k`` sizes, ``r`` seeds each
    and a three-parameter law, F = (lack-of-fit SS / (k - 3)) / (pure-error SS / (k (r - 1))) on
    log loss, and p is the chance of so large an F if the law were right and the seeds' noise
    normal.
    """
    from scipy.stats import f as f_distribution

    n = np.asarray(n, dtype=float)
    logs = np.log(np.asarray(loss_by_seed, dtype=float))
    if logs.ndim != 2 or logs.shape[1] != len(n) or logs.shape[0] < 2:
        raise ValueError(
            f"give the losses as (seeds, sizes) with at least 2 seeds and {len(n)} sizes, "
            f"got shape {logs.shape}."
        )
    sizes, seeds = len(n), logs.shape[0]
    if sizes <= 3:
        raise ValueError(f"a three-parameter law needs more than 3 sizes to test, got {sizes}.")
    means = logs.mean(axis=0)
    pure = float(((logs - means) ** 2).sum())
    lack = float(seeds * ((means - np.log(fit(n))) ** 2).sum())
    df_lack, df_pure = sizes - 3, sizes * (seeds - 1)
    F = (lack / df_lack) / (pure / df_pure)
    return float(F), float(f_distribution.sf(F, df_lack, df_pure))


# 4. The parametric loss, fitted (approach 3) --------------------------------------------------

HUBER_DELTA = 1e-3  # Hoffmann et al.'s delta: the fit is robust to a few runs far off the surface


@dataclass
class ParametricFit:
    """``L(N, D) = E + A/N^alpha + B/D^beta`` fitted to runs; ``a`` is the implied N_opt exponent."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    refits: np.ndarray  # (resamples, 5): E, A, B, alpha, beta of each refit to resampled runs

    @property
    def a(self) -> float:
        return chinchilla_exponent(self.alpha, self.beta)

    @property
    def a_refits(self) -> np.ndarray:
        return self.refits[:, 4] / (self.refits[:, 3] + self.refits[:, 4])

    def __call__(self, n, d):
        return chinchilla_loss(n, d, self.E, self.A, self.B, self.alpha, self.beta)

    def __str__(self):
        return (
            f"L(N, D) = {self.E:.3f} + {self.A:.3g}/N^{self.alpha:.3f} + {self.B:.3g}/D^{self.beta:.3f}"
            f"   (a = beta / (alpha + beta) = {self.a:.2f})"
        )


PARAMETRIC_STARTS = list(
    itertools.product((-1.0, 0.5), (0.0, 8.0), (0.0, 8.0), (0.3, 1.0), (0.3, 1.0))
)  # Hoffmann et al. start L-BFGS from a grid and keep the best optimum; a smaller grid here


def _fit_parametric_once(log_n, log_d, log_loss, starts) -> np.ndarray:
    """(e, a, b, alpha, beta) with E = exp(e), A = exp(a), B = exp(b): the best from ``starts``."""

    def objective(theta):
        e, a, b, alpha, beta = theta
        terms = np.stack([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)])
        predicted = logsumexp(terms, axis=0)
        weights = np.exp(terms - predicted)  # each term's share of the predicted loss
        r = predicted - log_loss
        small = np.abs(r) <= HUBER_DELTA
        cost = np.where(small, 0.5 * r**2, HUBER_DELTA * (np.abs(r) - 0.5 * HUBER_DELTA))
        slope = np.where(small, r, HUBER_DELTA * np.sign(r))  # the Huber loss's derivative
        gradient = np.array(
            [
                np.sum(slope * weights[2]),
                np.sum(slope * weights[0]),
                np.sum(slope * weights[1]),
                -np.sum(slope * weights[0] * log_n),
                -np.sum(slope * weights[1] * log_d),
            ]
        )
        return float(cost.sum()), gradient

    best, best_cost = None, np.inf
    for start in starts:
        result = minimize(
            objective,
            np.array(start),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-5, 3), (-10, 30), (-10, 30), (0.01, 3), (0.01, 3)],
        )
        if result.fun < best_cost:
            best, best_cost = result.x, result.fun
    return best


def fit_parametric_loss(n, d, loss, bootstrap: int = 200, seed: int = 0) -> ParametricFit:
    """Chinchilla's approach 3 on runs of sizes ``n``, tokens ``d`` and losses ``loss``.

    Minimises the Huber loss (delta 1e-3) of log L against the log of ``E + A/N^alpha + B/D^beta``,
    from a grid of starting points, as Hoffmann et al. do. The uncertainty comes from refits to
    ``bootstrap`` resamples of the runs (with replacement), each started from the whole fit:
    Besiroglu et al. found the published intervals far too narrow for the number of runs behind
    them, and resampling the runs is the interval they computed instead.
    """
    n, loss = _as_points(n, loss, 6)
    d, _ = _as_points(d, loss, 6)
    if not isinstance(bootstrap, int) or bootstrap < 2:
        raise ValueError(f"bootstrap must be a whole number of at least 2, got {bootstrap!r}.")

    def natural(theta):
        e, a, b, alpha, beta = theta
        return np.array([math.exp(e), math.exp(a), math.exp(b), alpha, beta])

    logs = np.log(n), np.log(d), np.log(loss)
    theta = _fit_parametric_once(*logs, PARAMETRIC_STARTS)
    draws = np.random.default_rng(seed).integers(0, len(n), size=(bootstrap, len(n)))
    refits = [_fit_parametric_once(*(x[k] for x in logs), [theta]) for k in draws]
    return ParametricFit(*natural(theta), refits=np.array([natural(r) for r in refits]))
