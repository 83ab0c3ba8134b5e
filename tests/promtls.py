"""A Prometheus behind TLS with a private CA and basic auth, as many are run: Prometheus's own
``--web.config.file`` with a certificate from ``trustme`` and a password hash from ``bcrypt``.
Shared by the DataSource TLS tests (tests/sources/test_prometheus_tls.py) and the import's
``--split-groups`` through the workspace's DataSource
(tests/services/test_import_split_datasource.py)."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Callable
from pathlib import Path

import bcrypt
import trustme

from tests.promserver import Server, WebAccess

USER, PASSWORD = "covenant", "s3cret pass"


def start_secured(
    folder: Path, prometheus: Callable[..., Server], *, openmetrics: str
) -> tuple[Server, Path]:
    """Prometheus (the ``prometheus`` fixture's starter) on https with a certificate of a
    private CA, basic auth (USER, PASSWORD) required, ``openmetrics`` backfilled; and the CA's
    PEM file (written under ``folder``)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    folder.mkdir(parents=True)
    cert.cert_chain_pems[0].write_to_path(str(folder / "server.pem"))
    cert.private_key_pem.write_to_path(str(folder / "server.key"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    context = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    web = WebAccess(
        config={
            "tls_server_config": {
                "cert_file": str(folder / "server.pem"),
                "key_file": str(folder / "server.key"),
            },
            "basic_auth_users": {USER: hashed},
        },
        context=context,
        headers={"Authorization": f"Basic {token}"},
    )
    server = prometheus(openmetrics=openmetrics, web=web)
    assert server.url.startswith("https://")
    return server, folder / "ca.pem"
