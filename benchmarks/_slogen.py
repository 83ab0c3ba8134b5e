"""What the benchmarks against slo-generator 2.6.0 share: its install, the windows both sides
report for the default tiers, and reading each side's (good, bad) counts per (SLO, window)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from covenant.core.model import DAY

DATA = Path(__file__).resolve().parent / ".data"

WINDOW = 30 * DAY
TARGETS = ["0.99", "0.995", "0.999", "0.9995"]
STEPS = [  # (name, seconds): every window Covenant reports for the default tiers
    ("30d", WINDOW),
    ("3d", 3 * DAY),
    ("1d", DAY),
    ("6h", 6 * 3600),
    ("2h", 2 * 3600),
    ("1h", 3600),
    ("30m", 1800),
    ("5m", 300),
]
# slo-generator's report line; a -1 is its NO_DATA sentinel leaking into the counts
LINE = re.compile(
    r"INFO - (?P<name>\S+)\s*\| (?P<step>\S+)\s*\| SLI: (?P<sli>[\d.]+)\s*%.*"
    r"Good: (?P<good>-?\d+)\s*\| Bad: (?P<bad>-?\d+)"
)


def slogen_bin(venv_name: str, packages: list[str]) -> Path:
    """slo-generator in a virtualenv of its own (its dependencies never touch ours)."""
    venv = DATA / venv_name
    exe = venv / "bin" / "slo-generator"
    if not exe.exists():
        print(f"installing {' '.join(packages)} into {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *packages], check=True)
    return exe


def covenant_counts(output: str) -> dict[tuple[str, int], tuple[int, int]]:
    """(SLO, window seconds) → (good, bad) from `covenant evaluate --format json`: the 30-day
    counts as reported, every alert window's from its exact burn rate and event count."""
    found = {}
    for r in json.loads(output)["results"]:
        target = Fraction(r["target"]["exact"])
        found[(r["slo"], WINDOW)] = (r["good"], r["total"] - r["good"])
        for w in [r["burn_rate"]] + [w for a in r["alerts"] for w in (a["long"], a["short"])]:
            if w["rate"]["exact"] is None:  # no events in the window: nothing to count
                assert w["events"] == 0, w
                found[(r["slo"], w["window_seconds"])] = (0, 0)
                continue
            bad = Fraction(w["rate"]["exact"]) * w["events"] * (1 - target)
            assert bad.denominator == 1
            found[(r["slo"], w["window_seconds"])] = (w["events"] - int(bad), int(bad))
    return found


def slogen_counts(output: str) -> dict[tuple[str, int], tuple[int, int, float]]:
    """(SLO, window seconds) → (good, bad, SLI %) from slo-generator's report lines."""
    seconds = dict(STEPS)
    found = {}
    for line in output.splitlines():
        m = LINE.search(line)
        if m:
            found[(m["name"], seconds[m["step"]])] = (
                int(m["good"]),
                int(m["bad"]),
                float(m["sli"]),
            )
    return found
