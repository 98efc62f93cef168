"""``--emit torch|keras|optax|paddle``: a script that builds each curve with
the framework's own scheduler.

The script is self-contained (it does not import lrplot). For every curve it
uses the framework's native class when one reproduces the curve exactly, and
otherwise a plain function of the step, commented with the reason (torch's
``LinearLR`` refuses a start factor of 0, ``CosineAnnealingLR`` rises again
after ``T_max``, Keras has no step decay, ...). Its ``__main__`` block prints,
for each curve, a line ``# <label>`` and then the learning rate at steps
0..N-1, one ``repr`` per line: what the framework's optimizer would use.

Nothing here imports a framework; this module only writes text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lrplot.plan import Plan
from lrplot.registry import DEFAULT_CONVENTIONS, Bound, conventional, schedule_steps, warmup_start
from lrplot.schedules import sgdr_geometry

Native = tuple[str, str] | None  # (constructor expression, comment) or None
CONVENTION_NAMES = (*DEFAULT_CONVENTIONS, "warmup_start_factor", "warmup_shape")


# ---------------------------------------------------------------- closed forms as text
# Each returns a Python expression of `t` (steps since the end of warmup, a
# float >= 0) written with the helper names every script defines: floor,
# ceil, exp, expm1, log1p, cos, sqrt, minimum, maximum, pi, and (arrays only)
# where. Scripts bind them to `math` (torch, paddle: one step at a time) or to
# jax.numpy / keras.ops (traced). Every number is written with repr and is
# finite; text the user chose (labels) is written with repr too: data, never
# code.


class Dialect(NamedTuple):
    """How a script computes its closed forms."""

    scalar: bool  # Python floats one step at a time (torch, paddle), else traced arrays

    def where(self, condition: str, if_true: str, if_false: str) -> str:
        if self.scalar:
            # Only the branch taken is computed: math raises OverflowError
            # where numpy gives inf, and a branch not taken may overflow (an
            # exponential warmup ramp long after the warmup, a rising
            # sequence part after its end).
            return f"({if_true} if {condition} else {if_false})"
        # Arrays compute both branches; an inf in the one not taken is dropped.
        return f"where({condition}, {if_true}, {if_false})"


SCALAR, ARRAYS = Dialect(scalar=True), Dialect(scalar=False)


def _progress(p: dict[str, Any]) -> str:
    ratio = f"t / {p['decay_steps']!r}"
    return f"floor({ratio})" if p["staircase"] else f"({ratio})"


def _chain(steps: list[int], values: list[str], d: Dialect) -> str:
    """values[i] from steps[i-1] on: a nested where."""
    text = values[-1]
    for step, value in zip(reversed(steps), reversed(values[:-1])):
        text = d.where(f"t < {float(step)!r}", value, text)
    return text


def _count(marks: list[int], d: Dialect) -> str:
    return "(" + " + ".join(d.where(f"t >= {float(m)!r}", "1.0", "0.0") for m in marks) + ")"


def _onecycle(p: dict[str, Any], d: Dialect) -> str:
    lr, total, pct = p["lr"], p["total_steps"], p["pct_start"]
    initial = lr / p["div_factor"]
    low = initial / p["final_div_factor"]
    up = float(pct * total) - 1.0
    if p["three_phase"]:
        phases = [(up, initial, lr), (2.0 * float(pct * total) - 2.0, lr, initial), (total - 1.0, initial, low)]
    else:
        phases = [(up, initial, lr), (total - 1.0, lr, low)]
    pieces, begin = [], 0.0
    for end, a, b in phases:
        f = f"(t - {begin!r}) / {end - begin!r}"
        if p["anneal"] == "cos":
            pieces.append(f"{b!r} + {(a - b) / 2.0!r} * (cos(pi * {f}) + 1.0)")
        else:
            pieces.append(f"{b - a!r} * {f} + {a!r}")
        begin = end
    text = repr(low)  # past the last step the run is over: hold the minimum
    for (end, _, _), piece in zip(reversed(phases), reversed(pieces)):
        text = d.where(f"t <= {end!r}", piece, text)
    return text


def _sgdr(p: dict[str, Any], d: Dialect) -> list[str]:
    """lrplot's own arithmetic (lrplot.schedules.cycle_starts, cycle_index), so
    the script puts every boundary step in the same cycle as lrplot."""
    g = sgdr_geometry(p["first_decay_steps"], p["t_mul"])
    first, m, q, last = g.first, g.t_mul, p["m_mul"], float(g.last)
    if m == 1.0:
        lines = [f"cycle = floor(t / {first!r})", f"frac = t / {first!r} - cycle"]
    else:
        power = f"{m!r} ** i - 1.0"
        growth = d.where(f"i > {float(g.exact_until)!r}", d.where(f"i < {float(g.doubled_from)!r}", f"expm1(i * {g.log_mul!r})", power), power)
        lines = [
            f"# Cycle i lasts {first!r} * {m!r}**i steps from start(i); {m!r}**i - 1 is",
            "# computed without cancellation (expm1 where the power is inexact and near 1).",
            "def start(i):",
            f"    return {growth} / {g.rise!r} * {first!r}",
            "",
            "# A guess from the inverse of start(), then the starts decide: a step on a",
            "# boundary opens the new cycle.",
            f"cycle = minimum(floor(log1p(minimum(t * {g.rise / first!r}, 1e300)) / {g.log_mul!r}), {last!r})",
            f"cycle = {d.where('start(cycle) > t', 'cycle - 1.0', 'cycle')}",
            f"cycle = {d.where(f'cycle < {last!r}', d.where('start(cycle + 1.0) <= t', 'cycle + 1.0', 'cycle'), 'cycle')}",
            f"frac = (t - start(cycle)) / ({first!r} * {m!r} ** cycle)",
        ]
    lines.append(
        f"value = {p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * {q!r} ** cycle * (1.0 + cos(pi * frac)) / 2.0"
    )
    return lines


def _cyclic(p: dict[str, Any]) -> list[str]:
    total = float(p["step_size_up"] + p["step_size_down"])
    ratio = p["step_size_up"] / total
    lines = [
        f"cycle = floor(1.0 + t / {total!r})",
        f"x = 1.0 + t / {total!r} - cycle",
        f"scale = minimum(x / {ratio!r}, (1.0 - x) / {1.0 - ratio!r})",
    ]
    amplitude = f"{p['lr'] - p['base_lr']!r} * scale"
    if p["mode"] == "triangular2":
        amplitude += " * 0.5 ** (cycle - 1.0)"  # 2.0 ** cycle overflows (math raises) after 1024 cycles
    elif p["mode"] == "exp_range":
        amplitude += f" * {p['gamma']!r} ** t"
    lines.append(f"value = {p['base_lr']!r} + {amplitude}")
    return lines


def _wsd(p: dict[str, Any]) -> str:
    d = p["decay_steps"]
    progress = f"minimum(maximum((t - {float(p['stable_steps'])!r}) / {float(d)!r}, 0.0), 1.0)"
    shape = {
        "1-sqrt": f"1.0 - sqrt({progress})",
        "linear": f"1.0 - {progress}",
        "cosine": f"(1.0 + cos(pi * {progress})) / 2.0",
    }[p["decay_shape"]]
    return f"{p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * ({shape})"


CLOSED_FORMS: dict[str, Callable[[dict[str, Any], int, Dialect], str | list[str]]] = {
    "constant": lambda p, h, d: f"{p['lr']!r} + 0.0 * t",
    "warmup": lambda p, h, d: f"{p['lr']!r} + 0.0 * t",
    "piecewise": lambda p, h, d: _chain(p["boundaries"], [repr(float(v)) for v in p["values"]], d),
    "exponential": lambda p, h, d: f"{p['lr']!r} * {p['decay_rate']!r} ** {_progress(p)}",
    "natural-exp": lambda p, h, d: f"{p['lr']!r} * exp({-p['decay_rate']!r} * {_progress(p)})",
    "inverse-time": lambda p, h, d: f"{p['lr']!r} / (1.0 + {p['decay_rate']!r} * {_progress(p)})",
    "polynomial": lambda p, h, d: (
        [
            f"period = {float(p['decay_steps'])!r} * maximum(1.0, ceil(t / {float(p['decay_steps'])!r}))",
            f"value = {p['lr'] - p['end_lr']!r} * (1.0 - t / period) ** {p['power']!r} + {p['end_lr']!r}",
        ]
        if p["cycle"]
        else f"{p['lr'] - p['end_lr']!r} * (1.0 - minimum(t, {float(p['decay_steps'])!r}) / {float(p['decay_steps'])!r}) ** {p['power']!r} + {p['end_lr']!r}"
    ),
    "linear": lambda p, h, d: (
        f"{p['lr']!r} * ({p['start_factor']!r} + {p['end_factor'] - p['start_factor']!r}"
        f" * minimum(t, {float(p['total_steps'])!r}) / {float(p['total_steps'])!r})"
    ),
    "step": lambda p, h, d: f"{p['lr']!r} * {p['gamma']!r} ** floor(t / {float(p['step_size'])!r})",
    "multistep": lambda p, h, d: f"{p['lr']!r} * {p['gamma']!r} ** {_count(p['milestones'], d)}",
    "cosine": lambda p, h, d: (
        f"{p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * (1.0 + cos(pi * minimum(t, {float(p['decay_steps'])!r})"
        f" / {float(p['decay_steps'])!r})) / 2.0"
    ),
    "cosine-restarts": lambda p, h, d: _sgdr(p, d),
    "onecycle": lambda p, h, d: _onecycle(p, d),
    "cyclic": lambda p, h, d: _cyclic(p),
    "noam": lambda p, h, d: (
        f"{p['lr'] * p['d_model'] ** -0.5!r} * minimum(maximum(t, 1.0) ** -0.5, t * {p['noam_warmup'] ** -1.5!r})"
    ),
    "inverse-sqrt": lambda p, h, d: f"{p['lr']!r} * sqrt({float(p['timescale'])!r} / (t + {float(p['timescale'])!r}))",
    "wsd": lambda p, h, d: _wsd(p),
}


def function_source(name: str, bound: Bound, horizon: int, doc: str, d: Dialect, steps: int | None = None) -> str:
    """A ``def name(step)`` computing the whole curve, warmup included;
    ``horizon`` is the steps after warmup (wsd decays at its end). A schedule
    without a closed form here (one registered by a user) is written as its
    values at steps 0 .. ``steps`` - 1, held after the last."""
    p = bound.params
    warmup = p["warmup_steps"]
    lines = [f"def {name}(step):", f"    {doc!r}"]
    if bound.name not in CLOSED_FORMS and bound.name != "sequence":
        table = bound.evaluate_at(np.arange(max(1, steps or horizon), dtype=np.float64)).tolist()
        lines.append(f"    # {bound.name} has no closed form in lrplot's --emit: its values, step by step.")
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
        form = CLOSED_FORMS[bound.name](p, horizon, d)
        lines += [f"    value = {form}"] if isinstance(form, str) else [("    " + line).rstrip() for line in form]
    lines += _warmup_lines(bound, d)
    lines.append("    return value")
    return "\n".join(lines)


def _clock_lines(p: dict[str, Any]) -> list[str]:
    """The schedule's own step count: one step every step_every updates, from step_offset."""
    lines = []
    if p.get("step_every", 1) != 1:
        lines.append(f"    step = floor(step / {float(p['step_every'])!r})  # the scheduler steps every {p['step_every']} updates")
    if p.get("step_offset", 0):
        lines.append(f"    step = maximum(step + {float(p['step_offset'])!r}, 0.0)  # its count at update 0")
    return lines


