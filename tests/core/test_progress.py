from tqdm.std import tqdm

from emergent.core.progress import progress_bar


def test_bar_is_off_on_the_static_site(monkeypatch):
    monkeypatch.setenv("EMERGENT_STATIC", "1")
    bar = progress_bar(range(3), desc="x")
    assert type(bar) is tqdm and bar.disable
    assert list(bar) == [0, 1, 2]


def test_bar_is_on_where_a_reader_runs_the_code(monkeypatch):
    monkeypatch.delenv("EMERGENT_STATIC", raising=False)
    bar = progress_bar(range(3), desc="x")
    assert not bar.disable
    assert list(bar) == [0, 1, 2]
