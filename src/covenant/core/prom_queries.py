"""How an SLI's PromQL query becomes a count per window (the issue-8 query convention).

Pure string work, shared by everything that turns an SLI into PromQL (generated rules; the
reading path follows the same three rules):

1. A query containing Sloth's placeholder ``{{.window}}`` already gives the count of events per
   window: the placeholder is replaced with the window (``1m``).
2. A counter query (``counter: true``) that is a selector, or ``sum[ by|without (...)](selector)``,
   becomes ``sum(increase(<selector>[{{.window}}]))``, so the server handles counter resets.
3. A histogram latency SLI: good = ``<name>_bucket{..., le="<threshold>"}``, total =
   ``<name>_count{...}``, both counters under rule 2.

Anything else has no count form: :func:`count_template` says why (the fix is "use the
``{{.window}}`` form").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

WINDOW = "{{.window}}"

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_MATCHERS = r"\{[^{}]*\}"
_SELECTOR = re.compile(
    rf"^\s*(?P<sel>(?P<name>{_NAME})\s*(?P<m>{_MATCHERS})?|(?P<m2>{_MATCHERS}))\s*$"
)
_SUM = re.compile(
    r"^\s*sum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(\s*(?P<inner>[^()]*)\)\s*"
    r"(?:(?:by|without)\s*\([^()]*\)\s*)?$"
)
_HISTOGRAM_SUFFIX = re.compile(r"_(bucket|count|sum)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class PromCounts:
    """An SLI as two PromQL templates giving good and total events per ``{{.window}}``.

    ``bad`` replaces ``good`` when the SLI counts bad events (good = total − bad).
    """

    total: str
    good: str | None = None
    bad: str | None = None
    source: str = ""  # the DataSource name (or "" for an inline type)

    def __post_init__(self) -> None:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of good or bad")


class NoCountFormError(ValueError):
    """A query that the convention cannot turn into a count per window; ``str()`` says why."""


def selector_of(query: str) -> str | None:
    """The bare selector of ``query`` (a selector, or ``sum[ by|without (..)](selector)``)."""
    text = query.strip()
    found = _SUM.match(text)
    if found is not None:
        text = found.group("inner")
    sel = _SELECTOR.match(text)
    return sel.group("sel").strip() if sel else None


def count_template(query: str, *, counter: bool) -> str:
    """``query`` as a count-per-``{{.window}}`` template (rules 1 and 2)."""
    if WINDOW in query:
        return query.strip()
    if not counter:
        raise NoCountFormError(
            f"query {query.strip()!r} has no {WINDOW} placeholder and is not a counter "
            "(counter: false)"
        )
    selector = selector_of(query)
    if selector is None:
        raise NoCountFormError(
            f"counter query {query.strip()!r} is neither a selector nor sum(selector); "
            f"write the count per window with {WINDOW}, e.g. sum(increase(x[{WINDOW}]))"
        )
    return f"sum(increase({selector}[{WINDOW}]))"


def histogram_templates(query: str, *, op: str, value: Fraction) -> tuple[str, str]:
    """(good, total) templates of a latency SLI over a histogram (rule 3)."""
    if op != "lte":
        raise NoCountFormError(
            f"a histogram bucket counts observations <= its le bound; op {op!r} cannot be "
            "counted exactly (use op: lte)"
        )
    sel = _SELECTOR.match(query.strip())
    if sel is None or sel.group("name") is None:
        raise NoCountFormError(
            f"threshold query {query.strip()!r} is not a histogram selector such as "
            'http_request_duration_seconds_bucket{job="api"}'
        )
    base = _HISTOGRAM_SUFFIX.sub("", sel.group("name"))
    inner = (sel.group("m") or "{}")[1:-1].strip().rstrip(",")
    # Go clients write an integer bound as "1", Python clients as "1.0": match either
    le = f'le=~"{value.numerator}(\\\\.0)?"' if value.denominator == 1 else f'le="{_number(value)}"'
    bucket = f"{base}_bucket{{{inner + ', ' if inner else ''}{le}}}"
    count = f"{base}_count{{{inner}}}" if inner else f"{base}_count"
    return (
        f"sum(increase({bucket}[{WINDOW}]))",
        f"sum(increase({count}[{WINDOW}]))",
    )


def _number(value: Fraction) -> str:
    text = f"{float(value):.12g}"
    if Fraction(text) != value:
        raise NoCountFormError(f"threshold {value} has no exact decimal le bound")
    return text


def at_window(template: str, window: str) -> str:
    """The template with its ``{{.window}}`` placeholder replaced by ``window``."""
    return template.replace(WINDOW, window)
