"""One query giving a ratio per window, split into two counts (docs/import.md, "How queries
become counts").

slo-generator's ``query_sli`` (a ratio of good events) and Sloth's raw ``error_ratio_query``
(a ratio of bad events) are both one query. Covenant sums counts over a window, never ratios,
so both importers take such a query only as a ratio of two counts:

- ``A / B`` is the only operator at the top level (brackets aside); a fallback for a window
  without traffic (``… or on() vector(1)``) and vector matching (``/ ignoring (le)``) are
  dropped, each noted by the importer;
- ``rate(x[{{.window}}])`` is read as ``increase`` (rate × window; the window cancels out of
  the ratio), and each part then counts over ``{{.window}}`` (``increase``,
  ``count_over_time``, ``sum_over_time``): ``irate``, ``avg_over_time`` and the like give a
  value per window, not a count;
- the ratio is not the mean of a series written out (``sum_over_time(x[w]) /
  count_over_time(x[w])`` is ``avg_over_time(x[w])``: an average of the values, such as
  recorded ratios, not a ratio of events);
- where both parts count one metric through plain selectors (``sum(rate(x{…}[w]))``), the
  numerator's series are among the denominator's: a numerator with no matcher on a label the
  denominator matches, or another value for it, counts events the total does not hold, and its
  count can exceed the total's (which Covenant's Prometheus reader refuses).

``1 - A / B``, an aggregation of ratios (``avg(rate(a[w]) / rate(b[w]))``) or
``avg_over_time`` of a recorded ratio is no ratio of two counts: each importer leaves it out
with its reason (:func:`uncounted_part` and :func:`not_counts` name what is wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from covenant.core.promql import parse_selector, raw_selector
from covenant.definitions.importers import promql


@dataclass(frozen=True, slots=True, kw_only=True)
class CountRatio:
    """``A / B`` as two counts per ``{{.window}}`` (``rate`` read as ``increase``)."""

    numerator: str
    denominator: str
    fallback: str = ""  # the dropped no-traffic fallback (``or on() vector(1)``)
    matching: str = ""  # the dropped vector matching (``ignoring (le)``)
    guards: tuple[str, ...] = ()  # the dropped zero guards (``(sum(b) > 0)``), as written

    def dropped(self, *, no_traffic: str = "the SLI's value") -> list[str]:
        """The notes an import of the ratio gives for what its counts leave out: the
        fallback (``no_traffic`` names what it stands for) and the vector matching."""
        notes = []
        if self.fallback:
            notes.append(
                f"the fallback '{self.fallback}' ({no_traffic} when there is no traffic) is "
                "dropped: with counts, no events is simply no good and no bad event"
            )
        if self.guards:
            notes.append(
                f"the guard '{self.guards[0]}' (the ratio has no value when a part counts no "
                "event) is dropped: a count of 0 adds no event either way"
            )
        if self.matching:
            notes.append(
                f"the vector matching '{self.matching}' is dropped: numerator and denominator "
                "are each summed"
            )
        return notes


def split_counts(query: str) -> CountRatio | None:
    """``query`` (its ranges written ``[{{.window}}]``) as a ratio of two counts, or None:
    it is not ``A / B``, or a part does not count over the window."""
    ratio, fallback = promql.without_fallback(query.strip())
    split = _unguarded_ratio(ratio)
    if split is None:
        return None
    (top, bottom, matching), guards = split
    numerator, denominator = (promql.rate_to_increase(part)[0] for part in (top, bottom))
    if not all(promql.counts_over_window(part) for part in (numerator, denominator)):
        return None
    return CountRatio(
        numerator=numerator,
        denominator=denominator,
        fallback=fallback,
        matching=matching,
        guards=guards,
    )


_ONE_MINUS = re.compile(r"(?s)\s*1(?:\.0*)?\s*-\s*(.+)")


def one_minus(query: str) -> CountRatio | None:
    """``A / B`` of two counts when ``query`` is ``1 - (A / B)``, also written ``1 - A / B``
    (division binds tighter than subtraction); None otherwise. Whether A is a share of B is
    :func:`not_counts`'s to say."""
    ratio = promql.strip_parens(promql.without_fallback(query)[0])
    one = _ONE_MINUS.match(ratio)
    return split_counts(one.group(1)) if one is not None else None


# ``> 0`` or ``!= 0`` closing a part: Sloth's common SLI plugins guard their denominator so
# that a window without requests gives no ratio (``(sum(rate(x[w])) > 0)``)
_ZERO_GUARD = re.compile(r"(?s)^(.*?)\s*((?:>|!=)\s*0+(?:\.0*)?)\s*$")


_ZERO_VECTOR = re.compile(r"(?is)vector\s*\(\s*0+(?:\.0*)?\s*\)$")


def _no_events_fallback(part: str) -> bool:
    """Whether ``part`` is one count falling back to ``vector(0)`` when it has no series
    (``sum(rate(x[w])) or vector(0)``): no events, as the count without the fallback sums to;
    kept in the part, as Sloth's events queries keep it."""
    inner, fallback = promql.without_fallback(part)
    return (
        bool(fallback) and bool(_ZERO_VECTOR.search(fallback)) and not promql.is_arithmetic(inner)
    )


