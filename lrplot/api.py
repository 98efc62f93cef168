"""The Python API: the same schedules the CLI uses."""

from __future__ import annotations

from typing import Any

from lrplot.binding import all_schedules, bind
from lrplot.errors import ParamError
from lrplot.lazy import numpy as np
from lrplot.registry import MAX_EVALUATED, MAX_STEPS, Bound, Schedule


def _check_steps(steps: Any, most: int = MAX_STEPS) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ParamError("steps", steps, f"an integer from 1 to {most}")
    if not 1 <= steps <= most:
        raise ParamError("steps", steps, f"an integer from 1 to {most}")
    return int(steps)


def curve(
    name: str, steps: int = 100, steps_per_epoch: int | None = None, **params: Any
) -> Bound:
    """Bind schedule ``name`` to ``params`` for a run of ``steps`` steps.

    The result is callable on any array of steps (chunks of a long run, too).
    With ``steps_per_epoch``, step counts may be written in epochs: ``"30ep"``.
    """
    return bind(name, params, _check_steps(steps), steps_per_epoch)


def evaluate(
    name: str, steps: int = 100, steps_per_epoch: int | None = None, **params: Any
) -> np.ndarray:
    """Learning rate at steps 0, 1, ..., steps - 1 as a float64 array.

    >>> evaluate("piecewise", steps=4, boundaries=[2], values=[1.0, 0.5]).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    # The whole array at once: 10**9 float64 steps are 8 GB.
    bound = curve(name, _check_steps(steps, MAX_EVALUATED), steps_per_epoch, **params)
    return bound.evaluate_at(np.arange(steps, dtype=np.float64))


def list_schedules() -> dict[str, Schedule]:
    """The registry: every schedule by name, with its parameters and docs."""
    return all_schedules()


__all__ = ["curve", "evaluate", "list_schedules"]
