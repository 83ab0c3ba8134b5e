"""Evaluations at an instant after now against a brute-force count that stops at now
(tests/core/correction_reference.py with ``now``).

docs/semantics.md ("An instant after now"): the windows stay where ``at`` puts them, but their
buckets are counted only up to now (aligned down to the minute: the minute in progress has not
happened); a minute after now is neither good, bad nor *no data* — no no-data policy counts
it, and events stored with a timestamp after now are not counted; a Timeslices budget counts
every slice of the period less those skipped before now; a window that starts after now has no
value. The cases are those of tests/core/test_correction_reference.py (every method and
policy, rolling and calendar windows in odd zones, traffic up to ``at`` — so after now too —
and corrections), with now drawn at ``at``, a second, a minute or a slice before it, on a
slice's edge, or hours to days before it (so whole burn windows and SLO windows start after
now).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covenant.core.corrections import CorrectionWindow, evaluate_corrected
from covenant.core.evaluate import evaluate
from covenant.core.model import Objective
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch
from tests.core import correction_reference as ref
from tests.core.test_correction_reference import STEP, cases, check


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(cases(), st.data())
def test_evaluations_after_now_count_only_up_to_now(
    case: tuple[list[Objective], BucketMatrix, int, list[CorrectionWindow]], data: st.DataObject
) -> None:
    objs, matrix, at, windows = case
    back = data.draw(
        st.one_of(
            st.sampled_from([0, 1, 59, 60, 61, 300, 3600, 3601]),
            st.integers(0, 3 * 3600),
            st.integers(0, 40).map(lambda k: k * 300 + at % 300),  # on a 5-minute edge
            st.integers(0, 3 * 86400),
        )
    )
    now = at - back
    good, total = matrix.good[0].tolist(), matrix.total[0].tolist()
    raw = evaluate(objs, matrix, at=from_epoch(at), now=from_epoch(now))
    corrected = evaluate_corrected(objs, matrix, windows, at=from_epoch(at), now=from_epoch(now))
    for o, plain, fixed in zip(objs, raw, corrected, strict=True):
        unchanged = ref.figures(o, ref.Data(good, total, matrix.start, STEP, []), at, now)
        check(plain, unchanged, o)
        spans = [
            (int(w.start.timestamp()), int(w.end.timestamp()))
            for w in windows
            if not w.slos or o.slo in w.slos
        ]
        want = ref.figures(o, ref.Data(good, total, matrix.start, STEP, spans), at, now)
        if fixed.evaluation is not None:
            check(fixed.evaluation, want, o)
