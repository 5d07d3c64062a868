import matplotlib.pyplot as plt
import pytest

from emergent.core import claims
from emergent.core.ledger import begin, not_measured, read_all, record
from emergent.core.results import (
    forest_plot,
    format_value,
    results_markdown,
    verdict_counts,
    verdict_sentence,
)


def test_results_table_lists_every_record_with_claim_citation_and_provenance(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))  # only this test's records
    begin("grokking")
    begin("compression")
    record(
        "grokking",
        "plateau_ratio",
        12.5,
        "",
        claim="generalisation long after memorisation",
        source="power2022grokking",
        verdict="confirmed",
        note="a | b",
    )
    record(
        "compression",
        "bits_per_token",
        4.328,
        "bits",
        claim="a loss of 3 means 3 bits",
        verdict="corrected",
        note="3 nats = 4.33 bits",
    )
    text = results_markdown()
    assert text.index("### Compression is intelligence") < text.index("### Grokking")  # book order
    assert "| generalisation long after memorisation {cite:p}`power2022grokking` | 12.5 |" in text
    assert "| a loss of 3 means 3 bits | 4.328 bits |" in text
    assert "{cite:p}`power2022grokking`" in text
    assert "**✎ corrected**: 3 nats = 4.33 bits" in text and "a \\| b" in text  # pipes escaped
    assert "`default` profile" in text
    assert verdict_counts() == {"confirmed": 1, "corrected": 1}


def test_empty_ledger_says_what_to_do():
    assert "build the chapters first" in results_markdown({})


def test_unknown_chapter_is_refused():
    with pytest.raises(ValueError, match="Unknown chapters"):
        results_markdown({"chapter9": {}})


@pytest.mark.parametrize(
    "value, shown", [(0, "0"), (12.5, "12.5"), (0.123456, "0.1235"), (2.5e7, "2.500e+07")]
)
def test_numbers_are_shown_to_four_significant_figures(value, shown):
    assert format_value(value) == shown


def test_results_show_interval_rule_and_verdict_of_a_claim(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    begin("scaling")
    claims.claim(
        "scaling",
        "alpha_N",
        "alpha_N = 0.076",
        claims.over_seeds([0.07, 0.08, 0.09]),
        claims.contains(0.076, excludes=0),
        "exponent",
        source="kaplan2020scaling",
    )
    not_measured("scaling", "a_opt", "the default profile fits no IsoFLOP sweep")
    text = results_markdown()
    row = next(line for line in text.splitlines() if "alpha_N = 0.076" in line)
    assert row.startswith("| **✔ confirmed**")  # the verdict first
    assert "0.08 exponent [" in row and "3 seeds]" in row
    assert (
        "contains 0.076 and excludes 0" in row
        and "**? inconclusive**" not in row
        and "✔ confirmed" in row
    )
    assert "– not measured" in text and "fits no IsoFLOP sweep" in text
    assert verdict_counts() == {"confirmed": 1, "not measured": 1}


def test_verdict_counts_read_as_a_sentence():
    sentence = verdict_sentence({"confirmed": 3, "differs": 2, "inconclusive": 1, "new": 4})
    assert sentence.startswith("Over the whole book, 6 claims were judged by a rule: 3 confirmed,")
    assert "2 differ and 1 inconclusive." in sentence
    assert "4 new numbers with no published counterpart" in sentence
    assert verdict_sentence({}) == "No chapter has recorded results yet."


def test_forest_plot_draws_each_judged_claim_against_its_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    begin("scaling")
    for key, values, rule in [
        ("inside", [0.07, 0.08, 0.09], claims.contains(0.076, excludes=0)),
        ("above", [4.0, 5.0, 6.0], claims.above(3)),
        ("band", [1.4, 1.6, 1.8], claims.within(1.5, 2.5)),
    ]:
        claims.claim("scaling", key, key, claims.over_seeds(values), rule, "")
    claims.claim("scaling", "unjudged", "unjudged", claims.over_seeds([1, 2, 3]), claims.new(), "")
    ledger = read_all()["scaling"]["records"]
    assert ledger["inside"]["rule_marks"] == [0.076, 0] and ledger["band"]["rule_marks"] == [
        1.5,
        2.5,
    ]
    fig = forest_plot()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("Scaling laws, the smooth backdrop") == 1
    assert {"inside", "above", "band"} <= set(labels) and "unjudged" not in labels
    ticks = [line for line in ax.lines if line.get_color() == "#444444"]
    assert len(ticks) == 2 + 1 + 2  # one per value the rules turn on
    plt.close(fig)


def test_forest_plot_without_judged_claims_says_what_to_do():
    with pytest.raises(ValueError, match="build the chapters first"):
        forest_plot({})


def test_an_illustration_shows_what_its_rule_reads_and_is_not_counted_as_judged(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    begin("scaling")
    claims.claim("scaling", "one", "one model", claims.bootstrap([1.0, 2.0, 3.0, 2.5]),
                 claims.above(0), "", evidence="one model")  # fmt: skip
    row = next(line for line in results_markdown().splitlines() if "one model |" in line)
    assert row.startswith("| **◦ illustration** (one model; the rule reads *confirmed*)")
    assert verdict_counts() == {"illustration": 1}
    assert verdict_sentence(verdict_counts()).startswith("Over the whole book, 0 claims were")
    assert "1 illustration on one trained model" in verdict_sentence(verdict_counts())
    fig = forest_plot()  # drawn, hollow
    assert any(line.get_markerfacecolor() == "white" for line in fig.axes[0].lines)
    plt.close(fig)
