"""The command line: a chained Click group generated from the registry.

``lrplot [FIGURE OPTIONS] SCHEDULE [OPTIONS] [SCHEDULE [OPTIONS] ...]`` — each
schedule subcommand returns a curve request; the result callback binds them
all and renders once, so an error in curve 2 writes nothing.

Every user error is one line on stderr and exit status 2; an internal error is
one line plus "please report" and exit status 1 (traceback with ``--debug``).
"""

from __future__ import annotations

import errno
import signal
import sys
from collections.abc import Sequence
from typing import Any

import click

from lrplot import __version__, stops
from lrplot.binding import all_schedules
from lrplot.dialects import MODULES as DIALECT_NAMES
from lrplot.errors import (
    ReaderGone,
    UsageError,
    shorten_words,
    show_value,
    silence,
    stdout_failure,
    tell,
    writing_stdout,
)
from lrplot.options import FIGURE_BY_NAME, FIGURE_OPTIONS, OPTIONAL_VALUES
from lrplot.plan import CurveRequest
from lrplot.quantities import GROUPS_HELP, KEYS, LAYER_DECAY_HELP, SPEC_HELP
from lrplot.registry import Param, Schedule, did_you_mean

METAVARS = {
    "float": "FLOAT",
    "int": "INT",
    "steps": "STEPS",
    "span": "STEPS",
    "length": "STEPS",
    "floats": "FLOATS",
    "steps-list": "STEPS,...",
    "text": "TEXT",
    "size": "WxH",
    "paths": "PATH",
}

# Schedules that cannot be written on a command line (their parameters are curves).
YAML_ONLY = ("sequence",)


