"""``POST /imports/{tool}``: a preview, read-only, so it answers what would change instead of
refusing: a file an earlier import of the same ``filename`` wrote is recognised by its first
line and reported replaced (``"change": "replaces"``, or ``"unchanged"`` when it holds what
would be written), with a summary saying whether anything changes and that applying it needs
``force``; a file of another source or of the workspace's own is never taken."""

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


def test_an_earlier_import_of_the_same_file_is_previewed_as_replaced_not_refused(
    shop: Shop,
) -> None:
    first = _post(shop, PYRRA.format(target="99"), filename="basket-a.yaml")
    assert first.status_code == 200, first.text
    (found,) = first.json()["files"]
    assert (found["replaces"], found["change"]) == (False, "new")
    assert first.json()["summary"] == "would write 1 new file: pyrra-basket-a.yaml"
    assert first.json()["needsForce"] is False
    target = _commit(shop, first)
    assert target.name == "pyrra-basket-a.yaml"
    before = target.read_bytes()

    # the same definitions again: a preview answers that nothing changes
    same = _post(shop, PYRRA.format(target="99"), filename="basket-a.yaml")
    assert same.status_code == 200, same.text
    (found,) = same.json()["files"]
    assert (found["target"], found["replaces"], found["change"]) == (
        "pyrra-basket-a.yaml",
        True,
        "unchanged",
    )
    assert same.json()["summary"] == (
        "nothing changes: pyrra-basket-a.yaml holds what this import would write"
    )
    assert same.json()["needsForce"] is False

    # a fixed file: it would replace the earlier import's file (the Service basket and the SLO
    # basket-errors it wrote — the workspace's DataSource was reused: 2 documents), and says
    # how to apply it
    again = _post(shop, PYRRA.format(target="99.5"), filename="basket-a.yaml")
    assert again.status_code == 200, again.text
    report = again.json()
    (found,) = report["files"]
    assert (found["target"], found["replaces"], found["change"]) == (
        "pyrra-basket-a.yaml",
        True,
        "replaces",
    )
    assert "target: 0.995" in found["documents"]
    assert report["summary"] == (
        "would replace 2 documents in 1 file an earlier import wrote (pyrra-basket-a.yaml); "
        "pass force=true to apply"
    )
    assert report["needsForce"] is True
    assert str(shop.workspace) not in again.text  # the file is named in the workspace
    forced = _post(shop, PYRRA.format(target="99.5"), filename="basket-a.yaml", force="true")
    assert forced.status_code == 200, forced.text
    assert forced.json()["files"] == report["files"]
    assert forced.json()["needsForce"] is False  # given
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
