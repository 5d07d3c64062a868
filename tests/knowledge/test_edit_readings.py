"""Per-edit readings and tables of editing results, on hand-made results."""

import numpy as np
import pytest
from emergent.knowledge import edit_readings

NAN = float("nan")


def result(rows):
    summary = {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}
    summary.update(score=0.5, harmonic_mean=0.5, seconds_per_edit=0.1)
    return {"summary": summary, "per_edit": rows}


def edit(es, ps, ns, **more):
    base = {
        "ES": es,
        "PS": ps,
        "NS": ns,
        "efficacy": es,
        "paraphrase": ps,
        "paraphrase_train": ps,
        "specificity": ns,
        "same_subject": 1.0,
    }
    return {**base, **more}


RESULTS = {
    "subject site": result([edit(1.0, 0.8, 0.6), edit(1.0, 0.6, NAN)]),
    "last-token site": result([edit(1.0, 1.0, 0.9), edit(0.5, 0.5, 0.5)]),
    "FT": result([edit(1.0, 0.9, 0.2), edit(1.0, 0.7, 0.4)]),
    "FT+L": result([edit(0.9, 0.5, 0.7), edit(0.8, 0.4, 0.6)]),
}


def test_per_edit_leaves_out_missing_scores():
    assert edit_readings.per_edit(RESULTS, "subject site", "NS").tolist() == [0.6]
    assert edit_readings.per_edit(RESULTS, "subject site", "PS").tolist() == [0.8, 0.6]


def test_paired_differences_are_per_edit():
    assert np.allclose(edit_readings.paired(RESULTS, "subject site", "FT", "NS"), [0.4])
    assert np.allclose(edit_readings.paired(RESULTS, "last-token site", "FT", "NS"), [0.7, 0.1])
    short = {"a": {"per_edit": [edit(1, 1, 1)]}, "b": {"per_edit": []}}
    with pytest.raises(ValueError):
        edit_readings.paired(short, "a", "b", "NS")


def test_mean_score_gap():
    gap = edit_readings.mean_score_gap(
        RESULTS["last-token site"]["per_edit"], RESULTS["FT"]["per_edit"]
    )
    assert np.allclose(gap, [(2.9 - 2.1) / 3, (1.5 - 2.1) / 3])
    # an edit with an undefined score is left out
    assert (
        len(
            edit_readings.mean_score_gap(
                RESULTS["subject site"]["per_edit"], RESULTS["FT"]["per_edit"]
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    "sites, words",
    [
        ([], "neither site"),
        (["subject site"], "the subject site only"),
        (["subject site", "last-token site"], "both sites"),
    ],
)
def test_which_sites(sites, words):
    assert edit_readings.which_sites(sites) == words


def test_tables_have_a_row_per_method():
    assert len(edit_readings.summary_table(RESULTS, ["efficacy", "NS"]).splitlines()) == 5
    published = {"ROME": (100.0, 96.4, 75.4, 89.2)}
    lines = edit_readings.published_table(published, RESULTS).splitlines()
    assert len(lines) == 6 and "96.4" in lines[1] and lines[2].startswith("this book, subject site")
    approaches = edit_readings.approaches_table(RESULTS, retrain_seconds=12.0).splitlines()
    assert len(approaches) == 6 and "by construction" in approaches[1] and "12.00" in approaches[1]
    mass = {("subject site", "memit", 10): RESULTS["FT"]}
    assert "memit" in edit_readings.mass_table(mass, ["efficacy"]).splitlines()[1]