def _warmup_lines(bound: Bound, d: Dialect) -> list[str]:
    p = bound.params
    w = p["warmup_steps"]
    if not w:
        return []
    start, target = warmup_start(p), _target(bound)
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
            ramp = f"{_after_warmup(bound)!r} * ({first!r} + {1.0 - first!r} * {rise})"
    elif p["warmup_shape"] == "exponential":
        # target / start computed by the script: written out it may not be a finite float
        ramp = f"{start!r} * ({target!r} / {start!r}) ** {fraction}"
    else:
        ramp = f"{start!r} + {target - start!r} * {rise}"
    return [f"    value = {d.where(f'step < {float(w)!r}', ramp, 'value')}  # warmup"]


def _after_warmup(bound: Bound) -> float:
    """The curve's value at the first update after its warmup: the schedule
    where it takes over (its step 0, or step W on a shared clock)."""
    p = bound.params
    update = max(0, (p["warmup_steps"] - p.get("step_offset", 0)) * p.get("step_every", 1))  # held or not, S(0)
    return float(bound.evaluate_at(np.array([float(update)]))[0])


def _target(bound: Bound) -> float:
    if bound.params.get("warmup_target", "schedule") == "lr":
        return float(bound.params["lr"])
    return _after_warmup(bound)


# ---------------------------------------------------------------- native classes


