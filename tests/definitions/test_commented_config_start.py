"""A file with no document whose config is commented out is told where that config starts
(stop 44). A licence header of ``# SPDX-…: …`` lines reads as ``# key: value`` too; it is
prose, not the config. The message no longer says "every line is a comment" of a file with
blank or ``---`` lines, and the fix names the prefix the file really has."""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import plan_import

HEADER = "# SPDX-FileCopyrightText: 2024 Example Ltd\n# SPDX-License-Identifier: Apache-2.0\n"


def problem_of(tmp_path: Path, text: str) -> tuple[str, str, str]:
    path = tmp_path / "slo.yaml"
    path.write_text(text, encoding="utf-8")
    (problem,) = plan_import("slo-generator", [path], into=tmp_path / "ws").problems
    where = problem.where.removeprefix(f"{path}")
    return where, problem.message.removeprefix(f"{path} "), problem.fix


def test_an_spdx_header_is_prose_the_config_starts_at_api_version(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + "# apiVersion: sre.google.com/v2\n"  # line 4
        + "# kind: ServiceLevelObjective\n"
        + "# metadata:\n"
        + "#   name: app-availability\n"
    )
    where, message, fix = problem_of(tmp_path, text)
    assert where == ":4"
    assert message == (
        "holds no document, only comments, and from line 4 "
        "('# apiVersion: sre.google.com/v2') they hold a config commented out"
    )
    assert fix == (
        "uncomment the config (remove the '# ' before each of its lines) to import it, or "
        "leave the file out"
    )


def test_a_copyright_line_right_above_the_config_is_not_its_start(tmp_path: Path) -> None:
    text = "# Copyright: 2024 Example Ltd\n# service_name: app\n# feature_name: api\n"
    where, _, _ = problem_of(tmp_path, text)
    assert where == ":2"


def test_the_fix_names_the_prefix_the_file_has(tmp_path: Path) -> None:
    text = "---\n#apiVersion: sre.google.com/v2\n#kind: ServiceLevelObjective\n"
    where, message, fix = problem_of(tmp_path, text)
    assert where == ":2"
    assert message.startswith("holds no document, only comments, and from line 2 ")
    assert fix == (
        "uncomment the config (remove the '#' before each of its lines) to import it, or "
        "leave the file out"
    )


def test_an_spdx_header_alone_is_no_config(tmp_path: Path) -> None:
    where, message, _ = problem_of(tmp_path, HEADER)
    assert (where, message) == ("", "holds no document")


def test_a_todo_right_above_the_config_is_not_its_start(tmp_path: Path) -> None:
    text = "# TODO: enable once the metric exists\n# apiVersion: openslo/v1\n# kind: SLO\n"
    where, _, _ = problem_of(tmp_path, text)
    assert where == ":2"
