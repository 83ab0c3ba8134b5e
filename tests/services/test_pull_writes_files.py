"""``agreements pull`` (and the corrections' and maintenance windows' pulls, which share its
writer) replace one document of a workspace file with the general kill-safe writer
(``covenant.files_replaced``): the file keeps its permissions, a file made read-only is refused
with the file named and left as it was, and no temporary file is left beside it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from covenant.errors import InputError
from covenant.services.agreement_pull import write_document

KEPT = "apiVersion: covenant.dev/v1\nkind: Calendar\nmetadata: {name: hours}\n"
OLD = "apiVersion: covenant.dev/v1\nkind: Agreement\nmetadata: {name: acme}\nspec: {old: 1}\n"
NEW = "apiVersion: covenant.dev/v1\nkind: Agreement\nmetadata: {name: acme}\nspec: {new: 2}\n"


def _file(folder: Path, mode: int) -> Path:
    path = folder / "acme.yaml"
    path.write_text(KEPT + "---\n" + OLD, encoding="utf-8")
    path.chmod(mode)
    return path


def test_a_pulled_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = _file(tmp_path, 0o640)
    write_document(path, "Agreement", "acme", NEW)
    assert path.read_text(encoding="utf-8") == KEPT + "---\n" + NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["acme.yaml"]


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    """Refused even for root (who may write anywhere): the file was made read-only on purpose."""
    path = _file(tmp_path, 0o444)
    with pytest.raises(InputError) as raised:
        write_document(path, "Agreement", "acme", NEW)
    assert str(path) in raised.value.message
    assert "Permission denied" in raised.value.message
    assert "chmod u+w" in (raised.value.hint or "")
    assert path.read_text(encoding="utf-8") == KEPT + "---\n" + OLD
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["acme.yaml"]