def _exact_decay_steps_1(p: dict[str, Any]) -> bool:
    return p["decay_steps"] == 1 and not p["staircase"]


def _halvings_fit(p: dict[str, Any], last_step: int) -> bool:
    """torch's and Paddle's CyclicLR compute triangular2's 1 / 2.0 ** (cycle - 1)
    with Python floats: past cycle 1024 that raises OverflowError. True when
    the curve is not triangular2 or ``last_step`` is still in cycle 1024."""
    return p["mode"] != "triangular2" or last_step // (p["step_size_up"] + p["step_size_down"]) < 1024


def _finite(*numbers: float) -> bool:
    """Each number can be written into a script: repr(inf) is `inf`, a NameError.
    A class whose argument would not be (Keras alpha = end_lr / lr with a tiny
    lr) is not exact there; the closed form is used instead."""
    return all(math.isfinite(number) for number in numbers)


def torch_native(bound: Bound, shown: int) -> Native:
    p, name, lr = bound.params, bound.name, bound.params["lr"]
    w = p["warmup_steps"]
    if w:
        return _torch_warmed(bound, shown)
    if name == "constant":
        return "ConstantLR(optimizer, factor=1.0, total_iters=0)", ""
    if name == "step" and isinstance(p["step_size"], int):
        return f"StepLR(optimizer, step_size={p['step_size']}, gamma={p['gamma']!r})", ""
    if name == "multistep":
        return f"MultiStepLR(optimizer, milestones={p['milestones']}, gamma={p['gamma']!r})", ""
    if name == "exponential" and _exact_decay_steps_1(p):
        return f"ExponentialLR(optimizer, gamma={p['decay_rate']!r})", ""
    if name == "linear" and 0 < p["start_factor"] <= 1 and 0 <= p["end_factor"] <= 1:
        return (
            f"LinearLR(optimizer, start_factor={p['start_factor']!r}, end_factor={p['end_factor']!r}, total_iters={p['total_steps']})",
            "",
        )
    if name == "polynomial" and p["end_lr"] == 0 and not p["cycle"]:
        return f"PolynomialLR(optimizer, total_iters={p['decay_steps']}, power={p['power']!r})", ""
    if name == "cosine" and shown - 1 <= p["decay_steps"]:
        return f"CosineAnnealingLR(optimizer, T_max={p['decay_steps']}, eta_min={p['end_lr']!r})", ""
    if name == "cosine-restarts" and p["t_mul"].is_integer() and p["m_mul"] == 1:
        return (
            f"CosineAnnealingWarmRestarts(optimizer, T_0={p['first_decay_steps']}, T_mult={int(p['t_mul'])}, eta_min={p['end_lr']!r})",
            "",
        )
    if name == "onecycle" and shown <= p["total_steps"]:
        return (
            f"OneCycleLR(optimizer, max_lr={lr!r}, total_steps={p['total_steps']}, pct_start={p['pct_start']!r}, "
            f"anneal_strategy={p['anneal']!r}, div_factor={p['div_factor']!r}, "
            f"final_div_factor={p['final_div_factor']!r}, three_phase={p['three_phase']}, cycle_momentum=False)",
            "",
        )
    if name == "cyclic" and _halvings_fit(p, shown - 1):
        return (
            f"CyclicLR(optimizer, base_lr={p['base_lr']!r}, max_lr={lr!r}, step_size_up={p['step_size_up']}, "
            f"step_size_down={p['step_size_down']}, mode={p['mode']!r}, gamma={p['gamma']!r}, cycle_momentum=False)",
            "",
        )
    return None


