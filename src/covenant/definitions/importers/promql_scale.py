"""Whether a Sloth query stays a count when ``rate`` becomes ``increase`` (no parser needed).

Sloth divides ``error_query`` by ``total_query`` per window, so a query of per-second rates and
one of counts per window give the same SLI as long as every part of the query grows with the
window: sums and differences of rates, a rate times a number or a gauge, ``or vector(0)``,
``> 0``, ``clamp_min(…, 0)``. A part that does not — a number or a series *added to*,
*subtracted from* or *compared with* a rate (``sum(rate(x[{{.window}}])) - maintenance > 0``),
or a rate divided by a rate (a ratio) — means one thing over a rate and another over a count:
reading the rate as ``increase`` would change the SLI without a word. :func:`unscaled_part`
names such a part.
"""

from __future__ import annotations

import re

from covenant.core.promql import blanked, closing, code_mask
from covenant.definitions.importers.promql import WINDOW, _top_level, strip_parens

# the binary operators of each precedence level, lowest first (PromQL's order)
_LEVELS = (
    re.compile(r"(?i)(?<![A-Za-z0-9_:])or(?![A-Za-z0-9_:])"),
    re.compile(r"(?i)(?<![A-Za-z0-9_:])(?:and|unless)(?![A-Za-z0-9_:])"),
    re.compile(r"==|!=|>=|<=|>|<"),
    re.compile(r"[-+]"),
    re.compile(r"(?i)[*/%]|(?<![A-Za-z0-9_:])atan2(?![A-Za-z0-9_:])"),
    re.compile(r"\^"),
)
_MODIFIER = re.compile(
    r"(?i)^\s*(?:bool\b|(?:on|ignoring|group_left|group_right)\s*(?:\([^)]*\))?)\s*"
)
_ZERO = re.compile(r"(?i)^(?:[-+]?0*\.?0+(?:e[-+]?\d+)?|vector\s*\(\s*0*\.?0+\s*\))$")
_CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:by\s*\([^)]*\)|without\s*\([^)]*\))?\s*\(")
_BOUNDED = {"clamp", "clamp_min", "clamp_max"}
# a value per window (an average, a level, a per-second rate), not a count that grows with it
_VALUES = {
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "last_over_time",
    "quantile_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "mad_over_time",
    "present_over_time",
    "absent_over_time",
    "irate",
    "idelta",
    "deriv",
    "predict_linear",
}

COUNT, ZERO, OTHER = "count", "zero", "other"


def unscaled_part(query: str) -> str | None:
    """What in ``query`` (rates already read as ``increase``) would not scale with the
    window, said for a message; None when the whole query does."""
    return _walk(query)[1]


def _walk(text: str) -> tuple[str, str | None]:
    """``(kind, problem)``: COUNT when the part grows with the window, ZERO for a literal 0
    (``vector(0)``, ``0 * x``), OTHER for a part without ``{{.window}}``."""
    text = strip_parens(text)
    for level, pattern in enumerate(_LEVELS):
        cuts = _operators(text, pattern)
        if cuts:
            return _combine(text, cuts, level)
    if WINDOW not in text:
        return (ZERO if _ZERO.match(" ".join(text.split())) else OTHER), None
    mask = code_mask(text)
    call = _CALL.match(blanked(text, mask))
    if call is None:
        return COUNT, None
    close = closing(text, mask, call.end() - 1)
    arguments = _arguments(text[call.end() : close if close > 0 else len(text)])
    if call.group(1).lower() in _VALUES:
        return OTHER, None
    kinds = []
    for argument in arguments:
        kind, problem = _walk(argument)
        if problem:
            return kind, problem
        kinds.append(kind)
    name = call.group(1).lower()
    if name in _BOUNDED and kinds[:1] == [COUNT] and any(k == OTHER for k in kinds[1:]):
        bound = next(a for a, k in zip(arguments[1:], kinds[1:], strict=False) if k == OTHER)
        return COUNT, f"{name}() bounds a count per window by {' '.join(bound.split())}"
    if COUNT not in kinds:  # an aggregation of values per window (avg(quantile_over_time …))
        return OTHER, None
    return COUNT, None


def _combine(text: str, cuts: list[re.Match[str]], level: int) -> tuple[str, str | None]:
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start : cut.start()])
        start = cut.end()
    parts.append(text[start:])
    walked = []
    for written in parts:
        part = written
        while (modifier := _MODIFIER.match(part)) and modifier.end():
            part = part[modifier.end() :]
        kind, problem = _walk(part)
        if problem:
            return kind, problem
        walked.append((kind, " ".join(strip_parens(part).split())))
    kinds = {kind for kind, _ in walked}
    if level <= 1:  # or / and / unless: each side stands alone (and/unless filter)
        return (COUNT if COUNT in kinds else walked[0][0]), None
    if COUNT not in kinds:
        return (ZERO if kinds == {ZERO} else OTHER), None
    other = next((part for kind, part in walked if kind == OTHER), None)
    if level == 2 and other is not None:
        return COUNT, f"it compares a count per window with {other}"
    if level == 3 and other is not None:
        return COUNT, f"it adds or subtracts {other}, which does not grow with the window"
    if level == 4:
        counted = [op.group(0) for op in cuts]
        seen = walked[0][0] == COUNT  # a count before, anywhere in the chain (60 * a * b)
        for op, (kind, part) in zip(counted, walked[1:], strict=True):
            if kind == COUNT and op in "/%":
                return COUNT, f"it divides by a count per window ({part}): a ratio, not a count"
            if kind == COUNT and op == "*" and seen:
                return COUNT, f"it multiplies two counts per window (… * {part})"
            seen = seen or kind == COUNT
        return COUNT, None
    if level == 5:
        return COUNT, "it raises a count per window to a power (^)"
    return COUNT, None


