import importlib.util
import json
import sys

import pytest
import torch

from emergent.core.cache import cache_dir, code_fingerprint, config_key, load_or_train
from emergent.core.training import History

THIS = sys.modules[__name__]


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "cache"))


def make_trainer(calls):
    def train():
        calls.append(1)
        torch.manual_seed(len(calls))
        return torch.nn.Linear(3, 2), History(extras={"calls": len(calls)})

    return train


def build():
    return torch.nn.Linear(3, 2)


def test_second_request_loads_instead_of_training():
    calls = []
    first, history = load_or_train("linear", {"a": 1}, make_trainer(calls), [THIS], build)
    second, history_again = load_or_train("linear", {"a": 1}, make_trainer(calls), [THIS], build)
    assert len(calls) == 1
    assert history_again == history
    assert torch.equal(first.weight, second.weight)


def test_a_change_of_config_retrains():
    calls = []
    load_or_train("linear", {"a": 1, "b": [1, 2]}, make_trainer(calls), [THIS], build)
    load_or_train("linear", {"a": 1, "b": [1, 3]}, make_trainer(calls), [THIS], build)
    assert len(calls) == 2


def test_key_ignores_dict_order_but_not_values():
    assert config_key({"x": 1, "y": 2}) == config_key({"y": 2, "x": 1})
    assert config_key({"x": 1}) != config_key({"x": 2})


def test_gpt2_round_trips_through_save_pretrained():
    from emergent.core.models import TinyGPT2, tiny_gpt2

    shape = TinyGPT2(n_layer=1, n_embd=16, n_head=2)
    model, _ = load_or_train(
        "gpt", {"shape": shape.as_dict()}, lambda: (tiny_gpt2(shape, seed=3), History()), [THIS]
    )
    again, _ = load_or_train(
        "gpt", {"shape": shape.as_dict()}, lambda: pytest.fail("retrained"), [THIS]
    )
    assert (next(iter(cache_dir().glob("gpt-*"))) / "config.json").is_file()
    assert all(
        torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values())
    )


def test_corrupt_entry_is_rebuilt_not_used():
    calls = []
    load_or_train("linear", {"c": 1}, make_trainer(calls), [THIS], build)
    folder = next(cache_dir().glob("linear-*"))
    weights = folder / "state.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"oops")
    with pytest.warns(UserWarning, match="checksum"):
        load_or_train("linear", {"c": 1}, make_trainer(calls), [THIS], build)
    assert len(calls) == 2


def test_mismatched_entry_is_rebuilt():
    calls = []
    load_or_train("linear", {"d": 1}, make_trainer(calls), [THIS], build)
    meta = next(cache_dir().glob("linear-*")) / "meta.json"
    data = json.loads(meta.read_text())
    data["config"] = {"d": 2}
    meta.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="different configuration"):
        load_or_train("linear", {"d": 1}, make_trainer(calls), [THIS], build)
    assert len(calls) == 2


def test_config_must_be_plain_json():
    with pytest.raises(TypeError, match="plain JSON"):
        load_or_train("linear", {"f": object()}, make_trainer([]), [THIS], build)
    with pytest.raises(ValueError, match="Cache name"):
        load_or_train("no spaces", {}, make_trainer([]), [THIS], build)


def test_train_must_return_a_history():
    with pytest.raises(TypeError, match="History"):
        load_or_train(
            "linear", {"g": 1}, lambda: (torch.nn.Linear(3, 2), {"losses": []}), [THIS], build
        )


def write_module(folder, name: str, body: str):
    """A module of training code on disk, imported fresh, as a chapter package's module would be."""
    path = folder / f"{name}.py"
    path.write_text(body)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_change_to_the_training_code_retrains(tmp_path):
    calls = []
    trainer = write_module(tmp_path, "trainer_code", "STEPS = 10\n")
    helper = write_module(tmp_path, "unrelated_code", "X = 1\n")
    load_or_train("linear", {"h": 1}, make_trainer(calls), [trainer], build)
    assert len(calls) == 1
    # an edit elsewhere (a module the model does not name) keeps the trained model
    write_module(tmp_path, "unrelated_code", "X = 2  # edited\n")
    load_or_train("linear", {"h": 1}, make_trainer(calls), [trainer], build)
    assert len(calls) == 1 and helper.X == 1
    # reformatting it or editing a comment keeps the trained model: what it does is the same
    trainer = write_module(tmp_path, "trainer_code", "STEPS = (10)  # a comment on the loop\n")
    load_or_train("linear", {"h": 1}, make_trainer(calls), [trainer], build)
    assert len(calls) == 1
    # an edit to the code that trains it retrains, with the same configuration
    trainer = write_module(tmp_path, "trainer_code", "STEPS = 11\n")
    load_or_train("linear", {"h": 1}, make_trainer(calls), [trainer], build)
    assert len(calls) == 2


def test_fingerprint_covers_the_books_trainer_and_ignores_order(tmp_path, monkeypatch):
    from emergent.core import training

    a = write_module(tmp_path, "code_a", "A = 1\n")
    b = write_module(tmp_path, "code_b", "B = 1\n")
    assert code_fingerprint([a, b]) == code_fingerprint([b, a])
    assert code_fingerprint([a]) == code_fingerprint([a, training])  # the trainer is always in
    before = code_fingerprint([a])
    edited = tmp_path / "training.py"
    edited.write_text(
        open(training.__file__).read() + "\nEDITED = True  # an edit to the trainer\n"
    )
    monkeypatch.setattr(training, "__file__", str(edited))
    assert code_fingerprint([a]) != before
