"""Numerics of the forecast's remaining-downtime grid when it is long (many units and long
episodes, as with a log-normal posterior of lengths on a one-minute grid): the same Panjer
recursion as ``forecast_model._compound_negbin`` laid out for speed, an FFT convolution, and
the trimming of a length distribution's negligible far tail. Each is used only past ``LARGE``
(or for the posterior lengths), so short grids keep the direct computation bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

LARGE = 4_000_000
"""Grid products (units × units) past which the long-grid recursion and the FFT are used."""
_RESCALE = 1e200


def compound_negbin_long(shape: float, p: float, f: Floats, size: int) -> Floats:
    """``forecast_model._compound_negbin`` for long grids: the same recursion, with the terms
    stored newest first so that each step is two dot products over contiguous memory."""
    q = 1.0 - p
    m = f.size - 1
    fa = q * f[1:]  # a · f_j
    fb = (shape - 1.0) * q * np.arange(1, m + 1, dtype=np.float64) * f[1:]  # b · j · f_j
    h = np.zeros(size, dtype=np.float64)  # h[size − 1 − k] = g[k]
    h[size - 1] = 1.0
    log_scale = shape * math.log(p)
    for k in range(1, size):
        n = min(k, m)
        window = h[size - k : size - k + n]  # g[k − 1], g[k − 2], …, g[k − n]
        value = float(np.dot(fa[:n], window)) + float(np.dot(fb[:n], window)) / k
        h[size - 1 - k] = value
        if value > _RESCALE:
            h[size - 1 - k :] /= _RESCALE
            log_scale += math.log(_RESCALE)
    g = h[::-1]
    with np.errstate(divide="ignore", under="ignore"):
        out: Floats = np.where(g > 0, np.exp(np.log(np.where(g > 0, g, 1.0)) + log_scale), 0.0)
    return out


def convolve(x: Floats, y: Floats, size: int) -> Floats:
    """The first ``size`` terms of x * y; by FFT when direct would be slow (rounding ~1e-16,
    negative round-off set to 0)."""
    if x.size * y.size <= LARGE:
        return np.convolve(x, y)[:size]
    n = x.size + y.size - 1
    out: Floats = np.fft.irfft(np.fft.rfft(x, n) * np.fft.rfft(y, n), n)[:size]
    return np.clip(out, 0.0, None)


def trimmed(f: Floats) -> Floats:
    """``f`` without the lengths past the point where less than 1e-12 of its mass lies beyond
    (that mass put on the last one kept): a shorter Panjer recursion, the same distribution
    to 1e-12."""
    beyond = 1.0 - np.cumsum(f)
    keep = int(np.searchsorted(-beyond, -1e-12))  # the first index with ≤ 1e-12 beyond it
    if keep >= f.size - 1:
        return f
    out = f[: keep + 1].copy()
    out[keep] += float(f[keep + 1 :].sum())
    return out
