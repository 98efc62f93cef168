"""PaddlePaddle's schedulers (``paddle.optimizer.lr``, 3.x) and the
PaddleClas / PaddleOCR builders around them (``Optimizer.lr`` in their YAML).

A Paddle scheduler gives ``scheduler()`` at update t after t calls of
``step()``. ``LinearWarmup(inner, warmup_steps, start_lr, end_lr)`` ramps
``start_lr + (end_lr - start_lr) * t / warmup_steps`` and then steps the
inner scheduler to ``t - warmup_steps`` (``warmup_clock after``); it rises to
``end_lr``, which lrplot draws when it is the inner scheduler's start (or
for ``PiecewiseDecay``, which has no lr of its own). ``CosineAnnealingDecay``
past ``T_max`` rises again (a period of ``2 T_max``): lrplot's cosine holds
its floor there, so a run that goes past ``T_max`` is refused.

``MATCHING`` (at the end) is the other direction: which Paddle class is
exact for which lrplot schedule, for ``--emit paddle`` and README's table.

The builders (:func:`builder`) turn epochs into iterations with
``step_each_epoch`` = the training loader's length:

* PaddleClas (``ppcls/optimizer/learning_rate.py``, ``LRBase``): warmup
  ``round(warmup_epoch x step_each_epoch)`` iterations, or ``warmup_epoch``
  epochs with ``by_epoch`` (the engine then steps once per epoch:
  ``step_every``); ``Cosine`` ``T_max = (epochs - warmup_epoch) x
  step_each_epoch``, ``Linear`` ``decay_steps`` likewise. ``legacy=True`` is
  PaddleClas's first ``LRBase`` (commit 0776f1c), which swapped the two
  warmups: ``warmup_epoch`` *iterations* without ``by_epoch`` (except
  ``Linear``), ``round(warmup_epoch x step_each_epoch)`` *epochs* with it.
* PaddleOCR (``ppocr/optimizer/learning_rate.py``): per-iteration only,
  warmup ``round(warmup_epoch x step_each_epoch)`` from 0, and ``Cosine``
  ``T_max = epochs x step_each_epoch``, the warmup not subtracted (the cosine
  never reaches its floor).
"""

from __future__ import annotations

from typing import Any

from lrplot.codetext import SCALAR, SCALAR_HELPERS
from lrplot.frameworks import Curve, Unsupported, number
from lrplot.matching import (
    DECAY_STEPS_1,
    FLOAT_VALUES,
    HALF_COSINE,
    STRAIGHT_POLYNOMIAL,
    Carry,
    Condition,
    Exact,
    Framework,
    Script,
    Value,
    Warmup,
    Why,
    halvings_fit,
)

FLOAT = (int, float)


def _num(args: dict[str, Any], key: str, default: Any = None) -> float:
    value = number(args, key, default)
    return float(value)


def _int(args: dict[str, Any], key: str, default: Any = None) -> int:
    value = number(args, key, default)
    if float(value) != int(value):
        raise Unsupported(f"{key}={value} (not a whole number) is not supported yet")
    return int(value)


