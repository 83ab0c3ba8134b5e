"""`covenant token create` (and `user create`) in a folder that is no workspace — no definition
file, no store — used to create `.covenant/covenant.db` there and print a token that no server
knows (the server reads the store of the workspace it serves). Now it refuses, naming the
folder and the fix, and writes nothing. A workspace without a store yet (`covenant init`, then
a token before the first `serve`) and a shared store (`COVENANT_DATABASE_URL`) still get one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def covenant(
    *args: str, cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "300", "COVENANT_HELP_CACHE": "0", **env}
    if "COVENANT_DATABASE_URL" not in env:
        full.pop("COVENANT_DATABASE_URL", None)
    full.pop("COVENANT_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )


def test_token_create_in_a_folder_that_is_no_workspace_refuses(tmp_path: Path) -> None:
    done = covenant("token", "create", "--role", "admin", cwd=tmp_path)
    assert done.returncode == 2, done
    assert done.stdout == ""  # no token printed
    err = " ".join(done.stderr.split())
    assert "is not a Covenant workspace" in err, err
    assert str(tmp_path) in err, err
    assert "-w DIR" in err, err
    assert "covenant init DIR" in err, err
    assert "run: covenant explain invalid-workspace-option" in err, err
    assert not (tmp_path / ".covenant").exists()  # nothing was written


def test_user_create_in_a_folder_that_is_no_workspace_refuses(tmp_path: Path) -> None:
    done = covenant(
        "user", "create", "ann", "--role", "editor", "--password-stdin",
        cwd=tmp_path, stdin="a-long-enough-password\n",
    )  # fmt: skip
    assert done.returncode == 2, done
    assert "is not a Covenant workspace" in " ".join(done.stderr.split())
    assert not (tmp_path / ".covenant").exists()


def test_a_new_workspace_without_a_store_gets_a_token(tmp_path: Path) -> None:
    (tmp_path / "slos.yaml").write_text("# definitions to come\n", encoding="utf-8")
    done = covenant("token", "create", "--role", "viewer", cwd=tmp_path)
    assert done.returncode == 0, done
    assert done.stdout.startswith("cvt_")
    assert (tmp_path / ".covenant" / "covenant.db").is_file()


def test_a_shared_store_gets_a_token_whatever_the_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    folder = tmp_path / "anywhere"
    folder.mkdir()
    done = covenant("token", "create", "--role", "viewer", cwd=folder, COVENANT_DATABASE_URL=url)
    assert done.returncode == 0, done
    assert (tmp_path / "shared.db").is_file()
    assert not (folder / ".covenant").exists()
