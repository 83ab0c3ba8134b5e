"""Notes on a Sloth ``error_query`` that is imported as written but likely means the
opposite (:mod:`sloth_sli`): one histogram bucket alone (the fast requests), or a counter
named a success."""

from __future__ import annotations

import re

from covenant.definitions.importers import promql
from covenant.definitions.importers.base import Recorder
from covenant.definitions.importers.failure_names import FAILURE as _FAILURE
from covenant.definitions.importers.failure_names import SUCCESS as _SUCCESS
from covenant.definitions.importers.failure_names import words as _words
from covenant.definitions.yamlsource import PathKey

_SELECTOR = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})")


def fast_requests(record: Recorder, field: PathKey, query: str, total: str) -> None:
    """Note an ``error_query`` that is one histogram bucket alone (``x_bucket{le="0.25"}``, no
    arithmetic): it counts the requests at most that slow — usually the good ones, which
    makes the SLO burn on fast requests. Imported as written, as Sloth reads it. The form
    suggested counts all requests as ``total`` does: its ``le="+Inf"`` bucket, else the
    histogram's ``_count``."""
    found = _SELECTOR.findall(query)
    les = {promql.matchers(selector).get("le", "") for _, selector in found}
    if (
        not found
        or promql.is_arithmetic(query)
        or any(not name.endswith("_bucket") for name, _ in found)
        or len(les) != 1
        or not re.fullmatch(r'="[^"]+"', next(iter(les)))
        or "inf" in next(iter(les)).lower()
    ):
        return
    le = next(iter(les))[1:]
    count = found[0][0].removesuffix("_bucket") + "_count{...}"
    every = _SELECTOR.findall(total)
    if every and all(
        name == found[0][0]
        and re.fullmatch(r'="\+?inf"', promql.matchers(selector).get("le", ""), re.IGNORECASE)
        for name, selector in every
    ):
        inf = promql.matchers(every[0][1])["le"]
        count = f"{found[0][0]}{{le{inf},...}}"
    record.note(
        field,
        f"error_query counts the histogram bucket le={le} alone: the requests at most that "
        "slow, which are usually the good ones (imported as written, as Sloth reads it: bad "
        "= fast). If the slow requests are the errors, write the count minus the bucket: "
        f"sum(rate({count}[{{{{.window}}}}])) - sum(rate({found[0][0]}{{le={le},...}}"
        "[{{.window}}]))",
    )


_METRIC = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*(?=[{\[])")


def successes(record: Recorder, field: PathKey, query: str, total: str) -> None:
    """Note an ``error_query`` whose every series is named a success (``…_success_total``):
    it counts the successes as the bad events, so the SLO burns while all goes well.
    Imported as written, as Sloth reads it; a failure counter of ``total_query`` is named
    as the errors meant."""
    names = list(dict.fromkeys(_METRIC.findall(query)))
    if not names or any(not _words(n) & _SUCCESS or _words(n) & _FAILURE for n in names):
        return
    failures = [n for n in dict.fromkeys(_METRIC.findall(total)) if _words(n) & _FAILURE]
    meant = f" (e.g. sum(rate({failures[0]}[{{{{.window}}}}])))" if failures else ""
    record.note(
        field,
        f"error_query counts {', '.join(names)}, whose name says success: the successes as "
        "the bad events (imported as written, as Sloth reads it: the SLO burns while all goes "
        f"well). If the failures are the errors, count them in error_query{meant}",
    )
