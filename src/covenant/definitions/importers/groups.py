"""A grouped SLI split into one SLO per group value (``covenant import … --split-groups``).

Pyrra's ``grouping`` and a Sloth query aggregated ``by (labels)`` make one SLI (and alerts)
per group in those tools; the importers make one SLO over every group and record a
:class:`~covenant.definitions.importers.base.Grouping`. Given the group values a Prometheus
has over the SLO's window (``services.import_split`` asks :func:`ask_query`), this module
writes one SLO per set of values: the group's matchers (``handler="/api/v1/query"``, and
``label=""`` for series without the label) added to every vector selector of the SLI's
queries. There is no PromQL parser here: a scanner over the code outside string literals
finds the selectors, and gives up on what it does not know (then the SLO is not split, and the
note says why).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from covenant.core.promql import blanked, closing, code_mask
from covenant.definitions.importers import promql
from covenant.definitions.importers.base import NAME_LIMIT, Grouping, ImportedFile, Note

LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_NUMBER = re.compile(r"[0-9.][0-9A-Za-z_.]*")
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}
_AGGREGATIONS = {
    "sum", "count", "avg", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk",
    "quantile", "count_values", "limitk", "limit_ratio",
}  # fmt: skip
_OUTER = re.compile(
    r"(?is)\s*(sum|count|min|max|avg|group|stddev|stdvar)\s*(?:by\s*\(([^)]*)\)\s*)?\("
)
_INNER = re.compile(
    r"(?i)(?<![A-Za-z0-9_:])(by|without|on|ignoring|group_left|group_right|label_replace"
    r"|label_join)\s*\("
)
SLUG_ROOM = 12  # the least room a name keeps for its group's slug
HASH = 6  # hex digits that tell apart value sets whose slugs are the same


def quote(value: str) -> str:
    """``value`` as a PromQL double-quoted string (``\\``, ``"`` and control characters
    escaped: JSON's escapes are Go's, which Prometheus reads)."""
    return json.dumps(value, ensure_ascii=False)


def _after_space(query: str, at: int) -> int:
    while at < len(query) and query[at].isspace():
        at += 1
    return at


def _balanced(query: str, mask: list[bool]) -> bool:
    """Every bracket of the code closed by its own kind, and no string left open."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for ch, code in zip(query, mask, strict=True):
        if not code:
            continue
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return not stack and (not query or mask[-1] or query[-1] in "\"'`")


def selectors(query: str) -> list[tuple[int, int]] | None:
    """Where the vector selectors of ``query`` are (``metric``, ``metric{…}``, ``{…}``: their
    ranges and offsets are not part of them); None when the query is not one this scanner
    reads safely (unbalanced brackets, a brace where a selector cannot be)."""
    mask = code_mask(query)
    if not _balanced(query, mask):
        return None
    spans: list[tuple[int, int]] = []
    at = 0
    while at < len(query):
        ch = query[at]
        if not mask[at] or ch.isspace():
            at += 1
            continue
        if ch in "[{":
            end = closing(query, mask, at)
            if end < 0:
                return None
            if ch == "{":
                if any(mask[k] and query[k] in "{}[]()" for k in range(at + 1, end)):
                    return None  # {{.window}} outside a range, or worse
                spans.append((at, end + 1))
            at = end + 1
            continue
        if ch in "]}":
            return None
        word = _IDENT.match(query, at)
        if word is None:
            number = _NUMBER.match(query, at)
            at = number.end() if number else at + 1
            continue
        name = word.group().lower()
        after = _after_space(query, word.end())
        following = query[after] if after < len(query) else ""
        if name in _LABEL_LISTS:
            end = closing(query, mask, after) if following == "(" else word.end() - 1
            if end < 0:
                return None
            at = end + 1
            continue
        then = _IDENT.match(query, after)
        modifier = then is not None and then.group().lower() in {"by", "without"}
        if name in _KEYWORDS or following == "(" or (name in _AGGREGATIONS and modifier):
            at = word.end()
            continue
        end = word.end()
        if following == "{":
            close = closing(query, mask, after)
            if close < 0 or any(mask[k] and query[k] in "{}[]()" for k in range(after + 1, close)):
                return None
            end = close + 1
        spans.append((at, end))
        at = end
    return spans


def with_matchers(query: str, matchers: Mapping[str, str]) -> str | None:
    """``query`` with ``matchers`` (label → value) added to each of its vector selectors;
    None when it has none, or cannot be read safely."""
    spans = selectors(query)
    if not spans:
        return None
    added = ",".join(f"{label}={quote(value)}" for label, value in matchers.items())
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(query[position:start])
        text = query[start:end]
        if text.endswith("}"):
            brace = text.index("{")
            body = text[brace + 1 : -1].rstrip()
            body = body[:-1].rstrip() if body.endswith(",") else body  # PromQL allows {a="b",}
            joined = f"{body},{added}" if body.strip() else added
            out.append(f"{text[:brace]}{{{joined}}}")
        else:
            out.append(f"{text}{{{added}}}")
        position = end
    out.append(query[position:])
    return "".join(out)


