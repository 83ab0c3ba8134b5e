"""Small, careful rewrites of PromQL text for the importers (no PromQL parser needed).

The query convention (docs/import.md, "How queries become counts"): a query holding Sloth's
placeholder ``{{.window}}`` gives the *count* of events per window; a ``counter: true`` query is
a selector (or ``sum(selector)``) whose increase Covenant takes. So the importers:

- turn ``rate(x[{{.window}}])`` into ``increase(x[{{.window}}])`` (rate × window = increase);
- turn slo-generator's ``[window]`` into ``[{{.window}}]``;
- add a label matcher to a selector (``le="0.25"`` for a histogram bucket);
- split a ratio ``A / B`` of two counts into its numerator and denominator.

Every function works on the text outside string literals and keeps everything else as written.
"""

from __future__ import annotations

import re

from covenant.core.promql import blanked, closing, code_mask

WINDOW = "{{.window}}"
_WINDOW_SPELLINGS = re.compile(r"\{\{\s*\.window\s*\}\}")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_SELECTOR = re.compile(r"^\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(\{(?P<body>.*)\})?\s*$", re.S)


def normalise_window(query: str) -> str:
    """``{{ .window }}`` and other spacings → ``{{.window}}``."""
    return _WINDOW_SPELLINGS.sub(WINDOW, query)


# the argument of rate() ends in the window's range, maybe shifted (offset 1m, @ end())
_WINDOW_LAST = re.compile(
    re.escape(f"[{WINDOW}]")
    + r"(?:\s*(?:offset\s+-?[0-9A-Za-z.]+|@\s*(?:start\(\)|end\(\)|[0-9.eE+-]+)))*\s*$",
    re.I,
)


def rate_to_increase(query: str) -> tuple[str, int]:
    """``rate(...[{{.window}}])`` → ``increase(...[{{.window}}])``; also the number of calls
    of ``rate`` left alone because their range is not ``{{.window}}``."""
    mask = code_mask(query)
    out: list[str] = []
    position = 0
    kept = 0
    for match in re.finditer(r"(?<![A-Za-z0-9_:])rate\s*\(", query):
        if not mask[match.start()]:
            continue
        opening = match.end() - 1
        close = closing(query, mask, opening)
        inner = query[opening + 1 : close] if close > 0 else ""
        if _WINDOW_LAST.search(inner):
            out.append(query[position : match.start()])
            out.append("increase(")
            position = match.end()
        else:
            kept += 1
    out.append(query[position:])
    return "".join(out), kept


def range_to_window(query: str, name: str = "window") -> str:
    """slo-generator's ``[window]`` → ``[{{.window}}]`` (outside string literals)."""
    mask = code_mask(query)
    out: list[str] = []
    position = 0
    for match in re.finditer(r"\[\s*" + re.escape(name) + r"\s*\]", query):
        if mask[match.start()]:
            out.append(query[position : match.start()])
            out.append(f"[{WINDOW}]")
            position = match.end()
    out.append(query[position:])
    return "".join(out)


def is_selector(query: str) -> bool:
    """A plain series selector: ``metric{a="b"}``, ``metric`` or ``{__name__="m"}``."""
    match = _SELECTOR.match(query)
    if match is None or not query.strip():
        return False
    body = match.group("body")
    if body is None:
        return bool(match.group(1))
    mask = code_mask(body)
    return all(not (mask[i] and body[i] in "{}()[]") for i in range(len(body)))


def matchers(selector: str) -> dict[str, str]:
    """The label matchers of a selector, ``name`` → ``op + quoted value`` (``{"le": '="1"'}``)."""
    match = _SELECTOR.match(selector)
    body = (match.group("body") if match else None) or ""
    found: dict[str, str] = {}
    for item in re.finditer(
        r"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|`[^`]*`)", body
    ):
        found[item.group(1)] = item.group(2) + item.group(3)
    return found


def metric_name(selector: str) -> str:
    match = _SELECTOR.match(selector)
    return (match.group(1) or "") if match else ""


def with_matcher(selector: str, label: str, value: str) -> str:
    """The selector with ``label="value"`` (replacing an existing matcher on ``label``)."""
    match = _SELECTOR.match(selector)
    if match is None:
        raise ValueError(f"not a selector: {selector}")
    name = match.group(1) or ""
    kept = [f"{key}{op}" for key, op in matchers(selector).items() if key != label]
    kept.append(f'{label}="{value}"')
    return f"{name}{{{','.join(kept)}}}"


def without_matcher(selector: str, label: str) -> str:
    """The selector without its matcher on ``label``."""
    match = _SELECTOR.match(selector)
    if match is None:
        raise ValueError(f"not a selector: {selector}")
    name = match.group(1) or ""
    kept = [f"{key}{op}" for key, op in matchers(selector).items() if key != label]
    return f"{name}{{{','.join(kept)}}}" if kept else name


def strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("("):
        mask = code_mask(text)
        if closing(text, mask, 0) != len(text) - 1:
            break
        text = text[1:-1].strip()
    return text


def split_ratio(query: str) -> tuple[str, str, str] | None:
    """``A / B`` at the top level → ``(A, B, modifier)`` (``ignoring (le)``…), else None."""
    parts = ratio_operands(query)
    if parts is None or _has_top_level_operator(parts[0]) or _has_top_level_operator(parts[1]):
        return None
    return parts


def ratio_operands(query: str) -> tuple[str, str, str] | None:
    """The operands of the one top-level ``/`` and its modifier, whatever else they hold
    (``sum(b) > 0``); None when there is no such one ``/``."""
    text = strip_parens(query)
    mask = code_mask(text)
    depth = 0
    slashes: list[int] = []
    for index, ch in enumerate(text):
        if not mask[index]:
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "/" and depth == 0:
            slashes.append(index)
    if len(slashes) != 1:
        return None
    left, right = text[: slashes[0]], text[slashes[0] + 1 :]
    modifier = ""
    found = re.match(
        r"\s*((?:ignoring|on)\s*\([^)]*\)(?:\s*group_(?:left|right)(?:\s*\([^)]*\))?)?)", right
    )
    if found:
        modifier = " ".join(found.group(1).split())
        right = right[found.end() :]
    if not left.strip() or not right.strip():
        return None
    return strip_parens(left), strip_parens(right), modifier


def compound_ratio_part(query: str) -> tuple[str, str, str] | None:
    """Why ``A / B`` (the only top-level operator) is not split by :func:`split_ratio`:
    ``("numerator", A, "+")`` when A joins queries with a top-level operator (``sum(a) +
    sum(b)``), else likewise ``("denominator", B, op)``; None when it is no such ratio."""
    text = strip_parens(query)
    found = _binary_operators(text)
    if len(found) != 1 or found[0].group(0) != "/":
        return None
    parts = ("numerator", text[: found[0].start()]), ("denominator", text[found[0].end() :])
    for name, part in parts:
        inner = strip_parens(part)
        operators = _binary_operators(inner)
        if operators:
            return name, " ".join(inner.split()), operators[0].group(0)
    return None


def split_difference(query: str) -> tuple[str, str] | None:
    """``A - B`` with no other operator at the top level → ``(A, B)``, else None."""
    text = strip_parens(query)
    found = _binary_operators(text)
    if len(found) != 1 or found[0].group(0) != "-":
        return None
    left, right = text[: found[0].start()], text[found[0].end() :]
    if not left.strip() or not right.strip() or right.lstrip()[:1] in "+-":
        return None  # (``a - -b`` is a + b)
    if _MODIFIER.match(right):
        return None  # on (…) / ignoring (…): series matched by some labels only
    return strip_parens(left), strip_parens(right)


def good_of(error: str, total: str) -> str | None:
    """``X`` when ``error`` is ``total − X`` (a latency SLI's count − the bucket under the
    bound): the good events, read from the counter's samples rather than as a difference of
    ``increase()``s, which a scrape interval as long as the step leaves empty."""
    difference = split_difference(error)
    if difference is None or not same_query(difference[0], total):
        return None
    return difference[1]


def subtracts_all(error: str, total: str) -> bool:
    """Whether ``error`` is ``X − total`` (a ``+ 0`` after it aside): it takes every one of
    ``total``'s events away from a share of them, so it is never above 0. The histogram's
    ``_bucket{le="+Inf"}`` counts what its ``_count`` does."""
    difference = split_difference(_ZERO_TERM.sub("", error.strip()))
    if difference is None:
        return False
    taken = difference[1]
    return same_query(taken, total) or same_query(_inf_as_count(taken), _inf_as_count(total))


_ZERO_TERM = re.compile(r"\s*[+-]\s*0(?:\.0*)?\s*$")
_INF_BUCKET = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)_bucket\s*\{([^}]*)\}")
_INF_MATCHER = re.compile(r"""\s*,?\s*le\s*=\s*"\+Inf"\s*,?\s*""")


def _inf_as_count(query: str) -> str:
    def counted(match: re.Match[str]) -> str:
        inside = match.group(2)
        if not _INF_MATCHER.search(inside):
            return match.group(0)
        kept = ",".join(m.strip() for m in _INF_MATCHER.sub(",", inside).split(",") if m.strip())
        return f"{match.group(1)}_count{{{kept}}}"

    return _INF_BUCKET.sub(counted, query)


def same_query(a: str, b: str) -> bool:
    """Whether two queries are written alike, whitespace outside strings and outer brackets
    aside (``x{a="p q"}`` and ``x{a="pq"}`` differ)."""
    return _unspaced(strip_parens(a)) == _unspaced(strip_parens(b))


