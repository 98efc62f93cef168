"""``--emit torch|keras|optax|paddle``: a script that builds each curve with
the framework's own scheduler.

The script is self-contained (it does not import lrplot). For every curve it
uses the framework's native class when one reproduces the curve exactly, and
otherwise a plain function of the step, commented with the reason (torch's
``LinearLR`` refuses a start factor of 0, ``CosineAnnealingLR`` rises again
after ``T_max``, Keras has no step decay, ...). Its ``__main__`` block prints,
for each curve, a line ``# <label>`` and then the learning rate at steps
0..N-1, one ``repr`` per line: what the framework's optimizer would use.

What each framework offers (its classes, their conditions, its script's
imports and loops) is data, one module per framework (lrplot.frameworks,
read through lrplot.matching); each schedule's closed form as text is
declared with the schedule (``Schedule.code``). This module only writes text
from them; nothing here imports a framework.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lrplot.codetext import SCALAR, SCALAR_HELPERS, Dialect
from lrplot.errors import UsageError
from lrplot.matching import (
    Carry,
    CurveFacts,
    after_warmup,
    exact_call,
    framework,
    reason,
    warmup_target,
)
from lrplot.plan import Plan
from lrplot.quantities import extras
from lrplot.registry import DEFAULT_CONVENTIONS, Bound, conventional, schedule_steps, warmup_start

CONVENTION_NAMES = (*DEFAULT_CONVENTIONS, "warmup_start_factor", "warmup_shape")
__all__ = ["HELPERS", "SCALAR", "emit", "function_source"]


def function_source(name: str, bound: Bound, horizon: int, doc: str, d: Dialect, steps: int | None = None) -> str:
    """A ``def name(step)`` computing the whole curve, warmup included;
    ``horizon`` is the steps after warmup (wsd decays at its end). A schedule
    without a closed form here (one registered by a user) is written as its
    values at steps 0 .. ``steps`` - 1, held after the last."""
    p = bound.params
    warmup = p["warmup_steps"]
    lines = [f"def {name}(step):", f"    {doc!r}"]
    if (bound.schedule.code is None and bound.name != "sequence") or p.get("noise_range"):
        table = bound.evaluate_at(np.arange(max(1, steps or horizon), dtype=np.float64)).tolist()
        why = "timm's lr noise" if p.get("noise_range") else "no closed form in lrplot's --emit"
        lines.append(f"    # {bound.name} has {why}: its values, step by step.")
        lines.append(f"    return lookup({table!r}, step)")
        return "\n".join(lines)
    lines += _clock_lines(p)
    shift = 0.0 if p.get("warmup_clock", "after") == "shared" else float(warmup + p.get("warmup_hold", 0))
    lines.append(f"    t = maximum(step - {shift!r}, 0.0)" if warmup and shift else "    t = step + 0.0")
    if bound.name == "sequence":
        parts, lengths = p["parts"]
        starts = [float(sum(lengths[:i])) for i in range(len(parts))]
        for index, (part, length) in enumerate(zip(parts, lengths), 1):
            source = function_source(
                f"part_{index}", part, max(1, schedule_steps(part.params, length)), f"part {index}: {part.name}", d,
                length,
            )
            lines += ["    " + line for line in source.splitlines()]
        value = f"part_{len(parts)}(maximum(t - {starts[-1]!r}, 0.0))"
        for index in range(len(parts) - 1, 0, -1):
            value = d.where(f"t < {starts[index]!r}", f"part_{index}(maximum(t - {starts[index - 1]!r}, 0.0))", value)
        lines.append(f"    value = {value}")
    else:
        form = bound.schedule.code(p, d)
        lines += [f"    value = {form}"] if isinstance(form, str) else [("    " + line).rstrip() for line in form]
    lines += _warmup_lines(bound, d)
    lines.append("    return value")
    return "\n".join(lines)


def _clock_lines(p: dict[str, Any]) -> list[str]:
    """The schedule's own step count: one step every step_every updates, from step_offset."""
    lines = []
    if p.get("step_every", 1) != 1:
        lines.append(f"    step = floor(step / {float(p['step_every'])!r})  # the scheduler steps every {p['step_every']} updates")
    if p.get("step_scale", 1) != 1:
        lines.append(f"    step = step * {float(p['step_scale'])!r}  # its steps per update")
    if p.get("step_offset", 0):
        lines.append(f"    step = maximum(step + {float(p['step_offset'])!r}, 0.0)  # its count at update 0")
    return lines


