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
from lrplot.matching import CurveFacts, after_warmup, exact_call, framework, reason, warmup_target
from lrplot.plan import Plan
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
    fw = framework(framework_name)
    script = fw.script
    builders, mains, functions = [], [], []
    needs_helpers = False
    for index, curve in enumerate(plan.curves, 1):
        bound = curve.bound
        horizon = max(1, schedule_steps(bound.params, plan.steps))
        # A curve with a trainer's conventions has no framework class.
        facts = CurveFacts(bound, plan.steps) if conventional(bound.params) else None
        native = exact_call(fw, facts) if facts is not None and not closed_forms_only else None
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
        mains.append((curve.label, builder))
    parts = [
        f'"""Learning-rate schedules exported by lrplot for {framework_name}.\n\n'
        f"Running this file prints, for each curve, `# <label>` and the learning rate\n"
        f'at steps 0..{plan.steps - 1}, one per line.\n"""\n',
        script.header,
    ]
    if needs_helpers:
        parts.append(script.helpers)
    parts += functions + builders
    lines = ['if __name__ == "__main__":', f"    STEPS = {plan.steps}"]
    for label, builder in mains:
        lines.append(f"    print({('# ' + label)!r})")
        lines.append(script.loop.format(builder=builder))
    parts.append("\n".join(lines))
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


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
