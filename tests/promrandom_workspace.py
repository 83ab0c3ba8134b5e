"""The SLIs and SLOs of a seed of tests/promrandom.py: each SLI written in one of the query
forms docs/prometheus.md reads as counters (a selector, a sum of one with or without
grouping, ``sum(increase(…[{{.window}}]))``, good or bad, a histogram's bucket with ``lte``
or ``gt``), each SLO with a random window (rolling or calendar, in UTC or a zone), target and
budgeting method; and the workspace that declares them."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from tests.promrandom import BOUNDS, BUCKET, COUNT, DAY_S, REQUESTS
from tests.promrandom_expect import Sli, Slo

# (bad?, first query, total query, the first's matchers beyond job)
FORMS = (
    (False, 'sum(REQ{job="J",code="200"})', 'REQ{job="J"}', (("code", "=", "200"),)),
    (False, 'REQ{job="J",code!~"5.."}', 'sum by (code) (REQ{job="J"})', (("code", "!~", "5.."),)),
    (
        True,
        'REQ{job="J",code=~"5.."}',
        'sum(increase(REQ{job="J"}[{{.window}}]))',
        (("code", "=~", "5.."),),
    ),
    (
        True,
        'sum without (instance) (REQ{job="J",code="503"})',
        'sum(REQ{job="J"})',
        (("code", "=", "503"),),
    ),
    (False, 'REQ{job="J",code!="500"}', 'REQ{job="J"}', (("code", "!=", "500"),)),
)
TARGETS = ("0.9", "0.95", "0.99", "0.995", "0.999")
ROLLING = (DAY_S, 3 * DAY_S, 7 * DAY_S, 28 * DAY_S)
CALENDARS = (("d", "UTC"), ("d", "Asia/Kolkata"), ("w", "Europe/Berlin"), ("M", "Europe/Berlin"))
SLICES = (60, 300, 600, 3600)
ANCHOR = {"w": "2026-01-05 00:00:00", "d": "2026-01-01 00:00:00", "M": "2026-01-01 00:00:00"}


def catalog(seed: int, *, short: bool = False) -> tuple[list[Sli], list[Slo]]:
    """The seed's SLIs and SLOs. ``short`` (for a first read by days): windows of at most
    3 days (a read of them starts after the samples' first day), equality matchers only and
    no time slices (an SLI needs neither to be read by days)."""
    rng = np.random.default_rng(10_000 + seed)
    forms = [f for f in FORMS if not short or "~" not in f[1] + f[2]]
    slis: list[Sli] = []
    for job in ("api", "web", "batch", "ghost"):
        bad, first, total, extra = forms[int(rng.integers(0, len(forms)))]
        name = f"{job}-availability"
        which = "bad" if bad else "good"
        spec = (
            "  ratioMetric:\n    counter: true\n"
            f"    {which}:\n      metricSource:\n        metricSourceRef: prometheus\n"
            f"        spec: {{query: '{_q(first, job)}'}}\n"
            "    total:\n      metricSource:\n        metricSourceRef: prometheus\n"
            f"        spec: {{query: '{_q(total, job)}'}}\n"
        )
        job_is = ("job", "=", job)
        slis.append(Sli(name, spec, name, (REQUESTS, (job_is,)), (REQUESTS, (job_is, *extra)), bad))
    op = str(rng.choice(["lte", "gt"]))
    value = str(rng.choice([b for b in BOUNDS if b != "+Inf"]))
    spec = (
        "  thresholdMetric:\n    metricSource:\n      metricSourceRef: prometheus\n"
        f"      spec: {{query: '{BUCKET}{{job=\"api\"}}'}}\n"
    )
    api = ("job", "=", "api")
    slis.append(
        Sli(
            "api-latency",
            spec,
            f"api-latency:{op}{value}",
            (COUNT, (api,)),
            (BUCKET, (api, ("le", "le", value))),
            op == "gt",
            f"op: {op}, value: {value}, ",
        )
    )
    slos = [_slo(rng, sli.name, sli.name, short=short) for sli in slis]
    if not short:
        sliced = str(rng.choice(["api-availability", "web-availability"]))
        slos.append(_slo(rng, f"{sliced}-slices", sliced, sliced=True))
    return slis, slos


def _q(template: str, job: str) -> str:
    return template.replace("REQ", REQUESTS).replace('"J"', f'"{job}"')


def _slo(
    rng: np.random.Generator, name: str, sli: str, *, sliced: bool = False, short: bool = False
) -> Slo:
    target = Fraction(str(rng.choice(TARGETS)))
    calendars = [
        c for c in CALENDARS if (c[1] == "UTC" or not sliced) and (c[0] == "d" or not short)
    ]
    rolling = [r for r in ROLLING if r <= 3 * DAY_S or not short]
    if rng.random() < 0.5:
        window: tuple[str, int] | tuple[str, str, str] = ("rolling", int(rng.choice(rolling)))
    else:
        unit, zone = calendars[int(rng.integers(0, len(calendars)))]
        window = ("calendar", unit, zone)
    if not sliced:
        return Slo(name, sli, window, target)
    slice_target = Fraction(str(rng.choice(["0.9", "0.95", "0.99"])))
    return Slo(name, sli, window, target, int(rng.choice(SLICES)), slice_target)


def workspace_yaml(slis: list[Sli], slos: list[Slo], url: str) -> str:
    docs = [
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n",
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prometheus}\nspec:\n"
        f"  type: Prometheus\n  connectionDetails: {{url: '{url}', timeout: 60s}}\n",
    ]
    docs += [
        f"apiVersion: openslo/v1\nkind: SLI\nmetadata: {{name: {s.name}}}\nspec:\n{s.spec}"
        for s in slis
    ]
    by_name = {s.name: s for s in slis}
    for slo in slos:
        if slo.window[0] == "rolling":
            window = f"[{{duration: {int(slo.window[1]) // DAY_S}d, isRolling: true}}]"
        else:
            _, unit, zone = slo.window
            window = (
                f"[{{duration: 1{unit}, isRolling: false, calendar: "
                f'{{startTime: "{ANCHOR[str(unit)]}", timeZone: {zone}}}}}]'
            )
        objective = f"target: {_decimal(slo.target)}"
        objective = by_name[slo.sli].objective + objective
        method = "Occurrences"
        if slo.slice_s is not None:
            assert slo.slice_target is not None
            method = "Timeslices"
            objective += (
                f", timeSliceTarget: {_decimal(slo.slice_target)}, "
                f"timeSliceWindow: {slo.slice_s // 60}m"
            )
        docs.append(
            f"apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: {slo.name}}}\nspec:\n"
            f"  service: shop\n  indicatorRef: {slo.sli}\n  timeWindow: {window}\n"
            f"  budgetingMethod: {method}\n  objectives: [{{{objective}}}]\n"
        )
    return "---\n".join(docs)


def _decimal(value: Fraction) -> str:
    return str(float(value))
