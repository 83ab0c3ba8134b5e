"""An oversized source file given to ``covenant import`` is refused without being read whole:
the size check of the YAML reader comes first, and the later look for template actions (which
turns a syntax error of a Helm template into a clearer message) must not read it either."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from covenant.definitions.yamlsource import MAX_BYTES
from covenant.services.import_sources import read_source

SIZE = 40 * MAX_BYTES  # a 40 MiB line, as a hostile or mistaken file would be


def test_an_oversized_source_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    source = tmp_path / "huge.yml"
    with source.open("w", encoding="utf-8") as out:
        out.write('version: "prometheus/v1"\nservice: x\nslos:\n  - name: "')
        out.write("x" * SIZE)
        out.write('"\n')
    tracemalloc.start()
    try:
        _, docs, problems = read_source(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert docs == []
    assert [p.code for p in problems] == ["yaml-too-large"]
    # the file is 40 MiB: reading it once as text would allocate at least that much
    assert peak < 4 * MAX_BYTES, f"peak {peak:,} bytes for a refused {SIZE:,}-byte file"
