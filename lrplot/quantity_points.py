"""The points the views (``--term``, ``-o .html``) draw of a curve's momentum
and weight decay, reduced as its learning rate is, whatever the run's length.

A momentum or weight decay of the curve's own is a curve like any other: its
M4 envelope comes from its breakpoints (:func:`lrplot.envelope.reduce_bound`),
so a run of 10^12 steps costs what its learning rate costs. A momentum that
``onecycle`` or ``cyclic`` cycles is, within each phase, an affine function
of the learning rate (the same annealing between other ends, or max_momentum
less the cyclic height): its lowest and highest step in a column are the
learning rate's highest and lowest, so it is evaluated at exactly the steps
kept for the learning rate (``lr_x``), never at every step of the run. A
sequence's momentum (held between its cycling parts) is reduced from the
sequence's breakpoints instead.
"""

from __future__ import annotations

from typing import Any

from lrplot.envelope import reduce_beside, reduce_bound
from lrplot.lazy import numpy as np
from lrplot.plotting import _check_drawable
from lrplot.quantities import extras

TITLES = {"momentum": "momentum", "weight_decay": "weight decay"}


def carried_points(plan: Any, number: int, curve: Any, lr_x: Any, buckets: int) -> list[tuple[str, Any, Any, bool]]:
    """``(quantity, steps, values, stepwise)`` for each quantity curve
    ``number`` carries, refused as the learning rate is if too large to draw."""
    own = dict(curve.quantities)
    out = []
    for name, function in extras(curve):
        if name in own:
            x, y = reduce_bound(own[name], plan.steps, buckets)
            stepwise = own[name].stepwise
        elif curve.bound.name == "sequence":
            # Held between its cycling parts, it jumps where no lr extreme need be: reduced
            # from the sequence's breakpoints (its parts' turns and starts), as the figures do.
            x, y = reduce_beside(function, curve.bound, plan.steps, buckets)
            stepwise = False
        else:
            x = np.asarray(lr_x, dtype=np.float64)
            y = function(x.copy())  # the function works in place on its steps
            stepwise = False
        _check_drawable(x, y, f"curve {number} ({curve.label}): its {TITLES[name]}")
        out.append((name, x, y, stepwise))
    return out
