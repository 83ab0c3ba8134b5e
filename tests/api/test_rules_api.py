"""``GET /rules/prometheus`` and ``GET /dashboards/grafana``: what `covenant rules prometheus`
and `covenant dashboards grafana` write for the same definitions, over the API, and the rules
pass the real ``promtool``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import Shop

V1 = "/api/v1"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_rules_are_the_commands_byte_for_byte_and_promtool_takes_them(
    shop: Shop, promtool: str, tmp_path: Path
) -> None:
    answer = shop.client.get(f"{V1}/rules/prometheus", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/yaml")
    assert answer.text == _cli("rules", "prometheus", "-w", str(shop.workspace))
    path = tmp_path / "rules.yml"
    path.write_text(answer.text, encoding="utf-8")
    checked = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_one_slo_as_a_prometheusrule_with_its_metadata(shop: Shop) -> None:
    params = {
        "slo": "checkout-monthly",
        "format": "prometheusrule",
        "name": "shop-slos",
        "namespace": "monitoring",
        "label": ["release=prometheus", "team=shop"],
    }
    answer = shop.client.get(f"{V1}/rules/prometheus", shop.tokens["viewer"], params=params)
    assert answer.status_code == 200, answer.text
    document = yaml.safe_load(answer.text)
    assert document["apiVersion"] == "monitoring.coreos.com/v1"
    assert document["kind"] == "PrometheusRule"
    assert document["metadata"] == {
        "name": "shop-slos",
        "namespace": "monitoring",
        "labels": {
            "app.kubernetes.io/managed-by": "covenant",
            "release": "prometheus",
            "team": "shop",
        },
    }
    slos = {
        r["labels"]["sloth_slo"]
        for g in document["spec"]["groups"]
        for r in g["rules"]
        if "sloth_slo" in r.get("labels", {})
    }
    assert slos == {"checkout-monthly"}


def test_options_are_checked_as_kubernetes_checks_them(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    bad = shop.client.get(
        f"{V1}/rules/prometheus",
        viewer,
        params={"format": "prometheusrule", "label": "release prometheus"},
    )
    assert bad.status_code == 400, bad.text
    assert bad.json()["message"].startswith("label 'release prometheus' is not a Kubernetes label")
    alone = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"name": "shop-slos"})
    assert alone.status_code == 400, alone.text
    assert alone.json()["message"] == "name is for format=prometheusrule"
    for params in ({"name": "foo\n"}, {"namespace": "ns\n"}, {"label": "a=b\n"}):
        # a line break passed Python's $ (before a final newline); Kubernetes refuses it
        params["format"] = "prometheusrule"
        broken = shop.client.get(f"{V1}/rules/prometheus", viewer, params=params)
        assert broken.status_code == 400, (params, broken.text)
    dotted = shop.client.get(
        f"{V1}/rules/prometheus",
        viewer,
        params={"format": "prometheusrule", "namespace": "shop.monitoring"},
    )
    assert dotted.status_code == 400, dotted.text
    assert dotted.json()["hint"].startswith("lowercase letters, digits and '-', at most 63")
    unknown = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"slo": "no-such"})
    assert unknown.status_code == 404, unknown.text


def test_the_plan_names_every_objective_left_out_with_the_reason(shop: Shop) -> None:
    """The shop's payments SLO counts minutes (Timeslices), its storefront SLO RatioTimeslices,
    and its shopping journey is a composite: none of the three has a rule form."""
    answer = shop.client.get(f"{V1}/rules/prometheus/plan", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found = answer.json()
    skipped = {n["objective"]: n["text"] for n in found["notes"] if n["level"] == "skipped"}
    assert sorted(skipped) == [
        "payments-availability",
        "shopping-journey",
        "storefront-availability",
    ]
    assert skipped["payments-availability"].startswith("Timeslices counts time slices")
    assert skipped["shopping-journey"].startswith("a composite SLO")
    assert not set(skipped) & set(found["rules"])
    rules = yaml.safe_load(shop.client.get(f"{V1}/rules/prometheus", shop.tokens["viewer"]).text)
    written = {
        r["labels"]["sloth_slo"]
        for g in rules["groups"]
        for r in g["rules"]
        if "sloth_slo" in r.get("labels", {})
    }
    # an objective of an SLO with several is labelled <slo>-<objective> (docs/prometheus-rules.md)
    assert {key.replace("/", "-") for key in found["rules"]} == written
    # the shop's monthly checkout SLO runs in Berlin, which has daylight saving time
    (zones,) = [n for n in found["notes"] if "daylight saving time" in n["text"]]
    assert "Europe/Berlin" in zones["text"]
    assert zones["objective"] is None


def test_the_dashboards_are_the_commands_files(shop: Shop, tmp_path: Path) -> None:
    _cli("dashboards", "grafana", "-w", str(shop.workspace), "--out", str(tmp_path))
    files = sorted(p.stem for p in tmp_path.glob("*.json"))
    listed = shop.client.get(f"{V1}/dashboards/grafana", shop.tokens["viewer"])
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert sorted(i["file"] for i in items) == files
    for item in items:
        board = shop.client.get(f"{V1}/dashboards/grafana/{item['file']}", shop.tokens["viewer"])
        assert board.status_code == 200, board.text
        assert board.text == (tmp_path / f"{item['file']}.json").read_text(encoding="utf-8")
        model = json.loads(board.text)
        assert (model["uid"], model["title"]) == (item["uid"], item["title"])
        assert item["objectives"]
        assert item["service"] == item["file"]
    missing = shop.client.get(f"{V1}/dashboards/grafana/nowhere", shop.tokens["viewer"])
    assert missing.status_code == 404
    assert ", ".join(files) in missing.json()["hint"]