def _torch_warmed(bound: Bound, shown: int) -> Native:
    """SequentialLR([warmup, schedule], milestones=[W]) when both are exact."""
    p, lr = bound.params, bound.params["lr"]
    w, start, target = p["warmup_steps"], p["warmup_start_lr"], _target(bound)
    if bound.name in ("onecycle", "cyclic") or lr <= 0:
        return None  # they set the optimizer's rate themselves
    inner = torch_native(bound._replace(params={**p, "warmup_steps": 0}), shown - w)
    # LinearLR and ConstantLR take factors of lr in (0, 1]: a start factor
    # that underflows to 0 is refused.
    if inner is None or not (0 < start <= lr and 0 <= target <= lr and start / lr > 0):
        return None
    if p["warmup_shape"] == "linear":
        warm = f"LinearLR(optimizer, start_factor={start / lr!r}, end_factor={target / lr!r}, total_iters={w})"
    elif p["warmup_shape"] == "constant":
        warm = f"ConstantLR(optimizer, factor={start / lr!r}, total_iters={w})"
    else:
        return None
    return (
        f"SequentialLR(optimizer, [{warm}, {inner[0]}], milestones=[{w}])",
        "the warmup, then the schedule from its own step 0",
    )


def torch_reason(bound: Bound, shown: int) -> str:
    p, name = bound.params, bound.name
    if p["warmup_steps"] and p["warmup_start_lr"] == 0:
        return "torch's LinearLR refuses a start factor of 0, so this warmup from 0 is a LambdaLR"
    if name == "cosine":
        return "torch's CosineAnnealingLR rises again after T_max; lrplot's cosine stays at end_lr"
    if name == "cosine-restarts":
        return "torch's CosineAnnealingWarmRestarts takes only an integer T_mult and no m_mul"
    if name == "onecycle" and shown > bound.params["total_steps"]:
        return "torch's OneCycleLR raises past total_steps; lrplot holds the minimum"
    if name in ("exponential",):
        return "torch's ExponentialLR decays every step (no decay_steps / staircase)"
    if name == "cyclic":
        return "torch's CyclicLR raises OverflowError past 1024 triangular2 cycles (2.0 ** cycle)"
    return f"torch has no exact class for {name}" + (" with this warmup" if p["warmup_steps"] else "")


