"""tests.ports: the two xdist workers' slices never overlap and lie below the kernel's
ephemeral range; a process never hands out the same port twice, nor one that is bound."""

from __future__ import annotations

import socket

from tests import ports


def test_the_workers_slices_are_disjoint_and_below_the_ephemeral_range() -> None:
    first = ports.worker_ports("gw0", 2, 32768)
    second = ports.worker_ports("gw1", 2, 32768)
    assert (first.start, first.stop, second.start, second.stop) == (20000, 26384, 26384, 32768)
    assert ports.worker_ports("master", 1, 32768) == range(20000, 32768)
    assert ports.worker_ports("gw0", 1, 32768) == range(20000, 32768)


def test_free_ports_are_distinct_bindable_and_skip_a_bound_one() -> None:
    handed = [ports.free_port() for _ in range(5)]
    assert len(set(handed)) == 5
    for port in handed:
        assert port < ports._ephemeral_start()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # nobody holds it
    upcoming = ports._PORTS[ports._next % len(ports._PORTS)]  # the next one in the slice
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", upcoming))
            taken.listen()
        except OSError:
            pass  # bound elsewhere already: to be skipped all the same
        assert ports.free_port() != upcoming
