"""Bucketed SLI data: ``(good, total)`` integer counts per fixed bucket, many series at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError

Counts = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketMatrix:
    """Dense counts for ``keys`` over ``[start, start + n × step)`` (epoch seconds, UTC).

    Row ``i`` of ``good`` and ``total`` is the series ``keys[i]``; column ``j`` is the bucket
    starting at ``start + j × step``. A bucket with ``total == 0`` has no events.
    """

    keys: tuple[str, ...]
    start: int
    step: int
    good: Counts
    total: Counts

    def __post_init__(self) -> None:
        if self.step <= 0 or self.start % self.step:
            raise InputError(f"bucket start {self.start} is not aligned to the step {self.step}s")
        shape = (len(self.keys), self.good.shape[-1] if self.good.ndim == 2 else 0)
        if self.good.shape != shape or self.total.shape != shape:
            raise InputError(f"good/total must both have shape {shape}")
        if self.good.dtype != np.int64 or self.total.dtype != np.int64:
            raise InputError("bucket counts must be int64")

    @property
    def end(self) -> int:
        return self.start + int(self.good.shape[1]) * self.step

    def row(self, key: str) -> int:
        return int(self.keys.index(key))

    @classmethod
    def empty(cls, keys: tuple[str, ...], *, start: int, end: int, step: int) -> BucketMatrix:
        n = (end - start) // step
        zeros = np.zeros((len(keys), n), dtype=np.int64)
        return cls(keys=keys, start=start, step=step, good=zeros, total=zeros.copy())