def inner(name: str, args: dict[str, Any], run: int | None = None) -> Curve:
    """A ``paddle.optimizer.lr`` scheduler (not ``LinearWarmup``), stepped once
    per update; ``run``: how many of its steps are drawn (for ``T_max``)."""
    if name == "CosineAnnealingDecay":
        t_max = _int(args, "T_max")
        if t_max < 1:
            raise Unsupported(f"CosineAnnealingDecay with T_max={t_max} is not supported (at least 1)")
        if run is not None and run - 1 > t_max:
            raise Unsupported(
                f"CosineAnnealingDecay run past T_max={t_max} (it rises again; {run} steps) is not supported yet")
        return Curve("cosine", {"lr": _num(args, "learning_rate"), "decay_steps": t_max,
                                "end_lr": _num(args, "eta_min", 0.0)})
    if name == "PiecewiseDecay":
        values = [float(v) for v in args.get("values") or ()]
        boundaries = [int(b) for b in args.get("boundaries") or ()]
        if len(values) != len(boundaries) + 1:
            raise Unsupported("PiecewiseDecay needs one more value than boundaries")
        if not boundaries:
            return Curve("constant", {"lr": values[0]})
        return Curve("piecewise", {"lr": values[0], "boundaries": boundaries, "values": values})
    if name == "MultiStepDecay":
        milestones = [int(m) for m in args.get("milestones") or ()]
        lr = _num(args, "learning_rate")
        if not milestones:
            return Curve("constant", {"lr": lr})
        return Curve("multistep", {"lr": lr, "milestones": milestones, "gamma": _num(args, "gamma", 0.1)})
    if name == "StepDecay":
        return Curve("step", {"lr": _num(args, "learning_rate"), "step_size": _int(args, "step_size"),
                              "gamma": _num(args, "gamma", 0.1)})
    if name == "PolynomialDecay":
        if args.get("cycle"):
            raise Unsupported("PolynomialDecay with cycle=True is not supported yet")
        return Curve("polynomial", {"lr": _num(args, "learning_rate"), "decay_steps": _int(args, "decay_steps"),
                                    "end_lr": _num(args, "end_lr", 0.0001), "power": _num(args, "power", 1.0)})
    if name == "Constant":
        return Curve("constant", {"lr": _num(args, "learning_rate")})
    raise Unsupported(f"Paddle scheduler {name} is not supported yet")


def warmed(curve: Curve, warmup: int, start: float, end: float) -> Curve:
    """``LinearWarmup(curve, warmup, start, end)``: the inner scheduler starts
    at its own step 0 after the warmup."""
    if warmup <= 0:
        return curve
    params = dict(curve.params)
    first = params["values"][0] if curve.schedule == "piecewise" else params["lr"]
    warm: dict[str, Any] = {"warmup_steps": warmup, "warmup_start_lr": float(start)}
    if end != first:
        if curve.schedule not in ("piecewise", "constant"):
            raise Unsupported(f"LinearWarmup to end_lr={end} over a {curve.schedule} starting at {first} "
                              "is not supported yet")
        if curve.schedule == "piecewise":
            params["lr"] = float(end)  # unused by piecewise: the warmup's target
            warm["warmup_target"] = "lr"
        else:
            raise Unsupported(f"LinearWarmup to end_lr={end} over a constant {first} is not supported yet")
    return Curve(curve.schedule, {**params, **warm})


def scheduler(name: str, args: dict[str, Any], run: int | None = None) -> Curve:
    """A ``paddle.optimizer.lr`` class with its constructor arguments, stepped
    once per update for ``run`` updates (``LinearWarmup`` takes ``inner``: the
    wrapped scheduler's name and arguments, or a float ``learning_rate``)."""
    if name in ("LinearWarmup",) or name.startswith("LinearWarmup+"):
        warmup = _int(args, "warmup_steps")
        start, end = _num(args, "start_lr"), _num(args, "end_lr")
        wrapped = args.get("inner")
        if isinstance(wrapped, dict):
            rest = {k: v for k, v in wrapped.items() if k != "name"}
            curve = inner(str(wrapped.get("name")), rest, None if run is None else run - warmup)
        else:
            lr = args.get("learning_rate")
            if isinstance(lr, bool) or not isinstance(lr, FLOAT):
                raise Unsupported(f"LinearWarmup around {lr!r} is not supported yet")
            curve = Curve("constant", {"lr": float(lr)})
        return warmed(curve, warmup, start, end)
    if name == "OneCycleLR":
        return _onecycle(args)
    if name == "CyclicLR":
        return _cyclic(args)
    return inner(name, args, run)


