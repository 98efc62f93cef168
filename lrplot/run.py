"""One lrplot job: merge the config, bind the curves, lint, write every output.

Outputs are checked before any work is done, written to temporary files, and
renamed into place together at the end (see :mod:`lrplot.export`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from lrplot.config import Config, PanelRequest, load
from lrplot.descent import LOSSES, MAX_DESCENT_STEPS, check_x0, get_loss
from lrplot.errors import ParamError, ReaderGone, UsageError, tell, utf8_stdout, writing_stdout
from lrplot.files import STDOUT, Target, Transaction, check_targets
from lrplot.options import FIGURE_BY_NAME, convert_figure_option, resolve
from lrplot.outputs import STDOUT_FORMAT, Job, format_for
from lrplot.plan import CurveRequest, Panel, Plan, make_curves
from lrplot.progress import progress

DEFAULT_OUTPUT = "lrplot.png"


def run(figure: dict[str, Any], requests: list[CurveRequest], config: str | None = None) -> None:
    """``figure``: raw figure options from the command line; they win over
    ``config``'s, whose curves come before the command line's."""
    loaded = load(config) if config is not None else Config({}, [], [])
    options = resolve(figure, loaded.options, config)

    outputs = list(options["output"])
    if not outputs and not (options["show"] or options["emit"] or options["stats"] or options["term"]):
        outputs = [DEFAULT_OUTPUT]
    if outputs.count(STDOUT) > 1:
        raise UsageError("-o/--output: - (stdout) may be given only once")
    duplicates = {p for p in outputs if outputs.count(p) > 1 and p != STDOUT}
    if duplicates:
        raise UsageError(f"-o/--output: {sorted(duplicates)[0]!r} is given twice")
    if STDOUT in outputs and options["emit"] is not None:
        raise UsageError("--emit prints code on stdout, and so does -o - (CSV): write the CSV to a file instead")
    stdout_taken = STDOUT in outputs or options["emit"] is not None
    if options["term"] and stdout_taken:
        taken = "-o - (CSV)" if STDOUT in outputs else "--emit (code)"
        raise UsageError(f"--term draws on stdout, and so does {taken}: write the CSV or code to a file instead")

    from lrplot import overlay

    inputs = (
        ([config] if config is not None else [])
        + [overlay.split_spec(spec)[0] for spec in options["overlay"]]
        + list(options["from"])
    )
    targets = check_targets(outputs, inputs)
    raster = any(format_for(path).name == "png" for path in outputs)
    imported = _imported(options, figure, loaded.options)
    if imported:
        if loaded.panels:
            raise UsageError(f"{config}: has panels:, which --from curves cannot join")
        requests = imported + requests
    overlays = tuple(overlay.load(spec) for spec in options["overlay"])
    steps = options["steps"]
    if loaded.panels:
        if requests:
            raise UsageError(f"{config}: has panels:, so schedules on the command line have no panel to go to")
        panels = tuple(_panel(request, options, steps) for request in loaded.panels)
        curves = tuple(curve for panel in panels for curve in panel.curves)
    else:
        # Command-line curves come after the file's: number them as the figure (and lint) does.
        requests = [
            r if r.where.startswith("--from") else r._replace(where=f"curve {len(loaded.curves) + i}")
            for i, r in enumerate(requests, 1)
        ]
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
        annotate=options["annotate"],
        diff=options["diff"],
    )
    figures = any(format_for(path).name in ("png", "svg", "pdf") for path in outputs)
    if options["show"] or figures:
        from lrplot.plotting import check_figure

        check_figure(plan, raster=options["show"] or raster)
    sizes = _check_long_run(plan, options, outputs) if not panels else []
    from lrplot.lint import lint

    warnings = sizes + lint(plan)
    for line in warnings:
        tell(line)
    if warnings and options["strict"]:
        raise UsageError(f"--strict: {len(warnings)} warning(s) above")
    for item in overlays:
        tell(overlay.compare(item, plan.curves[0].bound, steps))

    # --show without a display draws in the terminal, if stdout is free for it.
    in_terminal = options["term"] or (
        options["show"] and not stdout_taken and not plan.panels and not _has_display()
    )
    if in_terminal and plan.panels:
        raise UsageError("--term draws learning-rate curves, not --descent panels: write those with -o FILE.png")
    if in_terminal and not options["term"]:
        tell("note: --show: no display to open a window on, so the figure is drawn here (-o FILE saves it)")

    code = None
    if options["emit"] is not None:
        from lrplot.emit import emit

        code = emit(options["emit"], plan)

    def inform(text: str) -> None:
        """Statistics and paths go to stdout unless stdout carries data."""
        if stdout_taken:
            tell(text.removesuffix("\n"))
        else:
            click.echo(text, nl=not text.endswith("\n"))

    def announce(paths: list[str]) -> None:
        """Code, statistics and the paths about to be written: printed before
        the files are renamed into place, so a stdout that fails costs them."""
        drawn = _terminal_plot(plan, options["strict"], figures) if in_terminal else None
        with writing_stdout():
            if drawn is not None:
                with utf8_stdout() as stream:
                    stream.write(drawn)
            if code is not None:
                with utf8_stdout() as stream:
                    stream.write(code if code.endswith("\n") else code + "\n")
            if options["stats"]:
                from lrplot import stats

                inform(stats.format_table(stats.compute(plan)))
                if carried := stats.carried_table(plan):  # momentum, weight decay, groups
                    inform(carried)
            for path in paths:
                inform(path)

    write_outputs(plan, targets, announce=announce, strict=options["strict"])
    if options["show"] and not in_terminal:
        from lrplot.plotting import show

        show(plan)


def _has_display() -> bool:
    from lrplot.plotting import has_display

    return has_display()


def _terminal_plot(plan: Plan, strict: bool, figures: bool) -> str:
    """The figure as text for stdout, at the terminal's size. Its warnings
    are the figure files' (drawn first), said once."""
    from lrplot import terminal
    from lrplot.outputs import FIGURE_RATE

    columns, lines = terminal.terminal_size()
    warnings: list[str] = []
    with progress(FIGURE_RATE, "drawing", plan.steps * len(plan.curves)) as advance:
        text = terminal.render(plan, columns, lines, terminal.colour_mode(), advance=advance, warn=warnings.append)
    if not figures:
        for line in warnings:
            tell(line)
        if warnings and strict:
            raise UsageError(f"--strict: {len(warnings)} warning(s) above")
    return text


