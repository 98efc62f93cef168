"""The Python API: the same schedules the CLI uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lrplot.binding import all_schedules, bind
from lrplot.errors import ParamError, UsageError
from lrplot.lazy import numpy as np
from lrplot.options import FIGURE_BY_NAME, convert_figure_option
from lrplot.plan import CurveRequest, Plan, make_curves
from lrplot.registry import MAX_EVALUATED, MAX_STEPS, Bound, Schedule, closest


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


# Figure options that make sense for a Figure object (the others write files
# or print). lrplot.figure takes them as keyword arguments.
FIGURE_KEYWORDS = ("title", "log_y", "steps_per_epoch", "dpi", "size", "annotate", "diff")


def figure(
    schedule: str | Sequence[str | Mapping[str, Any]],
    steps: int = 100,
    steps_per_epoch: int | None = None,
    **params: Any,
) -> Any:
    """A matplotlib ``Figure`` of one schedule, or of several curves, drawn
    as ``lrplot`` draws it; Jupyter shows it inline. pyplot is not touched
    (no figure is opened or registered there, no global state changes).

    ``schedule`` is a name followed by its parameters, as for
    :func:`evaluate`, plus ``label`` and ``color``; or a list of curves, each
    a name or a mapping with the keys of a YAML config's curves
    (``{"schedule": "cosine", "warmup_steps": 10, "label": "warm"}``).
    Figure options are keyword arguments, named as in YAML: ``title``,
    ``log_y``, ``steps_per_epoch``, ``dpi``, ``size``, ``annotate``, ``diff``.
    Bad values raise :class:`~lrplot.ParamError` / :class:`~lrplot.UsageError`
    with the message :func:`evaluate` gives; warnings are Python warnings.

    >>> fig = figure("step", steps=90, step_size=30, title="StepLR", annotate=True)
    >>> drawn = fig.axes[0].get_lines()[0].get_ydata()
    >>> bool((drawn == evaluate("step", steps=90, step_size=30)).all())
    True
    """
    import warnings

    from lrplot import plotting
    from lrplot.inline import NotebookFigure
    from lrplot.lint import lint

    steps = _check_steps(steps)
    options = {name: params.pop(name) for name in FIGURE_KEYWORDS if name in params}
    options["steps_per_epoch"] = steps_per_epoch
    resolved = {}
    for name, raw in options.items():
        option = FIGURE_BY_NAME[name]
        resolved[name] = option.default if raw is None else convert_figure_option(option, raw)
    if isinstance(schedule, str):
        label, color = params.pop("label", None), params.pop("color", None)
        curve(schedule, steps, resolved["steps_per_epoch"], **params)  # evaluate's errors, word for word
        requests = [CurveRequest(schedule, params, label=label, color=color, style="python")]
    else:
        if params:
            key = next(iter(params))
            raise ParamError(key, params[key], f"not a figure option: one of {', '.join(FIGURE_KEYWORDS)}",
                             unknown=True, suggestion=closest(key, FIGURE_KEYWORDS))
        requests = _curve_requests(schedule)
    plan = Plan(
        steps=steps,
        curves=make_curves(requests, steps, resolved["steps_per_epoch"]),
        **{name: value for name, value in resolved.items() if name != "steps_per_epoch"},
        steps_per_epoch=resolved["steps_per_epoch"],
    )
    plotting.check_figure(plan, raster=True)
    said = lint(plan)
    width, height = plan.size
    drawn = plotting.draw(plan, NotebookFigure(figsize=(width, height), dpi=plan.dpi, layout="constrained"),
                          warn=said.append)
    for line in said:
        warnings.warn(line.removeprefix("warning: "), UserWarning, stacklevel=2)
    return drawn


def _curve_requests(curves: Any) -> list[CurveRequest]:
    from lrplot.config import curve_request

    if isinstance(curves, Mapping) or not isinstance(curves, Sequence) or not curves:
        raise UsageError(
            "lrplot.figure: expected a schedule name, or a non-empty list of curves (names or mappings)"
        )
    return [
        curve_request("lrplot.figure", number, {"schedule": raw} if isinstance(raw, str) else raw)
        for number, raw in enumerate(curves, 1)
    ]


def list_schedules() -> dict[str, Schedule]:
    """The registry: every schedule by name, with its parameters and docs."""
    return all_schedules()


__all__ = ["curve", "evaluate", "figure", "list_schedules"]
