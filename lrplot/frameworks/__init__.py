"""Other frameworks' schedulers as lrplot curves.

One module per framework maps that framework's scheduler, with its own
argument names and its trainer's way of stepping it, to an lrplot schedule
and parameters that equal it at every update (tests/test_frameworks_golden.py
holds each mapping to the real framework's values). The ``--from`` dialects
read files into these calls; a scheduler or argument lrplot cannot draw is a
:class:`Unsupported` error naming it.

The other direction is data: a module holding a ``MATCHING``
(:class:`lrplot.matching.Framework`) says which of the framework's classes is
exact for which lrplot schedule, under which conditions and with which
arguments; ``--emit`` writes its scripts from it and README's framework
table is rendered from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from lrplot.errors import UsageError

# The modules that describe a framework against lrplot's schedules (a
# ``MATCHING``, see lrplot.matching), in README's column order, and those
# --emit writes scripts for, in its order.
MATCHINGS = ("torch", "keras", "optax", "paddle", "transformers")
EMIT = ("torch", "keras", "optax", "paddle")


class Unsupported(UsageError):
    """A scheduler or an argument lrplot cannot reproduce exactly."""


class Curve(NamedTuple):
    schedule: str
    params: dict[str, Any]


def number(args: dict[str, Any], key: str, default: Any) -> Any:
    """``args[key]``, or ``default`` when absent or null, checked to be a number."""
    value = args.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        # inf / nan (TOML's inf, YAML's .nan) would overflow int() or poison every value after it
        raise UsageError(f"{key}: got {value!r}, expected a number")
    return value


def whole(args: dict[str, Any], key: str, default: Any, low: int = 0, scheduler: str | None = None) -> int:
    """``args[key]`` (or ``default``) as a whole number >= ``low``, else
    :class:`Unsupported` naming it (and ``scheduler``, when given)."""
    value = number(args, key, default)
    if float(value) != int(value) or value < low:  # number() has refused inf and nan
        where = f"{scheduler} with {key} {value}" if scheduler else f"{key}={value}"
        raise Unsupported(f"{where} is not supported yet (a whole number >= {low})")
    return int(value)


# Cycles, periods or batch sizes written out as sequence parts; past this many
# the curve is not worth a list.
MAX_PARTS = 10_000


def next_cycle(cycle: Callable[[int], int], step: int, estimate: float, last: int | None = None) -> int:
    """The first step after ``step`` whose cycle (a framework's own, rounded
    arithmetic: ``cycle`` is non-decreasing) differs from ``step``'s, searched
    from ``estimate`` (where the cycle ends in exact arithmetic); at most ``last``."""
    index = cycle(step)
    end = max(math.ceil(estimate), step + 1)
    while end - 1 > step and cycle(end - 1) != index:
        end -= 1
    while (last is None or end < last) and cycle(end) == index:
        end += 1
    return end if last is None else min(end, last)


def sequence(lr: float, parts: list[dict[str, Any]]) -> Curve:
    """``parts`` (each with its ``steps``) one after another; the last runs to the end."""
    del parts[-1]["steps"]
    return Curve("sequence", {"lr": lr, "parts": parts})


def part_value(part: dict[str, Any], step: int) -> float:
    """A sequence part's value at its own ``step``, through lrplot's binding,
    so a value carried into the next part is the one the curve shows."""
    from lrplot.binding import bind

    values = {key: value for key, value in part.items() if key not in ("schedule", "steps")}
    return float(bind(part["schedule"], values, step + 1)([step])[0])


def only(args: dict[str, Any], key: str, value: Any, scheduler: str) -> None:
    """Refuse an argument lrplot does not model unless it has its neutral value."""
    given = args.get(key, value)
    if given is not None and given != value:
        raise Unsupported(f"{scheduler} with {key}={given!r} is not supported yet (only {value!r})")
