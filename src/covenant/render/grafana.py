"""Grafana dashboards on the generated recordings (``covenant dashboards grafana``).

One dashboard per service; per objective a row with the SLI over the SLO window, the error
budget remaining (the burn-down), the current burn rate, and the burn rate over both windows of
every alert tier beside its threshold. Every query reads series that ``render.prom_rules``
records, so a dashboard works wherever the rules are loaded (tests/render checks this).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from covenant.core.model import CalendarWindow, RollingWindow
from covenant.render.prom_rules import ERROR, RuleTarget
from covenant.render.prom_windows import prom_duration, tier_bounds, window_name

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
WIDTH = 24


def _panel(
    kind: str,
    title: str,
    exprs: Sequence[tuple[str, str]],
    *,
    unit: str,
    x: int,
    y: int,
    w: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": w, "x": x, "y": y},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "expr": expr,
                "legendFormat": legend,
                "datasource": DATASOURCE,
            }
            for i, (expr, legend) in enumerate(exprs)
        ],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }
    if extra:
        panel.update(extra)
    return panel


def _period_error(t: RuleTarget) -> str:
    o = t.objective
    if isinstance(o.window, RollingWindow):
        return f"{ERROR}{window_name(o)}{t.selector}"
    return f"{ERROR}_period{t.selector}"


def _rows(t: RuleTarget, y: int, panel_id: int) -> tuple[list[dict[str, Any]], int]:
    o, sel = t.objective, t.selector
    name = window_name(o)
    budget = repr(float(1 - o.target))
    kind = "calendar " if isinstance(o.window, CalendarWindow) else ""
    panels: list[dict[str, Any]] = [
        {
            "type": "row",
            "title": f"{o.display_name or o.key} ({t.sloth_id})",
            "collapsed": False,
            "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y},
            "panels": [],
        },
    ]
    y += 1
    target_line = {
        "thresholds": {
            "mode": "absolute",
            "steps": [
                {"color": "red", "value": None},
                {"color": "green", "value": float(o.target)},
            ],
        }
    }
    sli = _panel(
        "stat",
        f"SLI over the {kind}{name} window (target {float(o.target * 100):g} %)",
        [(f"1 - {_period_error(t)}", "SLI")],
        unit="percentunit",
        x=0,
        y=y,
        w=6,
    )
    sli["fieldConfig"]["defaults"].update(target_line, decimals=4)
    remaining = _panel(
        "timeseries",
        "Error budget remaining (burn-down)",
        [(f"slo:period_error_budget_remaining:ratio{sel}", "remaining")],
        unit="percentunit",
        x=6,
        y=y,
        w=12,
    )
    current = _panel(
        "stat",
        "Current burn rate (5m)",
        [(f"slo:current_burn_rate:ratio{sel}", "burn rate")],
        unit="x",
        x=18,
        y=y,
        w=6,
    )
    panels += [sli, remaining, current]
    y += 8
    x = 0
    for tier in o.alert_tiers:
        thresholds = sorted({float(b / (1 - o.target)) for b, _ in tier_bounds(o, tier)})
        shown = " / ".join(f"{v:g}" for v in thresholds)
        exprs = [
            (f"{ERROR}{prom_duration(w)}{sel} / {budget}", f"burn rate {prom_duration(w)}")
            for w in (tier.long_window_s, tier.short_window_s)
        ]
        panel = _panel(
            "timeseries",
            f"{tier.name} ({tier.severity}): burn rate vs threshold {shown}",
            exprs,
            unit="x",
            x=x,
            y=y,
            w=WIDTH // 2,
        )
        panel["fieldConfig"]["defaults"]["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": "green", "value": None}, {"color": "red", "value": thresholds[0]}],
        }
        panel["fieldConfig"]["defaults"]["custom"] = {"thresholdsStyle": {"mode": "line"}}
        panels.append(panel)
        x = (x + WIDTH // 2) % WIDTH
        if x == 0:
            y += 8
    if x:
        y += 8
    for i, panel in enumerate(panels):
        panel["id"] = panel_id + i
    return panels, y


def dashboard_uid(service: str) -> str:
    """``covenant-<service>``, within Grafana's 40 characters: a longer name keeps its first
    21 and adds 8 hex digits of its SHA-256, so two names that begin alike never share one."""
    slug = re.sub(r"[^a-z0-9-]+", "-", service.lower())
    if len(slug) > 30 or slug != service:
        digest = hashlib.sha256(service.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:21]}-{digest}"
    return f"covenant-{slug}"


def dashboard(service: str, targets: Sequence[RuleTarget]) -> dict[str, Any]:
    """The Grafana dashboard JSON model of one service's objectives."""
    panels: list[dict[str, Any]] = []
    y = 0
    for t in targets:
        more, y = _rows(t, y, len(panels) + 1)
        panels += more
    return {
        "title": f"SLOs: {service}",
        "uid": dashboard_uid(service),
        "tags": ["covenant", "slo"],
        "timezone": "utc",
        "schemaVersion": 39,
        "editable": True,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "type": "datasource",
                    "query": "prometheus",
                    "label": "Prometheus",
                    "hide": 0,
                }
            ]
        },
        "annotations": {"list": []},
        "panels": panels,
    }


def dashboards(targets: Sequence[RuleTarget]) -> dict[str, dict[str, Any]]:
    """One dashboard per service, keyed by service name."""
    by_service: dict[str, list[RuleTarget]] = {}
    for t in targets:
        by_service.setdefault(t.service, []).append(t)
    return {service: dashboard(service, ts) for service, ts in by_service.items()}