def _onecycle(args: dict[str, Any]) -> Curve:
    peak, divide = _num(args, "max_learning_rate"), _num(args, "divide_factor", 25.0)
    end = _num(args, "end_learning_rate", 0.0001)
    if end <= 0:
        raise Unsupported("OneCycleLR with end_learning_rate <= 0 is not supported yet")
    return Curve("onecycle", {
        "lr": peak, "total_steps": _int(args, "total_steps"), "div_factor": divide,
        "final_div_factor": peak / divide / end, "pct_start": _num(args, "phase_pct", 0.3),
        "anneal": str(args.get("anneal_strategy", "cos")), "three_phase": bool(args.get("three_phase", False)),
        "cycle_momentum": False,  # Paddle's schedulers set the lr only
    })


def _cyclic(args: dict[str, Any]) -> Curve:
    if args.get("scale_fn") is not None:
        raise Unsupported("CyclicLR with a scale_fn is not supported yet")
    up = _int(args, "step_size_up")
    down = args.get("step_size_down")
    return Curve("cyclic", {
        "lr": _num(args, "max_learning_rate"), "base_lr": _num(args, "base_learning_rate"),
        "step_size_up": up, "step_size_down": up if down is None else _int(args, "step_size_down"),
        "mode": str(args.get("mode", "triangular")), "gamma": _num(args, "exp_gamma", 1.0),
        "cycle_momentum": False,  # Paddle's schedulers set the lr only
    })


CLAS = ("Cosine", "Linear", "Piecewise", "Step", "MultiStepDecay", "Constant", "ConstLR")
OCR = ("Cosine", "Linear", "Piecewise", "Step", "MultiStepDecay", "Const")


def builder(lr_cfg: dict[str, Any], epochs: int, step_each_epoch: int, suite: str = "PaddleClas",
            legacy: bool = False) -> tuple[Curve, int]:
    """The curve a PaddleClas (or PaddleOCR) ``Optimizer.lr`` section builds,
    as the trainer steps it, and the run's length in updates
    (``epochs x step_each_epoch``)."""
    name = str(lr_cfg.get("name"))
    args = {k: v for k, v in lr_cfg.items() if k != "name"}
    spe = int(step_each_epoch)
    epochs = int(epochs)
    run = epochs * spe
    if suite == "PaddleOCR":
        if name not in OCR:
            raise Unsupported(f"PaddleOCR lr {name} is not supported yet ({', '.join(OCR)})")
        return _ocr(name, args, epochs, spe), run
    if name not in CLAS:
        raise Unsupported(f"PaddleClas lr {name} is not supported yet ({', '.join(CLAS)})")
    for key in ("last_epoch",):
        if args.get(key, -1) != -1:
            raise Unsupported(f"PaddleClas lr with {key}={args[key]!r} is not supported yet")
    by_epoch = bool(args.get("by_epoch", False))
    warmup_epoch = number(args, "warmup_epoch", 0)
    if warmup_epoch >= epochs:
        warmup_epoch = epochs  # LRBase's own clamp
    start = _num(args, "warmup_start_lr", 0.0)
    if legacy:
        warmup = round(warmup_epoch * spe) if by_epoch else warmup_epoch
    else:
        warmup = warmup_epoch if by_epoch else round(warmup_epoch * spe)
    unit = 1 if by_epoch else spe
    steps = epochs if by_epoch else run  # the scheduler's own steps in the run
    if name == "Cosine":
        t_max = (epochs - warmup_epoch) * unit
        lr = _num(args, "learning_rate")
        if t_max > 0:
            curve = inner("CosineAnnealingDecay", {"learning_rate": lr, "T_max": t_max,
                                                   "eta_min": args.get("eta_min", 0.0)}, steps - int(warmup))
        else:
            curve = Curve("constant", {"lr": lr})
    elif name == "Linear":
        warmup = round(warmup_epoch * spe)  # Linear recomputes it, by_epoch or not
        decay = (epochs - warmup_epoch) * unit
        lr = _num(args, "learning_rate")
        if args.get("cycle"):
            raise Unsupported("PaddleClas Linear with cycle: true is not supported yet")
        curve = inner("PolynomialDecay", {"learning_rate": lr, "decay_steps": decay, "end_lr": args.get("end_lr", 0.0),
                                          "power": args.get("power", 1.0)}) if decay > 0 else Curve("constant", {"lr": lr})
    elif name == "Piecewise":
        values = list(args.get("values") or ())
        if not values:
            raise Unsupported("PaddleClas Piecewise without values")
        boundaries = [e * unit for e in args.get("decay_epochs") or ()]
        if any(float(b) != int(b) for b in boundaries):
            raise Unsupported("PaddleClas Piecewise with fractional boundaries is not supported yet")
        curve = inner("PiecewiseDecay", {"boundaries": [int(b) for b in boundaries], "values": values})
        lr = float(values[0])
    elif name == "Step":
        step = number(args, "step_size", None) * unit
        lr = _num(args, "learning_rate")
        curve = inner("StepDecay", {"learning_rate": lr, "step_size": int(step), "gamma": args.get("gamma")})
    elif name == "MultiStepDecay":
        lr = _num(args, "learning_rate")
        curve = inner("MultiStepDecay", {"learning_rate": lr, "milestones": [m * unit for m in args.get("milestones") or ()],
                                         "gamma": args.get("gamma", 0.1)})
    else:
        lr = _num(args, "learning_rate")
        curve = Curve("constant", {"lr": lr})
    if float(warmup) != int(warmup):
        raise Unsupported(f"a fractional warmup ({warmup} steps) is not supported yet")
    curve = warmed(curve, int(warmup), start, lr)
    if by_epoch and spe > 1:
        curve = Curve(curve.schedule, {**curve.params, "step_every": spe})
    return curve, run