def _operators(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """``text``'s top-level operators of one precedence level (not a sign, nor an exponent,
    nor the ``<`` of ``<=``-like pairs already taken)."""
    top, code = _top_level(text), blanked(text, code_mask(text))
    found: list[re.Match[str]] = []
    for match in pattern.finditer(top):
        if match.group(0) in "+-":
            before = code[: match.start()].rstrip()
            if not before or before[-1] in "(,+-*/%^<>=!" or re.search(r"\d[eE]$", before):
                continue
            if re.search(r"(?i)(?<![A-Za-z0-9_:])(?:or|and|unless|bool|offset)$", before):
                continue
        found.append(match)
    return found


def _arguments(inner: str) -> list[str]:
    top = _top_level(inner)
    cuts = [i for i, ch in enumerate(top) if ch == ","]
    bounds = zip([-1, *cuts], [*cuts, len(inner)], strict=True)
    return [inner[a + 1 : b] for a, b in bounds]


def reason(part: str) -> str:
    """The note of an SLO left out because of ``part`` (from :func:`unscaled_part`)."""
    if "a ratio" in part:
        return (
            f"{part}: Covenant sums error and total counts over its buckets and a ratio cannot "
            "be summed; write error_query and total_query as counts (rates) of events over "
            "{{.window}} and import again"
        )
    return (
        f"{part}: Sloth divides one query by the other as written, over per-second rates; "
        "Covenant reads rate(…[{{.window}}]) as increase(…) (counts per window), which scales "
        "the rates but not that part, so the SLI would change; write every part as a count "
        "or rate over {{.window}} (to drop series, filter: … unless on() (maintenance > 0)) "
        "and import again"
    )


def filtered_total(error: str, total: str) -> str | None:
    """The reason to leave out an SLO whose error query is its total query compared with a
    number, without ``bool`` (``X > 0.001`` over ``X``, X a value per window such as a
    quantile): the comparison keeps X itself where it holds, so Sloth's ratio is 1 in a
    window over the bound and nothing under it, while sums of X over Covenant's buckets would
    weigh each window by X. None for any other pair."""
    text = strip_parens(error)
    cuts = _operators(text, _LEVELS[2])
    if len(cuts) != 1:
        return None
    left, right = text[: cuts[0].start()], text[cuts[0].end() :]
    if re.match(r"(?i)\s*bool\b", right) or WINDOW in right:
        return None
    if " ".join(strip_parens(left).split()) != " ".join(strip_parens(total).split()):
        return None
    bound = " ".join(right.split())
    return (
        f"error_query is total_query compared with {bound} ({cuts[0].group(0)}, without "
        "bool): it keeps total_query's value where that holds, so each window's ratio is 1 "
        "over the bound and nothing under it, and Covenant's sums would weigh the windows by "
        "that value; count the series instead — error_query: count(<total_query> "
        f"{cuts[0].group(0)} {bound}), total_query: count(<total_query>) — and import again"
    )
