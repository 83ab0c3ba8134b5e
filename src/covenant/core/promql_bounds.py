"""Histogram bucket bounds read as durations (docs/errors.md#implausible-latency-bound).

Prometheus's naming conventions give a metric's unit as the last word of its name
(``http_request_duration_seconds``; a histogram's series add ``_bucket``, ``_count`` and
``_sum``), and an ``le`` label is a bound in that unit. A bound written in another unit than
the name's (``le="1"`` on a ``_nanoseconds`` histogram, meant as 1 s) picks a bucket of a
different duration than meant, and nothing fails: the SLO just counts almost every request as
slow (or fast). A bound that, read in the metric's unit, falls outside
:data:`FASTEST` .. :data:`SLOWEST` is said, as a warning: a team may really mean it.

The matchers are found with the PromQL grammar (``promql-parser``), so a ``le`` in a string or
a comment is not taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING

from covenant.core.promql_syntax import TEMPLATE, WINDOW

if TYPE_CHECKING:
    from promql_parser import VectorSelector

UNITS: tuple[tuple[str, str, str, Fraction], ...] = (
    # name suffix, the unit's name, its symbol, seconds per unit
    ("_seconds", "seconds", "s", Fraction(1)),
    ("_milliseconds", "milliseconds", "ms", Fraction(1, 10**3)),
    ("_microseconds", "microseconds", "µs", Fraction(1, 10**6)),
    ("_nanoseconds", "nanoseconds", "ns", Fraction(1, 10**9)),
)
"""The time units Prometheus's naming conventions (and OpenTelemetry's translation to them)
spell as a metric name's suffix. Seconds is the base unit the conventions ask for."""

FASTEST = Fraction(1, 10**4)
"""100 µs: the shortest plausible bound of a request latency objective (a loopback round
trip is tens of µs; no network service promises less)."""
SLOWEST = Fraction(3600)
"""1 hour: the longest plausible bound of a request latency objective (a batch job's
deadline is a freshness or completion SLO, not a bucket of a request histogram)."""

_FILLERS = (WINDOW, re.compile(r"(?<=\[)window\b"), re.compile(r"\$window\b"))
"""Sloth's ``{{.window}}``, slo-generator's ``[window``, slom's ``$window``: ranges."""


@dataclass(frozen=True, slots=True)
class Bound:
    """One ``le`` matcher of a query on a metric whose name gives a time unit."""

    metric: str  # the series written (``x_seconds_bucket``)
    written: str  # the matcher's value as written (``1``, ``1|1\\.0``)
    value: Fraction  # the bound, in the metric's unit
    suffix: str  # ``_nanoseconds``
    unit: str  # ``nanoseconds``
    symbol: str  # ``ns``
    per_unit: Fraction  # seconds per unit
    regex: bool = False  # written le=~"…" (spellings of one number)

    @property
    def seconds(self) -> Fraction:
        return self.value * self.per_unit


def unit_of(metric: str) -> tuple[str, str, str, Fraction] | None:
    """The time unit ``metric``'s name ends with (``_bucket``, ``_count``, ``_sum`` aside)."""
    for series in ("_bucket", "_count", "_sum"):
        metric = metric.removesuffix(series)
    return next((u for u in UNITS if metric.endswith(u[0])), None)


def plausible(seconds: Fraction) -> bool:
    return FASTEST <= seconds <= SLOWEST


def bounds(query: str) -> list[Bound]:
    """Every finite ``le="X"`` (or ``le=~"X|X\\.0"`` of one number) on a metric with a time
    unit in ``query``; none when the query is not PromQL (its own error says so)."""
    import promql_parser  # noqa: PLC0415 - lazily, as core.promql_syntax does

    text = query
    for filler in _FILLERS:
        text = filler.sub("1m", text)
    if TEMPLATE.search(text):
        return []
    try:
        tree = promql_parser.parse(text)
    except ValueError:
        return []
    found: list[Bound] = []

    def visit(node: object) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.extend(_of_selector(node))
        return True

    promql_parser.walk(tree, visit)
    return found


def _of_selector(node: VectorSelector) -> Iterator[Bound]:
    from promql_parser import MatchOp  # noqa: PLC0415 - loaded by bounds() already

    matchers = list(node.matchers.matchers)
    named = (m.value for m in matchers if m.name == "__name__" and m.op == MatchOp.Equal)
    name = node.name or next(named, None)
    unit = None if name is None else unit_of(name)
    if name is None or unit is None:
        return
    for m in matchers:
        if m.name != "le" or m.op not in (MatchOp.Equal, MatchOp.Re):
            continue
        value = _number(m.value, regex=m.op == MatchOp.Re)
        if value is not None:
            suffix, unit_name, symbol, per_unit = unit
            regex = m.op == MatchOp.Re
            yield Bound(name, m.value, value, suffix, unit_name, symbol, per_unit, regex)


