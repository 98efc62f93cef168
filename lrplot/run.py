"""One lrplot job: merge the config, bind the curves, write every output.

Outputs are checked before any work is done, written to temporary files, and
renamed into place together at the end (see :mod:`lrplot.export`).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from lrplot import export
from lrplot.config import load
from lrplot.errors import UsageError
from lrplot.options import FIGURE_BY_NAME
from lrplot.plan import CurveRequest, Plan, make_curves
from lrplot.progress import progress

DEFAULT_OUTPUT = "lrplot.png"


def run(figure: dict[str, Any], requests: list[CurveRequest], config: str | None = None) -> None:
    """``figure``: figure options given on the command line (converted).
    Options from ``config`` apply where the command line did not set them."""
    options: dict[str, Any] = {}
    config_curves: list[CurveRequest] = []
    if config is not None:
        options, config_curves = load(config)
    options.update(figure)
    for name, option in FIGURE_BY_NAME.items():
        options.setdefault(name, option.default)

    outputs = list(options["output"]) or ([] if options["show"] else [DEFAULT_OUTPUT])
    formats = [export.check_output(path) for path in outputs]
    if outputs.count(export.STDOUT) > 1:
        raise UsageError("-o/--output: - (stdout) may be given only once")
    duplicates = {p for p in outputs if outputs.count(p) > 1 and p != export.STDOUT}
    if duplicates:
        raise UsageError(f"-o/--output: {sorted(duplicates)[0]!r} is given twice")

    steps = options["steps"]
    plan = Plan(
        steps=steps,
        curves=make_curves(config_curves + requests, steps),
        title=options["title"],
        log_y=options["log_y"],
        steps_per_epoch=options["steps_per_epoch"],
        dpi=options["dpi"],
        size=options["size"],
    )
    written = write_outputs(plan, outputs, formats)
    stream_paths_to = sys.stderr if export.STDOUT in outputs else sys.stdout
    for path in written:
        click.echo(path, file=stream_paths_to)
    if options["show"]:
        from lrplot.plotting import show

        show(plan)


def write_outputs(plan: Plan, outputs: list[str], formats: list[str]) -> list[str]:
    pending = export.Outputs()
    figure = None
    units = plan.steps * len(plan.curves)
    try:
        for path, fmt in zip(outputs, formats):
            if path == export.STDOUT:
                continue
            if fmt in ("csv", "json"):
                writer = export.write_csv if fmt == "csv" else export.write_json
                with progress(fmt, f"writing {path}", units) as advance:
                    with pending.open(path) as handle:
                        writer(plan, handle, advance=advance)
                continue
            from lrplot import plotting

            if figure is None:
                with progress("figure", "drawing", units) as advance:
                    figure = plotting.draw(plan, advance=advance)
            with pending.open(path, binary=True) as handle:
                plotting.save(figure, handle, fmt, plan.dpi)
        if export.STDOUT in outputs:
            export.write_csv(plan, sys.stdout)
            sys.stdout.flush()
        return pending.commit()
    finally:
        pending.discard()