def keras_native(bound: Bound, shown: int) -> Native:
    p, name, lr = bound.params, bound.name, bound.params["lr"]
    w = p["warmup_steps"]
    if name == "cosine" and lr > 0 and _finite(p["end_lr"] / lr) and (not w or p["warmup_shape"] == "linear"):
        warm = f", warmup_target={lr!r}, warmup_steps={w}" if w else ""
        first = p["warmup_start_lr"] if w else lr
        return (
            f"keras.optimizers.schedules.CosineDecay({first!r}, decay_steps={p['decay_steps']}, alpha={p['end_lr'] / lr!r}{warm})",
            "",
        )
    if w:
        return None
    if name == "exponential":
        return (
            f"keras.optimizers.schedules.ExponentialDecay({lr!r}, decay_steps={p['decay_steps']}, decay_rate={p['decay_rate']!r}, staircase={p['staircase']})",
            "",
        )
    if name == "inverse-time":
        return (
            f"keras.optimizers.schedules.InverseTimeDecay({lr!r}, decay_steps={p['decay_steps']}, decay_rate={p['decay_rate']!r}, staircase={p['staircase']})",
            "",
        )
    if name == "piecewise":
        return (
            f"keras.optimizers.schedules.PiecewiseConstantDecay({[b - 1 for b in p['boundaries']]}, {[float(v) for v in p['values']]})",
            "Keras switches one step AFTER each boundary (step > boundary): boundaries - 1 here",
        )
    if name == "polynomial":
        return (
            f"keras.optimizers.schedules.PolynomialDecay({lr!r}, decay_steps={p['decay_steps']}, end_learning_rate={p['end_lr']!r}, power={p['power']!r}, cycle={p['cycle']})",
            "",
        )
    if name == "cosine-restarts" and lr > 0 and _finite(p["end_lr"] / lr):
        return (
            f"keras.optimizers.schedules.CosineDecayRestarts({lr!r}, first_decay_steps={p['first_decay_steps']}, t_mul={p['t_mul']!r}, m_mul={p['m_mul']!r}, alpha={p['end_lr'] / lr!r})",
            "",
        )
    return None


def optax_native(bound: Bound, shown: int) -> Native:
    p, name, lr = bound.params, bound.name, bound.params["lr"]
    inner: str | None = None
    if name == "constant":
        inner = f"optax.constant_schedule({lr!r})"
    elif name == "exponential":
        inner = f"optax.exponential_decay({lr!r}, transition_steps={p['decay_steps']}, decay_rate={p['decay_rate']!r}, staircase={p['staircase']})"
    elif name == "polynomial" and not p["cycle"]:
        inner = f"optax.polynomial_schedule({lr!r}, {p['end_lr']!r}, power={p['power']!r}, transition_steps={p['decay_steps']})"
    elif name == "cosine" and lr > 0 and _finite(p["end_lr"] / lr):
        inner = f"optax.cosine_decay_schedule({lr!r}, decay_steps={p['decay_steps']}, alpha={p['end_lr'] / lr!r})"
    elif name == "linear":
        inner = f"optax.linear_schedule({lr * p['start_factor']!r}, {lr * p['end_factor']!r}, transition_steps={p['total_steps']})"
    elif name == "piecewise" and all(v > 0 for v in p["values"]):
        scales = {b: p["values"][i + 1] / p["values"][i] for i, b in enumerate(p["boundaries"])}
        # optax multiplies the scales: one that overflows or underflows to 0 loses the values after it
        if all(_finite(scale) and scale > 0 for scale in scales.values()):
            inner = f"optax.piecewise_constant_schedule({float(p['values'][0])!r}, {scales!r})"
    if inner is None:
        return None
    w = p["warmup_steps"]
    if not w:
        return inner, ""
    if p["warmup_shape"] != "linear":
        return None
    return (
        f"optax.join_schedules([optax.linear_schedule({p['warmup_start_lr']!r}, {_target(bound)!r}, transition_steps={w}), {inner}], boundaries=[{w}])",
        "warmup joined in front of the schedule, which starts at its own step 0",
    )


