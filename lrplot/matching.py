"""Frameworks as data: the records a framework's description is written in,
and what they mean for a curve.

Each framework is one module of :mod:`lrplot.frameworks` holding a
``MATCHING = Framework(...)``: which of its classes (or functions) is exact
for which lrplot schedule, under which conditions, how lrplot's parameters
become the class's arguments, how a warmup is put in front, and the known
differences. ``--emit`` writes scripts from it (:mod:`lrplot.emit`), README's
framework table is rendered from it (:mod:`lrplot.matchtable`).

A call is a :meth:`str.format` template over the curve's facts: its
parameters by name (``{decay_rate!r}``), the :class:`Value` records the
class declares, and ``schedule``, ``shown`` (updates in the run), ``run``
(the schedule's own steps in it: ``shown`` less the warmup),
``warmup_from`` and ``warmup_to`` (where a warmup starts and ends).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from lrplot import frameworks as _frameworks
from lrplot.codetext import Dialect
from lrplot.registry import Bound, schedule_steps, warmup_start

Facts = Mapping[str, Any]


class Condition(NamedTuple):
    """When a class is exact: ``text`` for people, ``holds`` for --emit."""

    text: str
    holds: Callable[[Facts], bool]


# lrplot's cosine with num_cycles other than 0.5 turns back up, and k_decay bends it: no framework's
# cosine class does either.
# timm's k_decay bends the polynomial's progress, and its cycles may last a fraction of a step:
# no framework's polynomial class does either.
STRAIGHT_POLYNOMIAL = Condition("k_decay = 1, integer decay_steps",
                                lambda v: v["k_decay"] == 1 and isinstance(v["decay_steps"], int))
HALF_COSINE = Condition("num_cycles = 0.5, k_decay = 1", lambda v: v["num_cycles"] == 0.5 and v["k_decay"] == 1)


class Value(NamedTuple):
    """A class argument computed from lrplot's parameters: ``name`` in the
    call template, ``text`` how it is computed (README)."""

    name: str
    text: str
    compute: Callable[[Facts], Any]


class Exact(NamedTuple):
    """A class (or function) of the framework equal to an lrplot schedule at
    every step while every condition of ``when`` holds."""

    schedule: str
    call: str
    when: tuple[Condition, ...] = ()
    values: tuple[Value, ...] = ()
    note: str = ""  # a comment above the call in the script
    # The call when the framework's warmup wraps it (default: ``call``).
    inner: str | None = None
    # Warmup shapes the class does itself; then it is exact only with such a warmup.
    warmup: tuple[str, ...] = ()
    # False: known exact (the golden tests hold it) but --emit does not write it.
    emitted: bool = True


class Warmup(NamedTuple):
    """How the framework puts a warmup in front of a schedule's class:
    ``call`` around ``{inner}`` (the schedule's call) and ``{warm}`` (the
    warmup's own call for the curve's ``warmup_shape``; "" when ``call``
    is the whole warmup)."""

    call: str
    shapes: Mapping[str, str]
    when: tuple[Condition, ...] = ()
    values: tuple[Value, ...] = ()
    note: str = ""
    refuses: tuple[str, ...] = ()  # schedules it cannot wrap


class Why(NamedTuple):
    """Why a curve is lrplot's closed form in a script: the first that holds."""

    text: str
    holds: Callable[[Facts], bool]