def _unspaced(query: str) -> str:
    mask = code_mask(query)
    return "".join(ch for ch, code in zip(query, mask, strict=True) if not (code and ch.isspace()))


def _has_top_level_operator(text: str) -> bool:
    """An arithmetic or set operator outside brackets (``1 - x``, ``a + b``, ``x or y``)."""
    text = strip_parens(text)
    mask = code_mask(text)
    depth = 0
    for index, ch in enumerate(text):
        if not mask[index]:
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in "+-*/%^<>=!":
            return True
    return bool(_SET_OPERATOR.search(_top_level(text)))


_SET_OPERATOR = re.compile(r"(?i)(?<![A-Za-z0-9_:])(and|or|unless)(?![A-Za-z0-9_:])")
_FALLBACK = re.compile(r"(?is)\s(or)\s*(?:on\s*\(\s*\)\s*)?vector\s*\(\s*[0-9.eE+-]+\s*\)\s*$")
_GROUPING = re.compile(r"(?i)(?<![A-Za-z0-9_:])(?:by|without)\s*\(([^)]*)\)")
AGGREGATION = re.compile(
    r"(?i)(?<![A-Za-z0-9_:])(?:sum|count|avg|min|max|group|stddev|stdvar|quantile)"
    r"\s*(?:\(|by\b|without\b)"
)


def _top_level(text: str) -> str:
    """``text`` with string literals and everything inside brackets blanked out (PromQL's
    keywords are case-insensitive: ``OR`` is ``or``)."""
    mask = code_mask(text)
    depth = 0
    kept = []
    for index, ch in enumerate(text):
        if not mask[index]:
            kept.append(" ")
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            kept.append(" ")
            continue
        kept.append(ch if depth == 0 else " ")
    return "".join(kept)


def without_fallback(query: str) -> tuple[str, str]:
    """``A or on() vector(1)`` → ``(A, "or on() vector(1)")``: the constant a query falls back
    to when it has no data (slo-generator's "no traffic counts as good"); ``(query, "")`` when
    there is none at the top level."""
    text = strip_parens(query)
    found = _FALLBACK.search(text)
    if found is None or _top_level(text)[found.start(1) : found.end(1)].lower() != "or":
        return query, ""
    return text[: found.start()].strip(), " ".join(text[found.start() :].split())


def one_series(query: str) -> tuple[str, str]:
    """The query summed into one series, and why it had to be (``""``: it was one already).

    A query grouped ``by``/``without`` labels returns one series per group, and one without
    any aggregation one per label set; ``sum(...)`` around it is the total over them all (and
    changes nothing of a query that returns a single series). The grouping of an operand of
    ``or``, ``-``, … and of a function's argument (``clamp_min(sum by (a) (x), 0)``) reaches
    the result; an aggregation's own grouping hides the groupings inside it."""
    why = _many(query)
    if not why:
        return query, ""
    end = "\n)" if "#" in query else ")"  # a comment on its last line would take the ")"
    return f"sum({query}{end}", why


_ONE_SERIES = {"vector", "scalar", "time", "absent", "absent_over_time", "pi"}
_QUANTILES = {"histogram_quantile", "histogram_fraction", "histogram_count", "histogram_sum"}
_BINARY = re.compile(
    r"(?i)(?<![A-Za-z0-9_:])(?:or|and|unless)(?![A-Za-z0-9_:])|==|!=|>=|<=|[-+*/%^<>]"
)
_MODIFIER = re.compile(
    r"(?i)^\s*(?:bool\b|(?:on|ignoring|group_left|group_right)\s*(?:\([^)]*\))?)\s*"
)
_CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_AGGREGATOR = re.compile(
    r"(?i)^(sum|count|avg|min|max|group|stddev|stdvar|quantile|topk|bottomk|limitk|"
    r"limit_ratio|count_values)\s*(?=\(|by\b|without\b)"
)
_LITERAL = re.compile(
    r"(?i)^[-+]?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|inf|nan)$|^[\"'`]"
)


def _binary_operators(text: str) -> list[re.Match[str]]:
    """``text``'s top-level binary operators, in order (not a sign, nor a number's exponent)."""
    top, code = _top_level(text), blanked(text, code_mask(text))  # code: brackets kept
    found: list[re.Match[str]] = []
    start = 0
    for match in _BINARY.finditer(top):
        before = code[start : match.start()]
        if match.group(0) in "+-" and (not before.strip() or re.search(r"\d[eE]$", before)):
            continue
        found.append(match)
        start = match.end()
    return found


def is_arithmetic(text: str) -> bool:
    """Whether ``text`` has a binary operator at its top level (``a - b``, ``x > 0``)."""
    return bool(_binary_operators(text))


