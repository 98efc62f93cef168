"""Output formats as a table: suffix -> how the file is written.

Everything lrplot knows about one format is its row in :data:`FORMATS`: the
writer, whether the file is binary, how fast it is written (for the progress
bar), the metadata a figure carries, and the line of help. ``run`` only
walks the targets and looks their formats up here; where the files go, all
or nothing, is :mod:`lrplot.files`' job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NamedTuple

from lrplot.errors import UsageError, tell
from lrplot.files import STDOUT


class Job:
    """What the writers share: the plan, the descent simulations (once, for
    every output), and the figure (drawn once, for every figure file)."""

    def __init__(self, plan: Any, strict: bool = False, raster: bool = True) -> None:
        self.plan = plan
        self.strict = strict
        self.raster = raster  # a PNG among the outputs: lay the figure out at --dpi
        self.units = plan.steps * len(plan.curves)  # values to evaluate, for progress
        self.runs = None
        if plan.panels:
            from lrplot import descent

            self.runs = descent.simulate_panels(plan)
        self._figure: Any = None

    def figure(self) -> Any:
        if self._figure is None:
            from lrplot import plotting
            from lrplot.progress import progress

            drawn: list[str] = []
            with progress(FIGURE_RATE, "drawing", self.units) as advance:
                self._figure = plotting.draw(
                    self.plan, advance=advance, runs=self.runs, warn=drawn.append, raster=self.raster
                )
            for line in drawn:
                tell(line)
            if drawn and self.strict:
                raise UsageError(f"--strict: {len(drawn)} warning(s) above")
        return self._figure


class OutputFormat(NamedTuple):
    name: str
    help: str
    binary: bool
    # Values written per second on the reference machine (benchmarks/bench.py);
    # the progress bar shows only for jobs of more than about a second.
    rate: float
    write: Callable[[Job, IO[Any], Callable[[int], None]], None]
    metadata: dict[str, Any] | None = None  # figures: no timestamps, no versions


def _csv(job: Job, handle: IO[Any], advance: Callable[[int], None]) -> None:
    if job.runs is not None:
        from lrplot import descent

        descent.write_csv(job.plan, job.runs, handle)
    else:
        from lrplot import export

        export.write_csv(job.plan, handle, advance=advance)


def _json(job: Job, handle: IO[Any], advance: Callable[[int], None]) -> None:
    if job.runs is not None:
        from lrplot import descent

        descent.write_json(job.plan, job.runs, handle)
    else:
        from lrplot import export

        export.write_json(job.plan, handle, advance=advance)


def _figure_writer(fmt: str) -> Callable[[Job, IO[Any], Callable[[int], None]], None]:
    def write(job: Job, handle: IO[Any], advance: Callable[[int], None]) -> None:
        from lrplot import plotting

        plotting.save(job.figure(), handle, fmt, job.plan.dpi, FORMATS["." + fmt].metadata)

    return write


def _page(job: Job, handle: IO[Any], advance: Callable[[int], None]) -> None:
    from lrplot import webpage

    webpage.write(job.plan, handle, advance=advance)


FIGURE_RATE = 3e7  # values per second drawn into a figure, whatever its format
FORMATS: dict[str, OutputFormat] = {
    ".png": OutputFormat("png", "figure, raster at --dpi", True, FIGURE_RATE, _figure_writer("png"),
                         {"Software": None}),
    ".svg": OutputFormat("svg", "figure, vector", True, FIGURE_RATE, _figure_writer("svg"), {"Date": None}),
    ".pdf": OutputFormat("pdf", "figure, vector", True, FIGURE_RATE, _figure_writer("pdf"),
                         {"CreationDate": None, "ModDate": None}),
    ".csv": OutputFormat("csv", "table: step and one column per curve", False, 2e6, _csv),
    ".json": OutputFormat("json", "data: every curve with its parameters and values", False, 2e6, _json),
    ".html": OutputFormat("html", "interactive page, one file that works offline", False, 3e7, _page),
}
STDOUT_FORMAT = FORMATS[".csv"]


def output_help() -> str:
    return ("file to write; the suffix picks the format: " + " ".join(FORMATS)
            + ", - = CSV on stdout; CSV and JSON hold every step, about 21 bytes per step and curve "
            "(10**9 steps x 3 curves: 60 GB)")


def format_for(path: str) -> OutputFormat:
    """The format an output path asks for, or a usage error naming the allowed ones."""
    if path == STDOUT:
        return STDOUT_FORMAT
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"-o/--output: got {path!r}, expected a file ending in one of {' '.join(FORMATS)} "
            "(or - for CSV on stdout)"
        )
    return FORMATS[suffix]
