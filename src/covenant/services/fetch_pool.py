"""The thread pool a read's queries run on, which a Ctrl-C does not wait for.

Leaving a ``ThreadPoolExecutor`` block waits for every query in flight and runs the queued ones,
so a Ctrl-C while a server hangs waited for each of them to time out (three 30-second tries:
a minute and a half) before the command could say anything. :func:`fetch_pool` drops the
queued queries and leaves those in flight when the block is left by ``KeyboardInterrupt``
(their answers would only be dropped: what was written so far is committed, part by part);
the command then ends without waiting for them (``cli.interrupt.interrupted``). Any other exit
waits as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


@contextmanager
def fetch_pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        yield pool
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
