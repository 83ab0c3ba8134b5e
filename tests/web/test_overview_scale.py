"""The overview with 500 SLOs: every one counted, 100 rows a page, filters by service, label and
status and the sort order computed here from the definitions written, not from the page."""

from __future__ import annotations

import re

import pytest

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.users import create_user
from tests.api.served import DEFINITIONS
from tests.api.support import AT
from tests.web.pages import Browser
from tests.web.served import PASSWORD

COUNT = 500
SERVICES = [f"svc-{i}" for i in range(10)]
TEAMS = ["red", "green", "blue", "amber"]
SLO = """\
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: slo-{i:03d}
  labels: {{team: {team}}}
spec:
  service: {service}
  indicatorRef: api-availability
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""
ROW = re.compile(r'<a href="/ui/slos/([^"]+)">')


def _slo(i: int) -> tuple[str, str, str]:
    return f"slo-{i:03d}", SERVICES[i * 7 % 10], TEAMS[i % 4]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    workspace = tmp_path_factory.mktemp("many") / "ws"
    workspace.mkdir()
    services = "".join(
        f"---\napiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: {s}\nspec: {{}}\n"
        for s in SERVICES
    )
    slos = "".join(SLO.format(i=i, service=_slo(i)[1], team=_slo(i)[2]) for i in range(COUNT))
    (workspace / "defs.yaml").write_text(DEFINITIONS + services + slos)
    settings = Settings(workspace=workspace, database_url=sqlite_url(workspace))
    engine = open_store(settings.database_url)
    create_user(
        engine, name="vic", password=PASSWORD, role="viewer", customer=None, customers=[], at=AT
    )
    engine.dispose()
    made = Browser(create_app(settings, clock=lambda: AT))
    made.sign_in("vic")
    return made


def test_500_slos_are_paged_100_at_a_time(browser: Browser) -> None:
    first = browser.get("/ui/overview?sort=name").text
    assert "501 of 501 objectives shown, page 1 of 6" in first  # 500 + api-availability
    names = ROW.findall(first)
    assert len(names) == 100
    assert names == sorted(names)
    last = browser.get("/ui/overview?sort=name&page=6").text
    assert len(ROW.findall(last)) == 1
    every = [
        n
        for p in range(1, 7)
        for n in ROW.findall(browser.get(f"/ui/overview?sort=name&page={p}").text)
    ]
    assert every == ["api-availability"] + [_slo(i)[0] for i in range(COUNT)]


def test_filters_by_service_label_and_status(browser: Browser) -> None:
    expected = [_slo(i)[0] for i in range(COUNT) if _slo(i)[1] == "svc-3" and _slo(i)[2] == "blue"]
    page = browser.get("/ui/overview?service=svc-3&label=team%3Dblue&sort=name").text
    assert ROW.findall(page) == expected
    descending = browser.get("/ui/overview?service=svc-3&label=team%3Dblue&sort=name&order=desc")
    assert ROW.findall(descending.text) == expected[::-1]
    # nothing was ingested: every objective has no data, none is ok
    assert "0 of 501 objectives shown" in browser.get("/ui/overview?status=ok").text
    assert "501 of 501" in browser.get("/ui/overview?status=no_data").text
