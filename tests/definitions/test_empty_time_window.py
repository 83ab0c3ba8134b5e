"""``timeWindow: []`` is told to add a window, not to "keep one" of none.

Found in OpenSLO/slogen's Terraform dashboard template, which embeds the openslo/v1alpha SLO
it was made from with ``timeWindows: []``. The error was right (the reference SDK wants exactly
one window too) but its fix, "keep one window; define another SLO for another window", is the
fix for two windows: there was none to keep. The expected texts are written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

V1 = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: a}
spec:
  service: web
  indicatorRef: avail
  timeWindow: []
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""

V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: slo-minimal-name}
spec:
  timeWindows: []
  budgetingMethod: Occurrences
  service: my-service
  objectives:
    - displayName: delay less than 350
      value: 0
      ratioMetrics:
        good: {source: sumologic, queryType: Logs, query: good}
        total: {source: sumologic, queryType: Logs, query: total}
        incremental: true
      target: 0.98
"""


def _window(text: str) -> list[tuple[str, str | None, str, str, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [
        (p.where, p.field, p.code, p.message, p.fix) for p in problems if p.code == "invalid-window"
    ]


def test_an_empty_v1_window_list_is_told_to_get_a_window() -> None:
    assert _window(V1) == [
        (
            "ws.yaml:7",
            "spec.timeWindow",
            "invalid-window",
            "timeWindow holds no window",
            "add one, e.g. timeWindow: [{duration: 28d, isRolling: true}], or remove "
            "timeWindow (a rolling 28d window is then used, with a warning)",
        )
    ]


def test_an_empty_v1alpha_window_list_is_told_in_its_own_form() -> None:
    assert _window(V1ALPHA) == [
        (
            "ws.yaml:5",
            "spec.timeWindows",
            "invalid-window",
            "timeWindows holds no window",
            "add one, e.g. timeWindows: [{unit: Day, count: 28, isRolling: true}], or remove "
            "timeWindows (a rolling 28d window is then used, with a warning)",
        )
    ]


def test_two_windows_are_still_told_to_keep_one() -> None:
    text = V1.replace(
        "timeWindow: []",
        "timeWindow: [{duration: 28d, isRolling: true}, {duration: 7d, isRolling: true}]",
    )
    assert [(m, f) for _, _, _, m, f in _window(text)] == [
        (
            "timeWindow must hold exactly one window, found 2",
            "keep one window; define another SLO for another window",
        )
    ]
