"""What the learning rate does to training: gradient descent driven by a curve.

The seed's section 1 and figure 1: with too large a learning rate gradient
descent oscillates around the minimum or diverges (1a); with too small a one
it crawls, or stays in a local minimum (1b). For each curve,

    x[k+1] = x[k] - lr[k] * grad f(x[k]),   k = 0, 1, ..., N-1,

where ``lr[k]`` is the curve's value at step k (the rate used by update k),
on one of a few built-in losses with known minima. A run that overflows or
leaves a sane range stops there and records the step (``diverged_at``).

Export rows (CSV, long format): ``panel,curve,step,lr,x[,y],loss``, one row
per iterate; ``lr`` is the rate of the update that leaves that iterate, empty
on the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from lrplot.errors import UsageError
from lrplot.lazy import numpy as np
from lrplot.registry import did_you_mean
from lrplot.style import PLAIN_TEXT

# Simulations run step by step in Python; beyond this they would take minutes.
MAX_DESCENT_STEPS = 1_000_000


class Loss(NamedTuple):
    name: str
    dim: int
    value: Callable[[np.ndarray], np.ndarray]  # points (..., dim) -> (...)
    grad: Callable[[np.ndarray], np.ndarray]  # point (dim,) -> (dim,)
    minima: tuple[tuple[tuple[float, ...], str], ...]  # (point, "global" | "local")
    default_x0: tuple[float, ...]
    plot_range: tuple[tuple[float, float], ...]
    description: str

    @property
    def global_minimum(self) -> float:
        return min(float(self.value(np.asarray(point))) for point, _ in self.minima)


# f'(x) = 4x^3 - 8x + 1 = 0: its outer roots are the minima, as
# np.roots([4, 0, -8, 1]) gives them (written out so that importing this module,
# which the command line's --help does, does not import numpy; a test checks them).
DOUBLE_WELL_MINIMA = ((-1.47299760111403,), "global"), ((1.3469974085277738,), "local")


KAPPA = 20.0  # the elongated valley's curvature ratio

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "quadratic",
            1,
            lambda x: x[..., 0] ** 2,
            lambda x: 2.0 * x,
            (((0.0,), "global"),),
            (1.0,),
            ((-2.0, 2.0),),
            "f(x) = x^2: with a constant rate the iterate is x(1 - 2 lr)^k, so it "
            "oscillates for lr > 0.5 and diverges for lr > 1",
        ),
        Loss(
            "double-well",
            1,
            lambda x: x[..., 0] ** 4 - 4.0 * x[..., 0] ** 2 + x[..., 0],
            lambda x: 4.0 * x**3 - 8.0 * x + 1.0,
            DOUBLE_WELL_MINIMA,
            (2.5,),
            ((-2.6, 2.6),),
            "f(x) = x^4 - 4x^2 + x: a shallow local minimum at x = 1.347 and a deeper "
            "global one at x = -1.473; from x0 = 2.5 a small rate settles in the local one",
        ),
        Loss(
            "elongated",
            2,
            lambda p: 0.5 * (p[..., 0] ** 2 + KAPPA * p[..., 1] ** 2),
            lambda p: np.array([p[0], KAPPA * p[1]]),
            (((0.0, 0.0), "global"),),
            (-4.0, 1.0),
            ((-5.0, 5.0), (-1.5, 1.5)),
            f"f(x, y) = (x^2 + {KAPPA:g} y^2) / 2: a narrow valley; lr > {2 / KAPPA:g} "
            "oscillates across it and diverges, a small lr crawls along it",
        ),
        Loss(
            "rosenbrock",
            2,
            lambda p: (1.0 - p[..., 0]) ** 2 + 100.0 * (p[..., 1] - p[..., 0] ** 2) ** 2,
            lambda p: np.array(
                [-2.0 * (1.0 - p[0]) - 400.0 * p[0] * (p[1] - p[0] ** 2), 200.0 * (p[1] - p[0] ** 2)]
            ),
            (((1.0, 1.0), "global"),),
            (-1.2, 1.0),
            ((-2.0, 2.0), (-1.0, 3.0)),
            "Rosenbrock's banana valley, minimum at (1, 1)",
        ),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise UsageError(
            f"--descent: got {name!r}, expected one of {', '.join(LOSSES)}{did_you_mean(name, list(LOSSES))}"
        ) from None


class Trajectory(NamedTuple):
    points: np.ndarray  # (n + 1, dim): x0 and every iterate until the run ended
    losses: np.ndarray  # (n + 1,)
    lrs: np.ndarray  # the curve: lr[k] moves points[k] to points[k + 1]
    diverged_at: int | None  # the update that overflowed or left the sane range


def sane_bound(loss: Loss) -> float:
    """100 times the loss's plot range: beyond it, in any coordinate, a run has
    diverged. Inside it every loss and gradient here is a finite float64
    (at most ~1e12, Rosenbrock's corner), so exports hold only numbers."""
    return 100.0 * max(abs(v) for pair in loss.plot_range for v in pair)


def simulate(loss: Loss, lrs: np.ndarray, x0: tuple[float, ...] | None = None, bound: float | None = None) -> Trajectory:
    """Gradient descent with rate ``lrs[k]`` at update k; never raises on divergence.

    The run counts as diverged when an iterate is not finite or leaves
    ``bound`` (default: :func:`sane_bound`) in any coordinate; it stops
    there, before that iterate.
    """
    if bound is None:
        bound = sane_bound(loss)
    x = np.array(loss.default_x0 if x0 is None else x0, dtype=np.float64)
    points = [x.copy()]
    diverged = None
    with np.errstate(all="ignore"):
        for k, rate in enumerate(np.asarray(lrs, dtype=np.float64).tolist()):
            x = x - rate * loss.grad(x)
            if not np.all(np.isfinite(x)) or float(np.abs(x).max()) > bound:
                diverged = k
                break
            points.append(x.copy())
    stacked = np.array(points)
    return Trajectory(stacked, loss.value(stacked), np.asarray(lrs, dtype=np.float64), diverged)


def check_x0(loss: Loss, x0: Any) -> tuple[float, ...]:
    values = tuple(float(v) for v in x0)
    if len(values) != loss.dim or not all(np.isfinite(values)):
        raise UsageError(f"--x0: got {','.join(map(str, x0))}, expected {loss.dim} finite number(s) for {loss.name}")
    # A start beyond the range where runs count as diverged would be diverged
    # before its first step, with a loss float64 may not hold (x0 = 1e200 on
    # x^2 is inf): refused, so no export ever holds inf or nan.
    bound = sane_bound(loss)
    if max(abs(v) for v in values) > bound:
        raise UsageError(
            f"--x0: got {','.join(map(str, x0))}, expected {loss.dim} number(s) within ±{bound:g} for {loss.name} "
            "(100 x its plot range; a run that leaves it has diverged)"
        )
    return values


def rows(panel: str, curve: str, trajectory: Trajectory) -> Iterator[list[Any]]:
    """Long-format export rows: panel, curve, step, lr, x[, y], loss."""
    last = len(trajectory.points) - 1
    for step in range(last + 1):
        # The last iterate has no update after it, unless that update diverged.
        unused = step == last and trajectory.diverged_at is None
        rate = "" if unused else repr(float(trajectory.lrs[step]))
        coordinates = [repr(float(v)) for v in trajectory.points[step]]
        yield [panel, curve, step, rate, *coordinates, repr(float(trajectory.losses[step]))]


def header(dim: int) -> list[str]:
    return ["panel", "curve", "step", "lr", "x", *(["y"] if dim == 2 else []), "loss"]


def simulate_panels(plan: Any) -> list[list[tuple[str, str | None, Trajectory]]]:
    """(label, colour, trajectory) for every curve of every panel of ``plan``."""
    steps = np.arange(plan.steps, dtype=np.float64)
    return [
        [(c.label, c.color, simulate(panel.loss, c.bound.evaluate_at(steps.copy()), panel.x0)) for c in panel.curves]
        for panel in plan.panels
    ]


def panel_name(plan: Any, index: int) -> str:
    title = plan.panels[index].title
    return title if title else str(index + 1)


def write_csv(plan: Any, runs: list[Any], handle: Any) -> None:
    import csv

    dim = max(panel.loss.dim for panel in plan.panels)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header(dim))
    for index, panel_runs in enumerate(runs):
        for label, _, run in panel_runs:
            for row in rows(panel_name(plan, index), label, run):
                if dim == 2 and len(run.points[0]) == 1:
                    row.insert(5, "")  # 1-D panel next to a 2-D one: empty y
                writer.writerow(row)