def _ocr(name: str, args: dict[str, Any], epochs: int, spe: int) -> Curve:
    warmup = round(number(args, "warmup_epoch", 0) * spe)
    if args.get("last_epoch", -1) != -1:
        raise Unsupported(f"PaddleOCR lr with last_epoch={args['last_epoch']!r} is not supported yet")
    run = epochs * spe
    if name == "Cosine":
        lr = _num(args, "learning_rate")
        curve = inner("CosineAnnealingDecay", {"learning_rate": lr, "T_max": spe * epochs}, run - warmup)
    elif name == "Linear":
        lr = _num(args, "learning_rate")
        curve = inner("PolynomialDecay", {"learning_rate": lr, "decay_steps": epochs * spe,
                                          "end_lr": args.get("end_lr", 0.0), "power": args.get("power", 1.0)})
    elif name == "Piecewise":
        values = list(args.get("values") or ())
        curve = inner("PiecewiseDecay", {"boundaries": [int(spe * e) for e in args.get("decay_epochs") or ()],
                                         "values": values})
        lr = float(values[0])
    elif name == "Step":
        lr = _num(args, "learning_rate")
        step = spe * number(args, "step_size", None)
        if float(step) != int(step):
            raise Unsupported("PaddleOCR Step with a fractional step_size x step_each_epoch is not supported yet")
        curve = inner("StepDecay", {"learning_rate": lr, "step_size": int(step), "gamma": args.get("gamma")})
    elif name == "MultiStepDecay":
        lr = _num(args, "learning_rate")
        curve = inner("MultiStepDecay", {"learning_rate": lr, "milestones": [spe * m for m in args.get("milestones") or ()],
                                         "gamma": args.get("gamma")})
    else:
        lr = _num(args, "learning_rate")
        curve = Curve("constant", {"lr": lr})
    return warmed(curve, warmup, 0.0, lr)


# ---------------------------------------------------------------- lrplot -> Paddle (--emit, README)

L = "paddle.optimizer.lr."
GAMMA_BELOW_1 = Condition("gamma < 1", lambda v: v["gamma"] < 1)

