"""A latency SLI on a Prometheus histogram (the query convention's rule 3): the ``le`` bucket
of the objective's threshold, in every spelling Prometheus writes it, and the count."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

from covenant.core.promql import (
    WINDOW,
    QueryFormError,
    Selector,
    counter_selector,
    parse_selector,
)


def le_values(threshold: Fraction) -> tuple[str, ...]:
    """How an ``le`` label may spell ``threshold`` (0.3; 1 and 1.0; 1e+06 as Go writes it)."""
    if threshold.denominator != 1 and 10**18 % threshold.denominator:
        raise QueryFormError(
            f"a histogram bucket bound cannot be {threshold} exactly",
            hint="use a decimal threshold that is one of the histogram's le bounds",
        )
    value = float(threshold)
    spellings = {repr(value), f"{value:g}"}
    if threshold.denominator == 1:
        spellings |= {str(threshold.numerator), f"{threshold.numerator}.0"}
    return tuple(sorted(spellings))


def le_pattern(threshold: Fraction) -> str:
    """The regular expression (RE2, anchored by Prometheus) of every decimal spelling of
    ``threshold`` an ``le`` label holds: plain (``0.5``, ``0.50``, ``1``, ``1.0``,
    ``0.0001``: Go, Python, Java, Rust, OpenTelemetry) and with an exponent on one leading
    digit (``5e-1``, ``1e+06``: Go; ``1.0E-4``, ``1.0E7``: Java). Prometheus 2,
    VictoriaMetrics and Mimir keep ``le`` as the client wrote it; Prometheus 3 normalizes it.
    A threshold with more digits than a float holds (``0.123456789012345678``) also matches
    the shortest spelling of the float nearest it, which is what a client writes."""
    le_values(threshold)  # refuses a threshold no decimal spells
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(threshold.numerator) / Decimal(threshold.denominator)
    nearest = Decimal(repr(float(threshold)))
    if nearest == exact:
        return _spellings(exact)
    return f"{_spellings(exact)}|{_spellings(nearest)}"


def _spellings(exact: Decimal) -> str:
    """The regular expression of the decimal spellings of ``exact`` (see :func:`le_pattern`)."""
    if exact == 0:
        return r"[+-]?(0+\.?0*|\.0+)([eE][+-]?[0-9]+)?"
    sign, digit_tuple, exponent = exact.normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    minus = "-" if sign else ""
    if exponent >= 0:
        plain = f"0*{digits}{'0' * exponent}(\\.0*)?"
    elif -exponent >= len(digits):
        plain = f"0*\\.{'0' * (-exponent - len(digits))}{digits}0*"
    else:
        cut = len(digits) + exponent
        plain = f"0*{digits[:cut]}\\.{digits[cut:]}0*"
    power = exponent + len(digits) - 1
    mantissa = f"{digits[0]}\\.{digits[1:]}0*" if digits[1:] else f"{digits[0]}(\\.0*)?"
    if power == 0:
        scaled = "[+-]?0+"
    elif power > 0:
        scaled = f"\\+?0*{power}"
    else:
        scaled = f"-0*{-power}"
    return f"{minus}({plain}|{mantissa}[eE]{scaled})"


def histogram_queries(query: str, *, op: str, threshold: Fraction) -> tuple[str, str, bool]:
    """``(good or bad, total, is_bad)`` templates for a latency SLI on a histogram (rule 3).

    ``le`` buckets count observations ``<= bound``: ``lte`` reads the bucket as good, ``gt``
    reads it as bad (good = count − bucket); ``lt`` and ``gte`` are not exact on them.
    """
    selector = counter_selector(query)
    if selector is None or not selector.name.endswith("_bucket"):
        raise QueryFormError(
            f"a Prometheus thresholdMetric reads a histogram: {query.strip()!r} is not a "
            "selector of a <name>_bucket series",
            hint=_buckets_hint(query, op),
        )
    if any(label == "le" for label, _, _ in selector.matchers):
        raise QueryFormError(
            "the histogram selector already matches le",
            hint="leave le out: the objective's value picks the bucket",
        )
    if op not in ("lte", "gt"):
        raise QueryFormError(
            f"op {op} cannot be read exactly from le buckets (they count values <= a bound)",
            hint="use op: lte (good when at most the threshold) or op: gt",
        )
    # a PromQL string holds the regex: "\\." there is the regex's literal dot
    pattern = le_pattern(threshold).replace("\\", "\\\\")
    bucket = selector.text(extra=(f'le=~"{pattern}"',))
    count = selector.text(name=selector.name.removesuffix("_bucket") + "_count")
    first = f"sum(increase({bucket}[{WINDOW}]))"
    total = f"sum(increase({count}[{WINDOW}]))"
    return first, total, op == "gt"


_INNER_BUCKETS = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*_bucket\b(\s*\{[^{}]*\})?")
"""A ``<name>_bucket`` selector inside a larger query (a ``histogram_quantile`` of it)."""


def _buckets_hint(query: str, op: str) -> str:
    """The fix for a query that is no bucket selector: the one it holds (a quantile's), with
    what reading it means, or an example."""
    for found in _INNER_BUCKETS.finditer(query):
        inner = parse_selector(found.group())
        if inner is None:
            continue
        kept = tuple(m for m in inner.matchers if m[0] != "le")  # the value picks the bucket
        counted = {"lte": " as good", "gt": " as bad"}.get(op, "")
        buckets = Selector(name=inner.name, matchers=kept).text()
        return (
            f"write the histogram's buckets: {buckets} (Covenant counts the requests in the "
            f"bucket le=value{counted}, and compares their share with target; a quantile is not "
            "a count of events)"
        )
    return 'name the histogram\'s buckets, e.g. http_request_duration_seconds_bucket{job="api"}'


SECONDS_DOUBT = 100  # a _seconds bound this large is more likely milliseconds
MS_DOUBT = 1  # a _milliseconds bound this small is more likely seconds


def unit_doubt(bucket_name: str, threshold: Fraction) -> tuple[str, str] | None:
    """``(message, fix)`` when the threshold looks written in the other unit than the
    histogram's name says: ``le`` bounds are in the histogram's unit, and a threshold written in
    milliseconds for a ``_seconds`` histogram (``200``: 200 s) names a bucket the histogram
    does not have, or one far from what was meant. Events compare ``latency_ms``, so a
    thresholdMetric value read from both is easily written in ms."""
    name = bucket_name.removesuffix("_bucket")
    shown = format(float(threshold), "g")
    if name.endswith("_seconds") and threshold >= SECONDS_DOUBT:
        return (
            f"the objective's value {shown} is {shown} seconds: le bounds of {name} are in seconds",
            f"if {shown} ms is meant, write value: {format(float(threshold / 1000), 'g')} (a "
            "value that is no bucket bound reads as no good events)",
        )
    if name.endswith(("_milliseconds", "_ms")) and threshold < MS_DOUBT:
        return (
            f"the objective's value {shown} is {shown} milliseconds: le bounds of {name} are in "
            "milliseconds",
            f"if {shown} s is meant, write value: {format(float(threshold * 1000), 'g')}",
        )
    return None


def legacy_bucket_query(query: str, *, threshold: Fraction) -> str:
    """The bucket query Covenant wrote before it matched every spelling of ``le``: only Go's
    and Python's (``le=~"1|1\\\\.0"``). Counts read with it are this read's (the same
    wherever the bucket is spelled so, as it is on Prometheus 3): not set aside on upgrade."""
    selector = counter_selector(query)
    assert selector is not None  # histogram_queries refused any other
    spellings = "|".join(
        v.replace(".", "\\\\.").replace("+", "\\\\+") for v in le_values(threshold)
    )
    bucket = selector.text(extra=(f'le=~"{spellings}"',))
    return f"sum(increase({bucket}[{WINDOW}]))"
