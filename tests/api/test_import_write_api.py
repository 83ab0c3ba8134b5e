"""``POST /imports/{tool}/write``: the import the preview (``POST /imports/{tool}``) shows,
written into the served workspace as `covenant import TOOL` and the import page's "Write"
write it — editors and admins only, audited under the token, all or nothing; a file an
earlier import of the same ``filename`` wrote is replaced only with ``force``."""

from __future__ import annotations

import httpx

from tests.api.support import Shop

V1 = "/api/v1"
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


def _post(shop: Shop, path: str, body: str, role: str = "editor", **params: str) -> httpx.Response:
    return shop.client.request(
        "POST",
        f"{V1}/imports/pyrra{path}",
        shop.tokens[role],
        params={"filename": "basket-w.yaml", **params},
        content=body.encode(),
        headers={"Content-Type": "application/yaml"},
    )


def test_the_preview_written_into_the_workspace(shop: Shop) -> None:
    target = shop.workspace / "pyrra-basket-w.yaml"
    assert _post(shop, "/write", PYRRA.format(target="99"), role="viewer").status_code == 403
    assert not target.exists()

    preview = _post(shop, "", PYRRA.format(target="99"))
    assert preview.status_code == 200, preview.text
    (planned,) = preview.json()["files"]
    written = _post(shop, "/write", PYRRA.format(target="99"))
    assert written.status_code == 201, written.text
    assert written.json()["written"] == ["pyrra-basket-w.yaml"]
    assert target.read_text(encoding="utf-8") == planned["documents"]
    # the server reads it at once: the imported SLO is served
    assert shop.client.get(f"{V1}/slos/basket-errors", shop.tokens["viewer"]).status_code == 200

    me = shop.client.get(f"{V1}/me", shop.tokens["editor"]).json()
    audit = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params={"action": "imported"})
    (row,) = audit.json()["items"]
    assert (row["actor"], row["entity_kind"], row["entity_id"]) == (
        f"token:{me['token']}",
        "workspace-file",
        "pyrra-basket-w.yaml",
    )

    # again, changed: replaced only with force
    before = target.read_bytes()
    refused = _post(shop, "/write", PYRRA.format(target="99.5"))
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "import-file-exists"
    assert target.read_bytes() == before
    shown = _post(shop, "", PYRRA.format(target="99.5"), force="true").json()["files"][0]
    forced = _post(shop, "/write", PYRRA.format(target="99.5"), force="true")
    assert forced.status_code == 201, forced.text
    assert target.read_text(encoding="utf-8") == shown["documents"] != before.decode()


def test_a_file_with_problems_writes_nothing(shop: Shop) -> None:
    files = sorted(p.name for p in shop.workspace.iterdir())
    answer = _post(shop, "/write", "apiVersion: sloth.slok.dev/v1\nkind: Nope\n", filename="x.yml")
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid-input"
    assert sorted(p.name for p in shop.workspace.iterdir()) == files
