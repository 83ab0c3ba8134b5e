"""Loopback ports for the servers the tests start (Prometheus, Alertmanager, `covenant serve`,
the app under uvicorn).

A port found by binding port 0 and closing the socket is free only until someone binds it,
and the kernel hands out that same range (``ip_local_port_range``) to every outgoing
connection and to the other pytest-xdist worker's port-0 binds. The server started a moment
later (for ``make run``, a minute later) could then find its port taken, or a readiness probe
reach another test's server. The ports handed out here lie below the kernel's ephemeral
range, so no outgoing connection takes one; each xdist worker has a slice of its own, so the
two workers never share one; each is checked free by binding it, and a process never hands
the same one out twice (until its slice wraps round). Sessions run side by side outside xdist
start at random places in the range and skip the ports the other has bound.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

LOW = 20000  # above the well-known and registered service ports a machine is likely to use
EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def worker_ports(worker: str, count: int, high: int) -> range:
    """The slice of ``[LOW, high)`` of xdist worker ``worker`` (``gw0`` …) of ``count``; the
    whole range outside xdist."""
    if not worker.startswith("gw") or count < 2:
        return range(LOW, high)
    size = (high - LOW) // count
    start = LOW + int(worker.removeprefix("gw")) * size
    return range(start, start + size)


_PORTS = worker_ports(
    os.environ.get("PYTEST_XDIST_WORKER", ""),
    int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1),
    max(_ephemeral_start(), LOW + 1000),
)
_next = random.randrange(len(_PORTS))  # apart from another session, not secret


def free_port() -> int:
    """A loopback port nobody has bound, for a server about to start."""
    global _next  # noqa: PLW0603  # the process's place in its slice
    for _ in range(len(_PORTS)):
        port = _PORTS[_next % len(_PORTS)]
        _next += 1
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # bound (or closing) elsewhere
        return port
    raise RuntimeError(f"no free loopback port in {_PORTS.start}–{_PORTS.stop - 1}")
