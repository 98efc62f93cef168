"""A matplotlib ``Figure`` that Jupyter shows inline by itself: no pyplot,
no ``%matplotlib inline``, no global state (what :func:`lrplot.figure`
returns). Imported only when such a figure is made: it imports matplotlib."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from lrplot import plotting


class NotebookFigure(Figure):
    """A ``Figure`` with a PNG representation for IPython's display."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        plotting.save(self, buffer, "png", int(self.dpi), {"Software": None})
        return buffer.getvalue()
