"""Peak memory of an event ingest, as a separate process, against the file's size.

    .venv/bin/python benchmarks/ingest_memory.py                      # 10 M and 50 M events
    .venv/bin/python benchmarks/ingest_memory.py --events 2000000 --events 10000000
    .venv/bin/python benchmarks/ingest_memory.py --baseline-src /tmp/old/src   # an older tree

Each size is written once as a CSV in a temporary folder (``--tmp``, default the system's; a
50 M-event file is about 2 GB: check ``df -h /tmp``) and removed afterwards. The ingest runs in
a child process (``ingest_event_files`` into a fresh SQLite store); its peak resident set size
is its own ``VmHWM`` (see ``measure``). ``--baseline-src`` runs the same child on another
source tree (e.g. a ``git archive`` of an older commit) for a before/after figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gen

CHILD = """
import sys, time
from pathlib import Path
from covenant.core.model import EventRule
from covenant.services.ingest import ingest_event_files, open_store
names = [f"svc{i:02d}" for i in range(50)]
rules = [EventRule(series=f"{n}-availability", sli=n) for n in names]
engine = open_store(f"sqlite:///{sys.argv[2]}/covenant.db")
t0 = time.perf_counter()
(report,) = ingest_event_files(engine, files=[Path(sys.argv[1])], rules=rules)
took = time.perf_counter() - t0
engine.dispose()
status = Path("/proc/self/status").read_text().splitlines()
hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"{hwm} {took:.2f} {report.rows_ingested} {report.rows_rejected}")
"""


def write_csv(path: Path, n_events: int, *, piece: int = 5_000_000) -> None:
    """The benchmark's events (``_gen.event_table``), written piece by piece as ISO-8601 CSV."""
    with path.open("wb") as sink:
        sink.write(b"timestamp,sli,status,latency_ms\n")
        done = 0
        seed = 0
        while done < n_events:
            size = min(piece, n_events - done)
            table = _gen.event_table(size, seed=100 + seed)
            iso = pc.binary_join_element_wise(
                pc.strftime(table.column("timestamp"), format="%Y-%m-%dT%H:%M:%S"), "Z", ""
            )
            pa_csv.write_csv(
                table.set_column(0, "timestamp", iso),
                sink,
                write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"),
            )
            done += size
            seed += 1


def measure(path: Path, src: str | None) -> tuple[float, int, str]:
    """``(peak RSS in MB, exit status, child's output)`` of one ingest in a child process.

    The peak is the child's own high-water mark (``VmHWM``, counted from its ``exec``), which
    it prints itself. ``wait4``'s ``ru_maxrss`` is not used: Linux carries the parent's peak
    into a child it spawns, so it read the benchmark's own peak (the generated events) when that
    was the larger one.
    """
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory() as store:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), store],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        _, status, _usage = os.wait4(child.pid, 0)
        out = (child.stdout.read() if child.stdout else b"").decode().strip()
        err = (child.stderr.read() if child.stderr else b"").decode().strip()
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not out:
        return float("nan"), child.returncode, err[-300:]
    hwm_kb, rest = out.split(" ", 1)
    return int(hwm_kb) / 1024, child.returncode, rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append")
    parser.add_argument("--tmp", default=None, help="folder for the generated CSV")
    parser.add_argument("--baseline-src", default=None, help="an older src/ to compare with")
    args = parser.parse_args()
    sizes = args.events or [10_000_000, 50_000_000]
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
            path = Path(folder) / f"events-{n}.csv"
            t0 = time.perf_counter()
            write_csv(path, n)
            size = path.stat().st_size
            took = time.perf_counter() - t0
            print(f"{n:,} events: {size / 1e9:.2f} GB csv (written in {took:.0f} s)")
            runs = [("covenant", None)]
            if args.baseline_src:
                runs.append(("baseline", args.baseline_src))
            for label, src in runs:
                peak, code, out = measure(path, src)
                print(
                    f"  {label:8s} peak RSS {peak:7.0f} MB ({peak * 1e6 / size:4.2f}× the file)"
                    f" exit {code}; seconds/ingested/rejected: {out}"
                )


if __name__ == "__main__":
    main()
