import pytest
import torch

from emergent.core.profiles import choose, device, profile_name


def test_default_profile_when_unset():
    assert profile_name() == "default"
    assert choose(default=1, full=2) == 1


def test_full_profile_picks_full_sizes(monkeypatch):
    monkeypatch.setenv("EMERGENT_PROFILE", "FULL")
    assert profile_name() == "full"
    assert choose(default=1, full=2) == 2


def test_unknown_profile_says_what_to_use(monkeypatch):
    monkeypatch.setenv("EMERGENT_PROFILE", "huge")
    with pytest.raises(ValueError, match="default, full"):
        profile_name()


def test_device_is_cuda_only_when_present(monkeypatch):
    monkeypatch.delenv("EMERGENT_DEVICE", raising=False)
    assert device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv("EMERGENT_DEVICE", "cpu")
    assert device().type == "cpu"