def _operands(text: str) -> list[str]:
    """The operands of ``text``'s top-level binary operators (``[text]`` when it has none),
    their ``bool``/``on(…)``/``group_left(…)`` modifiers left out."""
    parts: list[str] = []
    start = 0
    for found in _binary_operators(text):
        parts.append(text[start : found.start()])
        start = found.end()
    parts.append(text[start:])
    if len(parts) == 1:
        return [text]
    cleaned = []
    for part in parts:
        rest = part
        while (modifier := _MODIFIER.match(rest)) and modifier.end():
            rest = rest[modifier.end() :]
        cleaned.append(rest)
    return cleaned


def _many(query: str, *, buckets: bool = False) -> str:
    """Why ``query`` may return more than one series (``""``: it returns one at most);
    ``buckets``: a grouping by ``le`` alone is consumed (a histogram function's argument)."""
    operands = _operands(strip_parens(query))
    if len(operands) > 1:
        return next((why for why in (_many(o, buckets=buckets) for o in operands) if why), "")
    text = strip_parens(operands[0])
    if not text or _LITERAL.match(text):
        return ""
    mask = code_mask(text)
    code = blanked(text, mask)
    aggregator = _AGGREGATOR.match(code)
    if aggregator:
        return _grouped(text, code, aggregator.group(1).lower(), buckets=buckets)
    call = _CALL.match(code)
    if call is None:
        return "not aggregated (no sum)"
    name = call.group(1).lower()
    if name in _ONE_SERIES:
        return ""
    close = closing(text, mask, call.end() - 1)
    inner = text[call.end() : close if close > 0 else len(text)]
    for argument in _arguments(inner):
        why = _many(argument, buckets=buckets or name in _QUANTILES)
        if why:
            return why
    return ""


def _arguments(inner: str) -> list[str]:
    """A call's arguments: ``inner`` split at its top-level commas."""
    top = _top_level(inner)
    cuts = [i for i, ch in enumerate(top) if ch == ","]
    bounds = zip([-1, *cuts], [*cuts, len(inner)], strict=True)
    return [inner[a + 1 : b] for a, b in bounds]


def _grouped(text: str, code: str, aggregator: str, *, buckets: bool) -> str:
    """Why an aggregation returns more than one series (``""``: one)."""
    top = _top_level(text)
    groups = [found for found in _GROUPING.finditer(code) if top[found.start()].strip()]
    said = []
    for found in groups:
        keyword = "by" if found.group(0)[:2].lower() == "by" else "without"
        labels = [n.strip() for n in found.group(1).split(",") if n.strip()]
        if keyword == "by" and (not labels or (buckets and labels == ["le"])):
            continue
        said.append(f"{keyword} ({', '.join(labels) or 'no label'})")
    if said:
        return "grouped " + " and ".join(said)
    if aggregator in ("topk", "bottomk", "limitk", "limit_ratio", "count_values"):
        return f"not one series ({aggregator})"
    return ""


def counts_over_window(query: str) -> bool:
    """Every range in the query is ``[{{.window}}]`` and it sums counts (increase, or
    ``*_over_time`` counting samples), so its value is a count per window."""
    if WINDOW not in query:
        return False
    return bool(
        re.search(r"(?<![A-Za-z0-9_:])(increase|count_over_time|sum_over_time)\s*\(", query)
    )


def le_spellings(value: str) -> list[str]:
    """How a histogram's ``le`` label may spell ``value``: as written, and as Prometheus 3
    writes it (it normalises ``le`` to a float: ``1`` → ``1.0``), and as client libraries do."""
    from decimal import Decimal, InvalidOperation  # noqa: PLC0415

    text = value.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return [text]
    if not number.is_finite():
        return [text]
    spellings = [text]
    if number == number.to_integral_value():
        spellings += [f"{int(number)}", f"{int(number)}.0"]
    else:
        spellings.append(format(number.normalize(), "f"))
    return list(dict.fromkeys(spellings))


def with_le(selector: str, value: str) -> str:
    """The selector with ``le`` matching every spelling of ``value`` (``le=~"1|1\\\\.0"``)."""
    spellings = le_spellings(value)
    if len(spellings) == 1:
        return with_matcher(selector, "le", spellings[0])
    pattern = "|".join(re.escape(s).replace("\\", "\\\\") for s in spellings)
    match = _SELECTOR.match(selector)
    if match is None:
        raise ValueError(f"not a selector: {selector}")
    kept = [f"{key}{op}" for key, op in matchers(selector).items() if key != "le"]
    kept.append(f'le=~"{pattern}"')
    return f"{match.group(1) or ''}{{{','.join(kept)}}}"


def duration_is_openslo(text: str) -> bool:
    """``4w``, ``7d``, ``90m``: one count and a unit OpenSLO reads the same way."""
    return bool(text) and text[:-1].isdigit() and text[-1] in "mhdw" and int(text[:-1]) > 0