class Carry(NamedTuple):
    """How ``--emit`` writes a curve that carries momentum, weight decay or
    parameter groups (:mod:`lrplot.quantities`) for the framework.

    ``cannot``: for each of ``momentum``, ``weight_decay``, ``groups`` the
    framework cannot take from a schedule, why (the error's text: never a
    script that leaves it out). ``parameters`` and ``grouped`` (with
    ``{multipliers}``, the curve's own 1.0 first): the parameters the loop
    builds. ``setter`` defines ``set_{index}(optimizer, step)`` (``{doc}``,
    ``{lines}``: one ``set_line`` per quantity, ``{name}``, ``{function}``);
    ``quantity`` passes one to the optimizer instead (``{name}``,
    ``{function}``), into ``optimizer`` (``{builder}``, ``{index}``,
    ``{label}``, ``{quantities}``, ``{multipliers}``). ``read`` is how the
    loop reads each column back from the optimizer (``lr``, a quantity,
    ``group`` with ``{position}``); ``loop`` prints them (``{builder}``,
    ``{index}``, ``{parameters}``, ``{set}``, ``{count}``, ``{reads}``,
    ``{names}``, ``{multipliers}``, ``{groups}`` their count)."""

    cannot: Mapping[str, str]
    loop: str
    read: Mapping[str, str]
    parameters: str = ""
    grouped: str = ""
    setter: str = ""
    set_line: str = ""
    set_call: str = ""
    quantity: str = ""
    optimizer: str = ""
    helpers: str = ""  # defined once in a script with any such curve
    cycles: tuple[str, ...] = ()  # schedules whose exact class cycles momentum itself
    grouped_fallback: bool = False  # groups need lrplot's closed form (its lr-1 wrapper scales each group)


class Script(NamedTuple):
    """How ``--emit`` writes a script for the framework. ``native`` and
    ``fallback`` are templates of one curve's builder (``{builder}``,
    ``{index}``, ``{label}``, ``{lr}``, ``{comment}``, ``{call}``); ``loop``
    the ``__main__`` lines printing one curve (``{builder}``)."""

    header: str
    dialect: Dialect
    helpers: str
    native: str
    fallback: str
    loop: str
    reasons: tuple[Why, ...] = ()
    otherwise: str = "{framework} has no exact class for {schedule}"  # " with this warmup" is added
    lead: str = ""  # before every reason
    carry: Carry | None = None  # None: momentum, weight decay and groups are refused


class Framework(NamedTuple):
    name: str
    title: str  # README's column
    exact: tuple[Exact, ...]
    warmup: Warmup | None = None
    script: Script | None = None  # None: documented, not written by --emit
    differences: tuple[str, ...] = ()  # README's known differences, markdown


def framework(name: str) -> Framework:
    """The description in module lrplot.frameworks.<name>."""
    return importlib.import_module(f"lrplot.frameworks.{name}").MATCHING


def all_frameworks() -> dict[str, Framework]:
    """Every framework description, in the order of ``lrplot.frameworks.MATCHINGS``."""
    return {name: framework(name) for name in _frameworks.MATCHINGS}


# ---------------------------------------------------------------- one curve


class CurveFacts(dict):
    """A curve's facts for templates and conditions; ``warmup_to`` (the value
    the warmup ends at) is computed on first use."""

    def __init__(self, bound: Bound, shown: int) -> None:
        p = bound.params
        super().__init__(p, schedule=bound.name, shown=shown, run=schedule_steps(p, shown), warmup_from=warmup_start(p))
        self.bound = bound

    def __missing__(self, key: str) -> Any:
        if key != "warmup_to":
            raise KeyError(key)
        self[key] = warmup_target(self.bound)
        return self[key]


def after_warmup(bound: Bound) -> float:
    """The curve's value at the first update after its warmup: the schedule
    where it takes over (its step 0, or step W on a shared clock)."""
    p = bound.params
    if p.get("step_scale", 1) != 1:
        # No update may land on the schedule's step W: read it on a clock of one step per update.
        from lrplot.binding import build_curve

        plain = {**p, "step_every": 1, "step_scale": 1, "step_offset": 0}
        bound = build_curve(bound.schedule, plain, bound.given, schedule_steps(plain, p["warmup_steps"] + 1))
        p = plain
    update = max(0, math.ceil(p["warmup_steps"] - p.get("step_offset", 0)) * p.get("step_every", 1))  # held or not, S(0)
    return float(bound.evaluate_at(np.array([float(update)]))[0])


