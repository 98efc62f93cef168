"""One lrplot job: merge the config, bind the curves, lint, write every output.

Outputs are checked before any work is done, written to temporary files, and
renamed into place together at the end (see :mod:`lrplot.export`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from lrplot import export
from lrplot.config import Config, PanelRequest, load
from lrplot.descent import LOSSES, MAX_DESCENT_STEPS, check_x0, get_loss
from lrplot.errors import ParamError, ReaderGone, UsageError, writing_stdout
from lrplot.options import FIGURE_BY_NAME, convert_figure_option, resolve
from lrplot.plan import CurveRequest, Panel, Plan, make_curves
from lrplot.progress import progress

DEFAULT_OUTPUT = "lrplot.png"


def run(figure: dict[str, Any], requests: list[CurveRequest], config: str | None = None) -> None:
    """``figure``: raw figure options from the command line; they win over
    ``config``'s, whose curves come before the command line's."""
    loaded = load(config) if config is not None else Config({}, [], [])
    options = resolve(figure, loaded.options, config)

    outputs = list(options["output"])
    if not outputs and not (options["show"] or options["emit"] or options["stats"]):
        outputs = [DEFAULT_OUTPUT]
    formats = [export.check_output(path) for path in outputs]
    if outputs.count(export.STDOUT) > 1:
        raise UsageError("-o/--output: - (stdout) may be given only once")
    duplicates = {p for p in outputs if outputs.count(p) > 1 and p != export.STDOUT}
    if duplicates:
        raise UsageError(f"-o/--output: {sorted(duplicates)[0]!r} is given twice")
    if export.STDOUT in outputs and options["emit"] is not None:
        raise UsageError("--emit prints code on stdout, and so does -o - (CSV): write the CSV to a file instead")
    stdout_taken = export.STDOUT in outputs or options["emit"] is not None

    from lrplot import overlay

    overlays = tuple(overlay.load(spec) for spec in options["overlay"])
    steps = options["steps"]
    if loaded.panels:
        if requests:
            raise UsageError(f"{config}: has panels:, so schedules on the command line have no panel to go to")
        panels = tuple(_panel(request, options, steps) for request in loaded.panels)
        curves = tuple(curve for panel in panels for curve in panel.curves)
    else:
        # Command-line curves come after the file's: number them as the figure (and lint) does.
        requests = [r._replace(where=f"curve {len(loaded.curves) + i}") for i, r in enumerate(requests, 1)]
        curves = make_curves(loaded.curves + requests, steps, options["steps_per_epoch"])
        panels = (_descent_panel(None, options, curves),) if options["descent"] else ()
    if not panels and options["x0"] is not None:
        raise UsageError("--x0 is the start point of --descent, which is not given")
    if panels and steps > MAX_DESCENT_STEPS:
        raise UsageError(f"--steps: got {steps}, expected at most {MAX_DESCENT_STEPS} with --descent (it simulates step by step)")
    plan = Plan(
        steps=steps,
        curves=curves,
        panels=panels,
        title=options["title"],
        log_y=options["log_y"],
        steps_per_epoch=options["steps_per_epoch"],
        dpi=options["dpi"],
        size=options["size"],
        overlays=overlays,
    )
    if options["show"] or {"png", "svg", "pdf"} & set(formats):
        from lrplot.plotting import check_figure

        check_figure(plan, raster=options["show"] or "png" in formats)
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
    info = sys.stderr if stdout_taken else sys.stdout

    def announce(paths: list[str]) -> None:
        """Code, statistics and the paths about to be written: printed before
        the files are renamed into place, so a stdout that fails costs them."""
        with writing_stdout():
            if code is not None:
                click.echo(code, nl=not code.endswith("\n"))
            if options["stats"]:
                from lrplot import stats

                click.echo(stats.format_table(stats.compute(plan)), file=info, nl=False)
            for path in paths:
                click.echo(path, file=info)

    write_outputs(plan, outputs, formats, announce=announce, strict=options["strict"])
    if options["show"]:
        from lrplot.plotting import show

        show(plan)


def _panel(request: PanelRequest, options: dict[str, Any], steps: int) -> Panel:
    """A YAML panel: its own descent/x0 (else the figure's) and curves."""
    local = {}
    for name, raw in request.options.items():
        try:
            local[name] = convert_figure_option(FIGURE_BY_NAME[name], raw)
        except ParamError as error:
            raise error.locate(request.where, "yaml") from None
    merged = {**options, **local}
    if merged["descent"] is None:
        raise UsageError(f"{request.where}: `descent:` is required (one of {', '.join(LOSSES)})")
    curves = make_curves(request.curves, steps, options["steps_per_epoch"])
    return _descent_panel(request.title, merged, curves)


def _descent_panel(title: str | None, options: dict[str, Any], curves: tuple[Any, ...]) -> Panel:
    loss = get_loss(options["descent"])
    x0 = loss.default_x0 if options["x0"] is None else check_x0(loss, options["x0"])
    return Panel(title, loss, x0, curves)


def write_outputs(
    plan: Plan,
    outputs: list[str],
    formats: list[str],
    announce: Callable[[list[str]], None] | None = None,
    strict: bool = False,
) -> list[str]:
    """Write every output to a temporary file, then stdout (CSV with ``-o -``,
    then ``announce(paths)``), then rename the files into place. Any error
    before the renames leaves no file; a stdout reader that leaves early
    (``| head``) is not an error and costs no file."""
    pending = export.Outputs()
    figure = None
    units = plan.steps * len(plan.curves)
    runs = None
    if plan.panels:
        from lrplot import descent

        runs = descent.simulate_panels(plan)  # once, for the figure and the data
    reader_gone = False
    try:
        for path, fmt in zip(outputs, formats):
            if path == export.STDOUT:
                continue
            if runs is not None and fmt in ("csv", "json"):
                with pending.open(path) as handle:
                    (descent.write_csv if fmt == "csv" else descent.write_json)(plan, runs, handle)
                continue
            if fmt in ("csv", "json"):
                writer = export.write_csv if fmt == "csv" else export.write_json
                with progress(fmt, f"writing {path}", units) as advance, pending.open(path) as handle:
                    writer(plan, handle, advance=advance)
                continue
            from lrplot import plotting

            if figure is None:
                drawn: list[str] = []
                with progress("figure", "drawing", units) as advance:
                    figure = plotting.draw(plan, advance=advance, runs=runs, warn=drawn.append, raster="png" in formats)
                for line in drawn:
                    click.echo(line, err=True)
                if drawn and strict:
                    raise UsageError(f"--strict: {len(drawn)} warning(s) above")
            with pending.open(path, binary=True) as handle:
                plotting.save(figure, handle, fmt, plan.dpi)
        if export.STDOUT in outputs:
            if runs is None:
                # stdout cannot be taken back: evaluate everything once before
                # the first byte, so a curve that overflows fails here, cleanly.
                for _ in plan.chunks():
                    pass
            try:
                with writing_stdout():
                    if runs is not None:
                        descent.write_csv(plan, runs, sys.stdout)
                    else:
                        export.write_csv(plan, sys.stdout)
                    sys.stdout.flush()
            except ReaderGone:
                reader_gone = True
        if announce is not None:
            try:
                announce([path for path in outputs if path != export.STDOUT])
            except ReaderGone:
                reader_gone = True
        written = pending.commit()
    finally:
        pending.discard()
    if reader_gone:
        raise ReaderGone
    return written
