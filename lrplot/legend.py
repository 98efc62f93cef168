"""Where the legend goes, so that long labels and many curves leave the plot
readable: inside the axes when it is small; beside them, then below them (in
columns) when it is not; and when even that would squeeze the axes, beside
them with labels shortened in the middle (``cosine(warmup…end_lr=1e-05)``).
The CSV and JSON always keep the full names. The axes keep at least about
half the figure's width and most of its height.
"""

from __future__ import annotations

from typing import Any

from lrplot.style import PLAIN_TEXT

# Fractions of the figure a legend may take, where it is.
INSIDE = (0.6, 0.45)  # width, height: small enough to sit in a corner of the axes ...
INSIDE_AREA = 0.1  # ... and covering little of it
BESIDE = (0.35, 0.9)
BELOW_HEIGHT = 0.3
BELOW_WIDTH = 0.95
SMALLEST_FONT = 6.0
SHORTEST_LABEL = 12  # characters, ellipsis included


def place(figure: Any, axes: Any, handles: list[Any]) -> Any:
    """Add the legend of ``handles`` to ``figure`` and return it."""
    from matplotlib.backends.backend_agg import RendererAgg

    # Text is measured, not drawn: a 1 x 1 pixel renderer at the figure's dpi
    # measures exactly what a full one would, without allocating the whole
    # raster (gigabytes at --dpi 2000), and leaves the figure's canvas alone.
    renderer = RendererAgg(1, 1, figure.dpi)
    labels = [handle.get_label() for handle in handles]
    width, height = figure.bbox.width, figure.bbox.height

    def add(where: str, texts: list[str], **options: Any) -> tuple[Any, Any]:
        # Handles and labels given explicitly: matplotlib would leave out a
        # label that starts with "_" (its marker for "not in the legend").
        if where == "axes":
            legend = axes.legend(handles, texts, frameon=False, **options)
        else:
            legend = figure.legend(handles, texts, frameon=False, **options)
        for text in legend.get_texts():
            text.update(PLAIN_TEXT)
        return legend, legend.get_window_extent(renderer)

    def fits(box: Any, room: tuple[float, float]) -> bool:
        return box.width <= room[0] * width and box.height <= room[1] * height

    legend, box = add("axes", labels, loc="best")
    if fits(box, INSIDE) and box.width * box.height <= INSIDE_AREA * width * height:
        return legend
    legend.remove()
    legend, box = add("figure", labels, loc="outside right upper")
    if fits(box, BESIDE):
        return legend
    legend.remove()
    legend = _below(add, labels, width, height)
    if legend is not None:
        return legend
    return _shortened(add, labels, width, height)


def _below(add: Any, labels: list[str], width: float, height: float) -> Any:
    """Below the axes in as many columns as fit, the font shrunk (not under
    SMALLEST_FONT) if one label is wider than the figure; None if too tall."""
    legend, box = add("figure", labels, loc="outside lower center")
    size = legend.get_texts()[0].get_fontsize()
    if box.width > BELOW_WIDTH * width:
        size = max(SMALLEST_FONT, size * BELOW_WIDTH * width / box.width)
    legend.remove()
    legend, one = add("figure", labels, loc="outside lower center", ncols=1, fontsize=size)
    legend.remove()
    columns = max(1, min(len(labels), int(BELOW_WIDTH * width // max(one.width, 1.0))))
    while True:  # columns share the padding: one fewer may be needed
        legend, box = add("figure", labels, loc="outside lower center", ncols=columns, fontsize=size)
        if box.width <= BELOW_WIDTH * width or columns == 1:
            break
        legend.remove()
        columns -= 1
    if box.width <= BELOW_WIDTH * width and box.height <= BELOW_HEIGHT * height:
        return legend
    legend.remove()
    return None


def _shortened(add: Any, labels: list[str], width: float, height: float) -> Any:
    """Beside the axes with every label cut to the longest length that fits."""
    size = None
    low, high = SHORTEST_LABEL, max(len(label) for label in labels)
    while low < high:  # the longest cut that fits beside the axes
        middle = (low + high + 1) // 2
        legend, box = add("figure", shorten(labels, middle), loc="outside right upper")
        legend.remove()
        if box.width <= BESIDE[0] * width:
            low = middle
        else:
            high = middle - 1
    texts = shorten(labels, low)
    legend, box = add("figure", texts, loc="outside right upper")
    if box.height > BESIDE[1] * height:  # many curves: a smaller font
        size = max(SMALLEST_FONT, legend.get_texts()[0].get_fontsize() * BESIDE[1] * height / box.height)
        legend.remove()
        legend, box = add("figure", texts, loc="outside right upper", fontsize=size)
    return legend


def shorten(labels: list[str], chars: int) -> list[str]:
    """Each label at most ``chars`` characters, cut in the middle (the start
    names the schedule, the end often tells curves apart); numbered when
    cutting makes two alike."""
    cut = [_cut(label, chars) for label in labels]
    if len(set(cut)) < len(cut):
        cut = [f"{number}: {_cut(label, chars - len(str(number)) - 2)}" for number, label in enumerate(labels, 1)]
    return cut


def _cut(label: str, chars: int) -> str:
    if len(label) <= chars:
        return label
    head = (chars - 1 + 1) // 2
    tail = chars - 1 - head
    return label[:head] + "…" + (label[-tail:] if tail else "")