def _warmup_lines(bound: Bound, d: Dialect) -> list[str]:
    p = bound.params
    w = p["warmup_steps"]
    if not w:
        return []
    start, target = warmup_start(p), warmup_target(bound)
    fraction = f"(step / {float(w)!r})"
    rise = {
        "linear": fraction,
        "exponential": fraction,
        "constant": "0.0",
        "cosine": f"0.5 * (1.0 - cos(pi * {fraction}))",
        "1-sqrt": f"1.0 - sqrt(1.0 - minimum({fraction}, 1.0))",
        "quadratic": f"{fraction} * {fraction}",
        "log": f"log1p(step) / {math.log(max(w, 2))!r}",
    }[p["warmup_shape"]]
    if p.get("warmup_mode", "replace") == "multiply":
        lr = p["lr"]
        factor = p.get("warmup_start_factor")
        first = factor if factor is not None else (start / lr if lr else 0.0)
        ramp = f"value * ({first!r} + {1.0 - first!r} * {rise})"
        if p.get("warmup_clock", "after") == "after":
            ramp = f"{after_warmup(bound)!r} * ({first!r} + {1.0 - first!r} * {rise})"
    elif p["warmup_shape"] == "exponential":
        # target / start computed by the script: written out it may not be a finite float
        ramp = f"{start!r} * ({target!r} / {start!r}) ** {fraction}"
    else:
        ramp = f"{start!r} + {target - start!r} * {rise}"
    return [f"    value = {d.where(f'step < {float(w)!r}', ramp, 'value')}  # warmup"]


# ---------------------------------------------------------------- scripts

# What the scripts computing one step at a time define; tests run closed
# forms with it, no framework needed.
HELPERS = {"scalar": SCALAR_HELPERS}


def emit(framework_name: str, plan: Plan, closed_forms_only: bool = False) -> str:
    """The script for ``framework_name`` reproducing every curve of ``plan``.

    ``closed_forms_only`` writes every curve as lrplot's closed form, even
    where a native class exists (tests run those scripts without the
    framework).
    """
    # A curve that overflows float64 within the run is refused as -o refuses
    # it: its script would stop there with an OverflowError.
    from lrplot.envelope import check_overflow

    check_overflow(plan, exhaustive=True)
    _check_carried(plan)
    fw = framework(framework_name)
    script = fw.script
    builders, mains, functions = [], [], []
    needs_helpers = False
    carried: list[str] = []
    for index, curve in enumerate(plan.curves, 1):
        bound = curve.bound
        horizon = max(1, schedule_steps(bound.params, plan.steps))
        own = dict(curve.quantities)
        kinds = _kinds(curve)
        carry = _carry_of(framework_name, fw, curve, index, kinds)
        # A curve with a trainer's conventions has no framework class.
        facts = CurveFacts(bound, plan.steps) if conventional(bound.params) else None
        if facts is not None:
            facts["own_momentum"] = "momentum" in own
            facts["has_groups"] = "groups" in kinds
        forced = carry is not None and carry.grouped_fallback and "groups" in kinds
        native = exact_call(fw, facts) if facts is not None and not closed_forms_only and not forced else None
        builder = f"build_{index}"
        if native is None:
            needs_helpers = True
            why = reason(fw, facts) if facts is not None else _unusual(framework_name, script.lead, bound)
            doc = f"{curve.label}: lrplot's closed form. {why}."
            functions.append(function_source(f"lr_{index}", bound, horizon, doc, script.dialect, plan.steps))
        comment = f"    # {native[1]}\n" if native and native[1] else ""
        template = script.native if native else script.fallback
        builders.append(template.format(
            builder=builder, index=index, label=curve.label, lr=bound.params["lr"], comment=comment,
            call=native[0] if native else "",
        ))
        if carry is None:
            mains.append(f"    print({('# ' + curve.label)!r})\n" + script.loop.format(builder=builder))
            continue
        defs, loop = _carried(carry, curve, index, native is not None, plan, script.dialect, framework_name)
        needs_helpers = needs_helpers or bool(defs[0])
        functions += defs[0]
        builders += defs[1]
        carried.append(carry.helpers)
        mains.append(loop)
    parts = [
        f'"""Learning-rate schedules exported by lrplot for {framework_name}.\n\n'
        f"Running this file prints, for each curve, `# <label>` and the learning rate\n"
        f'at steps 0..{plan.steps - 1}, one per line.\n"""\n',
        script.header,
    ]
    if needs_helpers:
        parts.append(script.helpers)
    parts += [helpers for helpers in dict.fromkeys(carried) if helpers]
    parts += functions + builders
    parts.append("\n".join(['if __name__ == "__main__":', f"    STEPS = {plan.steps}", *mains]))
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


