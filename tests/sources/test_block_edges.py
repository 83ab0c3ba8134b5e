"""A file read in blocks much smaller than its records gives the same counts and line numbers as
one read whole: plain files (each block read from where the last one ended), gzipped ones (the
part record carried over), a record longer than a block, and day chunks met in a new order in
every batch."""

from __future__ import annotations

import gzip
import random
from collections import Counter
from pathlib import Path

import pytest

from covenant.core.model import EventRule
from covenant.sources.events import read_events

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
SLIS = ("checkout", "search", "a" * 300)  # the third name is longer than a block
RULES = [EventRule(series=f"s-{i}", sli=name) for i, name in enumerate(SLIS)]


def stamp(second: int) -> str:
    day, rest = divmod(second, 86400)
    hour, rest = divmod(rest, 3600)
    return f"2026-01-{day + 1:02d}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["events.csv", "events.csv.gz"])
@pytest.mark.parametrize("block_bytes", [40, 97, 1 << 22])
def test_small_blocks_count_and_place_every_row(
    tmp_path: Path, name: str, block_bytes: int
) -> None:
    rng = random.Random(16)
    lines = ["timestamp,sli,status"]
    expected: Counter[tuple[str, int, bool]] = Counter()
    bad_lines = []
    for _ in range(400):
        second = rng.randrange(0, 5 * 86400)  # five days, shuffled: chunks in a new order
        sli = rng.randrange(len(SLIS))
        status = rng.choice((200, 200, 404, 503))
        if rng.random() < 0.03:
            lines.append(f"{stamp(second)},{SLIS[sli]},20O")  # a letter O: a bad status
            bad_lines.append(len(lines))  # its 1-based line number
            continue
        lines.append(f"{stamp(second)},{SLIS[sli]},{status}")
        expected[(f"s-{sli}", T0 + second // 60 * 60, status < 500)] += 1
    assert bad_lines  # the seed gives some
    path = write(tmp_path, name, "\n".join(lines) + "\n")

    result = read_events(path, rules=RULES, block_bytes=block_bytes)

    counts = result.counts
    found: Counter[tuple[str, int, bool]] = Counter()
    for series, start, good, total in zip(
        counts.series.tolist(),
        counts.bucket_starts.tolist(),
        counts.good.tolist(),
        counts.total.tolist(),
        strict=True,
    ):
        key = counts.keys[series]
        found[(key, start, True)] += good
        found[(key, start, False)] += total - good
    assert +found == expected
    assert result.rows_ingested == 400 - len(bad_lines)
    assert [p.where for p in result.problems] == [f"{name}:{n}" for n in bad_lines]
