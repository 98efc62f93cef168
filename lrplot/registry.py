"""The schedule registry: the one place that knows every schedule and parameter.

The CLI options, the YAML keys, ``lrplot list`` and the README's schedule table
are all generated from the definitions registered here, so a schedule is added
by one :func:`register` call next to its function in :mod:`lrplot.schedules`.

A :class:`Param` carries its type, default, limits and one line of help.
:func:`bind` is the single validation point: the CLI, the YAML loader and the
Python API all call it, so their error messages match word for word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from lrplot.errors import ParamError, shown_count
from lrplot.lazy import numpy as np

# Largest --steps accepted: a token-count clock of a 1T-token run. Figures and
# --stats need O(pixels + breakpoints), not O(steps) (lrplot.envelope); CSV
# and JSON stream every step, their size the user's choice.
MAX_STEPS = 10**12
# Largest run evaluated step by step into one array (the Python API's
# evaluate, --emit's check, --stats' sums): 10**9 float64 steps are 8 GB.
MAX_EVALUATED = 10**9
# The largest whole number float64 holds exactly: counts of steps above it are refused.
LARGEST_COUNT = 2**53


class _Required:
    def __repr__(self) -> str:
        return "required"


REQUIRED: Any = _Required()


class Derived(NamedTuple):
    """A default computed when the curve is bound, from its context.

    ``compute`` receives the parameters bound so far (in declaration order) and
    ``remaining``: the steps left after the curve's warmup (SPEC §2).
    """

    text: str
    compute: Callable[[Mapping[str, Any]], Any]

    def __repr__(self) -> str:
        return self.text


def remaining_steps(divisor: int = 1) -> Derived:
    text = "= --steps" if divisor == 1 else f"= --steps / {divisor}"
    if divisor == 1:
        return Derived(text, lambda ctx: max(1, ctx["remaining"]))
    return Derived(text, lambda ctx: max(1, ctx["remaining"] // divisor))


# Parameter kinds. "steps" is an int counted in steps of the schedule's own time.
KINDS = ("float", "int", "steps", "span", "length", "bool", "choice", "floats", "steps-list", "parts")
# Kinds of figure options only (lrplot.options converts them).
FIGURE_KINDS = ("text", "size", "paths")


class Param(NamedTuple):
    name: str
    kind: str
    default: Any = REQUIRED
    help: str = ""
    choices: tuple[str, ...] = ()
    # Limits: ``low``/``high`` with open (strict) or closed comparison.
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """What is allowed, in words, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "parts":
            return "a list of curves, each with a schedule and steps"
        noun = {
            "float": "a number",
            "int": "an integer",
            "steps": "an integer",
            "span": "a number of steps",
            "length": "a number of steps",
            "floats": "a list of numbers",
            "steps-list": "a list of integers",
        }[self.kind]
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.low_open else '>='} {_fmt(self.low)}")
        if self.high is not None:
            bounds.append(f"{'<' if self.high_open else '<='} {_fmt(self.high)}")
        return noun + (" " + " and ".join(bounds) if bounds else "")

    def default_text(self) -> str:
        if self.required:
            return "required"
        if isinstance(self.default, Derived):
            return self.default.text
        return format_value(self.default)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


