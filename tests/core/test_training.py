"""The book's one trainer: it learns, evaluates when asked, stops when told, and keeps one schema."""

import math

import pytest
import torch
import torch.nn.functional as F

from emergent.core.models import TinyGPT2, tiny_gpt2
from emergent.core.training import History, every, learning_rate_factor, train, train_language_model
from emergent.zoo.copy_task import copy_accuracy, copy_batch


def regression_problem(seed=0):
    """A linear map to learn from a fixed batch: the loss must fall towards zero."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=generator)
    y = x @ torch.randn(4, 1, generator=generator)
    return x, y


def test_trainer_learns_the_toy_task():
    torch.manual_seed(0)
    shape = TinyGPT2(vocab_size=16, n_positions=16, n_layer=2, n_head=2, n_embd=32)
    model = tiny_gpt2(shape)
    generator = torch.Generator().manual_seed(0)
    history = train_language_model(
        model, lambda s: copy_batch(32, 6, 16, generator), steps=300, progress=False
    )
    assert history.steps_done == len(history.losses) == 300
    assert sum(history.losses[:20]) / 20 > 2.0  # starts near ln 15 = 2.7 nats: guessing
    assert sum(history.losses[-20:]) / 20 < 0.1  # ends nearly certain
    assert copy_accuracy(model, 16) > 0.99
    assert not model.training  # left in eval mode


def test_evaluations_come_at_the_chosen_steps_and_at_the_end():
    x, y = regression_problem()
    model = torch.nn.Linear(4, 1)
    history = train(
        model,
        lambda m, step: F.mse_loss(m(x), y),
        25,
        learning_rate=0.05,
        evaluate=lambda m: {"loss": float(F.mse_loss(m(x), y)), "training": m.training},
        evaluate_at=every(10),
        progress=False,
    )
    assert history.column("step") == [0, 10, 20, 25]  # before any step, every 10, and the last
    assert history.column("training") == [False] * 4  # evaluated in eval mode
    seconds = history.column("seconds")
    assert seconds[0] == 0.0 and seconds == sorted(seconds) and seconds[-1] <= history.seconds
    assert history.column("loss")[-1] < 0.1 * history.column("loss")[0]
    assert (
        every(5, dense_until=3)(2)
        and not every(5, dense_until=3)(4)
        and every(5, dense_until=3)(10)
    )


def test_stop_condition_ends_the_run_early():
    x, y = regression_problem()
    model = torch.nn.Linear(4, 1)
    history = train(
        model,
        lambda m, step: F.mse_loss(m(x), y),
        1000,
        learning_rate=0.05,
        evaluate=lambda m: {"loss": float(F.mse_loss(m(x), y))},
        evaluate_at=every(5),
        stop=lambda h: h.evaluations[-1]["loss"] < 0.01,
        progress=False,
    )
    assert history.stopped_early and history.steps_done < 1000
    assert (
        history.steps_done == history.column("step")[-1]
    )  # it stopped right after the deciding evaluation
    assert history.column("loss")[-1] < 0.01 <= history.column("loss")[-2]


def test_learning_rate_warms_up_then_holds_or_decays():
    assert [learning_rate_factor(s, 100, 4, None) for s in range(6)] == [
        0.25,
        0.5,
        0.75,
        1.0,
        1.0,
        1.0,
    ]
    assert learning_rate_factor(4, 100, 4, 0.1) == pytest.approx(1.0)
    assert learning_rate_factor(100, 100, 4, 0.1) == pytest.approx(0.1)
    middle = learning_rate_factor(52, 100, 4, 0.1)
    assert middle == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))


def test_no_weight_decay_is_plain_adam_bit_for_bit():
    """The superposition and digit models were trained with Adam: AdamW without decay is the same."""
    x, y = regression_problem()
    torch.manual_seed(0)
    ours = torch.nn.Linear(4, 1)
    theirs = torch.nn.Linear(4, 1)
    theirs.load_state_dict(ours.state_dict())
    train(ours, lambda m, step: F.mse_loss(m(x), y), 30, learning_rate=0.01, progress=False)
    adam = torch.optim.Adam(theirs.parameters(), lr=0.01)
    for _ in range(30):
        loss = F.mse_loss(theirs(x), y)
        adam.zero_grad()
        loss.backward()
        adam.step()
    assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)


def test_history_has_one_schema_and_round_trips():
    history = History(
        losses=[1.0, 0.5],
        evaluations=[{"step": 0, "seconds": 0.0, "acc": 0.1}],
        seconds=1.5,
        extras={"note": [1, 2]},
    )
    assert History.from_dict(history.as_dict()) == history
    assert history.column("acc") == [0.1]
    with pytest.raises(KeyError, match="acc"):
        history.column("accuracy")
    with pytest.raises(KeyError, match="never evaluated"):
        History().column("acc")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": 0}, "steps must be a positive integer"),
        ({"learning_rate": 0.0}, "learning_rate must be positive"),
        ({"weight_decay": -1.0}, "weight_decay must be non-negative"),
        ({"evaluate_at": every(2)}, "without an evaluate function"),
    ],
)
def test_trainer_refuses_bad_settings_with_advice(kwargs, message):
    settings = {"steps": 5, "learning_rate": 0.01, **kwargs}
    steps = settings.pop("steps")
    with pytest.raises(ValueError, match=message):
        train(
            torch.nn.Linear(2, 1),
            lambda m, s: m(torch.ones(1, 2)).sum(),
            steps,
            progress=False,
            **settings,
        )