# ---------------------------------------------------------------- momentum, weight decay, groups

# Past this many steps a cycled momentum that no class of the framework cycles
# (it is written as its values, step by step) would make a script too large to read.
MAX_TABLE = 1_000_000
CARRIES = {"momentum": "momentum", "weight_decay": "a weight decay schedule", "groups": "parameter groups"}
REMEDY = {
    "momentum": "leave out its momentum (--momentum; --no-cycle-momentum for onecycle and cyclic, "
                "cycle_momentum: false on such sequence parts) to emit the rest",
    "weight_decay": "leave out its weight decay (--weight-decay) to emit the rest",
    "groups": "leave out its groups (--groups, --layer-decay) to emit the rest",
}


# Up to this many steps every carried column is evaluated before the script is
# printed (a group's rate that overflows names its first step, as -o does);
# past it, a group is checked against its curve's exact envelope.
EVALUATED = 10**8


def _check_carried(plan: Plan) -> None:
    """Refuse what the script would print as inf: a group's rate (the
    curve's times its multiplier), a momentum or weight decay, overflowing."""
    if not any(_kinds(curve) for curve in plan.curves):
        return
    if plan.steps <= EVALUATED:
        from lrplot.quantities import evaluate_all

        evaluate_all(plan)
        return
    from lrplot.envelope import reduce_bound

    for curve in plan.curves:
        groups = dict(curve.quantities).get("groups", ())
        if groups:
            _, values = reduce_bound(curve.bound, plan.steps, 1024)
            peak = float(np.abs(values).max())
            for name, multiplier in groups:
                with np.errstate(over="ignore"):
                    if not math.isfinite(peak * multiplier):
                        raise UsageError(f"{curve.label}: group {name}: the learning rate x {multiplier:g} overflows "
                                         "float64 within the run; use a smaller multiplier")


def _kinds(curve: Any) -> list[str]:
    """What ``curve`` carries besides its learning rate, in the CSV's order."""
    kinds = [name for name, _ in extras(curve)]
    return kinds + ["groups"] if dict(curve.quantities).get("groups") else kinds


def _carry_of(framework_name: str, fw: Any, curve: Any, index: int, kinds: list[str]) -> Carry | None:
    """The framework's Carry for a curve that carries something (None for one
    that carries nothing); a one-line error when the framework cannot."""
    if not kinds:
        return None
    carry = fw.script.carry
    for kind in kinds:
        if carry is None or kind in carry.cannot:
            why = carry.cannot[kind] if carry is not None else f"{framework_name}'s script carries the learning rate only"
            raise UsageError(f"--emit {framework_name}: curve {index} ({curve.label}) carries {CARRIES[kind]}: "
                             f"{why}; {REMEDY[kind]}")
    return carry