def paddle_native(bound: Bound, shown: int) -> Native:
    p, name, lr = bound.params, bound.name, bound.params["lr"]
    L = "paddle.optimizer.lr"
    inner: str | None = None
    if name == "constant":
        inner = repr(lr)
    elif name == "piecewise":
        inner = f"{L}.PiecewiseDecay(boundaries={p['boundaries']}, values={[float(v) for v in p['values']]})"
    elif name == "exponential" and _exact_decay_steps_1(p) and p["decay_rate"] < 1:  # Paddle asserts 0 < gamma < 1
        inner = f"{L}.ExponentialDecay({lr!r}, gamma={p['decay_rate']!r})"
    elif name == "natural-exp" and _exact_decay_steps_1(p) and p["decay_rate"] > 0:  # Paddle asserts gamma > 0
        inner = f"{L}.NaturalExpDecay({lr!r}, gamma={p['decay_rate']!r})"
    elif name == "inverse-time" and _exact_decay_steps_1(p):
        inner = f"{L}.InverseTimeDecay({lr!r}, gamma={p['decay_rate']!r})"
    elif name == "polynomial":
        inner = f"{L}.PolynomialDecay({lr!r}, decay_steps={p['decay_steps']}, end_lr={p['end_lr']!r}, power={p['power']!r}, cycle={p['cycle']})"
    elif name == "noam":
        inner = f"{L}.NoamDecay(d_model={p['d_model']}, warmup_steps={p['noam_warmup']}, learning_rate={lr!r})"
    elif name == "step" and isinstance(p["step_size"], int) and p["gamma"] < 1:  # Paddle raises for gamma >= 1
        inner = f"{L}.StepDecay({lr!r}, step_size={p['step_size']}, gamma={p['gamma']!r})"
    elif name == "multistep" and p["gamma"] < 1 and all(b > a for a, b in zip(p["milestones"], p["milestones"][1:])):
        inner = f"{L}.MultiStepDecay({lr!r}, milestones={p['milestones']}, gamma={p['gamma']!r})"
    elif (
        name == "onecycle"
        and shown - p["warmup_steps"] <= p["total_steps"]
        and not (p["three_phase"] and p["pct_start"] >= 0.5)  # Paddle refuses these; torch runs them
    ):
        end = lr / p["div_factor"] / p["final_div_factor"]
        inner = (
            f"{L}.OneCycleLR({lr!r}, total_steps={p['total_steps']}, divide_factor={p['div_factor']!r}, "
            f"end_learning_rate={end!r}, phase_pct={p['pct_start']!r}, anneal_strategy={p['anneal']!r}, three_phase={p['three_phase']})"
        )
    elif name == "cyclic" and _halvings_fit(p, shown):  # Paddle computes one step past the last
        inner = (
            f"{L}.CyclicLR({p['base_lr']!r}, {lr!r}, step_size_up={p['step_size_up']}, "
            f"step_size_down={p['step_size_down']}, mode={p['mode']!r}, exp_gamma={p['gamma']!r})"
        )
    elif name == "cosine" and shown - p["warmup_steps"] - 1 <= p["decay_steps"]:
        inner = f"{L}.CosineAnnealingDecay({lr!r}, T_max={p['decay_steps']}, eta_min={p['end_lr']!r})"
    if inner is None:
        return None
    w = p["warmup_steps"]
    if not w:
        return (f"{L}.LambdaDecay(1.0, lambda step: {lr!r})", "a constant rate") if name == "constant" else (inner, "")
    target = _target(bound)
    # LinearWarmup asserts end_lr > start_lr: a warmup that falls or stays flat is a plain function
    if p["warmup_shape"] != "linear" or not target > p["warmup_start_lr"]:
        return None
    return (
        f"{L}.LinearWarmup({inner}, warmup_steps={w}, start_lr={p['warmup_start_lr']!r}, end_lr={target!r})",
        "",
    )


# ---------------------------------------------------------------- scripts