def _unguarded_ratio(ratio: str) -> tuple[tuple[str, str, str], tuple[str, ...]] | None:
    """``A / B`` (:func:`promql.split_ratio`) once a zero guard closing either part is
    dropped, and the guards dropped. A count is never negative, so ``count > 0`` only hides a
    count of 0, which adds nothing to a sum of counts: the guard changes no count."""
    operands = promql.ratio_operands(ratio)
    if operands is None:
        return None
    parts, guards = [], []
    for operand in operands[:2]:
        part, found = operand, _ZERO_GUARD.match(operand)
        if found is not None and not promql.is_arithmetic(found.group(1)):
            part = promql.strip_parens(found.group(1))
            guards.append(found.group(2))
        if promql.is_arithmetic(part) and not _no_events_fallback(part):
            return None
        parts.append(part)
    return (parts[0], parts[1], operands[2]), tuple(guards)


def uncounted_part(query: str) -> tuple[str, str] | None:
    """``("numerator" or "denominator", its text)`` for ``A / B`` whose part does not count
    over ``{{.window}}`` (``irate``, ``avg_over_time``, another range); None otherwise."""
    split = _unguarded_ratio(promql.without_fallback(query.strip())[0])
    if split is None:
        return None
    for name, part in zip(("numerator", "denominator"), split[0][:2], strict=False):
        if not promql.counts_over_window(promql.rate_to_increase(part)[0]):
            return name, " ".join(part.split())
    return None


def uncounted_query_sli(query: str) -> str | None:
    """Why slo-generator's ``query_sli`` ``A / B`` (``[window]`` ranges) is no ratio of counts
    when a part counts over no window (:func:`uncounted_part`): that part and its function
    named; None when both parts count."""
    found = uncounted_part(promql.range_to_window(query.strip()))
    if found is None:
        return None
    part, text = found
    shown = text.replace("[{{.window}}]", "[window]")
    what = (
        "irate gives the per-second rate between the window's last two samples "
        "(avg_over_time and the like a value per window)"
        if re.search(r"(?<![A-Za-z0-9_:])irate\s*\(", text)
        else "avg_over_time, irate and the like give a value per window"
    )
    return (
        f"query_sli is a ratio whose {part} ('{shown}') counts no events over [window]: "
        f"{what}, and Covenant sums good and total counts over the window. Fix: count each "
        "part with sum(increase(...[window])) (or sum(rate(...[window])), read as increase), "
        "or write good_bad_ratio filters"
    )


_COUNT_OVER_TIME = re.compile(r"(?<![A-Za-z0-9_:])count_over_time(?=\s*\()")
_SUM_OVER_TIME = re.compile(r"(?<![A-Za-z0-9_:])sum_over_time\s*\(")
_EVERYTHING = {'".*"', "'.*'", "`.*`"}
_PARTS = ("numerator", "denominator")


def not_counts(ratio: CountRatio, *, parts: tuple[str, str] = _PARTS) -> str | None:
    """Why a split ratio is still no ratio of events (a mean of a series' values, or a
    numerator that counts series the denominator does not); None: it is one. ``parts``: what
    the message calls the numerator and the denominator (Sloth's ``sli.events``: its
    ``error_query`` and ``total_query``)."""
    top, bottom = parts
    numerator, denominator = ratio.numerator, ratio.denominator
    if (
        _SUM_OVER_TIME.search(numerator)
        and _COUNT_OVER_TIME.search(denominator)
        and promql.same_query(numerator, _COUNT_OVER_TIME.sub("sum_over_time", denominator))
    ):
        return (
            "sum_over_time / count_over_time of one series is its mean over the window "
            "(avg_over_time): an average of values such as recorded ratios or gauges, not a "
            "ratio of events"
        )
    first, total = raw_selector(numerator), raw_selector(denominator)
    a = parse_selector(first) if first else None
    b = parse_selector(total) if total else None
    if a is None or b is None or not a.name or a.name != b.name:
        return None
    own = {label: (op, quoted) for label, op, quoted in a.matchers}
    for label, op, quoted in b.matchers:
        if op == "=~" and quoted in _EVERYTHING:
            continue
        mine = own.get(label)
        if mine is None:
            return (
                f"its {top} ({first}) has no matcher on {label!r}, which its {bottom} "
                f"matches ({label}{op}{quoted}): it counts {a.name} series the total does not "
                f"hold, so it is no share of the total; add {label}{op}{quoted} to the {top}"
            )
        if (
            op == "="
            and mine[0] == "="
            and mine[1] != quoted
            and not _lower_bucket(label, mine[1], quoted)
        ):
            return (
                f"its {top} ({first}) and {bottom} ({total}) count different series "
                f"({label}={mine[1]} and {label}={quoted}): the {top}'s events are not "
                "among the total's; "
                + (
                    "divide by the count of all the events"
                    if parts == _PARTS
                    else f"make the {bottom} count all the events"
                )
            )
    return None


def _lower_bucket(label: str, mine: str, theirs: str) -> bool:
    """Whether ``le=mine`` is a histogram bucket within ``le=theirs``: buckets are cumulative,
    so ``x_bucket{le="0.2"}`` counts a share of ``x_bucket{le="+Inf"}`` (every observation)
    and of any bucket with a higher bound."""
    if label != "le":
        return False
    try:
        return float(mine.strip("\"'`")) <= float(theirs.strip("\"'`"))
    except ValueError:
        return False
