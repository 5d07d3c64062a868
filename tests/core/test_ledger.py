import json

import pytest

from emergent.core import ledger
from emergent.core.ledger import begin, not_measured, read, read_all, record, results_dir


@pytest.fixture(autouse=True)
def _fresh_ledgers(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))
    for chapter in ("grokking", "scaling"):
        begin(chapter)


def test_record_lands_in_the_chapter_file_with_provenance():
    record(
        "grokking",
        "steps_to_memorise",
        120,
        "steps",
        claim="~10^3 steps",
        source="power2022grokking",
        verdict="differs",
        note="smaller model",
    )
    data = json.loads((results_dir() / "grokking.json").read_text())
    assert data["profile"] == "default"
    assert data["library_version"]
    assert data["device"].startswith(("cpu", "cuda"))
    assert data["records"]["steps_to_memorise"]["value"] == 120.0
    assert read_all()["grokking"]["records"]["steps_to_memorise"]["source"] == "power2022grokking"


def test_recording_again_replaces_the_value():
    record("scaling", "alpha_N", 0.3, "")
    record("scaling", "alpha_N", 0.4, "")
    assert read("scaling")["records"]["alpha_N"]["value"] == 0.4


@pytest.mark.parametrize(
    "args, error, message",
    [
        (("chapter9", "x", 1, ""), ValueError, "table of contents has"),
        (("scaling", "not a key", 1, ""), ValueError, "identifiers"),
        (("scaling", "x", "many", ""), TypeError, "must be a number"),
        (("scaling", "x", float("nan"), ""), ValueError, "finite"),
    ],
)
def test_bad_records_are_refused(args, error, message):
    with pytest.raises(error, match=message):
        record(*args)


def test_bad_verdict_is_refused():
    with pytest.raises(ValueError, match="verdict"):
        record("scaling", "x", 1, "", verdict="maybe")


def test_a_key_of_an_earlier_build_is_gone_after_begin():
    record("scaling", "alpha_N", 0.3, "")
    record("scaling", "only_in_the_first_build", 1.0, "")
    begin("scaling")  # the next build of the chapter
    record("scaling", "alpha_N", 0.31, "")
    assert list(read("scaling")["records"]) == ["alpha_N"]


def test_recording_before_begin_says_to_open_the_ledger(monkeypatch):
    monkeypatch.setattr(ledger, "_begun", set())
    with pytest.raises(RuntimeError, match=r"ledger.begin\('scaling'\)"):
        record("scaling", "alpha_N", 0.3, "")


def test_a_quantity_not_measured_is_recorded_with_its_reason():
    not_measured(
        "grokking", "transformer_steps_to_generalise", "the default profile skips the transformer"
    )
    entry = read("grokking")["records"]["transformer_steps_to_generalise"]
    assert entry["value"] is None and entry["verdict"] == "not measured"
    assert "skips the transformer" in entry["note"]


def test_unknown_record_fields_are_refused():
    with pytest.raises(TypeError, match="a record may add evidence, high, low, method"):
        record("scaling", "x", 1, "", width=3)


def test_read_all_keeps_the_books_order_and_skips_files_that_are_not_ledgers(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_RESULTS", str(tmp_path))  # only this test's files
    for chapter in ("grokking", "emergence"):
        begin(chapter)
        record(chapter, "x", 1.0, "units")
    (results_dir() / "prediction_sealed.json").write_text('{"forecasts": []}')
    assert list(read_all()) == ["emergence", "grokking"]