def _number(text: str, *, regex: bool) -> Fraction | None:
    """The finite number ``text`` spells; for a regex, the one number all its alternatives
    spell (``1|1\\.0``), None when they spell others or are patterns."""
    parts = text.split("|") if regex else [text]
    values = set()
    for part in parts:
        plain = part.replace("\\", "") if regex else part
        try:
            number = Decimal(plain.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        values.add(Fraction(number))
    return values.pop() if len(values) == 1 else None


def go_float(value: Fraction) -> str:
    """``value`` as Go's ``strconv.FormatFloat(v, 'g', -1, 64)`` writes it, as Prometheus's
    client libraries spell ``le`` (``1e+09``, ``0.25``, ``100000``)."""
    shortest = Decimal(repr(float(value))).normalize()
    sign, digits, exponent = shortest.as_tuple()
    assert isinstance(exponent, int)
    scientific = len(digits) + exponent - 1
    if -4 <= scientific < 6:
        return plain(shortest)
    mantissa = "".join(map(str, digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if scientific < 0 else '+'}{abs(scientific):02d}"


def plain(number: Decimal | Fraction) -> str:
    """``number`` as a plain decimal, without exponent or trailing zeros."""
    if isinstance(number, Fraction):
        number = Decimal(number.numerator) / Decimal(number.denominator)
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration(seconds: Fraction) -> str:
    """``seconds`` in the largest unit that reads it as 1 or more (``1 ns``, ``2.5 h``)."""
    for symbol, size in (
        ("h", Fraction(3600)),
        ("min", Fraction(60)),
        ("s", Fraction(1)),
        ("ms", Fraction(1, 10**3)),
        ("µs", Fraction(1, 10**6)),
    ):
        if seconds >= size:
            return f"{format(float(seconds / size), '.3g')} {symbol}"
    return f"{format(float(seconds * 10**9), '.3g')} ns"


def _meant(value: Fraction, suffix: str) -> tuple[str, Fraction] | None:
    """The unit ``value`` was likely written in instead of the metric's (``suffix``): the
    first of seconds, milliseconds, microseconds and nanoseconds that reads it as a plausible
    bound — ``(value and symbol, seconds)`` — or None."""
    for other, _, symbol, per_unit in UNITS:
        if other != suffix and plausible(value * per_unit):
            return f"{plain(value)} {symbol}", value * per_unit
    return None


def _said(what: str, value: Fraction, metric: str) -> tuple[str, str, Fraction] | None:
    """``(message, the metric's unit, seconds per unit)`` for a bound out of range."""
    unit = unit_of(metric)
    if unit is None or plausible(seconds := value * unit[3]):
        return None
    side = (
        f"below the {duration(FASTEST)}" if seconds < FASTEST else f"above the {duration(SLOWEST)}"
    )
    read = f"{plain(value)} {unit[2]}"
    aside = "" if duration(seconds) == read else f" ({duration(seconds)})"
    message = (
        f"{metric}: {what} on a {unit[0]} metric is {read}{aside}, {side} a request latency "
        "objective plausibly has (Prometheus reads the bound in the unit the metric's name "
        "gives)"
    )
    return message, unit[1], unit[3]


def bound_doubt(bound: Bound) -> tuple[str, str] | None:
    """``(message, fix)`` when ``bound``'s ``le`` read in its metric's unit is implausible."""
    said = _said(f'le{"=~" if bound.regex else "="}"{bound.written}"', bound.value, bound.metric)
    if said is None:
        return None
    message, unit, per_unit = said
    keep = f"; leave it if {plain(bound.value)} {bound.symbol} is really meant"
    guess = _meant(bound.value, bound.suffix)
    if guess is None:
        example = go_float(Fraction(1, 10) / per_unit)
        return message, f'write the bound in {unit}, e.g. le="{example}" for 100 ms{keep}'
    shown, seconds = guess
    fix = (
        f'if {shown} is meant, write le="{go_float(seconds / per_unit)}" ({shown} in {unit}){keep}'
    )
    return message, fix


def value_doubt(metric: str, value: Fraction) -> tuple[str, str] | None:
    """``(message, fix)`` when a thresholdMetric's objective ``value`` on ``metric`` (its
    bucket bound, in the metric's unit) is implausible."""
    said = _said(f"the objective's value {plain(value)}", value, metric)
    if said is None:
        return None
    message, unit, per_unit = said
    symbol = next(u[2] for u in UNITS if u[1] == unit)
    keep = f"; leave it if {plain(value)} {symbol} is really meant"
    guess = _meant(value, next(u[0] for u in UNITS if u[1] == unit))
    if guess is None:
        example = plain(Fraction(1, 10) / per_unit)
        return message, f"write the value in {unit}, e.g. value: {example} for 100 ms{keep}"
    shown, seconds = guess
    return message, f"if {shown} is meant, write value: {plain(seconds / per_unit)}{keep}"
