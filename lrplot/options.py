"""Figure options: one table for the command line (``--log-y``) and YAML (``log_y``),
of the same :class:`~lrplot.registry.Param` records as schedule parameters
(with three more kinds: ``text``, ``size``, ``paths``).

Values arrive raw (CLI strings, YAML scalars) and are converted together by
:func:`resolve`, after the whole command line is parsed: ``--steps 90ep``
needs ``--steps-per-epoch``, which may come later on the line or from YAML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrplot.descent import LOSSES
from lrplot.dialects import MODULES as DIALECT_NAMES
from lrplot.errors import ParamError, UsageError
from lrplot.frameworks import EMIT
from lrplot.outputs import output_help
from lrplot.registry import MAX_STEPS, TEXT_ALLOWED, Param, check_text, convert

# Optimizer steps in one epoch of one device's ``examples`` (ceil(dataset / world
# size): DistributedSampler pads), batches of ``batch``, ``accum`` batches a step.


def _stepping_on_the_last_partial_accumulation(examples: int, batch: int, accum: int) -> int:
    return math.ceil(math.ceil(examples / batch) / accum)


TRAINER_COUNTS: dict[str, Callable[[int, int, int], int]] = {
    # A loop that steps only on full accumulations (DistributedSampler, drop_last=False).
    "torch": lambda examples, batch, accum: math.ceil(examples / batch) // accum,
    # transformers' Trainer: len(dataloader) // accum + (len(dataloader) % accum > 0).
    "hf": _stepping_on_the_last_partial_accumulation,
    # Lightning steps on the epoch's last batch whatever the accumulation.
    "lightning": _stepping_on_the_last_partial_accumulation,
    # timm's train.py: a drop_last loader, ceil(len(loader) / grad_accum_steps) updates.
    "timm": lambda examples, batch, accum: math.ceil((examples // batch) / accum),
}

FRAMEWORKS = EMIT  # --emit's choices: one module per framework (lrplot.frameworks)


FIGURE_OPTIONS: tuple[Param, ...] = (
    Param("steps", "steps", 100, "steps to evaluate: 0, 1, ..., N-1 (or epochs: 90ep)", low=1, high=MAX_STEPS),
    Param(
        "output",
        "paths",
        (),
        output_help(),
    ),
    Param("title", "text", None, "figure title"),
    Param("log_y", "bool", False, "logarithmic learning-rate axis"),
    Param(
        "steps_per_epoch",
        "int",
        None,
        "steps per epoch: x axis in epochs (steps on top), and step counts may be written 30ep",
        low=1,
    ),
    Param("dataset_size", "int", None, "examples per epoch (derives --steps-per-epoch)", low=1),
    Param("batch_size", "int", None, "examples per batch on one device", low=1),
    Param("grad_accum", "int", 1, "batches accumulated per optimizer step", low=1),
    Param("world_size", "int", 1, "data-parallel devices", low=1),
    Param(
        "trainer",
        "choice",
        "torch",
        "how optimizer steps per epoch are counted from --dataset-size: torch (full accumulations only), "
        "hf or lightning (the last partial accumulation steps too), timm (drops the last partial batch, "
        "steps on a partial accumulation)",
        choices=tuple(TRAINER_COUNTS),
    ),
    Param("dpi", "int", 100, "resolution of PNG figures, dots per inch", low=10, high=2000),
    Param("size", "size", (8.0, 4.5), "figure size in inches, WxH"),
    Param("show", "bool", False, "open a window with the figure (without a display: draw it in the terminal)"),
    Param("term", "bool", False, "draw the figure in the terminal, in Unicode braille (colours on a terminal)"),
    Param(
        "overlay",
        "paths",
        (),
        "a logged learning rate to draw over the plan: FILE.csv[:COLUMN] "
        "(Lightning CSVLogger, TensorBoard or W&B CSV export)",
    ),
    Param(
        "from",
        "paths",
        (),
        "a training configuration (transformers, timm, DeepSpeed, MMEngine, ...) drawn as its trainer "
        "runs it; facts it lacks come from --dataset-size, --batch-size, --grad-accum, --world-size",
    ),
    Param("dialect", "choice", None, "what kind of file --from reads (default: recognised from the file)",
                 choices=DIALECT_NAMES),
    Param("stats", "bool", False, "print a table of statistics per curve"),
    Param(
        "emit",
        "choice",
        None,
        "print a Python script building each curve with the framework's own scheduler",
        choices=FRAMEWORKS,
    ),
    Param("strict", "bool", False, "treat warnings as errors (exit 2)"),
    Param(
        "descent",
        "choice",
        None,
        "run gradient descent with each curve on a built-in loss and draw it (the seed's figure 1)",
        choices=tuple(LOSSES),
    ),
    Param("x0", "floats", None, "start point of --descent (x, or x,y for 2-D losses)"),
    Param("annotate", "bool", False, "mark warmup end, boundaries, milestones, restarts (with the new value), "
          "the peak and the final value"),
    Param("diff", "choice", None, "a panel under the curves with each curve minus the first; "
          "rel: (curve - first) / first (--diff alone: abs)", choices=("abs", "rel")),
)

# Options that may be given without their value on the command line
# (`--diff` is `--diff abs`); YAML and Python always spell the value.
OPTIONAL_VALUES = {"diff": "abs"}

FIGURE_BY_NAME = {option.name: option for option in FIGURE_OPTIONS}
UNIT_OPTIONS = ("steps",)  # converted after steps_per_epoch is known


def convert_figure_option(
    option: Param, raw: Any, steps_per_epoch: int | None = None
) -> Any:
    if option.kind == "text":
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return check_text(option.name, str(raw))
        raise ParamError(option.name, raw, TEXT_ALLOWED)
    if option.kind == "size":
        return _size(option, raw)
    if option.kind == "paths":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i for i in items):
            raise ParamError(option.name, raw, "a file name or a list of file names")
        return tuple(items)
    return convert(option, raw, steps_per_epoch)


def _size(option: Param, raw: Any) -> tuple[float, float]:
    allowed = "WxH in inches, e.g. 8x4.5, each from 1 to 100"
    if isinstance(raw, (list, tuple)) and len(raw) == 2:
        parts = list(raw)
    elif isinstance(raw, str) and raw.lower().count("x") == 1:
        parts = raw.lower().split("x")
    else:
        raise ParamError(option.name, raw, allowed)
    try:
        width, height = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise ParamError(option.name, raw, allowed) from None
    if not all(math.isfinite(v) and 1 <= v <= 100 for v in (width, height)):
        raise ParamError(option.name, raw, allowed)
    return (width, height)


def resolve(
    command_line: Mapping[str, Any], config: Mapping[str, Any], config_path: str | None
) -> dict[str, Any]:
    """Convert and merge figure options: the command line wins over the config,
    the config over the defaults. Errors name the source (``--steps`` or
    ``file.yaml: steps``)."""

    def value(option: Param, steps_per_epoch: int | None = None) -> Any:
        if option.name in command_line:
            raw, where, style = command_line[option.name], "", "cli"
        elif option.name in config:
            raw, where, style = config[option.name], config_path or "", "yaml"
        else:
            return option.default
        try:
            return convert_figure_option(option, raw, steps_per_epoch)
        except ParamError as error:
            raise error.locate(where, style) from None

    options = {
        name: value(option)
        for name, option in FIGURE_BY_NAME.items()
        if name not in UNIT_OPTIONS
    }
    options["steps_per_epoch"] = _steps_per_epoch(options)
    for name in UNIT_OPTIONS:
        options[name] = value(FIGURE_BY_NAME[name], options["steps_per_epoch"])
    return options


def _steps_per_epoch(options: dict[str, Any]) -> int | None:
    """Given, or derived from the data as ``--trainer`` counts it (see
    TRAINER_COUNTS), at least one per epoch."""
    dataset, batch = options["dataset_size"], options["batch_size"]
    if options["from"]:
        if options["trainer"] != "torch":
            raise UsageError("--trainer counts --dataset-size without --from: a --from file is counted as its "
                             "own trainer counts")
        return options["steps_per_epoch"]  # the facts are the --from file's: its reader uses them
    if dataset is None and batch is None:
        return options["steps_per_epoch"]
    if dataset is None or batch is None:
        raise UsageError("--dataset-size and --batch-size go together (they derive --steps-per-epoch)")
    if options["steps_per_epoch"] is not None:
        raise UsageError("give --steps-per-epoch or --dataset-size/--batch-size, not both")
    per_device = math.ceil(dataset / options["world_size"])
    return max(1, TRAINER_COUNTS[options["trainer"]](per_device, batch, options["grad_accum"]))
