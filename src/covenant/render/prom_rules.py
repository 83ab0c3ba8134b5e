"""Prometheus recording and alerting rules for objectives (``covenant rules prometheus``).

Per objective three rule groups, named after Sloth's:

- ``covenant-slo-sli-recordings-<id>`` (every minute): the good and total event counts of the
  last minute (``covenant:sli_good:count1m``, ``covenant:sli_total:count1m``), their sums over
  every alert window (``covenant:sli_good:count<w>``; exactly ``w / 1m`` recorded minutes, so a
  window's SLI is a sum of counts over a sum of counts, never an average of ratios) and Sloth's
  ``slo:sli_error:ratio_rate<w>``;
- ``covenant-slo-meta-recordings-<id>`` (every 5 minutes): the counts and error ratio over the
  SLO window (rolling, or the calendar period of the latest minute count), ``slo:objective:ratio``,
  ``slo:error_budget:ratio``, ``slo:time_period:days``, ``slo:period_burn_rate:ratio``,
  ``slo:period_error_budget_remaining:ratio`` and ``sloth_slo_info``;
- and, last in the per-minute group so they read this minute's counts (rules of a group run in
  order; separate groups run at unrelated offsets), one alert per engine tier, firing when both
  of its windows burn at or above the tier's threshold, compared on integer counts
  (``q × bad ≥ p × total`` for the exact bound ``p / q``), with the engine's minimum events.

The rules are data (:func:`rule_groups`, one objective's :func:`target_groups`); :func:`rules_yaml`
writes them as a Prometheus rule file or a prometheus-operator ``PrometheusRule``, and
:func:`rules_chunks` writes the same text one group at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from covenant.core.alert_rules import (
    TierSwitches,
    alert_name,
    burns,
    no_data_alert_name,
    service_label,
    slo_label,
)
from covenant.core.model import AlertTier, CalendarWindow, Objective, RollingWindow
from covenant.core.promql import WINDOW, CountQueries, raw_selector, without_comments
from covenant.render.prom_windows import (
    LENGTH,
    OFFSET,
    PERIOD_DAYS,
    TOTAL_PERIOD,
    alert_windows,
    for_slo,
    period_of,
    prom_duration,
    range_of,
    tier_bounds,
    window_name,
)
from covenant.render.prom_zones import HORIZON, WARN_BEFORE_S, horizon_text

GOOD, TOTAL = "covenant:sli_good:count", "covenant:sli_total:count"
GOOD_PERIOD = "covenant:sli_good:count1m_period"
ERROR = "slo:sli_error:ratio_rate"
PERIOD_LABEL = "covenant_period"
SLI_INTERVAL, META_INTERVAL = "1m", "5m"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleTarget:
    """One objective to write rules for, with its SLI as count templates."""

    objective: Objective
    counts: CountQueries
    labels: Mapping[str, str] = field(default_factory=dict)  # extra labels on every series
    # OpenSLO AlertPolicy switches per tier name (a tier not named: the defaults)
    switches: Mapping[str, TierSwitches] = field(default_factory=dict)

    def switch(self, tier: AlertTier) -> TierSwitches:
        return self.switches.get(tier.name, _DEFAULT_SWITCHES)

    @property
    def slo(self) -> str:
        return slo_label(self.objective)

    @property
    def service(self) -> str:
        return service_label(self.objective)

    @property
    def sloth_id(self) -> str:
        return f"{self.service}-{self.slo}"

    @property
    def ids(self) -> dict[str, str]:
        return {"sloth_id": self.sloth_id, "sloth_service": self.service, "sloth_slo": self.slo}

    @property
    def selector(self) -> str:
        return "{" + ", ".join(f'{k}="{_esc(v)}"' for k, v in self.ids.items()) + "}"

    @property
    def full_selector(self) -> str:
        """The selector with the extra labels too (``absent`` returns exactly these)."""
        labels = {**self.labels, **self.ids}
        return "{" + ", ".join(f'{k}="{_esc(v)}"' for k, v in labels.items()) + "}"

    @property
    def alert_name(self) -> str:
        return alert_name(self.objective)

    @property
    def no_data_alert_name(self) -> str:
        return no_data_alert_name(self.objective)


_DEFAULT_SWITCHES = TierSwitches()


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _num(value: Fraction) -> str:
    """A ratio as PromQL float text (exact when it has a short decimal form)."""
    return repr(float(value))


def rule_groups(
    targets: Sequence[RuleTarget], *, sources: bool = True, meta: bool = True
) -> list[dict[str, Any]]:
    """Every rule group for ``targets``. The generated unit tests use ``sources=False`` (they
    feed the per-minute counts that the two source rules would record) and ``meta=False``
    (only the per-minute group: counts, windows and alerts; the SLO-window recordings are
    checked against the engine in a real Prometheus instead)."""
    return [g for t in targets for g in target_groups(t, sources=sources, meta=meta)]


def target_groups(
    t: RuleTarget, *, sources: bool = True, meta: bool = True
) -> list[dict[str, Any]]:
    """The rule groups of one objective (``rule_groups`` writes them in the targets' order)."""
    tiers = t.objective.alert_tiers
    alerts = [_alert(t, tier) for tier in tiers if t.switch(tier).breaching]
    alerts += [_no_data_alert(t, tier) for tier in tiers if t.switch(tier).no_data]
    groups: list[dict[str, Any]] = [
        {
            "name": f"covenant-slo-sli-recordings-{t.sloth_id}",
            "interval": SLI_INTERVAL,
            "rules": _sli_rules(t, sources=sources, period=meta) + alerts,
        }
    ]
    if meta:
        groups.append(
            {
                "name": f"covenant-slo-meta-recordings-{t.sloth_id}",
                "interval": META_INTERVAL,
                "rules": _meta_rules(t),
            }
        )
    return groups


def _record(name: str, expr: str, labels: Mapping[str, str]) -> dict[str, Any]:
    return {"record": name, "expr": expr, "labels": dict(labels)}


def source_rules(t: RuleTarget) -> list[dict[str, Any]]:
    """The two rules that turn the SLI's metrics into counts of the last minute."""
    c = t.counts
    total = _summed(c.total)
    if c.good is not None:
        good = f"{_summed(c.good)} or on() 0 * {total}"
    else:
        assert c.bad is not None
        good = f"{total} - ({_summed(c.bad)} or on() 0 * {total})"
    labels = {**t.labels, **t.ids, "sloth_window": "1m"}
    return [_record(f"{GOOD}1m", good, labels), _record(f"{TOTAL}1m", total, labels)]


def _summed(template: str) -> str:
    """The events of the last minute as one series without labels.

    A counter (``sum(increase(S[{{.window}}]))``) becomes the difference of its latest samples
    a minute apart, ``S - S offset 1m`` (a reset counts the value after it; a series new
    within the minute is not counted, as ``increase`` does): these differences add up over
    consecutive minutes to exactly the counter's increase, whatever the scrape interval and
    the group's evaluation offset, where ``increase(S[1m])`` extrapolates (and has no value
    at all with one sample a minute). Any other ``{{.window}}`` query is used as written.
    """
    sel = raw_selector(template)  # the reader's test: what it counts from samples
    if sel is not None:
        return f"sum((({sel}) - ({sel} offset 1m)) >= 0 or ({sel} and ({sel} offset 1m)))"
    expr = without_comments(template).strip().replace(WINDOW, "1m")
    return expr if re.match(r"^sum\s*\(", expr) and expr.endswith(")") else f"sum({expr})"


def _sli_rules(t: RuleTarget, *, sources: bool, period: bool) -> list[dict[str, Any]]:
    o, sel = t.objective, t.selector
    rules = source_rules(t) if sources else []
    found = period_of(o.window) if isinstance(o.window, CalendarWindow) else None
    assert not isinstance(found, str)
    if found is not None and found.offset_expr is not None:  # read by the rules below
        rules.append(_record(OFFSET, found.offset_expr, {**t.labels, **t.ids}))
    if period and found is not None:
        ids = for_slo(found.recorded_id_expr or found.id_expr, o)
        tag = f'count_values("{PERIOD_LABEL}", {ids})'
        for name, base in ((GOOD_PERIOD, GOOD), (TOTAL_PERIOD, TOTAL)):
            expr = f"{base}1m{sel} * on() group_left({PERIOD_LABEL}) {tag}"
            rules.append(_record(name, expr, {**t.labels, **t.ids, "sloth_window": "1m"}))
    if found is not None and found.length_expr is not None:  # DST: the guards read it
        rules.append(_record(LENGTH, for_slo(found.length_expr, o), {**t.labels, **t.ids}))
    if found is not None and found.days_record is not None:  # several months: the same
        rules.append(_record(PERIOD_DAYS, found.days_record, {**t.labels, **t.ids}))
    for seconds in alert_windows(o):
        rules += _window_rules(t, seconds)
    rules.append(
        _record(
            "slo:current_burn_rate:ratio",
            f"{ERROR}5m{sel} / {_num(1 - o.target)}",
            {**t.labels, **t.ids},
        )
    )
    return rules


def _window_rules(t: RuleTarget, seconds: int) -> list[dict[str, Any]]:
    w, sel = prom_duration(seconds), t.selector
    labels = {**t.labels, **t.ids, "sloth_window": w}
    error = _record(f"{ERROR}{w}", _error_ratio(w, sel), labels)
    if seconds == 60:  # a 1m alert window (Pyrra's, scaled to a short SLO window): the counts
        return [error]  # of the last minute are recorded already; a second rule would clash
    return [
        _record(f"{GOOD}{w}", f"sum_over_time({GOOD}1m{sel}[{range_of(seconds)}])", labels),
        _record(f"{TOTAL}{w}", f"sum_over_time({TOTAL}1m{sel}[{range_of(seconds)}])", labels),
        error,
    ]


def _error_ratio(w: str, sel: str) -> str:
    return f"({TOTAL}{w}{sel} - {GOOD}{w}{sel})\n/\n{TOTAL}{w}{sel}"


def _meta_rules(t: RuleTarget) -> list[dict[str, Any]]:
    o, sel = t.objective, t.selector
    name = window_name(o)
    ids = {**t.labels, **t.ids}
    rules: list[dict[str, Any]] = []
    if isinstance(o.window, RollingWindow):
        if o.window.seconds not in alert_windows(o):
            rules += _window_rules(t, o.window.seconds)
        days = f"vector({_num(Fraction(o.window.seconds, 86400))})"
        period_error = f"{ERROR}{name}{sel}"
    else:
        period = period_of(o.window)
        assert not isinstance(period, str)
        labels = {**ids, "sloth_window": name}
        # the period is the one of the latest minute count recorded (the label of the series
        # sampled last: a back-filled history has no staleness marker ending the old one), not
        # of time(): the per-minute group runs at its own offset and may not have recorded
        # the first minute of a new period yet (docs/prometheus-rules.md, "Calendar windows")
        for record, base in ((f"{GOOD}_period", GOOD_PERIOD), (f"{TOTAL}_period", TOTAL_PERIOD)):
            expr = (
                f"sum without ({PERIOD_LABEL}) (\n  sum_over_time({base}{sel}"
                f"[{prom_duration(period.max_seconds)}])\n"
                f"  and on({PERIOD_LABEL}) topk(1, timestamp({base}{sel}))\n)"
            )
            rules.append(_record(record, expr, labels))
        period_error = f"{ERROR}_period{sel}"
        rules.append(
            _record(
                f"{ERROR}_period",
                f"({TOTAL}_period{sel} - {GOOD}_period{sel})\n/\n{TOTAL}_period{sel}",
                labels,
            )
        )
        days = for_slo(period.recorded_days_expr, o)
        if period.seasonal:
            rules.append(_horizon_alert(t, period.zone))
    budget = _num(1 - o.target)
    rules += [
        _record("slo:objective:ratio", f"vector({_num(o.target)})", ids),
        _record("slo:error_budget:ratio", f"vector({budget})", ids),
        _record("slo:time_period:days", days, ids),
        _record(
            "slo:period_burn_rate:ratio",
            f"max without (sloth_window) ({period_error}) / {budget}",
            ids,
        ),
        _record(
            "slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{sel}", ids
        ),
        _record(
            "sloth_slo_info",
            "vector(1)",
            {
                **ids,
                "sloth_mode": "covenant",
                "sloth_objective": _percent(o.target),
                "sloth_spec": "openslo/v1",
                "sloth_window": name,
            },
        ),
    ]
    return rules


def _horizon_alert(t: RuleTarget, zone: str) -> dict[str, Any]:
    """Fires 90 days before the zone's offset table ends: regenerate the rules by then."""
    return {
        "alert": "CovenantZoneTableEnding",
        "expr": f"vector(time()) >= {HORIZON[1] - WARN_BEFORE_S}",
        "labels": _quoted({**t.labels, **t.ids, "severity": "ticket", "sloth_severity": "ticket"}),
        "annotations": _quoted(
            {
                "title": f"{t.service} {t.slo}: regenerate the Covenant rules.",
                "summary": f"The UTC offsets of {zone} written into these rules cover "
                f"{horizon_text()}; calendar periods after that would be wrong. Run "
                "`covenant rules prometheus` again with a newer Covenant.",
            }
        ),
    }


def _percent(target: Fraction) -> str:
    """The target in percent as written (``99.9``; ``99.99999999999999999`` stays so, not
    ``100``): exact when it is a decimal, as a definition's target is; else 10 digits."""
    value = target * 100
    rest = value.denominator
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    if rest != 1:
        return f"{float(value):.10g}"
    with localcontext() as exact:
        exact.prec = 100
        return format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")


def _window_condition(t: RuleTarget, seconds: int, bound: Fraction, *, inclusive: bool) -> str:
    w, sel = prom_duration(seconds), t.selector
    total, good = f"{TOTAL}{w}{sel}", f"{GOOD}{w}{sel}"
    op = ">=" if inclusive else ">"
    least = max(1, t.objective.minimum_events)
    return (
        f"({bound.denominator} * ({total} - {good}) {op} {bound.numerator} * {total})"
        f" and ({total} >= {least})"
    )


def alert_expr(t: RuleTarget, tier: AlertTier) -> str:
    """The tier's condition: both windows at or above the bound (per possible period length)."""
    parts = []
    for bound, guard in tier_bounds(t.objective, tier):
        long_c = _window_condition(t, tier.long_window_s, bound, inclusive=tier.inclusive)
        short_c = _window_condition(t, tier.short_window_s, bound, inclusive=tier.inclusive)
        joined = "\n  )\n  and on(sloth_id, sloth_service, sloth_slo)\n  (\n    "
        cond = f"(\n    {long_c}{joined}{short_c}\n  )"
        if guard is not None:
            cond = f"{cond}\n  and on() ({guard})"
        parts.append(f"max without (sloth_window) (\n  {cond}\n)")
    return "\nor\n".join(parts)


def alert_labels(t: RuleTarget, tier: AlertTier) -> dict[str, str]:
    """The tier alert's static labels. The SLO's ids are among them — the values the alert's
    series carry already — so that two SLOs whose alerts share a name (one Sloth
    ``alerting.name`` for a service's SLOs) have no two rules of one name and one label set,
    which ``promtool check rules`` reports as duplicates."""
    own = {
        "severity": tier.severity,
        "sloth_severity": "page" if tier.pages else "ticket",
        "covenant_tier": tier.name,
        **t.ids,
    }
    routing = t.objective.routing  # the SLO's labels, a Sloth file's alerting
    return own if routing is None else routing.labels_over(own, pages=tier.pages, tier=tier.name)


SEND_RESOLVED = "covenant_send_resolved"
"""The annotation saying a policy asked for no resolved notice (OpenSLO ``alertWhenResolved:
false``): Prometheus always sends the resolution; the Alertmanager receiver decides
(``send_resolved: false``, docs/prometheus-rules.md)."""


def alert_annotations(t: RuleTarget, tier: AlertTier) -> dict[str, str]:
    long_w, short_w = prom_duration(tier.long_window_s), prom_duration(tier.short_window_s)
    kind = "page" if tier.pages else "ticket"
    out = {
        "title": f"({kind}) {t.service} {t.slo} SLO error budget burn rate is too fast.",
        "summary": f"{t.objective.display_name or t.objective.key}: the error budget burns "
        f"{burns(tier.inclusive)} the {tier.name} threshold over both {long_w} and {short_w}.",
    }
    routing = t.objective.routing
    if routing is not None:
        out = routing.annotations_over(out, pages=tier.pages)
    return _resolved_hint(t, tier, out)


def _resolved_hint(t: RuleTarget, tier: AlertTier, out: dict[str, str]) -> dict[str, str]:
    if not t.switch(tier).resolved:
        out[SEND_RESOLVED] = "false"
    return out


def no_data_expr(t: RuleTarget, tier: AlertTier) -> str:
    """The tier has no burn rate, as the engine says: either window holds fewer events than
    ``max(1, minimumEvents)``, or no minute count at all (its sum is absent)."""
    least = max(1, t.objective.minimum_events)
    names = [f"{TOTAL}{prom_duration(s)}" for s in (tier.short_window_s, tier.long_window_s)]
    parts = [f"max without (sloth_window) ({name}{t.selector} < {least})" for name in names]
    parts += [f"absent({name}{t.full_selector})" for name in names]
    return "\nor\n".join(parts)


def no_data_annotations(t: RuleTarget, tier: AlertTier) -> dict[str, str]:
    long_w, short_w = prom_duration(tier.long_window_s), prom_duration(tier.short_window_s)
    kind = "page" if tier.pages else "ticket"
    out = {
        "title": f"({kind}) {t.service} {t.slo} SLO has no data.",
        "summary": f"{t.objective.display_name or t.objective.key}: no burn rate for the "
        f"{tier.name} alert over {short_w} and {long_w}, so it cannot fire.",
    }
    return _resolved_hint(t, tier, out)


def go_literal(text: str) -> str:
    """``text`` as a Go template that renders it as written: each run of two or more braces
    becomes one action printing it (``{{ "{}}" }}``); quoting only its ``}}`` would leave the
    ``{`` in front to open the action (``{{{ "}}" }}``, which does not parse). Prometheus
    renders an alerting rule's label and annotation values as templates (a recording rule's
    labels it does not)."""
    return _BRACES.sub(lambda m: '{{ "' + m.group() + '" }}', text)


_BRACES = re.compile(r"[{}]{2,}")


def _quoted(values: Mapping[str, str], templates: frozenset[str] = frozenset()) -> dict[str, str]:
    """An alerting rule's labels or annotations: every value as written (:func:`go_literal`)
    but a Sloth file's alerting ones, ``templates``, which are templates by design."""
    return {k: v if k in templates else go_literal(v) for k, v in values.items()}


def _alert_rule(
    t: RuleTarget, tier: AlertTier, rule: dict[str, Any], annotations: dict[str, str]
) -> dict[str, Any]:
    if tier.for_s:  # OpenSLO alertAfter: pending that long before it fires, as the worker does
        rule["for"] = prom_duration(tier.for_s)
    routing, labels, notes = t.objective.routing, frozenset[str](), frozenset[str]()
    if routing is not None:
        labels = routing.template_labels(pages=tier.pages, tier=tier.name)
        notes = routing.template_annotations(pages=tier.pages)
    return {
        **rule,
        "labels": _quoted(alert_labels(t, tier), labels),
        "annotations": _quoted(annotations, notes),
    }


def _no_data_alert(t: RuleTarget, tier: AlertTier) -> dict[str, Any]:
    """OpenSLO ``alertWhenNoData: true``: the worker's no-data alert of the tier (it waits the
    tier's alertAfter too; its annotations are Covenant's only)."""
    rule = {"alert": t.no_data_alert_name, "expr": no_data_expr(t, tier)}
    return _alert_rule(t, tier, rule, no_data_annotations(t, tier))


def _alert(t: RuleTarget, tier: AlertTier) -> dict[str, Any]:
    rule = {"alert": t.alert_name, "expr": alert_expr(t, tier)}
    return _alert_rule(t, tier, rule, alert_annotations(t, tier))
