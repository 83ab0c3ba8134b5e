"""Produce the next item of an iterator on a helper thread while the caller works on this one.

Reading an event file (pyarrow's parsers release the GIL) and classifying a batch (numpy,
mostly one core) overlap this way. At most two items are alive at once: the one the caller
holds and the one being made; the next is started only when the caller takes the current.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


def prefetched(items: Iterator[T]) -> Generator[T]:
    """``items``, each made on a helper thread while the caller handles the one before.

    An exception raised by ``items`` is raised here, at the item where it happened. Closing
    this generator (or leaving it early) stops the helper after the item it is making and
    closes ``items`` there; the helper thread has ended when this generator has.
    """
    wanted = threading.Semaphore(1)  # the caller took an item: make the next one
    ready = threading.Semaphore(0)
    slot: list[object] = []
    stop = threading.Event()

    def produce() -> None:
        try:
            while True:
                wanted.acquire()
                if stop.is_set():
                    return
                try:
                    item: object = next(items)
                except StopIteration:
                    item = _END
                except BaseException as exc:
                    item = exc
                slot.append(item)
                ready.release()
                if item is _END or isinstance(item, BaseException):
                    return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    helper = threading.Thread(target=produce, name="covenant-prefetch", daemon=True)
    helper.start()
    try:
        while True:
            ready.acquire()
            item = slot.pop()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            wanted.release()  # start on the next item while the caller works on this one
            yield item  # type: ignore[misc]  # not _END nor an exception: a T
    finally:
        stop.set()
        wanted.release()
        helper.join()
