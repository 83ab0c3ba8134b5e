"""A bad COVENANT_LOCK_TIMEOUT is refused when the store is opened (``serve`` opens it at its
start), naming the variable and its value, not at the first write or connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.errors import OptionValueError
from covenant.store.db import create_engine_for


@pytest.mark.parametrize("value", ["1m", "0", "nan", "-5"])
def test_a_bad_lock_timeout_is_refused_when_the_store_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("COVENANT_LOCK_TIMEOUT", value)
    with pytest.raises(OptionValueError) as refused:
        create_engine_for(f"sqlite:///{tmp_path / 'covenant.db'}")
    assert f"COVENANT_LOCK_TIMEOUT={value!r}" in refused.value.message
    assert not (tmp_path / "covenant.db").exists()


def test_a_good_lock_timeout_opens_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_LOCK_TIMEOUT", "2.5s")
    engine = create_engine_for(f"sqlite:///{tmp_path / 'covenant.db'}")
    engine.dispose()
