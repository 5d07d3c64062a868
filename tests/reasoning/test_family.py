"""On the chapter's own models: with room to write its steps, a member composes long problems it cannot answer at once."""

import numpy as np
import pytest

from emergent.core.seeding import seed_everything


@pytest.mark.slow
def test_the_scratchpad_beats_the_direct_answer_on_long_problems(book_models):
    from emergent.reasoning.family import composition_scores, reasoner_run

    seed_everything(0)
    with book_models():
        model, _ = reasoner_run(2, 48, progress=False)  # the size family's largest default member
    long = range(5, 9)
    scratch = np.mean(
        [composition_scores(model, "scratchpad", n, count=100)["correct"].mean() for n in long]
    )
    direct = np.mean(
        [composition_scores(model, "direct", n, count=100)["correct"].mean() for n in long]
    )
    assert scratch > 0.8 and direct < 0.4, (scratch, direct)


def test_mixture_batches_label_only_answers_and_fit_the_model():
    from emergent.reasoning.family import Mixture, member_shape
    from emergent.reasoning.tasks import TOKEN, decode

    mixture = Mixture(batch_size=16)
    ids, labels = mixture.batches()(3)
    assert ids.shape == (16, mixture.n_positions) and (ids == mixture.batches()(3)[0]).all()
    for row, label in zip(ids, labels):
        text = decode(row)
        answer_start = text.index("=") + 1
        assert (label[:answer_start] == -100).all() and (
            label[answer_start:][label[answer_start:] != -100]
            == row[answer_start:][label[answer_start:] != -100]
        ).all()
        assert text[0] in "DS" and label[answer_start] != -100 and TOKEN["."] in row.tolist()
    assert member_shape(2, 24, mixture).n_head == 3
