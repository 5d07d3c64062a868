import numpy as np
import pytest

from emergent.core import claims
from emergent.core.claims import ClaimContradicted, Estimate, bootstrap, exact, guard, over_seeds
from emergent.core.ledger import begin, read


def interval(low, high):
    return Estimate((low + high) / 2, low, high, "seeds", 5)


@pytest.mark.parametrize(
    "rule, estimate, verdict",
    [
        (claims.contains(0.076, excludes=0), interval(0.05, 0.10), "confirmed"),
        (claims.contains(0.076, excludes=0), interval(-0.01, 0.10), "inconclusive"),
        (claims.contains(0.076, excludes=0), interval(0.2, 0.3), "differs"),
        (claims.above(0.5), interval(0.6, 0.7), "confirmed"),
        (claims.above(0.5), interval(0.4, 0.6), "inconclusive"),
        (claims.above(0.5, otherwise="corrected"), interval(0.1, 0.2), "corrected"),
        (claims.below(3), interval(1, 2), "confirmed"),
        (claims.below(3), interval(4, 5), "refuted"),
        (claims.within(1.48, 1.58), interval(1.50, 1.55), "confirmed"),
        (claims.within(1.48, 1.58), interval(1.55, 1.65), "inconclusive"),
        (claims.within(1.48, 1.58), interval(1.60, 1.70), "differs"),
        (claims.closer_to(0.5, 0.73), interval(0.45, 0.6), "confirmed"),
        (claims.closer_to(0.5, 0.73), interval(0.55, 0.7), "inconclusive"),
        (claims.closer_to(0.5, 0.73), interval(0.65, 0.8), "differs"),
        (claims.closer_to(0.73, 0.5), interval(0.65, 0.8), "confirmed"),
        (claims.identity("2/3 of a block's weights for d_ff = 4 d"), exact(2 / 3), "identity"),
        (claims.new(), interval(1, 2), "new"),
    ],
)
def test_each_rule_gives_the_verdict_its_text_promises(rule, estimate, verdict):
    assert rule.decide(estimate) == verdict


def test_over_seeds_is_a_t_interval_wider_than_the_range_for_three_seeds():
    e = over_seeds([1.0, 2.0, 3.0])
    assert e.value == 2.0 and e.method == "seeds" and e.samples == 3
    assert e.low < 1.0 and e.high > 3.0  # t(0.95, 2) * 1/sqrt(3) = 1.69
    assert e.high - e.value == pytest.approx(2.919986 / np.sqrt(3), rel=1e-5)


def test_bootstrap_interval_covers_the_mean_of_coin_flips_and_is_reproducible():
    flips = np.random.default_rng(1).random(400) < 0.3
    e = bootstrap(flips)
    assert e.low < 0.3 < e.high and e.high - e.low < 0.1
    assert bootstrap(flips) == e


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: over_seeds([1.0]), "at least 2"),
        (lambda: bootstrap([1.0]), "at least 2"),
        (lambda: bootstrap([1.0, 2.0], resamples=10), "at least 100"),
        (lambda: Estimate(1.0, 2.0, 0.0, "seeds", 3), "low <= high"),
        (lambda: Estimate(float("nan"), 0.0, 1.0, "seeds", 3), "finite"),
        (lambda: claims.within(2, 1), "low < high"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_claim_is_judged_recorded_and_shown_with_its_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    begin("scaling")
    c = claims.claim(
        "scaling",
        "alpha_N",
        "loss falls as N^-0.076",
        over_seeds([0.2, 0.25, 0.3]),
        claims.contains(0.076, excludes=0),
        "exponent",
        source="kaplan2020scaling",
    )
    assert c.verdict == "differs"
    entry = read("scaling")["records"]["alpha_N"]
    assert entry["verdict"] == "differs" and entry["method"] == "seeds" and entry["samples"] == 3
    assert entry["low"] < 0.25 < entry["high"] and "contains 0.076" in entry["rule"]
    shown = c._repr_markdown_()
    assert (
        "fixed before measuring" in shown
        and "**Verdict: differs**" in shown
        and "kaplan2020scaling" in shown
    )


def test_a_claim_needs_an_estimate_and_a_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    begin("scaling")
    with pytest.raises(TypeError, match="needs an Estimate"):
        claims.claim("scaling", "x", "", 0.3, claims.new(), "")
    with pytest.raises(TypeError, match="needs a Rule"):
        claims.claim("scaling", "x", "", exact(0.3), "confirmed", "")


def test_a_sentence_that_holds_shows_nothing():
    assert guard("the loss falls", True, "loss 3.1 -> 2.0") is None


def test_a_contradicted_sentence_fails_the_default_build_naming_sentence_and_numbers(monkeypatch):
    monkeypatch.delenv("EMERGENT_PROFILE", raising=False)
    with pytest.raises(ClaimContradicted, match="the loss falls.*loss 3.1 -> 3.4"):
        guard("the loss falls", False, "loss 3.1 -> 3.4")


def test_a_contradicted_sentence_only_warns_in_another_profile(monkeypatch):
    monkeypatch.setenv("EMERGENT_PROFILE", "full")
    note = guard("the loss falls", False, "loss 3.1 -> 3.4")
    shown = note._repr_markdown_()
    assert "{warning}" in shown and "the loss falls" in shown and "loss 3.1 -> 3.4" in shown


def test_draws_and_leave_one_out_ranges_become_estimates():
    e = claims.from_draws(0.5, np.linspace(0, 1, 1001), items=8)
    assert e.low == pytest.approx(0.05) and e.high == pytest.approx(0.95) and e.samples == 8
    r = claims.leave_one_out(0.5, [0.42, 0.61, 0.55])
    assert (r.low, r.high, r.method, r.samples) == (0.42, 0.61, "leave-one-out", 3)
    assert "leave-one-out refits" in str(r)
    with pytest.raises(ValueError, match="at least 100"):
        claims.from_draws(0.5, [0.4, 0.6], items=2)
    with pytest.raises(ValueError, match="method must be one of"):
        Estimate(1.0, 0.0, 2.0, "vibes", 3)


def test_difference_of_two_samples_brackets_the_true_gap_and_refuses_tiny_samples():
    rng = np.random.default_rng(1)
    gap = claims.difference(rng.normal(1.0, 0.5, 400), rng.normal(0.0, 0.5, 300))
    assert gap.method == "bootstrap" and gap.samples == 700
    assert gap.low < 1.0 < gap.high and gap.high - gap.low < 0.2
    same = claims.difference(rng.normal(0, 1, 200), rng.normal(0, 1, 200))
    assert same.low < 0 < same.high
    with pytest.raises(ValueError, match="at least 2 items on each side"):
        claims.difference([1.0], [1.0, 2.0])
