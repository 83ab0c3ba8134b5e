"""Which aggregation, if any, is applied straight to a range (``sum(x[5m])``).

Prometheus aggregates instant vectors only: ``sum(x[5m])``, ``sum by (job) (x[5m])`` and
``sum(x[5m]) by (job)`` are refused when parsed ("expected type instant vector in aggregation
expression, got range vector"), so ``rate(sum(x[5m]))`` fails at its ``sum``, not its ``rate``.
"""

from __future__ import annotations

import re

AGGREGATIONS = frozenset(
    {
        "sum",
        "avg",
        "min",
        "max",
        "count",
        "group",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "count_values",
        "limitk",
        "limit_ratio",
    }
)
_NAME_END = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")
_GROUPING_END = re.compile(r"(?<![A-Za-z0-9_:])(by|without)\s*$", re.IGNORECASE)


def aggregation_over_range(code: str, needle: str) -> str | None:
    """The aggregation (``sum``…) whose argument is a range ending in ``needle`` (written
    ``[{{.window}}]``), the first one found; None when every range sits in a function call.
    ``code``: the query with its strings and comments blanked, at the same offsets."""
    opened: list[int] = []
    pairs: dict[int, int] = {}  # index of a ')' → index of its '('
    starts = {m.start() for m in re.finditer(re.escape(needle), code)}
    for index, ch in enumerate(code):
        if index in starts and opened:
            name = _caller(code, opened[-1], pairs)
            if name is not None and name.lower() in AGGREGATIONS:
                return name
        if ch == "(":
            opened.append(index)
        elif ch == ")" and opened:
            pairs[index] = opened.pop()
    return None


def _caller(code: str, paren: int, pairs: dict[int, int]) -> str | None:
    """The name written before the ``(`` at ``paren``, stepping over a ``by (…)`` or
    ``without (…)`` clause written before the argument (``sum by (job) (…)``)."""
    before = code[:paren].rstrip()
    if before.endswith(")"):
        clause = pairs.get(len(before) - 1)
        if clause is None:
            return None
        grouping = _GROUPING_END.search(code[:clause].rstrip())
        if grouping is None:
            return None
        before = code[: grouping.start()].rstrip()
    match = _NAME_END.search(before)
    return match.group(1) if match else None
