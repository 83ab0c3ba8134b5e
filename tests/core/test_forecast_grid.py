"""The long-grid numerics give what the direct computations give (core.forecast_grid)."""

from __future__ import annotations

import numpy as np
import pytest

from covenant.core import forecast_model
from covenant.core.forecast_grid import compound_negbin_long, convolve, trimmed


def test_the_long_grid_recursion_equals_the_direct_one(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(20261201)
    f = np.concatenate(([0.0], rng.random(300)))
    f /= f.sum()
    monkeypatch.setattr(forecast_model, "LARGE", 10**12)  # the direct recursion, always
    direct = forecast_model._compound_negbin(3.5, 0.2, f, 3000)
    assert compound_negbin_long(3.5, 0.2, f, 3000) == pytest.approx(direct, abs=1e-15)


def test_the_long_grid_recursion_survives_a_large_expected_count() -> None:
    pmf = compound_negbin_long(800.0, 0.2, np.array([0.0, 1.0]), 8000)  # S = N, mean 3200
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert float(np.dot(np.arange(pmf.size), pmf)) == pytest.approx(3200, rel=1e-9)


def test_fft_convolution_equals_the_direct_one() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.random(3000), rng.random(2500)
    x, y = x / x.sum(), y / y.sum()
    assert convolve(x, y, 4000) == pytest.approx(np.convolve(x, y)[:4000], abs=1e-15)


def test_trimming_moves_only_the_negligible_tail() -> None:
    f = np.zeros(100)
    f[1], f[2], f[99] = 0.6, 0.4 - 1e-13, 1e-13  # 1e-13 beyond length 2
    out = trimmed(f)
    assert out.size == 3
    assert out.sum() == pytest.approx(1.0, abs=1e-15)
    assert out[2] == pytest.approx(0.4, abs=1e-15)
    heavy = f.copy()
    heavy[2], heavy[99] = 0.39, 0.01  # 1 % beyond: kept as it is
    assert trimmed(heavy) is heavy