HEADERS = {
    "torch": (
        "import math\n\nimport torch\nfrom torch.optim.lr_scheduler import (\n"
        "    ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR,\n"
        "    LambdaLR, LinearLR, MultiStepLR, OneCycleLR, PolynomialLR, SequentialLR, StepLR,\n)\n"
    ),
    "keras": "import math\n\nimport keras\nfrom keras import ops\n",
    "optax": 'import jax\n\njax.config.update("jax_enable_x64", True)  # float64, as lrplot\nimport jax.numpy as jnp\nimport optax\n',
    "paddle": "import math\n\nimport paddle\n",
}
HELPERS = {
    "scalar": (
        "# Helpers for the closed forms below, one step at a time.\n"
        "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
        "    math.floor, math.ceil, math.exp, math.expm1, math.log1p, math.cos, math.sqrt, math.pi\n)\n"
        "minimum, maximum = min, max\n\n\n"
        "def lookup(table, step):\n"
        "    return table[min(int(step), len(table) - 1)]\n"
    ),
    "jnp": (
        "# Helpers for the closed forms below (traceable by jax.jit).\n"
        "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
        "    jnp.floor, jnp.ceil, jnp.exp, jnp.expm1, jnp.log1p, jnp.cos, jnp.sqrt, jnp.pi\n)\n"
        "minimum, maximum, where = jnp.minimum, jnp.maximum, jnp.where\n\n\n"
        "def lookup(table, step):\n"
        "    return jnp.asarray(table)[jnp.minimum(jnp.floor(step).astype(int), len(table) - 1)]\n"
    ),
    "keras": (
        "# Helpers for the closed forms below (keras.ops: traceable, float32 like Keras).\n"
        "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
        "    ops.floor, ops.ceil, ops.exp, ops.expm1, ops.log1p, ops.cos, ops.sqrt, math.pi\n)\n"
        "minimum, maximum, where = ops.minimum, ops.maximum, ops.where\n\n\n"
        "def lookup(table, step):\n"
        "    index = ops.minimum(ops.cast(ops.floor(step), \"int32\"), len(table) - 1)\n"
        "    return ops.take(ops.convert_to_tensor(table, dtype=\"float32\"), index)\n"
    ),
}
HELPER_KIND = {"torch": "scalar", "paddle": "scalar", "optax": "jnp", "keras": "keras"}
NATIVE = {"torch": torch_native, "keras": keras_native, "optax": optax_native, "paddle": paddle_native}


def emit(framework: str, plan: Plan, closed_forms_only: bool = False) -> str:
    """The script for ``framework`` reproducing every curve of ``plan``.

    ``closed_forms_only`` writes every curve as lrplot's closed form, even
    where a native class exists (tests run those scripts without the
    framework).
    """
    # A curve that overflows float64 within the run is refused as -o refuses
    # it: its script would stop there with an OverflowError.
    from lrplot.envelope import check_overflow

    check_overflow(plan, exhaustive=True)
    dialect = SCALAR if HELPER_KIND[framework] == "scalar" else ARRAYS
    builders, mains, functions = [], [], []
    needs_helpers = False
    for index, curve in enumerate(plan.curves, 1):
        bound = curve.bound
        horizon = max(1, schedule_steps(bound.params, plan.steps))
        native = None if closed_forms_only or not conventional(bound.params) else NATIVE[framework](bound, plan.steps)
        builder = f"build_{index}"
        if native is None:
            needs_helpers = True
            reason = _reason(framework, bound, plan.steps)
            doc = f"{curve.label}: lrplot's closed form. {reason}."
            functions.append(function_source(f"lr_{index}", bound, horizon, doc, dialect, plan.steps))
        builders.append(_builder(framework, builder, index, native, curve.label, bound.params["lr"]))
        mains.append((curve.label, builder))
    parts = [
        f'"""Learning-rate schedules exported by lrplot for {framework}.\n\n'
        f"Running this file prints, for each curve, `# <label>` and the learning rate\n"
        f'at steps 0..{plan.steps - 1}, one per line.\n"""\n',
        HEADERS[framework],
    ]
    if needs_helpers:
        parts.append(HELPERS[HELPER_KIND[framework]])
    parts += functions + builders
    parts.append(_main(framework, mains, plan.steps))
    return "\n\n\n".join(part.strip("\n") for part in parts) + "\n"


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _reason(framework: str, bound: Bound, shown: int) -> str:
    if not conventional(bound.params):
        usual = {**DEFAULT_CONVENTIONS, "warmup_shape": ("linear", "exponential", "constant")}
        unusual = ", ".join(
            f"{name} {bound.params[name]}" for name in CONVENTION_NAMES
            if bound.params.get(name) is not None and bound.params[name] not in _as_tuple(usual.get(name))
        )
        lead = "Wrapped in LambdaLR (create the optimizer with lr=1.0): " if framework == "torch" else ""
        return f"{lead}{framework} has no class for this trainer's conventions ({unusual})"
    if framework == "torch":
        return "Wrapped in LambdaLR (create the optimizer with lr=1.0): " + torch_reason(bound, shown)
    if framework == "keras":
        return f"Keras has no exact schedule class for {bound.name}" + (" with this warmup" if bound.params["warmup_steps"] else "")
    if framework == "optax":
        return f"optax has no exact schedule for {bound.name}" + (" with this warmup" if bound.params["warmup_steps"] else "")
    return paddle_reason(bound)