def ask_query(grouping: Grouping, seconds: int) -> str:
    """The instant query listing the group values seen over the last ``seconds``: one result
    series per set of values, from every selector of the total query (``last_over_time`` keeps
    each series that has a sample in the range; ``group by`` keeps its group's labels)."""
    total = grouping.bases["total"]
    found = selectors(total) or []
    chosen = list(dict.fromkeys(total[start:end].strip() for start, end in found))
    by = ", ".join(grouping.labels)
    return " or ".join(
        f"group by ({by}) (last_over_time({selector}[{seconds}s]))" for selector in chosen
    )


def pyrra_grouping(value: Any, note: Note) -> Grouping:
    """Pyrra's ``grouping`` list (the queries are the SLO's: :func:`attach` adds them)."""
    listed = value if isinstance(value, list) else [value]
    labels = tuple(str(item) for item in listed)
    refusal = ""
    if not all(LABEL_NAME.match(label) for label in labels):
        refusal = f"grouping {list(labels)} holds something that is not a label name"
    return Grouping(labels=labels, bases={}, notes=[note], refusal=refusal)


def attach(result: ImportedFile, document: dict[str, Any]) -> None:
    """The SLO ``document`` is the one of the groupings recorded since the last; those that
    have no queries yet (Pyrra's: its queries over all groups are the SLO's) take its."""
    ratio = document["spec"]["indicator"]["spec"].get("ratioMetric", {})
    for grouping in result.groups:
        if grouping.document is not None:
            continue
        grouping.document = document
        if grouping.bases or grouping.refusal:
            continue
        grouping.bases = {
            role: ratio[role]["metricSource"]["spec"]["query"]
            for role in ("good", "bad", "total")
            if role in ratio
        }
        if "total" not in grouping.bases or not all(map(selectors, grouping.bases.values())):
            grouping.refusal = "a query's selectors could not be read safely"


def outer_grouping(query: str) -> tuple[tuple[str, ...], str] | None:
    """``(the labels it keeps, the query without its grouping)`` of one aggregation around the
    whole query (``sum by (l) (…)`` or ``sum(…) by (l)``; ``()`` for ``sum(…)``), else None
    (no such aggregation, ``without``, an operator beside it)."""
    text = promql.strip_parens(query)
    outer = _OUTER.match(text)
    if outer is None:
        return None
    mask = code_mask(text)
    opening = outer.end() - 1
    close = closing(text, mask, opening)
    tail = (
        re.fullmatch(r"(?is)\s*(?:by\s*\(([^)]*)\))?\s*", text[close + 1 :]) if close > 0 else None
    )
    if tail is None or (outer.group(2) is not None and tail.group(1) is not None):
        return None
    names = outer.group(2) if outer.group(2) is not None else tail.group(1) or ""
    labels = tuple(dict.fromkeys(n.strip() for n in names.split(",") if n.strip()))
    return labels, f"{outer.group(1)}({text[opening + 1 : close]})"


def _ungrouped(query: str) -> tuple[tuple[str, ...], str] | str:
    """``(labels, the query without its grouping)`` of ``sum by (l) (…)`` or ``sum(…) by (l)``
    (or another aggregation that takes no parameter), else why it cannot be split."""
    text = promql.strip_parens(query)
    outer = _OUTER.match(text)
    if outer is None:
        if not promql.AGGREGATION.search(text):
            return "it is not aggregated (Sloth's groups are its whole series)"
        return "only an aggregation by (labels) around the whole query is split"
    mask = code_mask(text)
    opening = outer.end() - 1
    close = closing(text, mask, opening)
    tail = (
        re.fullmatch(r"(?is)\s*(?:by\s*\(([^)]*)\))?\s*", text[close + 1 :]) if close > 0 else None
    )
    if tail is None or (outer.group(2) is None) == (tail.group(1) is None):
        return "only an aggregation by (labels) around the whole query is split"
    names = outer.group(2) if outer.group(2) is not None else tail.group(1)
    labels = tuple(dict.fromkeys(n.strip() for n in names.split(",") if n.strip()))
    if not labels or not all(LABEL_NAME.match(label) for label in labels):
        return f"its grouping ({names.strip()}) is not a list of label names"
    inner = text[opening + 1 : close]
    code = blanked(inner, mask[opening + 1 : close])
    if _INNER.search(code) or promql.AGGREGATION.search(code):
        return (
            "it aggregates, joins or relabels inside its outer aggregation, so the group's "
            "labels may not be on its series"
        )
    base = f"{outer.group(1)}({inner})"
    if not selectors(base):
        return "its selectors could not be read safely"
    return labels, base


