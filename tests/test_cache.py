import json

import pytest
import torch

from emergent.cache import cache_dir, config_key, load_or_train


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "cache"))


def make_trainer(calls):
    def train():
        calls.append(1)
        torch.manual_seed(len(calls))
        return torch.nn.Linear(3, 2), {"calls": len(calls)}

    return train


def build():
    return torch.nn.Linear(3, 2)


def test_second_request_loads_instead_of_training():
    calls = []
    first, extras = load_or_train("linear", {"a": 1}, make_trainer(calls), build)
    second, extras_again = load_or_train("linear", {"a": 1}, make_trainer(calls), build)
    assert len(calls) == 1
    assert extras_again == extras
    assert torch.equal(first.weight, second.weight)


def test_a_change_of_config_retrains():
    calls = []
    load_or_train("linear", {"a": 1, "b": [1, 2]}, make_trainer(calls), build)
    load_or_train("linear", {"a": 1, "b": [1, 3]}, make_trainer(calls), build)
    assert len(calls) == 2


def test_key_ignores_dict_order_but_not_values():
    assert config_key({"x": 1, "y": 2}) == config_key({"y": 2, "x": 1})
    assert config_key({"x": 1}) != config_key({"x": 2})


def test_gpt2_round_trips_through_save_pretrained():
    from emergent.models import TinyGPT2, tiny_gpt2

    shape = TinyGPT2(n_layer=1, n_embd=16, n_head=2)
    model, _ = load_or_train("gpt", {"shape": shape.as_dict()}, lambda: (tiny_gpt2(shape, seed=3), {}))
    again, _ = load_or_train("gpt", {"shape": shape.as_dict()}, lambda: pytest.fail("retrained"))
    assert (next(iter(cache_dir().glob("gpt-*"))) / "config.json").is_file()
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))


def test_corrupt_entry_is_rebuilt_not_used():
    calls = []
    load_or_train("linear", {"c": 1}, make_trainer(calls), build)
    folder = next(cache_dir().glob("linear-*"))
    weights = folder / "state.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"oops")
    with pytest.warns(UserWarning, match="checksum"):
        load_or_train("linear", {"c": 1}, make_trainer(calls), build)
    assert len(calls) == 2


def test_mismatched_entry_is_rebuilt():
    calls = []
    load_or_train("linear", {"d": 1}, make_trainer(calls), build)
    meta = next(cache_dir().glob("linear-*")) / "meta.json"
    data = json.loads(meta.read_text())
    data["config"] = {"d": 2}
    meta.write_text(json.dumps(data))
    with pytest.warns(UserWarning, match="different configuration"):
        load_or_train("linear", {"d": 1}, make_trainer(calls), build)
    assert len(calls) == 2


def test_config_must_be_plain_json():
    with pytest.raises(TypeError, match="plain JSON"):
        load_or_train("linear", {"f": object()}, make_trainer([]), build)
    with pytest.raises(ValueError, match="Cache name"):
        load_or_train("no spaces", {}, make_trainer([]), build)