def paddle_reason(bound: Bound) -> str:
    """Why paddle_native wrote no class: Paddle's own asserts first."""
    p, name = bound.params, bound.name
    if p["warmup_steps"] and p["warmup_shape"] == "linear" and not _target(bound) > p["warmup_start_lr"]:
        return "Paddle's LinearWarmup asserts end_lr > start_lr, and this warmup does not rise"
    if name in ("step", "multistep") and p["gamma"] >= 1:
        return f"Paddle's {'StepDecay' if name == 'step' else 'MultiStepDecay'} refuses gamma >= 1"
    if name == "exponential" and p["decay_rate"] >= 1:
        return "Paddle's ExponentialDecay asserts 0 < gamma < 1"
    if name == "natural-exp" and p["decay_rate"] == 0:
        return "Paddle's NaturalExpDecay asserts gamma > 0"
    if name == "cyclic":
        return "Paddle's CyclicLR raises OverflowError past 1024 triangular2 cycles (2.0 ** cycle)"
    return f"Paddle has no exact scheduler for {name}" + (" with this warmup" if p["warmup_steps"] else "")


def _builder(framework: str, name: str, index: int, native: Native, label: str, lr: float) -> str:
    comment = f"    # {native[1]}\n" if native and native[1] else ""
    if framework == "torch":
        if native:
            return (
                f"def {name}(parameters, lr={lr!r}):\n    {label!r}\n"
                f"    optimizer = torch.optim.SGD(parameters, lr=lr)\n{comment}    return optimizer, {native[0]}\n"
            )
        return (
            f"def {name}(parameters):\n    {label!r}\n"
            f"    # LambdaLR multiplies the optimizer's lr by lr_{index}(step): lr=1.0 makes it the rate.\n"
            f"    optimizer = torch.optim.SGD(parameters, lr=1.0)\n"
            f"    return optimizer, LambdaLR(optimizer, lambda step: lr_{index}(step))\n"
        )
    if framework == "keras":
        if native:
            return f"def {name}():\n    {label!r}\n{comment}    return {native[0]}\n"
        return (
            f"class Schedule{index}(keras.optimizers.schedules.LearningRateSchedule):\n"
            f"    {label!r}\n\n    def __call__(self, step):\n"
            f"        return lr_{index}(ops.cast(step, \"float32\"))\n\n\n"
            f"def {name}():\n    return Schedule{index}()\n"
        )
    if framework == "optax":
        if native:
            return f"def {name}():\n    {label!r}\n{comment}    return {native[0]}\n"
        return (
            f"def {name}():\n    {label!r}\n"
            f"    return lambda count: lr_{index}(jnp.asarray(count, dtype=jnp.float64))\n"
        )
    if native:
        return f"def {name}():\n    {label!r}\n{comment}    return {native[0]}\n"
    return (
        f"def {name}():\n    {label!r}\n"
        f"    return paddle.optimizer.lr.LambdaDecay(1.0, lambda step: lr_{index}(step))\n"
    )


def _main(framework: str, mains: list[tuple[str, str]], steps: int) -> str:
    lines = ['if __name__ == "__main__":', f"    STEPS = {steps}"]
    for label, builder in mains:
        lines.append(f"    print({('# ' + label)!r})")
        if framework == "torch":
            lines += [
                f"    optimizer, scheduler = {builder}([torch.nn.Parameter(torch.zeros(1))])",
                "    for step in range(STEPS):",
                "        print(repr(scheduler.get_last_lr()[0]))",
                "        if step < STEPS - 1:",
                "            optimizer.step()",
                "            scheduler.step()",
            ]
        elif framework == "keras":
            lines += [f"    schedule = {builder}()", "    for step in range(STEPS):", "        print(repr(float(schedule(step))))"]
        elif framework == "optax":
            lines += [
                f"    schedule = {builder}()",
                "    # broadcast: a constant schedule returns one number for all steps",
                "    for value in jnp.broadcast_to(schedule(jnp.arange(STEPS)), (STEPS,)).tolist():",
                "        print(repr(float(value)))",
            ]
        else:
            lines += [
                f"    scheduler = {builder}()",
                "    for step in range(STEPS):",
                "        print(repr(float(scheduler.last_lr)))",
                "        scheduler.step()",
            ]
    return "\n".join(lines)