def sloth_grouping(
    queries: Mapping[str, str], notes: list[Note], *, error_role: str = "bad"
) -> Grouping:
    """Sloth's grouped ``error_query`` and ``total_query`` (``rate`` already read as
    ``increase``): split when both are one aggregation by the same labels. ``error_role``:
    "good" when ``error_query`` was read as the good count (``promql.split_difference``)."""
    roles = {"error_query": error_role, "total_query": "total"}
    bases: dict[str, str] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for key, query in queries.items():
        found = _ungrouped(query)
        if isinstance(found, str):
            return Grouping(labels=(), bases={}, notes=notes, refusal=f"{key}: {found}")
        labels[key], bases[roles[key]] = found
    if set(labels["error_query"]) != set(labels["total_query"]):
        return Grouping(
            labels=(),
            bases={},
            notes=notes,
            refusal=f"error_query groups by ({', '.join(labels['error_query'])}), total_query "
            f"by ({', '.join(labels['total_query'])})",
        )
    return Grouping(labels=labels["total_query"], bases=bases, notes=notes)


def _slug(values: tuple[str, ...]) -> str:
    joined = "-".join(value or "none" for value in values)
    return re.sub(r"[^a-z0-9]+", "-", joined.lower()).strip("-") or "none"


def group_names(name: str, values: Sequence[tuple[str, ...]]) -> list[str]:
    """``<name>-<slug of the values>`` for each value set, DNS labels of at most 63; value
    sets whose slugs are the same each get a hash of their values, so each name depends only
    on its own values."""
    if NAME_LIMIT - 1 - len(name) < SLUG_ROOM:
        name = name[: NAME_LIMIT - 1 - SLUG_ROOM].rstrip("-")
    room = NAME_LIMIT - 1 - len(name)
    candidates = [f"{name}-{_slug(one)[:room].rstrip('-') or 'none'}" for one in values]
    counts = Counter(candidates)
    names = []
    for one, candidate in zip(values, candidates, strict=True):
        if counts[candidate] > 1:
            digest = hashlib.sha256(json.dumps(one).encode()).hexdigest()[:HASH]
            names.append(f"{candidate[: NAME_LIMIT - 1 - HASH].rstrip('-')}-{digest}")
        else:
            names.append(candidate)
    return names


def split(
    document: Mapping[str, Any], grouping: Grouping, found: Sequence[Mapping[str, str]]
) -> list[dict[str, Any]]:
    """One SLO document per set of group values in ``found`` (label sets), sorted by them."""
    values = sorted({tuple(labels.get(label, "") for label in grouping.labels) for labels in found})
    metadata = document["metadata"]
    shown_as = metadata.get("displayName") or metadata["name"]
    documents = []
    for one, name in zip(values, group_names(metadata["name"], values), strict=True):
        matchers = dict(zip(grouping.labels, one, strict=True))
        copied = copy.deepcopy(dict(document))
        ratio = copied["spec"]["indicator"]["spec"]["ratioMetric"]
        for role, base in grouping.bases.items():
            query = with_matchers(base, matchers)
            assert query is not None  # checked when the grouping was made
            ratio[role]["metricSource"]["spec"]["query"] = query
        shown = ", ".join(f"{k}={v}" if v else f'{k}=""' for k, v in matchers.items())
        rest = {k: v for k, v in copied["metadata"].items() if k not in {"name", "displayName"}}
        copied["metadata"] = {"name": name, "displayName": f"{shown_as} ({shown})", **rest}
        copied["spec"]["indicator"]["metadata"]["name"] = name
        documents.append(copied)
    return documents


def _replace_notes(result: ImportedFile, grouping: Grouping, note: Note) -> None:
    """``note`` in place of the grouping's notes (at the first one's place)."""
    kept: list[Note] = []
    for one in result.notes:
        if any(one is old for old in grouping.notes):
            if one is grouping.notes[0]:
                kept.append(note)
            continue
        kept.append(one)
    result.notes = kept


def add_note(result: ImportedFile, grouping: Grouping, reason: str) -> None:
    """A note about the grouping's split, beside its first note."""
    first = grouping.notes[0]
    _replace_notes(result, grouping, first)
    at = next(i for i, one in enumerate(result.notes) if one is first)
    result.notes.insert(at + 1, Note(where=first.where, field=first.field, reason=reason))


def apply_split(
    result: ImportedFile,
    grouping: Grouping,
    found: Sequence[Mapping[str, str]],
    *,
    asked: str,
) -> list[str]:
    """Replace the grouping's SLO with one per group value in ``found``; its names. ``asked``
    says where and when the values were found (for the note)."""
    document = grouping.document
    assert document is not None
    index = next(i for i, one in enumerate(result.documents) if one is document)
    documents = split(document, grouping, found)
    result.documents[index : index + 1] = documents
    names = [one["metadata"]["name"] for one in documents]
    first = grouping.notes[0]
    labels = ", ".join(grouping.labels)
    reason = (
        f"split by ({labels}) into {len(names)} SLO(s), one per group value {asked}: "
        f"{', '.join(names)}; a group value that appears later is not covered (import again "
        "with --split-groups --force)"
    )
    _replace_notes(result, grouping, Note(where=first.where, field=first.field, reason=reason))
    return names
