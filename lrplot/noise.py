"""timm's learning-rate noise, draw for draw: at scheduler step t inside the
noise range, lr x (1 + noise), the noise drawn from a fresh torch generator
seeded with ``noise_seed + t`` (``Scheduler._calculate_noise``).

torch is not needed: its CPU generator is the standard mt19937 seeded with
``init_genrand`` (numpy's legacy ``RandomState(seed)`` is the same engine),
``torch.rand(1)`` (float32) is ``(word & (2**24 - 1)) / 2**24``, and
``torch.randn(1)`` is Box-Muller over two 53-bit uniforms, each from two
words (high word first): ``sqrt(-2 log1p(-u2)) cos(2 pi u1)``, the sine half
kept for the next draw; both are rounded to float32 by ``.item()`` of a float
tensor. A normal draw outside ``noise_pct`` is drawn again.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from lrplot.errors import UsageError

MAX_DRAWS = 1000  # redraws of one step's normal noise before giving up (timm would spin forever)
MAX_NOISY_STEPS = 2_000_000  # distinct noisy steps in one evaluation


class NoiseError(UsageError):
    """Noise lrplot cannot draw (timm would loop forever, or too many steps)."""


def in_range(t: np.ndarray, noise_range: list[float]) -> np.ndarray:
    """timm's ``_is_apply_noise``: start <= t < end, or t >= start."""
    if len(noise_range) == 1:
        return t >= noise_range[0]
    return (t >= noise_range[0]) & (t < noise_range[1])


@lru_cache(maxsize=65536)
def draw(step: int, seed: int, kind: str, pct: float, std: float) -> float:
    """The noise timm adds at scheduler step ``step``."""
    words = _Words(seed + step)
    if kind != "normal":
        word = words.next()
        uniform = float(np.float32((word & 0xFFFFFF) * (1.0 / (1 << 24))))
        return 2 * (uniform - 0.5) * pct
    cached = None
    for _ in range(MAX_DRAWS):
        if cached is not None:
            sample, cached = cached, None
        else:
            u1, u2 = words.uniform53(), words.uniform53()
            radius, angle = math.sqrt(-2.0 * math.log1p(-u2)), 2.0 * math.pi * u1
            sample, cached = radius * math.cos(angle), radius * math.sin(angle)
        noise = float(np.float32(sample)) * std
        if abs(noise) < pct:
            return noise
    raise NoiseError(f"noise_pct {pct}: {MAX_DRAWS} normal draws of noise_std {std} all fall outside it")


class _Words:
    """mt19937 words from ``seed`` as torch.Generator.manual_seed sets it."""

    def __init__(self, seed: int) -> None:
        self._state = np.random.RandomState(seed & 0xFFFFFFFF)
        self._buffer: list[int] = []

    def next(self) -> int:
        if not self._buffer:
            self._buffer = self._state.randint(0, 1 << 32, size=8, dtype=np.uint64).tolist()[::-1]
        return self._buffer.pop()

    def uniform53(self) -> float:
        high, low = self.next(), self.next()
        return (((high << 32) | low) & ((1 << 53) - 1)) * (1.0 / (1 << 53))


def apply(values: np.ndarray, t: np.ndarray, noise_range: list[float], seed: int, kind: str, pct: float,
          std: float) -> np.ndarray:
    """``values`` x (1 + noise) where the scheduler step ``t`` is in range."""
    mask = in_range(t, noise_range)
    if not mask.any():
        return values
    steps, where = np.unique(t[mask].astype(np.int64), return_inverse=True)
    if steps.size > MAX_NOISY_STEPS:
        raise NoiseError(f"lr noise over {steps.size:,} scheduler steps at once is not supported yet")
    noise = np.array([draw(int(step), seed, kind, pct, std) for step in steps])[where]
    values[mask] = values[mask] + values[mask] * noise
    return values
