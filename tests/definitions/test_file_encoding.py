"""A definition file that is not UTF-8 names the encoding problem, its line and the way to fix
it (not Python's "'utf-8' codec can't decode byte 0xff in position 0")."""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.workspace import analyse

SERVICE = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: cafe}\nspec: {}\n"


def test_a_utf16_file_is_named_as_utf16_with_the_iconv_that_fixes_it(tmp_path: Path) -> None:
    path = tmp_path / "services.yaml"
    path.write_bytes(SERVICE.encode("utf-16"))  # with its byte-order mark, as editors write it
    _, problems = analyse([path])
    (problem,) = problems
    assert (problem.code, problem.where) == ("unreadable-file", f"{path}:1")
    assert (
        problem.message == f"{path} is not UTF-8: it is UTF-16 (it starts with a byte-order mark)"
    )
    assert (
        problem.fix == "save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 services.yaml > fixed.yaml)"
    )


def test_a_latin1_byte_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "services.yaml"
    path.write_bytes(SERVICE.replace("cafe", "caf\xe9").encode("latin-1"))
    _, problems = analyse([path])
    (problem,) = problems
    assert problem.where == f"{path}:3"  # metadata's line
    assert problem.message == f"{path} is not UTF-8: byte 0xe9 on line 3 is not UTF-8 text"
