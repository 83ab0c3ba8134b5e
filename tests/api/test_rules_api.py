"""``GET /rules/prometheus`` and ``GET /dashboards/grafana``: what `covenant rules prometheus`
and `covenant dashboards grafana` write for the same definitions, over the API, and the rules
pass the real ``promtool``."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import AT, EXPIRES, Shop
from tests.rules_workspace import write_rules_workspace

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


def _record_levels(text: str) -> dict[int, set[str]]:
    """The recording rules of a rule file by dependency level, worked out here from the
    file: a rule reading no other recording is level 1, any other one more than the highest
    level among the recordings it reads, a recording several rules write (one per objective)
    being read after all of them. The names each level records."""
    rules = [r for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "record" in r]
    names = {r["record"] for r in rules}

    def reads(rule: dict[str, str]) -> set[str]:
        expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', rule["expr"])  # no name inside a string
        return (set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)) & names) - {rule["record"]}

    level: dict[int, int] = {}  # a rule's (by its place in ``rules``)
    name_level: dict[str, int] = {}  # a recording's, once every rule writing it has one
    while len(level) < len(rules):
        for i, rule in enumerate(rules):
            if i not in level and reads(rule) <= name_level.keys():
                level[i] = 1 + max((name_level[d] for d in reads(rule)), default=0)
        for name in names - name_level.keys():
            writers = [i for i, r in enumerate(rules) if r["record"] == name]
            if all(i in level for i in writers):
                name_level[name] = max(level[i] for i in writers)
    found: dict[int, set[str]] = {}
    for i, k in level.items():
        found.setdefault(k, set()).add(rules[i]["record"])
    return found


def test_each_level_is_the_commands_byte_for_byte(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    whole = shop.client.get(f"{V1}/rules/prometheus", viewer).text
    levels = _record_levels(whole)
    assert sorted(levels) == list(range(1, len(levels) + 1))
    assert len(levels) == 6  # as docs/prometheus-rules.md's back-fill loop says of the shop
    plan = shop.client.get(f"{V1}/rules/prometheus/plan", viewer).json()
    assert plan["levels"] == 6
    for level, names in levels.items():
        answer = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"level": level})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/yaml")
        cli = _cli("rules", "prometheus", "-w", str(shop.workspace), "--level", str(level))
        assert answer.text == cli
        groups = yaml.safe_load(answer.text)["groups"]
        written = {r["record"] for g in groups for r in g["rules"]}
        assert written == names, level
        assert not [r for g in groups for r in g["rules"] if "alert" in r]


def test_a_bad_level_names_the_parameter_and_the_fix(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    past = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"level": 7})
    assert past.status_code == 400, past.text
    assert past.json() == {
        "code": "invalid-option-value",
        "message": "level 7: the rules have 6 levels",
        "hint": "give a level from 1 to 6, one after the other",
    }
    cli = CliRunner().invoke(
        app, ["rules", "prometheus", "-w", str(shop.workspace), "--level", "7"]
    )
    assert cli.exit_code == 2
    assert "--level 7: the rules have 6 levels" in cli.stderr
    assert "give a level from 1 to 6, one after the other" in cli.stderr
    for bad in ("0", "-1", "two"):
        answer = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"level": bad})
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid-input"
        assert answer.json()["message"].startswith("query.level: "), answer.text
    zero = shop.client.get(f"{V1}/rules/prometheus", viewer, params={"level": 0}).json()
    assert "greater than or equal to 1" in zero["message"]
    operator = shop.client.get(
        f"{V1}/rules/prometheus", viewer, params={"level": 1, "format": "prometheusrule"}
    )
    assert operator.status_code == 400, operator.text
    assert operator.json()["message"] == (
        "level writes a rule file to back-fill with promtool, not with format=prometheusrule"
    )
    assert operator.json()["hint"] == "leave out format=prometheusrule, or level"


def test_the_dashboards_of_some_slos_are_the_commands_files(shop: Shop, tmp_path: Path) -> None:
    """`covenant dashboards grafana --slo` writes dashboards with those SLOs' panels only: one
    fetched with the same ``slo`` is that file, byte for byte."""
    slos = ["checkout-monthly"]
    _cli(
        "dashboards", "grafana", "-w", str(shop.workspace), "--out", str(tmp_path), "--slo", slos[0]
    )
    files = sorted(p.stem for p in tmp_path.glob("*.json"))
    viewer = shop.tokens["viewer"]
    listed = shop.client.get(f"{V1}/dashboards/grafana", viewer, params={"slo": slos}).json()
    assert sorted(i["file"] for i in listed["items"]) == files == ["checkout"]
    whole = shop.client.get(f"{V1}/dashboards/grafana/checkout", viewer).text
    some = shop.client.get(f"{V1}/dashboards/grafana/checkout", viewer, params={"slo": slos})
    assert some.status_code == 200, some.text
    assert some.text == (tmp_path / "checkout.json").read_text(encoding="utf-8")
    assert some.text != whole  # the other checkout SLOs' panels are left out
    others = {
        i["file"] for i in shop.client.get(f"{V1}/dashboards/grafana", viewer).json()["items"]
    }
    for other in sorted(others - set(files)):
        missing = shop.client.get(f"{V1}/dashboards/grafana/{other}", viewer, params={"slo": slos})
        assert missing.status_code == 404, missing.text


def test_the_promtool_tests_are_the_commands_files(shop: Shop, tmp_path: Path) -> None:
    """`covenant rules prometheus --tests FILE` writes FILE and the rules it loads (FILE's
    name with .rules.yml); ``GET /rules/prometheus/tests?file=`` answers both texts, byte for
    byte, and the line per objective the command prints between its two "wrote" lines."""
    tests = tmp_path / "shop-tests.yml"
    result = CliRunner().invoke(
        app,
        [
            *("rules", "prometheus", "-w", str(shop.workspace), "--slo", "checkout-monthly"),
            *("--out", str(tmp_path / "rules.yml"), "--tests", str(tests)),
        ],
    )
    assert result.exit_code == 0, result.output
    viewer = shop.tokens["viewer"]
    params = {"slo": "checkout-monthly", "file": "shop-tests.yml"}
    answer = shop.client.get(f"{V1}/rules/prometheus/tests", viewer, params=params)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["tests_file"] == "shop-tests.yml"
    assert found["rules_file"] == "shop-tests.rules.yml"
    assert found["tests"] == tests.read_text(encoding="utf-8")
    assert found["rules"] == (tmp_path / "shop-tests.rules.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(found["tests"])["rule_files"] == ["shop-tests.rules.yml"]
    printed = result.stderr.splitlines()
    loaded = f"wrote {tmp_path / 'shop-tests.rules.yml'} ("
    first = next(i for i, line in enumerate(printed) if line.startswith(loaded))
    last = next(i for i, line in enumerate(printed) if line.startswith(f"wrote {tests};"))
    assert found["checks"] == printed[first + 1 : last]
    assert found["checks"]
    assert found["checks"][0].startswith("checkout-checkout-monthly: ")
    for bad in ("../x.yml", "a/b.yml", ".hidden.yml", ""):
        refused = shop.client.get(f"{V1}/rules/prometheus/tests", viewer, params={"file": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["message"].startswith("query.file: "), refused.text


def test_the_rules_of_many_slos_are_sent_in_pieces_as_the_command_writes_them(
    tmp_path: Path,
) -> None:
    """The answer is streamed (one objective's groups made and sent at a time, no length
    known up front), and is the command's text byte for byte."""
    workspace = write_rules_workspace(tmp_path / "ws", 30, files=3)
    settings = Settings(workspace=workspace, database_url=sqlite_url(workspace))
    engine = open_store(settings.database_url)
    viewer = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    messages = asyncio.run(
        _asgi_get(create_app(settings, clock=lambda: AT), "/api/v1/rules/prometheus", viewer)
    )
    start, *bodies = messages
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert "content-length" not in headers
    assert headers["content-type"] == "application/yaml; charset=utf-8"
    assert len(bodies) > 2 * 24  # the header, "groups:", two groups of each of 24 SLOs
    text = b"".join(m["body"] for m in bodies).decode()
    assert text == _cli("rules", "prometheus", "-w", str(workspace))


