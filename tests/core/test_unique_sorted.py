"""``unique_sorted`` is ``np.unique`` for integers (without importing numpy.ma)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from covenant.core.series import unique_sorted


@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=50))
def test_unique_sorted_is_np_unique(values: list[int]) -> None:
    got = unique_sorted(values)
    assert got.dtype == np.int64
    assert got.tolist() == sorted(set(values))
    assert got.tolist() == np.unique(np.asarray(values, dtype=np.int64)).tolist()


def test_unique_sorted_of_a_matrix_flattens_it() -> None:
    assert unique_sorted(np.array([[3, 1], [3, 2]])).tolist() == [1, 2, 3]
