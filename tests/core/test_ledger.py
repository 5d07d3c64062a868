import json

import pytest

from emergent.core.ledger import read, read_all, record, results_dir


def test_record_lands_in_the_chapter_file_with_provenance():
    record("grokking", "steps_to_memorise", 120, "steps", claim="~10^3 steps", source="power2022grokking",
           verdict="differs", note="smaller model")
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
        (("chapter9", "x", 1, ""), ValueError, "chapter slugs"),
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
