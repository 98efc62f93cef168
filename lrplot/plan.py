"""What to draw and export: curves bound to a number of steps, plus figure options.

The CLI and the YAML loader both produce :class:`CurveRequest` objects; this
module binds them (validating every value), labels them, and offers the
chunked evaluation every output streams from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from lrplot.binding import bind, short_params
from lrplot.errors import ParamError, UsageError, show_value
from lrplot.lazy import numpy as np
from lrplot.registry import Bound, check_text

# Steps evaluated at once: large enough that numpy's per-call overhead is
# negligible, small enough that a few float64 temporaries stay in tens of MB.
CHUNK = 1 << 20


class CurveRequest(NamedTuple):
    """A curve as the user wrote it: raw values, not yet validated."""

    schedule: str
    values: Mapping[str, Any]
    label: str | None = None
    color: str | None = None
    where: str = ""  # "curve 2" or "configs/x.yaml: curve 2"
    style: str = "cli"  # how parameter names are shown in errors: cli or yaml
    quantities: tuple[tuple[str, Any], ...] = ()  # (momentum or weight_decay, as written)


class Curve(NamedTuple):
    label: str
    bound: Bound
    color: str | None = None
    quantities: tuple[tuple[str, Bound], ...] = ()  # lrplot.quantities: its own momentum, weight_decay

    @property
    def schedule(self) -> str:
        return self.bound.name


class Panel(NamedTuple):
    """Gradient descent on one loss, driven by each of its curves."""

    title: str | None
    loss: Any  # lrplot.descent.Loss
    x0: tuple[float, ...]
    curves: tuple[Curve, ...]


class Plan(NamedTuple):
    steps: int
    curves: tuple[Curve, ...]
    title: str | None = None
    log_y: bool = False
    steps_per_epoch: int | None = None
    dpi: int = 100
    size: tuple[float, float] = (8.0, 4.5)
    overlays: tuple[Any, ...] = ()  # lrplot.overlay.Overlay: logged rates drawn over the plan
    panels: tuple[Panel, ...] = ()  # gradient-descent panels (--descent, YAML panels:)
    annotate: bool = False  # --annotate: mark where each curve changes course
    diff: str | None = None  # --diff abs|rel: a panel of each curve against the first

    def chunks(
        self, size: int = CHUNK, advance: Callable[[int], None] | None = None
    ) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
        """Yield ``(steps, [values of each curve])`` for consecutive chunks;
        ``advance(n)`` is told of every n values done (for progress bars)."""
        for start in range(0, self.steps, size):
            t = np.arange(start, min(start + size, self.steps), dtype=np.float64)
            yield t, [curve.bound.evaluate_at(t.copy()) for curve in self.curves]
            if advance is not None:
                advance(t.size * len(self.curves))

    def values(self) -> list[np.ndarray]:
        return [
            curve.bound.evaluate_at(np.arange(self.steps, dtype=np.float64))
            for curve in self.curves
        ]


def bind_request(request: CurveRequest, steps: int, steps_per_epoch: int | None = None) -> Bound:
    try:
        return bind(request.schedule, request.values, steps, steps_per_epoch)
    except ParamError as error:
        raise error.locate(_where(request), request.style) from None
    except UsageError as error:
        raise UsageError(f"{_where(request)}: {error}") from None


def _where(request: CurveRequest) -> str:
    return f"{request.where} ({request.schedule})" if request.where else request.schedule


def auto_label(bound: Bound) -> str:
    shown = short_params(bound)
    return f"{bound.name}({shown})" if shown else bound.name


def unique_labels(labels: list[str], explicit: list[bool] | None = None) -> list[str]:
    """Append " (2)", " (3)", ... to repeated labels so CSV columns stay unique.

    Labels the user chose (``explicit``) keep their names: a repeated or an
    automatic label is renamed, never to a name the user chose.
    """
    explicit = explicit or [False] * len(labels)
    chosen = {label for label, mine in zip(labels, explicit) if mine}
    out: list[str] = list(labels)
    taken: set[str] = set()
    order = [i for i, mine in enumerate(explicit) if mine] + [i for i, mine in enumerate(explicit) if not mine]
    for i in order:
        label, count = labels[i], 1
        candidate = label
        # A chosen name belongs to the curve that chose it, and to no other.
        while candidate in taken or (candidate in chosen and not (explicit[i] and candidate == label)):
            count += 1
            candidate = f"{label} ({count})"
        taken.add(candidate)
        out[i] = candidate
    return out


def make_curves(
    requests: list[CurveRequest], steps: int, steps_per_epoch: int | None = None
) -> tuple[Curve, ...]:
    if not requests:
        raise UsageError("no schedule given; try `lrplot exponential` or `lrplot list`")
    bounds = [bind_request(request, steps, steps_per_epoch) for request in requests]
    for request in requests:
        if request.label is not None:
            try:
                check_text("label", request.label)
            except ParamError as error:
                raise error.locate(_where(request), request.style) from None
        if request.color is not None:
            _check_color(request)
    labels = unique_labels(
        [request.label or auto_label(bound) for request, bound in zip(requests, bounds)],
        [bool(request.label) for request in requests],
    )
    return tuple(
        Curve(label, bound, request.color, _quantities(request, bound, steps, steps_per_epoch))
        for label, bound, request in zip(labels, bounds, requests)
    )


def _quantities(
    request: CurveRequest, bound: Bound, steps: int, steps_per_epoch: int | None
) -> tuple[tuple[str, Bound], ...]:
    from lrplot.quantities import bind_quantities, check_cycled

    try:
        if not any(name == "momentum" for name, _ in request.quantities or ()):
            check_cycled(bound)  # a momentum of its own replaces the cycled one
        if not request.quantities:
            return ()
        return bind_quantities(request.quantities, steps, steps_per_epoch)
    except UsageError as error:
        raise UsageError(f"{_where(request)}: {error}") from None


def _check_color(request: CurveRequest) -> None:
    from matplotlib.colors import is_color_like

    if not is_color_like(request.color):
        name = "--color" if request.style == "cli" else "color"
        raise UsageError(
            f"{_where(request)}: {name}: got {show_value(request.color)}, "
            "expected a matplotlib colour (a name like red or tab:blue, or #rrggbb)"
        )