def test_the_tests_of_many_slos_are_sent_in_pieces_as_the_command_writes_them(
    tmp_path: Path,
) -> None:
    """``/rules/prometheus/tests`` is streamed too (one objective replayed and sent at a
    time): its JSON holds the command's two files byte for byte and the lines it prints."""
    workspace = write_rules_workspace(tmp_path / "ws", 15, files=3)
    settings = Settings(workspace=workspace, database_url=sqlite_url(workspace))
    engine = open_store(settings.database_url)
    viewer = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    path = "/api/v1/rules/prometheus/tests"  # the file saved as slo-tests.yml
    messages = asyncio.run(_asgi_get(create_app(settings, clock=lambda: AT), path, viewer))
    start, *bodies = messages
    assert start["status"] == 200
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert "content-length" not in headers
    assert headers["content-type"] == "application/json"
    assert len(bodies) > 3 * 12  # a piece of series per each of 12 SLOs with alert tiers
    found = json.loads(b"".join(m["body"] for m in bodies))
    out = tmp_path / "out"
    out.mkdir()
    printed = CliRunner().invoke(
        app,
        [
            "rules",
            "prometheus",
            "-w",
            str(workspace),
            "-o",
            str(out / "r.yml"),
            "--tests",
            str(out / "slo-tests.yml"),
        ],
    )
    assert printed.exit_code == 0, printed.output
    assert found["tests_file"] == "slo-tests.yml"
    assert found["rules_file"] == "slo-tests.rules.yml"
    assert found["tests"] == (out / "slo-tests.yml").read_text(encoding="utf-8")
    assert found["rules"] == (out / "slo-tests.rules.yml").read_text(encoding="utf-8")
    assert len(found["checks"]) == 12
    for line in found["checks"]:
        assert line in printed.stderr


async def _asgi_get(asgi: Any, path: str, token: str) -> list[dict[str, Any]]:
    """Every message the app sends for a GET (httpx would join the body's pieces)."""
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays until the answer ends
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    await asgi(scope, receive, send)
    return sent