class ListRequest:
    """Returned by `lrplot list` inside the chain."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt


class TranslateRequest:
    """Returned by `lrplot translate FILE` inside the chain."""

    def __init__(self, path: str, dialect: str | None, facts: dict[str, Any], steps: int | None = None) -> None:
        self.path = path
        self.dialect = dialect
        self.facts = facts
        self.steps = steps


class OnceOption(click.Option):
    """An option that takes one value: given twice with different values it
    is an error, not a silent last-one-wins (`--emit torch --emit keras`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("default", None)
        super().__init__(*args, multiple=True, **kwargs)

    def process_value(self, ctx: click.Context, value: Any) -> Any:
        values = super().process_value(ctx, value)
        if len(set(values)) > 1:
            shown = ", ".join(_shown(v) for v in values)
            raise click.UsageError(f"{self.opts[0]} is given {len(values)} times ({shown}): give it once", ctx=ctx)
        return values[0] if values else None


def _shown(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _schedule_option(param: Param) -> click.Option:
    help_text = f"{param.help} [default: {param.default_text()}]"
    if param.kind == "bool":
        flag = param.option
        return OnceOption([f"{flag}/--no-{flag[2:]}", param.name], help=help_text)
    if param.kind == "choice":
        metavar = "[" + "|".join(param.choices) + "]"
    else:
        metavar = METAVARS[param.kind]
    return OnceOption([param.option, param.name], metavar=metavar, help=help_text)


def _schedule_command(schedule: Schedule) -> click.Command:
    options: list[click.Parameter] = [_schedule_option(p) for p in schedule.all_params]
    options.append(OnceOption(["--label"], metavar="TEXT", help="legend and CSV column name [default: schedule and its non-default parameters]"))
    options.append(OnceOption(["--color"], metavar="COLOR", help="line colour (matplotlib name or #rrggbb)"))
    helps = {"groups": GROUPS_HELP, "layer_decay": LAYER_DECAY_HELP}
    options += [OnceOption([f"--{name.replace('_', '-')}", name], metavar="SPEC",
                           help=helps.get(name, f"{name.replace('_', ' ')}: {SPEC_HELP}")) for name in KEYS]

    def callback(label: str | None, color: str | None, **values: Any) -> CurveRequest:
        quantities = tuple((name, values.pop(name)) for name in KEYS if values.get(name) is not None)
        given = {name: value for name, value in values.items() if value is not None}
        return CurveRequest(schedule.name, given, label=label, color=color, quantities=quantities)

    doc = f"{schedule.summary}.\n\n\b\n{schedule.formula}"
    if schedule.matches:
        doc += f"\n\nExact match: {schedule.matches}."
    return ScheduleCommand(
        schedule.name,
        params=options,
        callback=callback,
        help=doc,
        short_help=schedule.summary,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


class ScheduleCommand(click.Command):
    """A schedule on the command line: its parse errors name the curve."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # In a chain Click parses every subcommand before invoking any, in order.
        if ctx.parent is not None:
            number = ctx.parent.meta.get("lrplot.curves", 0) + 1
            ctx.parent.meta["lrplot.curves"] = number
            ctx.meta["lrplot.curve"] = number
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as error:
            if getattr(error, "ctx", None) is None:
                error.ctx = ctx  # type: ignore[attr-defined]
            raise


def _figure_option(option: Param) -> click.Option:
    help_text = option.help
    if option.default not in (None, (), False):
        shown = "x".join(f"{v:g}" for v in option.default) if option.kind == "size" else option.default
        help_text += f" [default: {shown}]"
    if option.kind == "bool":
        return OnceOption([option.option, option.name], is_flag=True, help=help_text)
    if option.kind == "paths":
        flags = ["-o", option.option] if option.name == "output" else [option.option]
        return click.Option([*flags, option.name], multiple=True, metavar="PATH", help=help_text + " (repeatable)")
    if option.kind == "choice":
        return OnceOption([option.option, option.name], metavar="[" + "|".join(option.choices) + "]", help=help_text)
    return OnceOption([option.option, option.name], metavar=METAVARS.get(option.kind, "INT"), help=help_text)


class LrplotGroup(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            return COMMANDS[cmd_name]
        schedules = all_schedules()
        if cmd_name in schedules and cmd_name not in YAML_ONLY:
            return _schedule_command(schedules[cmd_name])
        return None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in all_schedules() if name not in YAML_ONLY] + list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Click would build every schedule's command (some 300 options) for
        # one line of help each: the registry has that line already.
        schedules = all_schedules()
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = [
            (name, schedules[name].summary if name in schedules else COMMANDS[name].get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            if name.startswith("-"):
                raise click.NoSuchOption(name, ctx=ctx)
            if name in YAML_ONLY:
                raise UsageError(f"schedule {name!r} takes a list of curves: write it in a YAML config (--config)")
            names = self.list_commands(ctx)
            raise UsageError(
                f"unknown schedule {show_value(name)}{did_you_mean(name, names)}; run `lrplot list` to see them all"
            )
        return command.name, command, args[1:]

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:  # type: ignore[override]
        argv = _optional_values(list(sys.argv[1:] if args is None else args))
        if standalone_mode:
            stops.install()
        code = run_safely(lambda: super(LrplotGroup, self).main(argv, prog_name or "lrplot", complete_var, standalone_mode=False, **extra), debug="--debug" in argv)
        if standalone_mode:
            sys.exit(code)
        return code


def _optional_values(argv: list[str]) -> list[str]:
    """`--diff` followed by anything but one of its values is `--diff=abs`
    (Click would take the next word, a schedule's name, as the value)."""
    flags = {option.option: (name, option.choices) for name, option in FIGURE_BY_NAME.items() if name in OPTIONAL_VALUES}
    out = list(argv)
    for i, word in enumerate(argv):
        if word not in flags or (i and _takes_value(argv[i - 1])):
            continue
        name, choices = flags[word]
        if i + 1 == len(argv) or argv[i + 1] not in choices:
            out[i] = f"{word}={OPTIONAL_VALUES[name]}"
    return out


def _takes_value(word: str) -> bool:
    """``word`` is an option whose value is the next word (so that word is text, not an option)."""
    if not word.startswith("-") or "=" in word or word in ("-", "--"):
        return False
    flags = {"--debug", "--help", "-h", "--version"} | {o.option for o in FIGURE_OPTIONS if o.kind == "bool"}
    for schedule in all_schedules().values():
        for param in schedule.all_params:
            if param.kind == "bool":
                flags |= {param.option, "--no-" + param.option[2:]}
    return word not in flags


STDOUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def run_safely(call: Any, debug: bool) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit status."""
    try:
        result = call()
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.exceptions.Abort:
        tell("lrplot: aborted")
        return 130
    except stops.Stopped as stop:
        if stop.signal == signal.SIGINT:
            tell("lrplot: interrupted")
        else:
            tell(f"lrplot: stopped by {signal.Signals(stop.signal).name}")
        return 128 + stop.signal
    except KeyboardInterrupt:
        tell("lrplot: interrupted")
        return 130
    except click.ClickException as error:
        tell(f"lrplot: error: {_one_line(_click_message(error))}")
        return 2 if isinstance(error, click.UsageError) else error.exit_code
    except UsageError as error:
        tell(f"lrplot: error: {_one_line(str(error))}")
        return 2
    except (BrokenPipeError, ReaderGone):
        # `lrplot -o - ... | head`: the reader left; not an error worth a line.
        silence("stdout")
        return 0
    except SystemExit as exit_:
        # Click's own output (--help, --version) into a closed pipe: Click
        # pacifies stdout and exits 1; for lrplot a reader leaving is no error.
        from click.utils import PacifyFlushWrapper

        if isinstance(sys.stdout, PacifyFlushWrapper):  # type: ignore[arg-type]
            return 0
        raise exit_
    except OSError as error:
        # Files lrplot writes or reads report their own errors; a full disk or
        # an I/O error that gets here hit stdout inside Click (`--help > /dev/full`).
        if error.errno in STDOUT_ERRNOS:
            silence("stdout")
            tell(f"lrplot: error: {stdout_failure(error)}")
            return 2
        return _internal_error(error, debug)
    except Exception as error:
        return _internal_error(error, debug)


def _internal_error(error: Exception, debug: bool) -> int:
    """A bug: say so briefly, the traceback only on request."""
    if debug:
        import traceback

        traceback.print_exception(error)
    tell(
        f"lrplot: internal error: {type(error).__name__}: {_one_line(str(error))} "
        "(please report this at the project's issue tracker; rerun with --debug for the traceback)"
    )
    return 1


FIGURE_FLAGS = {"-o"} | {option.option for option in FIGURE_OPTIONS} | {"--config"}


def _click_message(error: click.ClickException) -> str:
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if context is None or context.parent is None or not context.command.name:
        return message
    if isinstance(error, click.NoSuchOption) and error.option_name in FIGURE_FLAGS:
        message = (
            f"{error.option_name} is a figure option: give it before the first schedule, "
            f"e.g. lrplot {error.option_name} ... {context.command.name} ..."
        )
    number = context.meta.get("lrplot.curve")
    # With --config the file's curves come first: say which list this one is in.
    counted = "command-line curve" if context.parent.params.get("config") else "curve"
    where = f"{counted} {number} ({context.command.name})" if number else context.command.name
    return f"{where}: {message}"


def _one_line(text: str) -> str:
    return shorten_words(" ".join(part.strip() for part in text.splitlines() if part.strip()))


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _figure_options(function: Any) -> Any:
    for option in reversed(FIGURE_OPTIONS):
        function.__click_params__ = getattr(function, "__click_params__", [])
        function.__click_params__.append(_figure_option(option))
    return function


@click.group(
    "lrplot",
    cls=LrplotGroup,
    chain=True,
    invoke_without_command=True,
    context_settings=CONTEXT,
    subcommand_metavar="SCHEDULE [OPTIONS] [SCHEDULE [OPTIONS]]...",
)
@click.option("--config", "config", cls=OnceOption, metavar="FILE.yaml", help="read figure options and curves from a YAML file")
@click.option("--debug", is_flag=True, hidden=True, help="show tracebacks of internal errors")
@click.version_option(__version__, "--version", prog_name="lrplot", message="%(prog)s %(version)s")
@_figure_options
@click.pass_context
def main(ctx: click.Context, **_: Any) -> None:
    """Evaluate, compare, draw and export learning-rate schedules.

    Give one or more schedules, each followed by its options; each becomes a
    curve in one figure. Figure options come before the first schedule.

    \b
    Examples:
      lrplot exponential --decay-rate 0.96
      lrplot --steps 100 piecewise --boundaries 30,60 --values 0.1,0.01,0.001 \\
             exponential --decay-rate 0.96
      lrplot --steps 1000 -o cosine.svg -o cosine.csv cosine --warmup-steps 100
      lrplot --config configs/figure4.yaml
      lrplot list

    Run `lrplot SCHEDULE --help` for a schedule's options.
    """
    if ctx.invoked_subcommand is None and not ctx.params.get("config") and not ctx.params.get("from"):
        if any(value not in (None, (), False) for value in ctx.params.values()):
            raise UsageError("no schedule given after the figure options; try `lrplot list`")
        with writing_stdout():
            click.echo(ctx.get_help())
        ctx.exit(0)


@main.result_callback()
@click.pass_context
def _render(ctx: click.Context, results: list[Any], **params: Any) -> None:
    alone = [r for r in results if isinstance(r, (ListRequest, TranslateRequest))]
    if alone and len(results) > 1:
        name = "list" if isinstance(alone[0], ListRequest) else "translate"
        raise UsageError(f"`{name}` cannot be combined with schedules: run `lrplot {name}` on its own")
    if alone and any(params.get(option.name) not in (None, (), False) for option in FIGURE_OPTIONS):
        raise UsageError("figure options do not apply to `list` or `translate`")
    if alone and isinstance(alone[0], TranslateRequest):
        _translate(alone[0])
        return
    listing = alone
    if listing:
        from lrplot.listing import render_listing

        with writing_stdout():
            click.echo(render_listing(listing[0].fmt), nl=False)
        return
    figure = {
        option.name: params[option.name]
        for option in FIGURE_OPTIONS
        if params.get(option.name) not in (None, ())
    }
    curves = [r for r in results if isinstance(r, CurveRequest)]  # run() numbers them
    from lrplot.run import run  # the heavy part (export, YAML) only when there is work

    run(figure, curves, config=params.get("config"))


@click.command("list", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True, help="plain text, or the README's markdown table")
def _list(fmt: str) -> ListRequest:
    """List every schedule with its parameters, defaults and formula."""
    return ListRequest(fmt)


FACT_OPTIONS = ("dataset_size", "batch_size", "grad_accum", "world_size")


class TranslateCommand(click.Command):
    """`translate FILE --dataset-size N`: options may follow the file, although
    a chained group would stop parsing at it."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        extra["allow_interspersed_args"] = True
        return super().make_context(info_name, args, parent, **extra)


@click.command("translate", cls=TranslateCommand, context_settings=CONTEXT)
@click.argument("path", metavar="FILE")
@click.option("--dialect", type=click.Choice(DIALECT_NAMES), help="what kind of file it is (default: recognised from it)")
@click.option("--steps", cls=OnceOption, type=click.IntRange(min=1), metavar="N", help="the run's length in updates, when the file does not say")
@click.option("--dataset-size", cls=OnceOption, type=click.IntRange(min=1), metavar="N", help="training examples per epoch, when the file does not say")
@click.option("--batch-size", cls=OnceOption, type=click.IntRange(min=1), metavar="B", help="examples per batch on one device, instead of the file's")
@click.option("--grad-accum", cls=OnceOption, type=click.IntRange(min=1), metavar="A", help="batches per optimizer step, instead of the file's")
@click.option("--world-size", cls=OnceOption, type=click.IntRange(min=1), metavar="W", help="data-parallel devices [default: 1]")
def _translate_command(path: str, dialect: str | None, steps: int | None, **facts: Any) -> TranslateRequest:
    """Print the lrplot YAML config that draws FILE's learning rate, exactly
    as `lrplot --from FILE` does, each line commented with the key it came from."""
    return TranslateRequest(path, dialect, facts, steps)


def _translate(request: TranslateRequest) -> None:
    from lrplot.dialects import Facts
    from lrplot.translate import translate

    text = translate(request.path, Facts(**request.facts), request.dialect, request.steps)
    with writing_stdout():
        click.echo(text, nl=False)


COMMANDS: dict[str, click.Command] = {"list": _list, "translate": _translate_command}


def entry_point() -> None:
    main()