def warmup_target(bound: Bound) -> float:
    """Where the warmup ends."""
    if bound.params.get("warmup_target", "schedule") == "lr":
        return float(bound.params["lr"])
    return after_warmup(bound)


def _holds(conditions: tuple[Condition, ...], facts: Facts) -> bool:
    return all(condition.holds(facts) for condition in conditions)


def _fill(template: str, values: tuple[Value, ...], facts: Facts, **parts: str) -> str:
    computed = {**parts, **{value.name: value.compute(facts) for value in values}}
    return template.format_map(_Layered(computed, facts))


class _Layered(dict):
    """``computed`` first, then the curve's facts (lazily)."""

    def __init__(self, computed: dict[str, Any], facts: Facts) -> None:
        super().__init__(computed)
        self.facts = facts

    def __missing__(self, key: str) -> Any:
        return self.facts[key]


def exact_call(fw: Framework, facts: Facts) -> tuple[str, str] | None:
    """The framework's (call, note) equal to the curve, or None when no
    class is exact for it (the script then writes lrplot's closed form)."""
    rules = [rule for rule in fw.exact if rule.emitted and rule.schedule == facts["schedule"]]
    w = facts["warmup_steps"]
    if w:
        for rule in rules:
            if facts["warmup_shape"] in rule.warmup and _holds(rule.when, facts):
                return _fill(rule.call, rule.values, facts), rule.note
    for rule in rules:
        if rule.warmup or not _holds(rule.when, facts):
            continue
        if not w:
            return _fill(rule.call, rule.values, facts), rule.note
        warmup = fw.warmup
        if warmup is None or facts["schedule"] in warmup.refuses or not _holds(warmup.when, facts):
            return None
        warm = warmup.shapes.get(facts["warmup_shape"])
        if warm is None:
            return None
        inner = _fill(rule.inner if rule.inner is not None else rule.call, rule.values, facts)
        filled = _fill(warm, warmup.values, facts)
        return _fill(warmup.call, warmup.values, facts, inner=inner, warm=filled), warmup.note
    return None


def reason(fw: Framework, facts: Facts) -> str:
    """Why a conventional curve has no class: the script's docstring."""
    script = fw.script
    assert script is not None
    for why in script.reasons:
        if why.holds(facts):
            return script.lead + why.text
    text = script.otherwise.format(framework=fw.name, schedule=facts["schedule"])
    return script.lead + text + (" with this warmup" if facts["warmup_steps"] else "")


# ---------------------------------------------------------------- conditions shared by frameworks


def finite(*numbers: float) -> bool:
    """Each number can be written into a script: repr(inf) is `inf`, a NameError.
    A class whose argument would not be (Keras alpha = end_lr / lr with a tiny
    lr) is not exact there; the closed form is used instead."""
    return all(math.isfinite(number) for number in numbers)


def halvings_fit(p: Facts, last_step: int) -> bool:
    """torch's and Paddle's CyclicLR compute triangular2's 1 / 2.0 ** (cycle - 1)
    with Python floats: past cycle 1024 that raises OverflowError. True when
    the curve is not triangular2 or ``last_step`` is still in cycle 1024."""
    return p["mode"] != "triangular2" or last_step // (p["step_size_up"] + p["step_size_down"]) < 1024


DECAY_STEPS_1 = Condition("decay_steps = 1, no staircase", lambda v: v["decay_steps"] == 1 and not v["staircase"])
POSITIVE_LR = Condition("lr > 0", lambda v: v["lr"] > 0)
ALPHA = Value("alpha", "end_lr / lr", lambda v: v["end_lr"] / v["lr"])
FINITE_ALPHA = Condition("end_lr / lr finite", lambda v: finite(v["end_lr"] / v["lr"]))
FLOAT_VALUES = Value("float_values", "values", lambda v: [float(x) for x in v["values"]])
