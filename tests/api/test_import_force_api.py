"""``POST /imports/{tool}?force=``: a file an earlier import of the same ``filename`` wrote is
recognised by its first line and refused unless ``force`` (worded for the API, never as the
command's ``--force``); a file of another source or of the workspace's own is never taken."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.api.support import Shop

V1 = "/api/v1"
# small hand-written sources (docs/import.md): a Pyrra ratio SLO, before and after a fix
PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: basket-errors
  namespace: basket
spec:
  target: "{target}"
  window: 2w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{job="basket",code=~"5.."}}
      total:
        metric: http_requests_total{{job="basket"}}
"""


def _post(shop: Shop, body: str, **params: str) -> httpx.Response:
    return shop.client.request(
        "POST",
        f"{V1}/imports/pyrra",
        shop.tokens["viewer"],
        params=params,
        content=body.encode(),
        headers={"Content-Type": "application/yaml"},
    )


def _commit(shop: Shop, answer: httpx.Response) -> Path:
    """What a user does with the answer: the documents saved in the workspace."""
    (found,) = answer.json()["files"]
    target = shop.workspace / found["target"]
    target.write_text(found["documents"], encoding="utf-8")
    return target


def test_an_earlier_import_of_the_same_file_is_refused_then_replaced_with_force(
    shop: Shop,
) -> None:
    first = _post(shop, PYRRA.format(target="99"), filename="basket-a.yaml")
    assert first.status_code == 200, first.text
    assert first.json()["files"][0]["replaces"] is False
    target = _commit(shop, first)
    assert target.name == "pyrra-basket-a.yaml"
    before = target.read_bytes()
    again = _post(shop, PYRRA.format(target="99.5"), filename="basket-a.yaml")
    assert again.status_code == 400, again.text
    refused = again.json()
    assert refused["code"] == "import-file-exists"
    assert refused["message"].startswith("pyrra-basket-a.yaml exists already")
    assert str(shop.workspace) not in again.text  # the file is named in the workspace
    assert refused["hint"] == (
        "send force=true to replace it, or send the file under another filename"
    )
    assert "--" not in refused["hint"]  # not the command's option
    forced = _post(shop, PYRRA.format(target="99.5"), filename="basket-a.yaml", force="true")
    assert forced.status_code == 200, forced.text
    (found,) = forced.json()["files"]
    assert (found["target"], found["replaces"]) == ("pyrra-basket-a.yaml", True)
    assert "target: 0.995" in found["documents"]
    assert "target: 0.99\n" in before.decode()
    assert target.read_bytes() == before  # a preview writes nothing


def test_a_file_of_another_source_or_the_users_own_is_never_replaced(shop: Shop) -> None:
    own = shop.workspace / "pyrra-basket-b.yaml"
    own.write_text("# my notes, not an import\n", encoding="utf-8")
    other = shop.workspace / "pyrra-basket-c.yaml"
    other.write_text(
        "# Imported by `covenant import pyrra` from ../elsewhere/basket-c.yaml\n",
        encoding="utf-8",
    )
    for name, taken in (("basket-b.yaml", own), ("basket-c.yaml", other)):
        kept = taken.read_bytes()
        answer = _post(shop, PYRRA.format(target="99"), filename=name, force="true")
        assert answer.status_code == 200, answer.text
        (found,) = answer.json()["files"]
        assert found["target"] == f"{taken.stem}-2.yaml"
        assert found["replaces"] is False
        assert taken.read_bytes() == kept
