"""Peak memory and wall time of ``covenant rules prometheus`` on many SLOs, this tree against
an earlier revision in the same run.

    .venv/bin/python benchmarks/rules_memory.py                         # 500 and 5,000 SLOs
    .venv/bin/python benchmarks/rules_memory.py --slos 500 --slos 20000 --baseline main~3
    .venv/bin/python benchmarks/rules_memory.py --run tests --slos 2000 --baseline f8a3f21

The workspace is ``tests/rules_workspace.py``'s (the streaming tests write the same one): SLOs
of five kinds (rolling, calendar month in a DST zone, histogram latency, bad-events per week,
and a Timeslices SLO that gets no rules) in 10 files. Each command runs as a process of its
own (``python -m covenant rules prometheus -w WS -o FILE``); its peak resident set size is
the child's own ``ru_maxrss`` (``os.wait4``), its time the wall clock around it; the
``tests`` run (its file's size shown) also writes the promtool unit tests (``--tests
FILE``, replaying each SLO). The baseline is ``git archive``'d from ``--baseline`` (default
``5e95961``, the last revision that built the whole file in memory before writing it) into a
temporary folder. Both trees' files are compared byte for byte before a figure is printed. Figures:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.rules_workspace import write_rules_workspace  # noqa: E402

WHOLE_FILE = "5e95961"  # main before `rules prometheus` streamed (stop 34)
RUNS = {"rules": [], "--level 2": ["--level", "2"], "tests": ["--tests", "{tests}"]}


def measure(src: Path, workspace: Path, out: Path, args: list[str]) -> tuple[float, float]:
    """``(peak RSS in MB, seconds)`` of one command in a child process."""
    env = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, "-m", "covenant", "rules", "prometheus", "-w", str(workspace)]
    with tempfile.TemporaryFile() as errors:  # a pipe would fill up (a line per skipped SLO)
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [*command, "-o", str(out), *args], env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            said = errors.read().decode()[-500:]
            raise SystemExit(f"{src}: exit {child.returncode}: {said}")
    return usage.ru_maxrss / 1024, took  # ru_maxrss is in KiB on Linux


def baseline_tree(revision: str, into: Path) -> Path:
    """``src/`` of ``revision`` in ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, action="append", help="SLOs (repeatable)")
    parser.add_argument(
        "--baseline",
        default=WHOLE_FILE,
        help="the git revision to compare with (default: the last that built the file whole)",
    )
    parser.add_argument(
        "--run", action="append", choices=list(RUNS), help="only these runs (repeatable)"
    )
    args = parser.parse_args()
    runs = {run: RUNS[run] for run in args.run or RUNS}
    sizes = args.slos or [500, 5000]
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}; {load}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        trees = [("before", baseline_tree(args.baseline, folder)), ("after", ROOT / "src")]
        print(f"before: {args.baseline}; after: {ROOT}")
        for n in sizes:
            workspace = write_rules_workspace(folder / f"ws-{n}", n, files=10)
            for run, extra in runs.items():
                figures = []
                for label, src in trees:
                    (folder / label).mkdir(exist_ok=True)  # the same names: tests name rules
                    out = folder / label / f"{n}.yml"
                    tests = str(folder / label / f"{n}-tests.yml")
                    args_ = [tests if a == "{tests}" else a for a in extra]
                    peak, took = measure(src, workspace, out, args_)
                    figures.append(f"{label} {took:6.1f} s {peak:6.0f} MB")
                names = [f"{n}.yml"] + (
                    [f"{n}-tests.yml", f"{n}-tests.rules.yml"] if "{tests}" in extra else []
                )
                for name in names:
                    before, after = (folder / label / name for label, _ in trees)
                    if not filecmp.cmp(before, after, shallow=False):
                        raise SystemExit(f"{n} SLOs, {run}: the two trees wrote different {name}")
                shown = names[1] if len(names) > 1 else names[0]  # the tests, or the rules
                size = (folder / "after" / shown).stat().st_size / 1e6
                print(f"{n:6,} SLOs {run:10s} ({size:5.0f} MB, same bytes): " + " | ".join(figures))


if __name__ == "__main__":
    main()
