"""``reads.unmatched``: whether a series' read matched series, from its parts in order — the
trailing run of parts that matched none, and whether it is the whole read (then the run the
store holds goes on)."""

from __future__ import annotations

import numpy as np

from covenant.sources.prometheus.reads import Counts, unmatched


def _part(start: int, *, first: bool, total: bool) -> Counts:
    zeros = np.zeros(3, dtype=np.int64)
    return Counts(
        start=start, step=60, good=zeros, total=zeros.copy(), first_found=first, total_found=total
    )


def test_a_read_whose_last_part_matched_is_found() -> None:
    parts = [_part(0, first=False, total=False), _part(180, first=True, total=True)]
    assert unmatched(parts) == ((True, None, False), (True, None, False))


def test_the_trailing_run_that_matched_nothing_starts_where_it_starts() -> None:
    parts = [
        _part(0, first=True, total=True),
        _part(180, first=False, total=True),
        _part(360, first=False, total=False),
    ]
    # good (bad) matched none from 180, total from 360; neither run is the whole read
    assert unmatched(parts) == ((False, 180, False), (False, 360, False))


def test_a_read_that_matched_nothing_at_all_goes_on_from_the_stored_run() -> None:
    parts = [_part(600, first=False, total=False), _part(780, first=False, total=False)]
    assert unmatched(parts) == ((False, 600, True), (False, 600, True))