def _check_long_run(plan: Plan, options: dict[str, Any], outputs: list[str]) -> list[str]:
    """Before any work: a curve that overflows float64 (found from its
    breakpoints, not after most of a file); what a run past 10**9 steps
    cannot do. Returns the warnings for CSV and JSON files of more than
    about a gigabyte."""
    from lrplot import envelope, export
    from lrplot.registry import MAX_EVALUATED

    envelope.check_overflow(plan, exhaustive=False)
    if plan.steps > MAX_EVALUATED:
        if options["stats"] or options["show"] or any(format_for(path).name in ("png", "svg", "pdf") for path in outputs):
            for number, curve in enumerate(plan.curves, 1):
                envelope.check_envelope(curve.bound, plan.steps, f"curve {number} ({curve.label})")
    warnings = []
    for path in outputs:
        size = export.estimated_size(format_for(path).name, plan.steps, len(plan.curves))
        if size > export.LARGE_FILE:
            name = "the CSV on stdout" if path == STDOUT else path
            warnings.append(f"warning: {name} will be about {export.human_size(size)} ({plan.steps:,} rows of {len(plan.curves)} curves)")
    return warnings


def _imported(options: dict[str, Any], figure: dict[str, Any], config: dict[str, Any]) -> list[CurveRequest]:
    """The --from files as curve requests. The run's length and epochs come
    from them unless --steps / --steps-per-epoch say otherwise."""
    if not options["from"]:
        return []
    from lrplot.dialects import Facts, load

    given = {name: options[name] for name in Facts._fields if name in figure or name in config}
    facts = Facts(**given)
    loaded = [(path, item) for path in options["from"] for item in load(path, facts, options["dialect"])]
    if options["strict"]:
        for path, item in loaded:
            if item.ignored:
                raise UsageError(f"--strict: --from {path}: {item.ignored[0]} looks schedule-related but lrplot does not use it")
    if "steps" not in figure and "steps" not in config:
        options["steps"] = max(item.total_steps for _, item in loaded)  # a file silent on it offers a default
    if options["steps_per_epoch"] is None:
        options["steps_per_epoch"] = next((item.steps_per_epoch for _, item in loaded if item.steps_per_epoch), None)
    from lrplot.quantities import split

    return [
        CurveRequest(item.schedule, own, label=item.label, where=f"--from {path}", style="yaml", quantities=carried)
        for path, item in loaded
        for own, carried in [split(item.params)]
    ]


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
    targets: list[Target],
    announce: Callable[[list[str]], None] | None = None,
    strict: bool = False,
) -> list[str]:
    """Write every output to a temporary file, then stdout (CSV with ``-o -``,
    then ``announce(paths)``), then replace the targets. Any error before the
    replacing leaves no file; a stdout reader that leaves early (``| head``)
    is not an error and costs no file."""
    pending = Transaction()
    job = Job(plan, strict, raster=any(t.path != STDOUT and format_for(t.path).name == "png" for t in targets))
    reader_gone = False
    try:
        for target in targets:
            if target.path == STDOUT:
                continue
            fmt = format_for(target.path)
            with (
                progress(fmt.rate, f"writing {target.path}", job.units) as advance,
                pending.open(target, binary=fmt.binary) as handle,
            ):
                fmt.write(job, handle, advance)
        if any(target.path == STDOUT for target in targets):
            if job.runs is None:
                # stdout cannot be taken back: a curve that overflows must fail
                # before the first byte, cleanly.
                from lrplot.envelope import check_overflow
                from lrplot.quantities import evaluate_all

                check_overflow(plan, exhaustive=True)
                evaluate_all(plan)  # momentum, weight decay, groups
            try:
                with writing_stdout(), utf8_stdout() as stream:
                    STDOUT_FORMAT.write(job, stream, lambda n: None)
            except ReaderGone:
                reader_gone = True
        if announce is not None:
            try:
                announce([target.path for target in targets if target.path != STDOUT])
            except ReaderGone:
                reader_gone = True
        written = pending.commit()
    finally:
        pending.discard()
    if reader_gone:
        raise ReaderGone
    return written
