"""A file an import would write that the workspace could not read (more values than a
definition file may hold: ``yaml-too-large``) refuses the import, as any other error in a new
file does. Before, it was only a warning: ``covenant import sloth`` of a 1,000-SLO Sloth file
said "imported" and wrote a file after which every command of the workspace failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.yamlsource import MAX_NODES
from covenant.errors import DefinitionError
from covenant.services.import_check import check_with_workspace


def test_a_new_file_too_large_to_read_refuses_the_import(tmp_path: Path) -> None:
    target = tmp_path / "sloth-big.yaml"
    # one mapping with more keys than a definition file may hold values
    text = "".join(f"k{i}: {i}\n" for i in range(MAX_NODES + 1))
    assert len(text.encode()) < 1 << 20  # under the byte bound: the value count refuses it
    with pytest.raises(DefinitionError) as raised:
        check_with_workspace([(target, text)], [], into=tmp_path)
    assert [p.code for p in raised.value.problems] == ["yaml-too-large"]
    (problem,) = raised.value.problems
    assert problem.where.startswith(str(target))
    # the file is the import's: the fix is to split the source, not "the definitions"
    assert problem.fix == (
        "split its source file into smaller ones: the import writes one workspace file per "
        "source file"
    )
