import pytest

from emergent.core import chapter, claims
from emergent.core.claims import ClaimContradicted, exact, over_seeds
from emergent.core.contents import chapter_files, chapters, slug_of
from emergent.core.ledger import read


def test_begin_opens_a_fresh_ledger_and_prints_the_profile(capsys):
    ch = chapter.begin("grokking")
    assert "profile: default" in capsys.readouterr().out
    ch.claim("x", "a claim", exact(1.0), claims.new(), "units")
    assert chapter.begin("grokking").claims == {}  # a second begin starts afresh
    with pytest.raises(FileNotFoundError):
        read("grokking")


def test_rules_are_printed_when_declared_and_claims_name_them(capsys):
    ch = chapter.begin("scaling")
    ch.rules(steep=claims.above(0.5))
    assert "steep: confirmed if the interval lies above 0.5" in capsys.readouterr().out
    ch.claim(
        "alpha",
        "the law is steep",
        over_seeds([0.7, 0.8, 0.9]),
        "steep",
        "exponent",
        source="kaplan2020scaling",
    )
    assert ch.verdict("alpha") == "confirmed"
    record = read("scaling")["records"]["alpha"]  # no slug repeated at the call site
    assert record["verdict"] == "confirmed" and record["method"] == "seeds"
    out = capsys.readouterr().out
    assert "**Verdict: confirmed**" in out and "{cite:p}`kaplan2020scaling`" in out


def test_an_undeclared_rule_name_and_a_repeated_claim_are_refused():
    ch = chapter.begin("scaling")
    with pytest.raises(KeyError, match="Declare it with ch.rules"):
        ch.claim("alpha", "steep", exact(1.0), "steep", "exponent")
    ch.claim("alpha", "steep", exact(1.0), claims.new(), "exponent")
    with pytest.raises(ValueError, match="stated once"):
        ch.claim("alpha", "steep", exact(1.0), claims.new(), "exponent")
    with pytest.raises(TypeError, match="claims.Rule"):
        ch.rules(steep=0.5)


def test_a_missing_quantity_is_recorded_as_not_measured_without_a_branch(capsys):
    ch = chapter.begin("emergence")
    ch.rules(collapses=claims.below(0.5))
    estimate = over_seeds([0.1, None, 0.2], missing="some seed has no head of this kind")
    ch.claim("knockout", "without the heads the ability collapses", estimate, "collapses", "share")
    assert ch.verdict("knockout") == "not measured"
    record = read("emergence")["records"]["knockout"]
    assert (
        record["verdict"] == "not measured"
        and record["note"] == "some seed has no head of this kind"
    )
    assert "**Not measured**: some seed has no head of this kind" in capsys.readouterr().out
    with pytest.raises(ValueError):
        over_seeds([0.1, None, 0.2])  # without a reason, a missing seed is an error, as before


def test_guard_passes_quietly_and_fails_the_default_build_on_a_contradiction(capsys):
    ch = chapter.begin("mirage")
    capsys.readouterr()
    ch.guard("the jump is sharp", True, "width 0.1")
    assert capsys.readouterr().out == ""
    with pytest.raises(ClaimContradicted, match="the jump is sharp"):
        ch.guard("the jump is sharp", False, "width 0.9")


def test_the_chapter_list_is_the_table_of_contents_in_reading_order():
    files = chapter_files()
    assert [f.stem[:2] for f in files] == sorted(
        f.stem[:2] for f in files
    )  # prefixes follow the reading order
    listed = chapters()
    assert list(listed)[:3] == ["model_zoo", "emergence", "reasoning"]
    assert listed["grokking"] == "Grokking"
    assert slug_of(files[-1]) == "grokking_emergence"
    with pytest.raises(ValueError, match="NN_slug"):
        slug_of("book/intro.md")
    with pytest.raises(ValueError, match="Unknown chapter"):
        chapter.begin("not_a_chapter")


def test_glue_hands_plain_numbers_to_the_page(monkeypatch):
    import sys
    import types

    import numpy as np

    glued = {}
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, value, display: glued.update({name: (value, display)})
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    chapter.begin("grokking").glue("grokking_share", np.float64(0.25))
    assert glued == {"grokking_share": (0.25, False)} and type(glued["grokking_share"][0]) is float


def test_a_judged_comparison_of_trained_models_needs_seeds_or_is_an_illustration(capsys):
    ch = chapter.begin("scaling")
    ch.rules(steep=claims.above(0.5))
    one_model = claims.bootstrap([0.7, 0.8, 0.9, 0.75, 0.85], resamples=200)
    with pytest.raises(ValueError, match="3 or more training seeds"):
        ch.claim("alpha", "the law is steep", one_model, "steep", "exponent")
    with pytest.raises(ValueError, match="evidence='seeds' needs"):
        ch.claim("alpha", "the law is steep", one_model, "steep", "exponent", evidence="seeds")
    with pytest.raises(ValueError, match="3 or more training seeds"):  # two seeds are not enough
        ch.claim("alpha", "the law is steep", over_seeds([0.7, 0.9]), "steep", "exponent")
    with pytest.raises(ValueError, match="evidence must be one of"):
        ch.claim("alpha", "the law is steep", one_model, "steep", "exponent", evidence="some")
    capsys.readouterr()

    ch.claim("alpha", "the law is steep", one_model, "steep", "exponent", evidence="one model")
    assert ch.verdict("alpha") == "illustration" and ch.reading("alpha") == "confirmed"
    record = read("scaling")["records"]["alpha"]
    assert record["verdict"] == "illustration" and record["reading"] == "confirmed"
    assert record["evidence"] == "one model"
    assert "**Illustration, not a verdict**" in capsys.readouterr().out

    ch.claim("bits", "3 nats are 4.3 bits", exact(4.33), claims.within(4, 5), "bits",
             evidence="no training")  # fmt: skip
    ch.claim("seeded", "the law is steep", over_seeds([0.7, 0.8, 0.9]), "steep", "exponent")
    ch.claim("count", "a count", exact(3.0), claims.new(), "models")  # unjudged: no evidence
    assert [ch.verdict(k) for k in ("bits", "seeded", "count")] == ["confirmed"] * 2 + ["new"]
    assert read("scaling")["records"]["seeded"]["evidence"] == "seeds"