def format_value(value: Any, separator: str = ",") -> str:
    """A parameter's value as written on the command line (``30,60``); a long
    list is cut, as in messages: ``1,2,3,… 10,000 values``."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        texts = [format_value(v) for v in value[: shown_count(len(value))]]
        if len(value) > len(texts):
            texts.append(f"… {len(value):,} values")
        return separator.join(texts)
    if isinstance(value, float):
        return _fmt(value) if value.is_integer() else repr(value)
    return str(value)


# Labels and titles are drawn in the figure and head CSV columns. Longer ones
# would not fit even at the legend's smallest font, and laying out a
# megabyte of text takes matplotlib minutes: they are refused.
MAX_TEXT_CHARS = 200
TEXT_ALLOWED = f"a text of at most {MAX_TEXT_CHARS} characters"


def check_text(name: str, value: str) -> str:
    """``value``, a label or title, unless it is longer than MAX_TEXT_CHARS
    or not valid UTF-8 (a shell's ``$'\\xff'``: it could not go into a file)."""
    if len(value) > MAX_TEXT_CHARS:
        raise ParamError(name, value, TEXT_ALLOWED)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        raise ParamError(name, shown, "a text in UTF-8") from None
    return value


WARMUP_SHAPES = ("linear", "exponential", "constant", "cosine", "1-sqrt", "quadratic", "log")

# Parameters every schedule takes. A schedule may override one (``warmup``
# makes warmup_steps required) through ``Schedule.overrides``.
COMMON_PARAMS: tuple[Param, ...] = (
    Param("lr", "float", 0.1, "base learning rate", low=0.0),
    Param(
        "warmup_steps",
        "steps",
        0,
        "linear warmup steps before the schedule starts",
        low=0,
    ),
    Param(
        "warmup_start_lr",
        "float",
        0.0,
        "learning rate at step 0 of the warmup",
        low=0.0,
    ),
    Param(
        "warmup_shape",
        "choice",
        "linear",
        "warmup ramp: linear, exponential (start > 0), constant (hold start), cosine "
        "(half-cosine rise), 1-sqrt, quadratic, or log (DeepSpeed: log(t + 1) / log(W))",
        choices=WARMUP_SHAPES,
    ),
    Param(
        "warmup_start_factor",
        "float",
        None,
        "start the warmup at this fraction of lr, instead of at warmup_start_lr",
        low=0.0,
    ),
    Param(
        "warmup_target",
        "choice",
        "schedule",
        "what the warmup rises to: the schedule's value where it takes over, or lr",
        choices=("schedule", "lr"),
    ),
    Param(
        "warmup_clock",
        "choice",
        "after",
        "the schedule's own step 0: after the warmup, or shared with it (the warmup "
        "covers the schedule's first steps)",
        choices=("after", "shared"),
    ),
    Param(
        "warmup_mode",
        "choice",
        "replace",
        "the warmup replaces the schedule while it lasts, or multiplies it by a factor "
        "rising to 1 (MMEngine's overlapping LinearLR)",
        choices=("replace", "multiply"),
    ),
    Param(
        "warmup_hold",
        "int",
        0,
        "steps the schedule waits at its step-0 value after the warmup (MMEngine: 1, its "
        "warmup reaches the lr on its last step and the next scheduler starts after it); "
        "negative: it starts that many steps into its own clock (DeepSpeed's WarmupCosineLR: -1)",
    ),
    Param(
        "step_every",
        "steps",
        1,
        "the schedule steps once every this many updates and holds its value in between "
        "(a per-epoch scheduler: 1ep); its step-valued parameters count its own steps",
        low=1,
    ),
    Param(
        "noise_range",
        "floats",
        None,
        "timm's lr noise on the schedule's steps [start, end) or [start, ...): lr x (1 + noise), "
        "drawn as timm draws it (a torch generator seeded noise_seed + step)",
    ),
    Param("noise_type", "choice", "normal", "timm's noise_type: normal (redrawn outside noise_pct) or uniform",
          choices=("normal", "uniform")),
    Param("noise_pct", "float", 0.67, "timm's noise_pct: the noise's bound", low=0.0, low_open=True),
    Param("noise_std", "float", 1.0, "timm's noise_std: the normal noise's scale", low=0.0, low_open=True),
    Param("noise_seed", "int", 42, "timm's noise_seed", low=0),
    Param(
        "step_scale",
        "int",
        1,
        "the schedule's steps per update, its step-valued parameters counted in them "
        "(Megatron's sample clock: the global batch)",
        low=1,
    ),
    Param(
        "step_offset",
        "length",
        0,
        "the schedule's step count at update 0: +1 for trainers that count the update being "
        "made, -1 (held at 0) for ones that step before the first update counts; a fraction "
        "for a part that starts between its schedule's steps (timm's cycles with cycle_mul 1.5)",
        low=-LARGEST_COUNT,
        high=LARGEST_COUNT,
    ),
)
DEFAULT_CONVENTIONS = {
    "noise_range": None,
    "warmup_hold": 0,
    "warmup_target": "schedule",
    "warmup_clock": "after",
    "warmup_mode": "replace",
    "step_every": 1,
    "step_scale": 1,
    "step_offset": 0,
}


def conventional(params: Mapping[str, Any]) -> bool:
    """True when a curve uses none of the conventions beyond lrplot's own
    (framework classes in --emit map only such curves)."""
    return all(params.get(name, value) == value for name, value in DEFAULT_CONVENTIONS.items()) and (
        params.get("warmup_start_factor") is None
        and params.get("warmup_shape", "linear") in ("linear", "exponential", "constant")
    )


# Parameters up to this size leave float64 room for the few products and sums
# of a closed form (times up to 10**12 steps: 1e290 x 1e12 is far from 1.8e308):
# a bounded curve whose parameters are all this small cannot overflow. Larger
# ones take the checked path.
MODERATE = 1e290


def never_bounded(params: Mapping[str, Any]) -> bool:
    return False


def always_bounded(params: Mapping[str, Any]) -> bool:
    return True


class Schedule(NamedTuple):
    """One registered schedule.

    ``function(t, lr=..., **params)`` is a pure numpy closed form over an array
    of steps counted from the end of warmup. ``check`` validates rules that
    involve several parameters; ``stepwise`` says whether the curve is a step
    function for the given parameters, so it is drawn as steps, not ramps.
    """

    name: str
    function: Callable[..., np.ndarray]
    params: tuple[Param, ...]
    summary: str
    formula: str
    matches: str = ""
    # The closed form as Python text for --emit: code(params, dialect) -> an
    # expression of t, or lines ending in `value = ...` (lrplot.codetext).
    # None: --emit writes the curve's values, step by step.
    code: Callable[[Mapping[str, Any], Any], str | list[str]] | None = None
    check: Callable[[Mapping[str, Any]], None] | None = None
    stepwise: Callable[[Mapping[str, Any]], bool] = lambda params: False
    # The schedule needs the steps remaining after warmup (wsd decays at the end).
    uses_horizon: bool = False
    # Monotonicity promised for valid parameters: "decreasing", "increasing" or "".
    monotone: Callable[[Mapping[str, Any]], str] = lambda params: ""
    overrides: tuple[Param, ...] = ()
    # True when, for these parameters, every value lies between parameters
    # (lr, end_lr, values...): with all parameters <= MODERATE the curve cannot
    # overflow and skips build_curve's check (a max over it).
    bounded: Callable[[Mapping[str, Any]], bool] = never_bounded
    # The parameter after which the decay is over and the curve holds its
    # final value (lint warns when that is early in the run).
    decay_end: str | None = None
    # Where the curve changes course that its parameters do not list (lists of
    # steps, such as boundaries, and decay_end are read from them): given the
    # parameters and the schedule's own steps in the run, (step, what) pairs
    # in ascending order, lazily (a step_size of 1 has a billion). --annotate
    # marks them.
    marks: Callable[[Mapping[str, Any], int], Iterator[tuple[float, str]]] | None = None
    # ``breaks(kwargs, high, limit)``: the steps of the schedule's own clock in
    # [0, high] where it may jump or turn (kwargs: the function's, lr included),
    # so it is monotone between them; None when there are more than ``limit``
    # (a monotone schedule may then return none). Unset: not known, figures
    # evaluate every step (lrplot.breakpoints).
    breaks: Callable[[Mapping[str, Any], float, int], Any] | None = None

    @property
    def all_params(self) -> tuple[Param, ...]:
        common = {p.name: p for p in COMMON_PARAMS}
        for p in self.overrides:
            common[p.name] = p
        return tuple(common.values()) + self.params

    def param(self, name: str) -> Param:
        for p in self.all_params:
            if p.name == name:
                return p
        raise KeyError(name)


SCHEDULES: dict[str, Schedule] = {}


def register(schedule: Schedule) -> Schedule:
    if schedule.name in SCHEDULES:
        raise ValueError(f"schedule {schedule.name!r} registered twice")
    names = [p.name for p in schedule.all_params]
    if len(names) != len(set(names)):
        raise ValueError(f"schedule {schedule.name!r} repeats a parameter")
    SCHEDULES[schedule.name] = schedule
    return schedule


def closest(name: str, candidates: Sequence[str]) -> str | None:
    import difflib  # only on the error path: keeps start-up lean

    # A prefix says more than spelling: `exp` means exponential, not step.
    prefixed = [c for c in candidates if c.startswith(name)] if len(name) >= 3 else []
    if len(prefixed) == 1:
        return prefixed[0]
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return match[0] if match else None


def did_you_mean(name: str, candidates: Sequence[str], quote: str = "") -> str:
    best = closest(name, candidates)
    return f" (did you mean {quote}{best}{quote}?)" if best else ""


# ---------------------------------------------------------------- conversion


def _number(param: Param, raw: Any, integer: bool) -> float | int:
    if isinstance(raw, bool):
        raise ParamError(param.name, raw, param.allowed())
    if isinstance(raw, str):
        text = raw.strip()
        try:
            value: float | int = int(text) if integer else float(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise ParamError(param.name, raw, param.allowed()) from None
    elif isinstance(raw, (int, float, np.integer, np.floating)):
        value = raw.item() if isinstance(raw, (np.integer, np.floating)) else raw
    else:
        raise ParamError(param.name, raw, param.allowed())
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond float range
        finite = False
    if not finite:
        raise ParamError(param.name, raw, param.allowed() + " (finite)")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise ParamError(param.name, raw, param.allowed())
            value = int(value)
        if abs(value) > LARGEST_COUNT:  # beyond it float64 cannot tell one step from the next
            raise ParamError(param.name, raw, f"{param.allowed()} and at most {LARGEST_COUNT}")
    else:
        value = float(value)
    _check_bounds(param, value, raw)
    return value


def _check_bounds(param: Param, value: float, raw: Any) -> None:
    if param.low is not None:
        if value < param.low or (param.low_open and value == param.low):
            raise ParamError(param.name, raw, param.allowed())
    if param.high is not None:
        if value > param.high or (param.high_open and value == param.high):
            raise ParamError(param.name, raw, param.allowed())


def _items(param: Param, raw: Any) -> list[Any]:
    if isinstance(raw, str):
        items: list[Any] = [s for s in raw.replace(" ", "").split(",")]
        if items == [""] or "" in items:
            raise ParamError(param.name, raw, param.allowed() + ", comma-separated")
        return items
    if isinstance(raw, (list, tuple, np.ndarray)):
        if len(raw) == 0:
            raise ParamError(param.name, raw, param.allowed() + " (not empty)")
        return list(raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return [raw]
    raise ParamError(param.name, raw, param.allowed())


EPOCHS = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*ep(?:ochs?)?\s*$")
NO_EPOCH_SIZE = "'ep' needs --steps-per-epoch, or --dataset-size and --batch-size"


def _in_steps(param: Param, raw: Any, steps_per_epoch: int | None) -> Any:
    """``30ep`` -> 30 x steps_per_epoch (rounded to a whole step); other values unchanged."""
    if not isinstance(raw, str):
        return raw
    match = EPOCHS.match(raw)
    if match is None:
        return raw
    if steps_per_epoch is None:
        raise ParamError(param.name, raw, f"{param.allowed()}; {NO_EPOCH_SIZE}")
    steps = float(match.group(1)) * steps_per_epoch
    if not math.isfinite(steps):
        raise ParamError(param.name, raw, param.allowed())
    return round(steps)


def _in_span(param: Param, raw: Any, steps_per_epoch: int | None) -> Any:
    """``2.4ep`` -> 2.4 x steps_per_epoch, not rounded."""
    if not isinstance(raw, str) or EPOCHS.match(raw) is None:
        return raw
    if steps_per_epoch is None:
        raise ParamError(param.name, raw, f"{param.allowed()}; {NO_EPOCH_SIZE}")
    steps = float(EPOCHS.match(raw).group(1)) * steps_per_epoch
    if not math.isfinite(steps):
        raise ParamError(param.name, raw, param.allowed())
    return steps


def convert(param: Param, raw: Any, steps_per_epoch: int | None = None) -> Any:
    """Turn a raw value (CLI string, YAML scalar/list, Python value) into the
    parameter's type, checking its limits. Step counts may be written in
    epochs (``30ep``) when ``steps_per_epoch`` is known. Raises
    :class:`ParamError`."""
    kind = param.kind
    if kind == "float":
        return _number(param, raw, integer=False)
    if kind == "int":
        return _number(param, raw, integer=True)
    if kind == "steps":
        steps = _in_steps(param, raw, steps_per_epoch)
        try:
            return _number(param, steps, integer=True)
        except ParamError:
            raise ParamError(param.name, raw, param.allowed()) from None
    if kind in ("span", "length"):
        # Steps, a fraction allowed: "span" keeps a fraction of epochs too (timm's decay_t = 2.4
        # epochs); "length" rounds epochs to a whole step as "steps" does (OLMo's t_max in tokens).
        steps = (_in_span if kind == "span" else _in_steps)(param, raw, steps_per_epoch)
        try:
            value = _number(param, steps, integer=False)
        except ParamError:
            raise ParamError(param.name, raw, param.allowed()) from None
        return int(value) if value.is_integer() and abs(value) <= LARGEST_COUNT else value
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
            return raw.strip().lower() in ("true", "1", "yes")
        raise ParamError(param.name, raw, param.allowed())
    if kind == "choice":
        if isinstance(raw, str) and raw in param.choices:
            return raw
        hint = did_you_mean(str(raw), param.choices) if isinstance(raw, str) else ""
        raise ParamError(param.name, raw, param.allowed() + hint)
    if kind in ("floats", "steps-list"):
        integer = kind == "steps-list"
        items = _items(param, raw)
        if integer:
            items = [_in_steps(param, item, steps_per_epoch) for item in items]
        try:
            return [_number(param, item, integer) for item in items]
        except ParamError:
            raise ParamError(param.name, raw, param.allowed()) from None
    if kind == "parts":
        if not isinstance(raw, (list, tuple)) or not raw:
            raise ParamError(param.name, raw, param.allowed())
        return list(raw)
    raise AssertionError(f"unknown parameter kind {kind!r}")


# ---------------------------------------------------------------- binding


class Bound(NamedTuple):
    """A schedule with every parameter resolved and validated.

    ``params`` holds all parameters (given and defaulted) in declaration order;
    ``given`` the names the user set. Calling it evaluates the curve at
    absolute steps (warmup included). ``evaluate_at`` is the fast path used
    inside lrplot: it takes an ascending float64 array it may overwrite.
    """

    schedule: Schedule
    params: dict[str, Any]
    given: tuple[str, ...]
    evaluate_at: Callable[[np.ndarray], np.ndarray]
    # ``breaks(high, limit, exact=False)``: ascending integer steps in [1, high]
    # where the curve may jump or turn (monotone between them), or None if
    # unknown or more than ``limit`` (lrplot.breakpoints builds it).
    breaks: Callable[..., np.ndarray | None] | None = None

    def __call__(self, t: Any) -> np.ndarray:
        """Values at steps ``t`` (any shape, any order; ``t`` is not modified)."""
        steps = np.array(t, dtype=np.float64)  # a copy: evaluation works in place
        flat = steps.reshape(-1)
        if flat.size > 1 and not np.all(flat[1:] >= flat[:-1]):
            order = np.argsort(flat, kind="stable")
            out = np.empty_like(flat)
            out[order] = self.evaluate_at(flat[order])
            return out.reshape(steps.shape)
        return np.asarray(self.evaluate_at(flat), dtype=np.float64).reshape(steps.shape)

    @property
    def name(self) -> str:
        return self.schedule.name

    @property
    def stepwise(self) -> bool:
        return self.schedule.stepwise(self.params) and self.params["warmup_steps"] == 0

    def schedule_params(self) -> dict[str, Any]:
        """The parameters the schedule function takes (common ones excluded)."""
        return {p.name: self.params[p.name] for p in self.schedule.params}


def schedule_steps(params: Mapping[str, Any], steps: int) -> int:
    """The steps the schedule itself takes in a run of ``steps`` updates: one
    every step_every updates, from step_offset, less a warmup before it."""
    every = params.get("step_every", 1)
    own = -(-steps // every) * params.get("step_scale", 1) + params.get("step_offset", 0)
    if params.get("warmup_clock", "after") == "after":
        own -= params["warmup_steps"] + params.get("warmup_hold", 0)
    return math.ceil(own)  # a fractional offset: the clock passes its last whole step


def first_update(params: Mapping[str, Any], schedule_step: float) -> float:
    """The update at which the schedule (counted as its parameters count,
    after a warmup on the ``after`` clock) reaches ``schedule_step``."""
    after = params.get("warmup_clock", "after") == "after"
    clock = schedule_step + (params["warmup_steps"] + params.get("warmup_hold", 0) if after else 0)
    scale = params.get("step_scale", 1)
    return max(0.0, math.ceil((clock - params.get("step_offset", 0)) / scale) * params.get("step_every", 1))


def warmup_start(params: Mapping[str, Any]) -> float:
    """Where the warmup starts: warmup_start_lr, or warmup_start_factor x lr."""
    factor = params.get("warmup_start_factor")
    return params["warmup_start_lr"] if factor is None else factor * params["lr"]