def write_json(plan: Any, runs: list[Any], handle: Any) -> None:
    import json

    from lrplot.binding import describe

    panels = []
    for index, (panel, panel_runs) in enumerate(zip(plan.panels, runs)):
        curves = []
        for curve, (_, _, run) in zip(panel.curves, panel_runs):
            trajectory = {"x": run.points[:, 0].tolist(), "loss": run.losses.tolist()}
            if panel.loss.dim == 2:
                trajectory["y"] = run.points[:, 1].tolist()
            curves.append(
                {
                    "label": curve.label,
                    "schedule": curve.schedule,
                    "params": describe(curve.bound),
                    "lr": run.lrs.tolist(),
                    "trajectory": trajectory,
                    "diverged_at": run.diverged_at,
                }
            )
        panels.append({"title": panel_name(plan, index), "loss": panel.loss.name, "x0": list(panel.x0), "curves": curves})
    # allow_nan=False: Infinity and NaN are not JSON. Runs stop before they
    # diverge and starts are checked (check_x0): one would be a bug, reported as such.
    json.dump({"steps": plan.steps, "panels": panels}, handle, allow_nan=False)
    handle.write("\n")


def draw(plan: Any, runs: list[Any], figure: Any) -> Any:
    """One row per panel: the path on the loss, and loss versus step."""
    rows_ = len(plan.panels)
    grid = figure.subplots(rows_, 2, squeeze=False)
    for index, (panel, panel_runs) in enumerate(zip(plan.panels, runs)):
        axes_path, axes_loss = grid[index]
        draw_panel(axes_path, axes_loss, panel.loss, panel_runs)
        heading = f"({chr(97 + index)}) {panel.title}" if panel.title else panel.loss.name
        axes_path.set_title(heading, fontsize=10, **PLAIN_TEXT)
        axes_loss.set_title(f"loss on {panel.loss.name}", fontsize=10)
    if plan.title:
        figure.suptitle(plan.title, **PLAIN_TEXT)
    return figure