def _carried(
    carry: Carry, curve: Any, index: int, native: bool, plan: Plan, d: Dialect, framework_name: str
) -> tuple[tuple[list[str], list[str]], str]:
    """((functions, definitions), the ``__main__`` lines) writing ``curve``'s
    momentum, weight decay and groups with the framework's ``carry``."""
    bound, own = curve.bound, dict(curve.quantities)
    groups = list(own.get("groups", ()))
    natively = native and bound.name in carry.cycles and "momentum" not in own
    multipliers = tuple([1.0] + [multiplier for _, multiplier in groups])
    functions, setters = [], []
    for name, values in extras(curve):
        if name == "momentum" and natively:
            continue  # the framework's class cycles it
        function = f"{name}_{index}"
        if name in own:
            horizon = max(1, schedule_steps(own[name].params, plan.steps))
            doc = f"{curve.label}: its {name.replace('_', ' ')}, lrplot's closed form."
            functions.append(function_source(function, own[name], horizon, doc, d, plan.steps))
        else:
            where = f"--emit {framework_name}: curve {index} ({curve.label})"
            functions.append(_table(function, values, curve.label, plan.steps, where))
        setters.append((name, function))
    definitions = []
    if carry.setter and setters:
        lines = "\n".join(carry.set_line.format(name=name, function=function) for name, function in setters)
        what = " and ".join(name.replace("_", " ") for name, _ in setters)
        doc = f"{curve.label}: its {what} at update `step`."
        definitions.append(carry.setter.format(index=index, doc=doc, lines=lines))
    if carry.optimizer:
        quantities = ", ".join(carry.quantity.format(name=name, function=function) for name, function in setters)
        definitions.append(carry.optimizer.format(builder=f"build_{index}", index=index, label=curve.label,
                                                  quantities=quantities, multipliers=multipliers))
    names = ["lr"] + [name for name, _ in extras(curve)]
    reads = [carry.read[name] for name in names]
    reads += [carry.read["group"].format(position=position) for position in range(1, len(groups) + 1)]
    titles = ["# " + curve.label] + [f"# {curve.label}:{name}" for name in names[1:] + [g for g, _ in groups]]
    loop = carry.loop.format(
        builder=f"build_{index}", index=index, count=len(reads), reads=", ".join(reads), names=titles, groups=len(multipliers),
        multipliers=multipliers, set=carry.set_call.format(index=index) if carry.setter and setters else "",
        parameters=carry.grouped.format(multipliers=multipliers) if groups else carry.parameters,
    )
    return (functions, definitions), loop


def _table(function: str, values: Any, label: str, steps: int, where: str) -> str:
    """A cycled momentum no class of the framework cycles, as lrplot's values."""
    if steps > MAX_TABLE:
        raise UsageError(f"{where}: no class of the framework cycles its momentum here, and its values over more "
                         f"than {MAX_TABLE:,} steps would make the script too large; use --no-cycle-momentum or give "
                         "--momentum")
    table = values(np.arange(steps, dtype=np.float64)).tolist()
    doc = f"{label}: its momentum, cycled as torch's OneCycleLR / CyclicLR do: lrplot's values, step by step."
    return f"def {function}(step):\n    {doc!r}\n    return lookup({table!r}, step)"


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _unusual(framework_name: str, lead: str, bound: Bound) -> str:
    """Why a curve with a trainer's conventions is lrplot's closed form."""
    usual = {**DEFAULT_CONVENTIONS, "warmup_shape": ("linear", "exponential", "constant")}
    unusual = ", ".join(
        f"{name} {bound.params[name]}" for name in CONVENTION_NAMES
        if bound.params.get(name) is not None and bound.params[name] not in _as_tuple(usual.get(name))
    )
    return f"{lead}{framework_name} has no class for this trainer's conventions ({unusual})"