MATCHING = Framework(
    "paddle",
    "Paddle",
    exact=(
        # A plain rate alone is a scheduler that returns it; in a warmup, LinearWarmup takes the number.
        Exact("constant", L + "LambdaDecay(1.0, lambda step: {lr!r})", note="a constant rate", inner="{lr!r}"),
        Exact("piecewise", L + "PiecewiseDecay(boundaries={boundaries}, values={float_values})", values=(FLOAT_VALUES,)),
        Exact(
            "exponential",
            L + "ExponentialDecay({lr!r}, gamma={decay_rate!r})",
            when=(DECAY_STEPS_1, Condition("decay_rate < 1", lambda v: v["decay_rate"] < 1)),
        ),
        Exact(
            "natural-exp",
            L + "NaturalExpDecay({lr!r}, gamma={decay_rate!r})",
            when=(DECAY_STEPS_1, Condition("decay_rate > 0", lambda v: v["decay_rate"] > 0)),
        ),
        Exact("inverse-time", L + "InverseTimeDecay({lr!r}, gamma={decay_rate!r})", when=(DECAY_STEPS_1,)),
        Exact(
            "polynomial",
            L + "PolynomialDecay({lr!r}, decay_steps={decay_steps}, end_lr={end_lr!r}, power={power!r}, cycle={cycle})",
            when=(STRAIGHT_POLYNOMIAL,),
        ),
        Exact(
            "linear",
            L + "LinearLR({lr!r}, total_steps={total_steps}, start_factor={start_factor!r}, end_factor={end_factor!r})",
            emitted=False,
        ),
        Exact("noam", L + "NoamDecay(d_model={d_model}, warmup_steps={noam_warmup}, learning_rate={lr!r})"),
        Exact(
            "step",
            L + "StepDecay({lr!r}, step_size={step_size}, gamma={gamma!r})",
            when=(Condition("integer step_size", lambda v: isinstance(v["step_size"], int)), GAMMA_BELOW_1),
        ),
        Exact(
            "multistep",
            L + "MultiStepDecay({lr!r}, milestones={milestones}, gamma={gamma!r})",
            when=(
                GAMMA_BELOW_1,
                Condition("no repeated milestone", lambda v: all(b > a for a, b in zip(v["milestones"], v["milestones"][1:]))),
            ),
        ),
        Exact(
            "onecycle",
            L + "OneCycleLR({lr!r}, total_steps={total_steps}, divide_factor={div_factor!r}, "
            "end_learning_rate={end!r}, phase_pct={pct_start!r}, anneal_strategy={anneal!r}, three_phase={three_phase})",
            when=(
                Condition("the run ends by total_steps", lambda v: v["run"] <= v["total_steps"]),
                # Paddle refuses these; torch runs them
                Condition("not three_phase with pct_start ≥ 0.5", lambda v: not (v["three_phase"] and v["pct_start"] >= 0.5)),
            ),
            values=(Value("end", "lr / div_factor / final_div_factor", lambda v: v["lr"] / v["div_factor"] / v["final_div_factor"]),),
        ),
        Exact(
            "cyclic",
            L + "CyclicLR({base_lr!r}, {lr!r}, step_size_up={step_size_up}, "
            "step_size_down={step_size_down}, mode={mode!r}, exp_gamma={gamma!r})",
            # Paddle computes one step past the last (counted from the run's start)
            when=(Condition("triangular2 within 1024 cycles",
                            lambda v: halvings_fit(v, v["run"] + v["warmup_steps"])),),
        ),
        Exact(
            "cosine",
            L + "CosineAnnealingDecay({lr!r}, T_max={decay_steps}, eta_min={end_lr!r})",
            when=(HALF_COSINE, Condition("the run ends by T_max", lambda v: v["run"] - 1 <= v["decay_steps"]),),
        ),
    ),
    warmup=Warmup(
        L + "LinearWarmup({inner}, warmup_steps={warmup_steps}, start_lr={warmup_start_lr!r}, end_lr={warmup_to!r})",
        {"linear": ""},
        # LinearWarmup asserts end_lr > start_lr: a warmup that falls or stays flat is a plain function
        when=(Condition("a rising warmup", lambda v: v["warmup_to"] > v["warmup_start_lr"]),),
    ),
    script=Script(
        header="import math\n\nimport paddle\n",
        dialect=SCALAR,
        helpers=SCALAR_HELPERS,
        native="def {builder}():\n    {label!r}\n{comment}    return {call}\n",
        fallback=(
            "def {builder}():\n    {label!r}\n"
            "    return paddle.optimizer.lr.LambdaDecay(1.0, lambda step: lr_{index}(step))\n"
        ),
        loop=(
            "    scheduler = {builder}()\n"
            "    for step in range(STEPS):\n"
            "        print(repr(float(scheduler.last_lr)))\n"
            "        scheduler.step()"
        ),
        reasons=(
            Why("Paddle's LinearWarmup asserts end_lr > start_lr, and this warmup does not rise",
                lambda v: v["warmup_steps"] and v["warmup_shape"] == "linear" and not v["warmup_to"] > v["warmup_start_lr"]),
            Why("Paddle's StepDecay refuses gamma >= 1", lambda v: v["schedule"] == "step" and v["gamma"] >= 1),
            Why("Paddle's MultiStepDecay refuses gamma >= 1", lambda v: v["schedule"] == "multistep" and v["gamma"] >= 1),
            Why("Paddle's ExponentialDecay asserts 0 < gamma < 1",
                lambda v: v["schedule"] == "exponential" and v["decay_rate"] >= 1),
            Why("Paddle's NaturalExpDecay asserts gamma > 0",
                lambda v: v["schedule"] == "natural-exp" and v["decay_rate"] == 0),
            Why("Paddle's CyclicLR raises OverflowError past 1024 triangular2 cycles (2.0 ** cycle)",
                lambda v: v["schedule"] == "cyclic"),
        ),
        otherwise="Paddle has no exact scheduler for {schedule}",
        carry=Carry(
            cannot={
                "momentum": "Paddle's optimizers take a fixed momentum (its OneCycleLR and CyclicLR set the learning "
                            "rate only)",
                "weight_decay": "Paddle's optimizers take a fixed weight decay, not a schedule",
            },
            # A group dict's learning_rate multiplies the scheduler's rate for its parameters. Each
            # group's rate is read from its update: a float64 parameter at 0, a gradient of 1, SGD.
            loop=(
                '    paddle.set_default_dtype("float64")  # the optimizer\'s rate in float64, as lrplot\n'
                "    scheduler = {builder}()\n"
                '    parameters = [paddle.create_parameter([1], "float64") for _ in {multipliers!r}]\n'
                "    optimizer = paddle.optimizer.SGD(learning_rate=scheduler, parameters=[\n"
                '        {{"params": [p], "learning_rate": m}} for p, m in zip(parameters, {multipliers!r})\n'
                "    ])\n"
                "    columns = [[] for _ in range({count})]\n"
                "    for step in range(STEPS):\n"
                "        for parameter in parameters:\n"
                '            parameter.set_value(paddle.zeros([1], dtype="float64"))\n'
                "        paddle.add_n([parameter.sum() for parameter in parameters]).backward()\n"
                "        optimizer.step()\n"
                "        optimizer.clear_grad()\n"
                "        for column, value in zip(columns, ({reads},)):\n"
                "            column.append(value)\n"
                "        scheduler.step()\n"
                "    for name, column in zip({names!r}, columns):\n"
                "        print(name)\n"
                "        for value in column:\n"
                "            print(repr(value))"
            ),
            read={"lr": "-float(parameters[0].numpy()[0])", "group": "-float(parameters[{position}].numpy()[0])"},
        ),
    ),
    differences=(
        "**Natural exponential / inverse time in Paddle**: no `decay_steps` "
        "(one decay per step); lrplot's default `--decay-steps 1` matches.",
        "**Paddle `OneCycleLR`** takes an absolute `end_learning_rate` where torch takes "
        "`final_div_factor`: `final_div_factor = lr / (div_factor · end_learning_rate)`.",
    ),
)