# ---------------------------------------------------------------- drawing


def draw_panel(axes_path: Any, axes_loss: Any, loss: Loss, runs: list[tuple[str, str | None, Trajectory]]) -> None:
    """Left: the iterates on the loss (curve or contours), joined in order.
    Right: loss above the global minimum versus step, log scale."""
    low, high = loss.plot_range[0]
    if loss.dim == 1:
        grid = np.linspace(low, high, 400)
        axes_path.plot(grid, loss.value(grid[:, None]), color="0.6", linewidth=1.2, zorder=1)
        axes_path.set_xlim(low, high)
        values = loss.value(grid[:, None])
        span = values.max() - values.min()
        axes_path.set_ylim(values.min() - 0.05 * span, values.max() + 0.05 * span)
        axes_path.set_xlabel("x")
        axes_path.set_ylabel("loss")
    else:
        (x_low, x_high), (y_low, y_high) = loss.plot_range
        gx, gy = np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200))
        surface = loss.value(np.stack([gx, gy], axis=-1))
        axes_path.contour(gx, gy, np.log1p(surface - surface.min()), levels=18, colors="0.75", linewidths=0.8)
        axes_path.set_xlim(x_low, x_high)
        axes_path.set_ylim(y_low, y_high)
        axes_path.set_xlabel("x")
        axes_path.set_ylabel("y")
    for point, kind in loss.minima:
        where = (point[0], float(loss.value(np.asarray(point)))) if loss.dim == 1 else point
        axes_path.plot(*where, marker="*" if kind == "global" else "o", color="black", markersize=9 if kind == "global" else 5, zorder=4, linestyle="none")
    floor = loss.global_minimum
    for index, (label, color, run) in enumerate(runs):
        path = run.points[:, 0], (run.losses if loss.dim == 1 else run.points[:, 1])
        (line,) = axes_path.plot(*path, marker="o", markersize=3, linewidth=1.0, color=color, label=label, zorder=3, alpha=0.85)
        color = line.get_color()
        gap = np.maximum(run.losses - floor, 1e-16)
        axes_loss.plot(np.arange(len(gap)), gap, color=color, label=label)
        if run.diverged_at is not None:
            text = f"diverged at step {run.diverged_at}"
            axes_loss.annotate(text, (len(gap) - 1, gap[-1]), color=color, fontsize=8, xytext=(4, 4), textcoords="offset points")
            axes_path.annotate(text, (0.02, 0.95 - 0.08 * index), xycoords="axes fraction", color=color, fontsize=8, va="top")
    axes_loss.set_yscale("log")
    axes_loss.set_xlabel("step")
    axes_loss.set_ylabel("loss − global minimum")
    for text in axes_loss.legend(loc="best", frameon=False, fontsize=8).get_texts():
        text.update(PLAIN_TEXT)
