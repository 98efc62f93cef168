"""One lrplot job: merge the config, bind the curves, lint, write every output.

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
from lrplot.options import resolve
from lrplot.plan import CurveRequest, Plan, make_curves
from lrplot.progress import progress

DEFAULT_OUTPUT = "lrplot.png"


def run(figure: dict[str, Any], requests: list[CurveRequest], config: str | None = None) -> None:
    """``figure``: raw figure options from the command line; they win over
    ``config``'s, whose curves come before the command line's."""
    config_options: dict[str, Any] = {}
    config_curves: list[CurveRequest] = []
    if config is not None:
        config_options, config_curves = load(config)
    options = resolve(figure, config_options, config)

    outputs = list(options["output"])
    if not outputs and not (options["show"] or options["emit"] or options["stats"]):
        outputs = [DEFAULT_OUTPUT]
    formats = [export.check_output(path) for path in outputs]
    if outputs.count(export.STDOUT) > 1:
        raise UsageError("-o/--output: - (stdout) may be given only once")
    duplicates = {p for p in outputs if outputs.count(p) > 1 and p != export.STDOUT}
    if duplicates:
        raise UsageError(f"-o/--output: {sorted(duplicates)[0]!r} is given twice")
    stdout_taken = export.STDOUT in outputs or options["emit"] is not None

    from lrplot import overlay

    overlays = tuple(overlay.load(spec) for spec in options["overlay"])
    steps = options["steps"]
    plan = Plan(
        steps=steps,
        curves=make_curves(config_curves + requests, steps, options["steps_per_epoch"]),
        title=options["title"],
        log_y=options["log_y"],
        steps_per_epoch=options["steps_per_epoch"],
        dpi=options["dpi"],
        size=options["size"],
        overlays=overlays,
    )
    from lrplot.lint import lint

    warnings = lint(plan)
    for line in warnings:
        click.echo(line, err=True)
    if warnings and options["strict"]:
        raise UsageError(f"--strict: {len(warnings)} warning(s) above")
    for item in overlays:
        click.echo(overlay.compare(item, plan.curves[0].bound, steps), err=True)

    code = None
    if options["emit"] is not None:
        from lrplot.emit import emit

        code = emit(options["emit"], plan)
    written = write_outputs(plan, outputs, formats)
    if code is not None:
        click.echo(code, nl=not code.endswith("\n"))
    info = sys.stderr if stdout_taken else sys.stdout
    if options["stats"]:
        from lrplot import stats

        click.echo(stats.format_table(stats.compute(plan)), file=info, nl=False)
    for path in written:
        click.echo(path, file=info)
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
