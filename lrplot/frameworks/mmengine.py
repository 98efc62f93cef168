"""MMEngine's parameter schedulers (``mmengine.optim.scheduler``, 0.10) as its
Runner builds and steps them: ``param_scheduler`` is a list, each entry a
scheduler working on a window ``[begin, end)`` of its own clock.

How MMEngine runs them (``param_scheduler.py``, ``ParamSchedulerHook``):

- Each constructor calls ``step()`` once, so a scheduler beginning at 0
  sets the lr of the first iteration. ``by_epoch=False`` schedulers then
  step after every iteration, ``by_epoch=True`` ones after every epoch (the
  lr is constant within an epoch: ``step_every`` = iterations per epoch).
  ``convert_to_iter_based`` turns an epoch window into iterations
  (``begin``, ``end``, ``T_max``, ``milestones``, ``step_size`` x epoch length).
- The forms are chainable: each step multiplies (or shifts) the lr the
  other schedulers left, so windows that overlap multiply. A warmup over
  a schedule from 0 is ``warmup_mode multiply`` on a ``shared`` clock; that
  product is exact only for schedules that are pure factors (``eta_min`` 0).
- ``LinearLR``, ``ConstantLR`` and ``PolyLR`` count ``end - begin - 1``
  steps: they reach their end value on the window's last step, so a
  ``LinearLR`` over iterations [0, 500) warms up over 499 of them. mmdet's
  ``QuadraticWarmupLR`` gives lr x (k + 1)^2 / T^2 at its step k (T = end -
  begin): a quadratic warmup counted from the update being made
  (``step_offset 1``). ``CosineAnnealingLR`` runs over ``T_max`` (default
  ``end - begin``).
- Past ``end`` a scheduler leaves the lr where it was.

So what lrplot draws exactly: one scheduler alone, or a warmup (``LinearLR``
rising to 1, ``ConstantLR``, ``QuadraticWarmupLR``) from 0 with one schedule
that either only decays at steps (``MultiStepLR``, ``StepLR``: these
commute with any warmup, wherever they begin) or overlaps it from 0 as a
pure factor; and any schedulers whose windows do not overlap, as a
``sequence``: each part starts from the lr the one before left (the forms
are chainable), on its own clock, and the lr is held between windows and
after the last. ``CosineRestartLR`` is one cosine part per period, a cosine
past ``T_max`` climbs back along the same cosine (parts down and up), and
``OneCycleLR`` is torch's policy. Other overlapping windows are run step by
step as MMEngine chains them (:mod:`lrplot.frameworks.mmengine_chain`).
Momentum and weight-decay schedulers (``*Momentum``, ``*ParamScheduler``)
are read the same way on their own parameter (:func:`map_param_scheduler`);
plateau schedulers are :class:`Unsupported`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from lrplot.errors import UsageError
from lrplot.frameworks import (
    MAX_PARTS,
    Curve,
    Unsupported,
    mmengine_chain,
    number,
    only,
    part_value,
    sequence,
)

INF = int(1e9)  # MMEngine's default ``end`` (param_scheduler.INF)
MAX_EVENTS = 10_000  # StepLR decays written out as milestones; past this the curve is not worth a list

WARMUPS = ("LinearLR", "ConstantLR", "QuadraticWarmupLR")
STEPPED = ("MultiStepLR", "StepLR")  # decay by gamma at steps: a pure factor, commuting with any warmup
DECAYS = ("CosineAnnealingLR", "PolyLR", "ExponentialLR", "LinearLR")
SUPPORTED = ("LinearLR", "ConstantLR", "QuadraticWarmupLR", "MultiStepLR", "StepLR",
             "CosineAnnealingLR", "PolyLR", "ExponentialLR", "CosineRestartLR", "OneCycleLR")
# Schedulers MMEngine has that lrplot does not draw, and why.
REFUSED = {
    "ReduceOnPlateauLR": "it follows a validation metric",
}


class Mapped(NamedTuple):
    curve: Curve
    origin: dict[str, str]  # lrplot parameter -> the scheduler key(s) it came from


class Scheduler(NamedTuple):
    """One ``param_scheduler`` entry as MMEngine builds it."""

    index: int
    kind: str  # the class, without its registry scope ("mmdet.QuadraticWarmupLR" -> "QuadraticWarmupLR")
    args: dict[str, Any]
    per_epoch: bool  # stepped after each epoch (by_epoch, not converted to iterations)
    begin: int  # on its own clock (iterations, or epochs when per_epoch)
    end: int
    scale: int  # iterations per unit of its config's step counts (epoch length when converted, else 1)
    param: str = "lr"  # what it schedules: lr, momentum or weight_decay
    shown: str = ""  # its class as written, when kind is its lr twin ("CosineAnnealingMomentum")

    @property
    def where(self) -> str:
        return f"param_scheduler[{self.index}] {self.shown or self.kind}"

    @property
    def length(self) -> int:
        """``end - begin - 1``: the steps LinearLR, ConstantLR and PolyLR count."""
        return self.end - self.begin - 1

    def at(self, step: int) -> str:
        """A step on its clock, for messages: "epoch 20", "iteration 500"."""
        return f"{'epoch' if self.per_epoch else 'iteration'} {step}"

    def counts(self, key: str) -> str:
        """How a step count of the config became this clock's, for messages."""
        if self.scale == 1:
            return f"{self.where} {key}"
        return f"{self.where} {key} (epochs x {self.scale} iterations, convert_to_iter_based)"


class Run(NamedTuple):
    total_iters: int
    iters_per_epoch: int | None
    base_lr: float  # the optimizer's initial lr, which eta_min_ratio scales

    def last(self, scheduler: Scheduler) -> int:
        """The last step of the run on the scheduler's clock."""
        if scheduler.per_epoch:
            return (self.total_iters - 1) // self.iters_per_epoch
        return self.total_iters - 1


def param_scheduler(
    schedulers: list[dict[str, Any]], base_lr: float, iters_per_epoch: int | None, total_iters: int
) -> Curve:
    """The lr MMEngine's Runner gives each iteration of a ``total_iters`` run
    for a ``param_scheduler`` list, as one lrplot curve (``end`` as the
    schedulers' constructors default it: the Runner's default is the
    caller's)."""
    return map_param_scheduler(schedulers, base_lr, iters_per_epoch, total_iters).curve


def map_param_scheduler(
    schedulers: list[dict[str, Any]],
    base_lr: float,
    iters_per_epoch: int | None,
    total_iters: int,
    lr_source: str = "the optimizer's lr",
    param: str = "lr",
) -> Mapped:
    """:func:`param_scheduler`, with where each parameter came from.
    ``param``: the schedulers of ``momentum`` or ``weight_decay`` instead
    (``base_lr`` then that value as the optimizer starts it): MMEngine's
    momentum and generic parameter schedulers are its lr schedulers'
    formulas on another key of the parameter groups."""
    run = Run(total_iters, iters_per_epoch, base_lr)
    built = [_build(index, entry, iters_per_epoch) for index, entry in enumerate(schedulers)]
    own = [s for s in built if s.param == param]
    active = [s for s in own if not _inert(s, run)]
    _refuse_unsteady(own, active, run)
    if not active:
        return Mapped(Curve("constant", {"lr": base_lr}), {"lr": lr_source})
    try:
        if len(active) == 1:
            return _single(active[0], base_lr, run, lr_source)
        if len(active) == 2:
            return _pair(active[0], active[1], base_lr, run, lr_source)
        names = ", ".join(s.where for s in active)
        raise Unsupported(f"{len(active)} schedulers at once ({names}) are not supported yet: "
                          "a warmup and one schedule, or schedulers one after another")
    except Unsupported:
        # One schedule with conventions could not say it; schedulers one after
        # another can still be a sequence of parts, each starting from the lr
        # the one before left, and overlapping ones a table of their chained steps.
        if not _one_after_another(active, run):
            return _overlapping(active, base_lr, run, lr_source)
        return _in_turn(active, base_lr, run, lr_source)


def _overlapping(active: list[Scheduler], lr: float, run: Run, lr_source: str) -> Mapped:
    """Windows that overlap: :mod:`lrplot.frameworks.mmengine_chain` runs MMEngine's chained steps."""
    chained = []
    for s in active:
        numbers: dict[str, Any] = {}
        if s.kind == "LinearLR":
            numbers = {"start_factor": float(_arg(s, "start_factor", 1.0 / 3)), "end_factor": float(_arg(s, "end_factor", 1.0))}
        elif s.kind == "ConstantLR":
            numbers = {"factor": float(_arg(s, "factor", 1.0 / 3))}
        elif s.kind in ("ExponentialLR", "StepLR", "MultiStepLR"):
            numbers = {"gamma": float(_arg(s, "gamma", None if s.kind == "ExponentialLR" else 0.1))}
            if s.kind == "StepLR":
                numbers["step_size"] = _step_size(s)
            if s.kind == "MultiStepLR":  # a fractional or negative milestone is never reached
                numbers["milestones"] = Counter(int(m) for m in _milestones(s) if float(m).is_integer() and m >= 0)
        elif s.kind in ("CosineAnnealingLR", "PolyLR"):
            numbers = {"eta_min": _eta_min(s, run)[0], "power": float(_arg(s, "power", 1.0))}
            if s.kind == "CosineAnnealingLR":
                numbers["T_max"] = _cosine_length(s)
        chained.append(mmengine_chain.Chained(s.where, s.kind, s.begin, s.end, s.per_epoch, *_span(s, run), numbers))
    curve = mmengine_chain.overlapping(chained, lr, run.iters_per_epoch, run.total_iters)
    origin = {"lr": lr_source,
              "parts": "overlapping windows: MMEngine's chained steps of " + ", ".join(s.where for s in active)
              + " while they overlap (one value per iteration), then the scheduler still running, from that lr"}
    return Mapped(curve, origin)


def _refuse_unsteady(built: list[Scheduler], active: list[Scheduler], run: Run) -> None:
    """What the closed forms cannot follow: a OneCycleLR's constructor rewrites
    the optimizer's initial lr that the schedulers built after it count from,
    and a PolyLR rising to an eta_min above the lr loses digits to MMEngine's
    chained steps (float64 cancels them differently)."""
    for i, s in enumerate(built):
        if s.kind == "OneCycleLR" and any(other in active for other in built[i + 1:]):
            raise Unsupported(f"{s.where} listed before another scheduler is not supported yet (its constructor "
                              "sets the initial lr the later ones count from)")
    for s in active:
        # Its first step leaves the lr as it is: only the later ones cancel digits.
        if s.kind == "PolyLR" and _eta_min(s, run)[0] > run.base_lr and min(s.end - 1, run.last(s)) > s.begin:
            raise Unsupported(f"{s.where} with eta_min {_eta_min(s, run)[0]} above the optimizer's lr "
                              f"{run.base_lr} is not supported yet")


# ---------------------------------------------------------------- building


PARAMS = ("lr", "momentum", "weight_decay")


# torch.optim's defaults (2.x) for the optimizers MMEngine builds by name:
# momentum (None: no such key), betas[0] (None: no betas), weight_decay.
OPTIMIZER_DEFAULTS: dict[str, tuple[float | None, float | None, float]] = {
    "SGD": (0.0, None, 0.0), "RMSprop": (0.0, None, 0.0),
    "Adam": (None, 0.9, 0.0), "AdamW": (None, 0.9, 0.01), "NAdam": (None, 0.9, 0.0), "RAdam": (None, 0.9, 0.0),
    "Adamax": (None, 0.9, 0.0), "Adagrad": (None, None, 0.0), "Adadelta": (None, None, 0.0), "ASGD": (None, None, 0.0),
}


def start_value(optimizer: dict[str, Any], param: str, generic: bool) -> tuple[float, str]:
    """The momentum or weight decay the optimizer starts with, which its
    schedulers scale, and where it came from. MMEngine's momentum schedulers
    work on ``momentum``, else on ``betas[0]`` (Adam and its kind);
    ``generic``: a ``*ParamScheduler`` with ``param_name='momentum'``, which
    only finds a ``momentum`` key."""
    kind = str(optimizer.get("type", "")).rsplit(".", 1)[-1]
    momentum, beta, decay = OPTIMIZER_DEFAULTS.get(kind, (None, None, None))
    where = "optim_wrapper.optimizer"
    if param == "weight_decay":
        if "weight_decay" in optimizer:
            return float(number(optimizer, "weight_decay", None)), f"{where}.weight_decay"
        if decay is None:
            raise Unsupported(f"a weight-decay scheduler with optimizer {kind or '(no type)'} and no weight_decay "
                              "is not supported yet")
        return decay, f"{kind}'s default weight_decay"
    if "momentum" in optimizer or momentum is not None:
        value = number(optimizer, "momentum", momentum)
        return float(value), f"{where}.momentum" if "momentum" in optimizer else f"{kind}'s default momentum"
    if "betas" in optimizer or beta is not None:
        if generic:
            raise Unsupported(f"a ParamScheduler on momentum with optimizer {kind} (betas) is not supported yet "
                              "(MMEngine's *Momentum schedulers set betas[0])")
        betas = optimizer.get("betas", (beta, 0.999))
        if not isinstance(betas, (list, tuple)) or len(betas) != 2:
            raise UsageError(f"{where}.betas: got {betas!r}, expected two numbers")
        return float(number({"betas[0]": betas[0]}, "betas[0]", None)), (
            f"{where}.betas[0]" if "betas" in optimizer else f"{kind}'s default betas[0]")
    if kind in OPTIMIZER_DEFAULTS:
        raise UsageError(f"a momentum scheduler with optimizer {kind}: MMEngine refuses it "
                         "(the optimizer has neither momentum nor betas)")
    raise Unsupported(f"a momentum scheduler with optimizer {kind or '(no type)'} is not supported yet "
                      "(give its momentum or betas in the config)")


def target(index: int, entry: dict[str, Any]) -> tuple[str, str, str]:
    """What a ``param_scheduler`` entry schedules, its class as the lr's twin
    (``CosineAnnealingMomentum`` and ``CosineAnnealingParamScheduler`` compute
    as ``CosineAnnealingLR``), and its class as written."""
    # An imported class (new-style config) reads as its dotted name; a registry scope as "mmdet.".
    shown = str(entry.get("type", "")).rsplit(".", 1)[-1]
    if shown.endswith("Momentum"):
        return "momentum", shown[: -len("Momentum")] + "LR", shown
    if shown.endswith("ParamScheduler"):
        name = entry.get("param_name")
        if name not in PARAMS:
            raise Unsupported(f"param_scheduler[{index}] {shown} with param_name {name!r} is not supported yet "
                              f"({', '.join(PARAMS)})")
        kind = shown[: -len("ParamScheduler")] + "LR"
        if kind == "OneCycleLR" and name != "lr":
            raise UsageError(f"param_scheduler[{index}] {shown} with param_name {name!r}: "
                             "MMEngine asserts OneCycle only works for the lr")
        return name, kind, shown
    return "lr", shown, shown


def _build(index: int, entry: Any, iters_per_epoch: int | None) -> Scheduler:
    if not isinstance(entry, dict):
        raise UsageError(f"param_scheduler[{index}] must be a dict(type=...), got {entry!r}")
    param, kind, shown = target(index, entry)
    where = f"param_scheduler[{index}] {shown or '(no type)'}"
    if not kind:
        raise UsageError(f"param_scheduler[{index}] has no type")
    if kind in REFUSED:
        raise Unsupported(f"{where} is not supported yet ({REFUSED[kind]})")
    if kind not in SUPPORTED:
        raise Unsupported(f"{where} is not supported yet ({', '.join(SUPPORTED)}, "
                          "and their Momentum and ParamScheduler twins)")
    only(entry, "last_step", -1, where)
    by_epoch = entry.get("by_epoch", True)
    converted = bool(entry.get("convert_to_iter_based", False))
    if not isinstance(by_epoch, bool):
        raise UsageError(f"{where} by_epoch: got {by_epoch!r}, expected True or False")
    try:
        begin, end = number(entry, "begin", 0), number(entry, "end", INF)
    except UsageError as error:
        raise UsageError(f"{where} {error}") from None
    if by_epoch and iters_per_epoch is None:
        raise Unsupported(f"{where} with by_epoch=True in an iteration-based run is not supported yet")
    scale = 1
    if converted:
        if not by_epoch:
            raise UsageError(f"{where}: convert_to_iter_based needs by_epoch=True (MMEngine asserts it)")
        scale = iters_per_epoch
        # build_iter_from_epoch: int(begin * epoch_length); mmdet's QuadraticWarmupLR does not truncate.
        cut = (lambda x: x) if kind == "QuadraticWarmupLR" else int
        begin = cut(begin * scale)
        end = end if end == INF else cut(end * scale)
    for key, value in (("begin", begin), ("end", end)):
        if float(value) != int(value):
            raise Unsupported(f"{where} with a fractional {key} ({value}) is not supported yet")
    begin, end = int(begin), int(end)
    if begin < 0:  # MMEngine then counts its steps from iteration 0, not from begin
        raise Unsupported(f"{where} with a negative begin ({begin}) is not supported yet")
    if end <= begin:
        raise UsageError(f"{where}: end ({end}) must be larger than begin ({begin})")
    scheduler = Scheduler(index, kind, entry, by_epoch and not converted, begin, end, scale, param,
                          "" if shown == kind else shown)
    _check(scheduler)
    return scheduler


def _check(s: Scheduler) -> None:
    """What MMEngine refuses (its constructors' errors, or a division by zero
    on a later step) or lrplot cannot draw, before anything is drawn."""
    args = s.args
    if s.kind in ("LinearLR", "ConstantLR"):
        keys = ("start_factor", "end_factor") if s.kind == "LinearLR" else ("factor",)
        for key in keys:
            value = _arg(s, key, 1.0 / 3 if key != "end_factor" else 1.0)
            if not 0 <= value <= 1:
                raise UsageError(f"{s.where} {key} {value} must be between 0 and 1 (MMEngine refuses it)")
        first = _arg(s, keys[0], 1.0 / 3)
        if first == 0 and s.length >= 1:
            raise UsageError(f"{s.where} {keys[0]} 0: MMEngine divides by it on a later step; use a small factor")
    elif s.kind == "QuadraticWarmupLR" and s.end >= INF:
        raise UsageError(f"{s.where} needs an end (mmdet refuses an endless QuadraticWarmupLR)")
    elif s.kind == "CosineAnnealingLR":
        if args.get("eta_min") is not None and args.get("eta_min_ratio") is not None:
            raise UsageError(f"{s.where}: give eta_min or eta_min_ratio, not both (MMEngine asserts it)")
        _cosine_length(s)
    elif s.kind == "OneCycleLR":
        _onecycle(s)
    elif s.kind == "CosineRestartLR":
        if args.get("eta_min") is not None and args.get("eta_min_ratio") is not None:
            raise UsageError(f"{s.where}: give eta_min or eta_min_ratio, not both (MMEngine asserts it)")
        _periods(s)
    elif s.kind == "PolyLR" and _arg(s, "power", 1.0) <= 0:
        raise Unsupported(f"{s.where} with power {args.get('power')} is not supported yet (a power > 0)")
    elif s.kind in ("ExponentialLR", "StepLR", "MultiStepLR"):
        default = 0.1 if s.kind != "ExponentialLR" else None
        if _arg(s, "gamma", default) <= 0:
            raise Unsupported(f"{s.where} with gamma {args.get('gamma')} is not supported yet (a gamma > 0)")
        if s.kind == "StepLR":
            _step_size(s)
        if s.kind == "MultiStepLR":
            _milestones(s)


def _arg(s: Scheduler, key: str, default: Any) -> Any:
    """``s.args[key]`` (or ``default``), checked to be a number."""
    try:
        return number(s.args, key, default)
    except UsageError as error:
        raise UsageError(f"{s.where} {error}") from None


def _cosine_length(s: Scheduler) -> int:
    t_max = s.args.get("T_max")
    if t_max is not None:
        t_max = _arg(s, "T_max", None) * s.scale
    length = t_max or (s.end - s.begin)  # MMEngine: ``T_max or (end - begin)``
    if float(length) != int(length) or length < 1:
        raise Unsupported(f"{s.where} with T_max {length} is not supported yet (a whole number of steps)")
    return int(length)


def _step_size(s: Scheduler) -> int:
    size = _arg(s, "step_size", None) * s.scale
    if float(size) != int(size) or size < 1:
        raise Unsupported(f"{s.where} with step_size {size} is not supported yet (a whole number of steps)")
    return int(size)


def _onecycle(s: Scheduler) -> dict[str, Any]:
    """A OneCycleLR's parameters as lrplot's ``onecycle`` (torch's policy, which
    MMEngine copies): it sets the lr outright, from ``eta_max``."""
    args = s.args
    peak = args.get("eta_max")
    if isinstance(peak, (list, tuple)):
        raise Unsupported(f"{s.where} with an eta_max per parameter group is not supported yet")
    total = args.get("total_steps")
    total = s.end - s.begin if total is None else _arg(s, "total_steps", None) * s.scale
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        raise UsageError(f"{s.where} total_steps: got {total!r}, expected a positive whole number (MMEngine refuses it)")
    pct = args.get("pct_start", 0.3)
    if not isinstance(pct, float) or not 0 <= pct <= 1:
        raise UsageError(f"{s.where} pct_start: got {pct!r}, expected a float between 0 and 1 (MMEngine refuses it)")
    anneal = args.get("anneal_strategy", "cos")
    if anneal not in ("cos", "linear"):
        raise UsageError(f"{s.where} anneal_strategy: got {anneal!r}, expected 'cos' or 'linear'")
    return {"lr": float(_arg(s, "eta_max", None)), "total_steps": total, "pct_start": pct, "anneal": anneal,
            "div_factor": float(_arg(s, "div_factor", 25.0)),
            "final_div_factor": float(_arg(s, "final_div_factor", 1e4)),
            "three_phase": bool(args.get("three_phase", False)),
            "cycle_momentum": False}  # MMEngine's OneCycleLR schedules the lr only


def _onecycle_fits(s: Scheduler, run: Run) -> None:
    total = _onecycle(s)["total_steps"]
    last = min(s.end - 1, run.last(s)) - s.begin
    if last > total:
        raise UsageError(f"{s.where}: MMEngine raises at its step {total + 1} (total_steps {total}), "
                         f"and the run reaches step {last}; give a longer total_steps or a shorter run")


def _periods(s: Scheduler) -> list[tuple[int, float]]:
    """A CosineRestartLR's (period, restart weight) pairs, periods in steps of its clock."""
    periods, weights = s.args.get("periods"), s.args.get("restart_weights", [1])
    if not isinstance(periods, (list, tuple)) or not periods:
        raise UsageError(f"{s.where} periods: got {periods!r}, expected a list of steps")
    if not isinstance(weights, (list, tuple)) or len(weights) != len(periods):
        raise UsageError(f"{s.where}: periods and restart_weights must have the same length (MMEngine asserts it)")
    if len(periods) > MAX_PARTS:
        raise Unsupported(f"{s.where} with {len(periods):,} periods is not supported yet")
    out = []
    for period, weight in zip(periods, weights):
        length = _arg(s._replace(args={"periods": period}), "periods", None) * s.scale
        factor = _arg(s._replace(args={"restart_weights": weight}), "restart_weights", None)
        if float(length) != int(length) or length < 1:
            raise Unsupported(f"{s.where} with a period of {length} steps is not supported yet (a whole number >= 1)")
        if factor < 0:
            raise UsageError(f"{s.where} restart_weights: {factor} must be >= 0")
        out.append((int(length), float(factor)))
    return out


def _milestones(s: Scheduler) -> list[float]:
    raw = s.args.get("milestones")
    if not isinstance(raw, (list, tuple)):
        raise UsageError(f"{s.where} milestones: got {raw!r}, expected a list of steps")
    return [_arg(s._replace(args={"milestones": m}), "milestones", None) * s.scale for m in raw]


def _eta_min(s: Scheduler, run: Run) -> tuple[float, str]:
    """The floor of a CosineAnnealingLR or PolyLR, and where it came from."""
    if s.kind in ("CosineAnnealingLR", "CosineRestartLR") and s.args.get("eta_min_ratio") is not None:
        # The ratio applies to the optimizer's initial lr (base_values), not the lr at ``begin``.
        return run.base_lr * _arg(s, "eta_min_ratio", None), f"{s.where} eta_min_ratio x the optimizer's lr"
    return float(_arg(s, "eta_min", 0.0)), f"{s.where} eta_min"


def _inert(s: Scheduler, run: Run) -> bool:
    """True when the scheduler never changes the lr of this run: it begins
    after the run's last step, or every step of it multiplies by 1."""
    if s.begin > run.last(s):
        return True
    if s.kind == "ConstantLR":
        return _arg(s, "factor", 1.0 / 3) == 1
    if s.kind == "LinearLR":
        return _arg(s, "start_factor", 1.0 / 3) == 1 and _arg(s, "end_factor", 1.0) == 1
    if s.kind == "ExponentialLR":
        return _arg(s, "gamma", None) == 1
    if s.kind == "StepLR":  # its first decay, step_size after begin, falls outside the window or the run
        return _arg(s, "gamma", 0.1) == 1 or s.begin + _step_size(s) > min(s.end - 1, run.last(s))
    if s.kind == "MultiStepLR":
        return _arg(s, "gamma", 0.1) == 1 or not _events(s, run)
    if s.kind == "PolyLR":
        return s.length == 0  # its only step is the first, which leaves the lr as it is
    # A QuadraticWarmupLR sets the lr outright on its first step, even over one step: never inert.
    return False


# ---------------------------------------------------------------- one scheduler


def _events(s: Scheduler, run: Run) -> list[int]:
    """Steps on the scheduler's clock where a MultiStepLR or StepLR multiplies
    the lr by gamma (a repeated milestone twice), within its window and the run."""
    stop = min(s.end - 1, run.last(s))
    if s.kind == "MultiStepLR":
        out = []
        for milestone, count in Counter(_milestones(s)).items():
            # MultiStepLR compares its step count k with each milestone: a fractional
            # or negative one is never reached.
            if float(milestone).is_integer() and milestone >= 0 and s.begin + milestone <= stop:
                out += [s.begin + int(milestone)] * count
        return sorted(out)
    size = _step_size(s)  # StepLR: every step_size steps of its own count, never at its first
    count = max(0, (stop - s.begin) // size)
    if count > MAX_EVENTS:
        raise Unsupported(f"{s.where} decaying {count:,} times in the run is not supported yet")
    return [s.begin + size * j for j in range(1, count + 1)]


def _stepped_curve(lr: float, gamma: float, events: list[int], params: dict[str, Any]) -> Curve:
    """lr x gamma at each event: a decay at step 0 is part of the first lr."""
    at_start = sum(1 for e in events if e == 0)
    if at_start:
        lr = lr * gamma**at_start
    later = [e for e in events if e > 0]
    if not later:
        return Curve("constant", {**params, "lr": lr})
    return Curve("multistep", {**params, "lr": lr, "milestones": later, "gamma": gamma})


def _decay(s: Scheduler, run: Run, origin: dict[str, str], holds: bool = False) -> tuple[str, dict[str, Any]]:
    """A decaying scheduler on its own clock from its ``begin`` (step 0 = begin).
    ``holds``: the caller holds the value of the window's last step after it
    (a sequence part), so a window closing early is no reason to refuse."""
    args = s.args
    last = run.last(s)
    held = s.end - 1 < last and not holds  # the run goes on past the window: MMEngine holds the last value
    if s.kind == "PolyLR":
        low, where = _eta_min(s, run)
        origin.update(decay_steps=f"{s.where} end - begin - 1 (it reaches eta_min on the window's last step)",
                      end_lr=where, power=f"{s.where} power")
        return "polynomial", {"decay_steps": s.length, "end_lr": low, "power": float(_arg(s, "power", 1.0))}
    if s.kind == "CosineAnnealingLR":
        length = _cosine_length(s)
        seen = min(s.length, last - s.begin)  # its last step in the run
        if seen > length:
            raise Unsupported(f"{s.where} running past T_max ({length} steps) is not supported yet "
                              "(MMEngine's cosine turns back up; lrplot holds eta_min)")
        if held and seen != length:
            raise Unsupported(f"{s.where} whose window [{s.begin}, {s.end}) closes before its T_max ({length} "
                              f"steps) is not supported yet (MMEngine holds the value of step {s.end - 1 - s.begin})")
        low, where = _eta_min(s, run)
        origin.update(decay_steps=s.counts("T_max") if args.get("T_max") else f"{s.where} end - begin",
                      end_lr=where)
        return "cosine", {"decay_steps": length, "end_lr": low}
    if s.kind == "ExponentialLR":
        if held:
            raise Unsupported(f"{s.where} whose window [{s.begin}, {s.end}) closes before the run ends is not "
                              "supported yet (MMEngine holds its last value)")
        origin.update(decay_rate=f"{s.where} gamma", decay_steps="one step of the scheduler")
        return "exponential", {"decay_rate": float(_arg(s, "gamma", None)), "decay_steps": 1}
    # LinearLR: lr x (start + (end - start) x k / (end - begin - 1)).
    first, final = float(_arg(s, "start_factor", 1.0 / 3)), float(_arg(s, "end_factor", 1.0))
    origin.update(start_factor=f"{s.where} start_factor", end_factor=f"{s.where} end_factor",
                  total_steps=f"{s.where} end - begin - 1 (it reaches end_factor on the window's last step)")
    if s.length == 0:  # its only step applies start_factor, which stays
        return "linear", {"start_factor": first, "end_factor": first, "total_steps": 1}
    return "linear", {"start_factor": first, "end_factor": final, "total_steps": s.length}


def _epoch_clock(params: dict[str, Any], origin: dict[str, str], run: Run) -> None:
    if run.iters_per_epoch and run.iters_per_epoch > 1:
        params["step_every"] = run.iters_per_epoch
        origin["step_every"] = f"by_epoch=True: stepped after each epoch of {run.iters_per_epoch} iterations"


def _single(s: Scheduler, lr: float, run: Run, lr_source: str) -> Mapped:
    if s.kind == "CosineRestartLR":
        raise Unsupported(f"{s.where} is not one schedule: its periods are sequence parts")
    if s.kind == "OneCycleLR":
        _onecycle_fits(s, run)
        if s.begin or s.end - 1 < run.last(s):
            raise Unsupported(f"{s.where} over a window of the run is one sequence part")
        params = {**_onecycle(s)}
        origin = {name: f"{s.where} {key}" for name, key in (
            ("lr", "eta_max"), ("total_steps", "total_steps" if s.args.get("total_steps") is not None else "end - begin"),
            ("pct_start", "pct_start"), ("anneal", "anneal_strategy"), ("div_factor", "div_factor"),
            ("final_div_factor", "final_div_factor"), ("three_phase", "three_phase"))}
        if s.per_epoch:
            _epoch_clock(params, origin, run)
        return Mapped(Curve("onecycle", params), origin)
    origin = {"lr": lr_source}
    params: dict[str, Any] = {"lr": lr}
    if s.per_epoch:
        _epoch_clock(params, origin, run)
    if s.kind in STEPPED:
        gamma = float(_arg(s, "gamma", 0.1))
        origin["gamma"] = f"{s.where} gamma"
        if s.kind == "StepLR" and s.begin == 0 and s.end - 1 >= run.last(s):
            origin["step_size"] = s.counts("step_size")
            return Mapped(Curve("step", {**params, "step_size": _step_size(s), "gamma": gamma}), origin)
        origin["milestones"] = s.counts("milestones" if s.kind == "MultiStepLR" else "step_size") + \
            (f", from begin {s.begin}" if s.begin else "")
        return Mapped(_stepped_curve(lr, gamma, _events(s, run), params), origin)
    if s.kind in ("ConstantLR", "QuadraticWarmupLR"):
        if s.begin:
            raise Unsupported(f"{s.where} beginning at {s.at(s.begin)}, not 0, is not supported yet")
        if s.kind == "ConstantLR" and s.length == 0:  # its one step applies the factor, never undone
            origin["lr"] = f"{lr_source} x {s.where} factor (its one-step window never restores it)"
            return Mapped(Curve("constant", {**params, "lr": lr * _arg(s, "factor", 1.0 / 3)}), origin)
        return Mapped(Curve("constant", {**params, **_warmup(s, origin, shared=False)}), origin)
    schedule, own = _decay(s, run, origin)
    params.update(own)
    if s.begin:
        # The lr stays the optimizer's until the window opens.
        params.update(warmup_steps=s.begin, warmup_shape="constant", warmup_start_factor=1.0)
        origin.update(warmup_steps=s.counts("begin") + ": the optimizer's lr until then",
                      warmup_shape="the lr is held", warmup_start_factor="the optimizer's lr")
    return Mapped(Curve(schedule, params), origin)


# ---------------------------------------------------------------- a warmup and a schedule


def _warmup(s: Scheduler, origin: dict[str, str], shared: bool) -> dict[str, Any]:
    """The warmup conventions for a LinearLR, ConstantLR or QuadraticWarmupLR
    beginning at 0, alone (``shared`` False: over a constant lr) or
    multiplying a schedule on its clock. Empty when it leaves the lr as is."""
    together = {"warmup_mode": "multiply", "warmup_clock": "shared"} if shared else {}
    if shared:
        origin.update(warmup_mode="MMEngine chains schedulers: overlapping windows multiply",
                      warmup_clock="the warmup and the schedule both count from 0")
    if s.kind == "QuadraticWarmupLR":
        length = s.end - s.begin
        if length == 1:
            return {}
        origin.update(warmup_steps=s.counts("end - begin"), warmup_shape=f"{s.where}: lr x (k + 1)^2 / T^2",
                      warmup_start_factor=f"{s.where} starts from 0",
                      step_offset=f"{s.where} counts the step being made (k + 1)")
        return {"warmup_steps": length, "warmup_shape": "quadratic", "warmup_start_factor": 0.0,
                "step_offset": 1, **together}
    key = "start_factor" if s.kind == "LinearLR" else "factor"
    factor = float(_arg(s, key, 1.0 / 3))
    origin.update(warmup_steps=s.counts("end") + " - begin - 1 (it reaches the full lr on the window's last step)",
                  warmup_start_factor=f"{s.where} {key}",
                  warmup_shape=f"{s.where}" + (" (linear)" if s.kind == "LinearLR" else ": factor until its last step"))
    return {"warmup_steps": s.length, "warmup_start_factor": factor,
            "warmup_shape": "linear" if s.kind == "LinearLR" else "constant", **together}


def _is_warmup(s: Scheduler) -> bool:
    if s.begin != 0:
        return False
    if s.kind == "LinearLR":
        return _arg(s, "end_factor", 1.0) == 1
    return s.kind in ("ConstantLR", "QuadraticWarmupLR")


def _pair(a: Scheduler, b: Scheduler, lr: float, run: Run, lr_source: str) -> Mapped:
    warmups = [s for s in (a, b) if _is_warmup(s)]
    if not warmups:
        raise Unsupported(f"{a.where} with {b.where} is not supported yet: "
                          "a warmup (LinearLR to 1, ConstantLR, QuadraticWarmupLR from 0) and one schedule")
    warm = warmups[0]
    main = b if warm is a else a
    origin = {"lr": lr_source}
    if warm.length == 0 and warm.kind != "QuadraticWarmupLR":
        # A window of one step: its factor is applied once and never undone.
        key = "start_factor" if warm.kind == "LinearLR" else "factor"
        lr = lr * _arg(warm, key, 1.0 / 3)
        origin["lr"] = f"{lr_source} x {warm.where} {key} (its one-step window never restores it)"
        return _single(main, lr, run, origin["lr"])
    if main.kind in STEPPED:
        return _warm_stepped(warm, main, lr, run, origin)
    if main.kind in DECAYS:
        return _warm_decay(warm, main, lr, run, origin)
    raise Unsupported(f"{main.where} with {warm.where} is not supported yet")


def _warm_stepped(warm: Scheduler, main: Scheduler, lr: float, run: Run, origin: dict[str, str]) -> Mapped:
    """A MultiStepLR / StepLR only multiplies by gamma at its events, so with a
    LinearLR / ConstantLR warmup the lr is their product at every step, on
    the warmup's clock, wherever the schedule begins."""
    events = _events(main, run)
    epoch = run.iters_per_epoch
    if warm.per_epoch and not main.per_epoch:
        if any(e % epoch for e in events):
            raise Unsupported(f"{main.where} decaying within an epoch under the per-epoch {warm.where} "
                              "is not supported yet")
        events = [e // epoch for e in events]
    elif main.per_epoch and not warm.per_epoch:
        events = [e * epoch for e in events]  # an epoch scheduler steps after the epoch's last iteration
    gamma = float(_arg(main, "gamma", 0.1))
    params: dict[str, Any] = {"lr": lr}
    if warm.per_epoch:
        _epoch_clock(params, origin, run)
    warmup = _warmup(warm, origin, shared=True)
    if warm.kind == "QuadraticWarmupLR":
        # It sets the lr outright on its first step and adds to it after: a decay
        # during it would not multiply. After it, the curve counts one step ahead.
        early = [e for e in events if e < warm.end]
        if early:
            raise Unsupported(f"{main.where} decaying at {warm.at(early[0])}, during {warm.where}, is not supported yet")
        if warmup:
            events = [e + 1 for e in events]
    params.update(warmup)
    unit = "iterations" if not warm.per_epoch else "epochs"
    origin["gamma"] = f"{main.where} gamma"
    origin["milestones"] = (f"{main.where} {'milestones' if main.kind == 'MultiStepLR' else 'step_size'}, "
                            f"as {unit} of the run" + (" (+1: the quadratic warmup's clock)"
                                                       if warmup.get("step_offset") else ""))
    return Mapped(_stepped_curve(lr, gamma, events, params), origin)


def _warm_then_decay(warm: Scheduler, main: Scheduler, lr: float, run: Run, origin: dict[str, str]) -> Mapped:
    """A LinearLR warmup over [0, end), then a schedule from ``end`` on the same
    clock: the warmup reaches the lr on its window's last step, and the
    schedule's step 0 comes one step later (``warmup_hold 1``)."""
    # A LinearLR after it starts at lr x its start_factor, not at the lr the warmup reached: a sequence says it.
    if warm.kind != "LinearLR" or main.begin != warm.end or warm.per_epoch != main.per_epoch or main.kind == "LinearLR":
        raise Unsupported(
            f"{main.where} beginning at {main.at(main.begin)}, after {warm.where} from 0, is not supported yet "
            "(a LinearLR warmup and a schedule beginning where it ends, on one clock)")
    schedule, params = _warmed(warm, main, lr, run, origin, shared=False)
    params["warmup_hold"] = 1
    origin["warmup_hold"] = (f"{main.where} begins at {main.at(main.begin)}, one step after {warm.where} "
                             "reaches the lr")
    return Mapped(Curve(schedule, params), origin)


def _warm_decay(warm: Scheduler, main: Scheduler, lr: float, run: Run, origin: dict[str, str]) -> Mapped:
    """A LinearLR / ConstantLR warmup multiplying a schedule that starts with
    it at 0 and is a pure factor of the lr (no eta_min), on one clock."""
    if main.begin != 0:
        return _warm_then_decay(warm, main, lr, run, origin)
    if warm.kind == "QuadraticWarmupLR":
        raise Unsupported(f"{main.where} under {warm.where} is not supported yet "
                          "(the quadratic warmup adds to the lr, it does not multiply it)")
    if warm.per_epoch != main.per_epoch:
        clocks = {True: "per epoch", False: "per iteration"}
        raise Unsupported(f"{main.where} stepped {clocks[main.per_epoch]} under {warm.where} stepped "
                          f"{clocks[warm.per_epoch]} is not supported yet")
    if main.kind in ("CosineAnnealingLR", "PolyLR") and _eta_min(main, run)[0] != 0:
        raise Unsupported(f"{main.where} with a nonzero eta_min under {warm.where} is not supported yet "
                          "(MMEngine's chained steps then do not multiply)")
    schedule, params = _warmed(warm, main, lr, run, origin, shared=True)
    return Mapped(Curve(schedule, params), origin)


def _warmed(warm: Scheduler, main: Scheduler, lr: float, run: Run, origin: dict[str, str],
            shared: bool) -> tuple[str, dict[str, Any]]:
    """``main``'s schedule and parameters on its clock, with ``warm``'s warmup."""
    params: dict[str, Any] = {"lr": lr}
    if main.per_epoch:
        _epoch_clock(params, origin, run)
    schedule, own = _decay(main, run, origin)
    params.update(own)
    params.update(_warmup(warm, origin, shared=shared))
    return schedule, params


# ---------------------------------------------------------------- one after another


def _span(s: Scheduler, run: Run) -> tuple[int, int]:
    """The iterations ``[first, stop)`` of the run in the scheduler's window."""
    scale = run.iters_per_epoch if s.per_epoch else 1
    return min(s.begin * scale, run.total_iters), min(s.end * scale, run.total_iters)


def _one_after_another(active: list[Scheduler], run: Run) -> bool:
    """No two windows share an iteration of the run."""
    spans = sorted(_span(s, run) for s in active)
    return all(stop <= first for (_, stop), (first, _) in zip(spans, spans[1:]))


def _in_turn(active: list[Scheduler], lr: float, run: Run, lr_source: str) -> Mapped:
    """Schedulers whose windows do not overlap, as a ``sequence``: MMEngine's
    forms are chainable, so each window starts from the lr the one before
    left, and the lr is held between windows and after the last one."""
    parts: list[dict[str, Any]] = []
    told: list[str] = []
    at, current = 0, lr
    for s in sorted(active, key=lambda s: _span(s, run)):
        first, stop = _span(s, run)
        if first > at:
            parts.append({"schedule": "constant", "lr": current, "steps": first - at})
            told.append(f"iterations [{at}, {first}): the lr held")
        unit = f"epochs, each {run.iters_per_epoch} iterations" if s.per_epoch else "iterations"
        told.append(f"{s.where} [{s.begin}, {s.end if s.end < INF else 'end'}) ({unit})")
        at = first
        for part, steps in _parts(s, current, run, stop - first):
            current = part_value(part, steps - 1)  # held after it
            parts.append({**part, "steps": steps})
            at += steps
        if len(parts) > MAX_PARTS:
            raise Unsupported(f"{s.where}: {len(parts):,} sequence parts are not supported yet")
    if at < run.total_iters:
        parts.append({"schedule": "constant", "lr": current, "steps": 1})
        told.append(f"iterations [{at}, end): the lr its last window left")
    origin = {"lr": lr_source,
              "parts": "one after another, each from the lr the one before left: " + "; ".join(told)}
    return Mapped(sequence(lr, parts), origin)


def _parts(s: Scheduler, current: float, run: Run, span: int) -> list[tuple[dict[str, Any], int]]:
    """The scheduler over the ``span`` iterations of its window in the run, as
    sequence parts and their lengths in iterations (fewer in all when it stops
    changing the lr before its window closes)."""
    every = run.iters_per_epoch if s.per_epoch else 1
    clock = {"step_every": every} if every > 1 else {}
    if s.kind == "CosineRestartLR":
        # Each period is a cosine from the optimizer's lr x its weight towards eta_min,
        # which it never reaches; past the last period the lr stays.
        low, _ = _eta_min(s, run)
        out, left = [], span
        for period, weight in _periods(s):
            if left <= 0:
                break
            part = {"schedule": "cosine", "lr": run.base_lr * weight, **clock, "decay_steps": period, "end_lr": low}
            out.append((part, min(period * every, left)))
            left -= period * every
        return out
    if s.kind == "CosineAnnealingLR" and run.last(s) - s.begin > _cosine_length(s) and s.end - 1 - s.begin > _cosine_length(s):
        return _cosine_there_and_back(s, current, run, span, clock)
    return [(_part(s, current, run, clock), span)]


def _cosine_there_and_back(s: Scheduler, current: float, run: Run, span: int,
                           clock: dict[str, int]) -> list[tuple[dict[str, Any], int]]:
    """A CosineAnnealingLR past T_max: MMEngine's recursive form reaches
    eta_min at T_max, then its step T_max + 1 adds a rise counted from the
    optimizer's lr (base_values), so from there it is the same cosine through
    the optimizer's lr, whatever lr the first descent started from."""
    length, (low, _) = _cosine_length(s), _eta_min(s, run)
    every = clock.get("step_every", 1)
    out, left, down = [], span, True
    while left > 0:
        start, end = (current if not out else run.base_lr, low) if down else (low, run.base_lr)
        out.append(({"schedule": "cosine", "lr": start, **clock, "decay_steps": length, "end_lr": end},
                    min(length * every, left)))
        left -= length * every
        down = not down
        if len(out) > MAX_PARTS:
            raise Unsupported(f"{s.where} running past T_max ({length} steps) more than {MAX_PARTS:,} times "
                              "is not supported yet")
    return out


def _part(s: Scheduler, current: float, run: Run, clock: dict[str, int]) -> dict[str, Any]:
    """The scheduler over its window, from step 0 at its ``begin``, as one
    sequence part starting from the lr ``current``."""
    params: dict[str, Any] = {"lr": current, **clock}
    if s.kind in STEPPED:
        events = [event - s.begin for event in _events(s, run)]
        curve = _stepped_curve(current, float(_arg(s, "gamma", 0.1)), events, params)
        return {"schedule": curve.schedule, **curve.params}
    if s.kind == "OneCycleLR":  # it sets the lr outright, whatever came before
        _onecycle_fits(s, run)
        return {"schedule": "onecycle", **params, **_onecycle(s)}
    if s.kind == "QuadraticWarmupLR":  # it sets the lr from the optimizer's, whatever came before
        return {"schedule": "constant", **params, "lr": run.base_lr, **_warmup(s, {}, shared=False)}
    if s.kind == "ConstantLR":
        if s.length == 0:  # its one step applies the factor, never undone
            return {"schedule": "constant", **params, "lr": current * _arg(s, "factor", 1.0 / 3)}
        return {"schedule": "constant", **params, **_warmup(s, {}, shared=False)}
    schedule, own = _decay(s, run, {}, holds=True)
    return {"schedule": schedule, **params, **own}



# ---------------------------------------------------------------- parameter groups

# Optimizer-wrapper constructors that give each layer of the backbone its own
# lr (mmsegmentation's and mmdetection's, for BEiT, MAE and ConvNeXt).
LAYER_DECAY = ("LearningRateDecayOptimizerConstructor", "LayerDecayOptimizerConstructor")
# mmpretrain's asks the model for its depth (``get_layer_depth``), which a config does not hold.
REFUSED_CONSTRUCTORS = {
    "LearningRateDecayOptimWrapperConstructor": "mmpretrain's layer decay asks the model for each parameter's depth",
}
# mmpretrain ConvNeXt ``arch`` -> blocks in stage 2 (the stage whose blocks share layer ids by threes).
CONVNEXT_STAGE2 = {"atto": 6, "femto": 6, "pico": 6, "nano": 8, "tiny": 9, "small": 27, "base": 27, "large": 27,
                   "xlarge": 27, "huge": 27}
OTHERS = "others"  # the parameters no custom key names: the optimizer's own lr


def groups(wrapper: dict[str, Any], model: Any) -> tuple[dict[str, Any], str]:
    """The parameter groups ``optim_wrapper`` gives lrs of their own, as a
    curve's ``groups`` (name -> multiplier of the optimizer's lr) or
    ``layer_decay``, and where they came from; empty when every group has the
    optimizer's lr. ``DefaultOptimWrapperConstructor``: a ``custom_keys`` entry
    with ``lr_mult`` (the longest key in a parameter's name wins), biases by
    ``bias_lr_mult``; the layer-decay constructors: ``rate ** (N - layer)``."""
    constructor = str(wrapper.get("constructor", "DefaultOptimWrapperConstructor")).rsplit(".", 1)[-1]
    paramwise = wrapper.get("paramwise_cfg") or {}
    if not isinstance(paramwise, dict):
        raise UsageError(f"optim_wrapper.paramwise_cfg must be a dict(...), got {paramwise!r}")
    if constructor in REFUSED_CONSTRUCTORS:
        raise Unsupported(f"optim_wrapper.constructor {constructor} is not supported yet "
                          f"({REFUSED_CONSTRUCTORS[constructor]})")
    if constructor in LAYER_DECAY:
        return _layer_decay(constructor, paramwise, model)
    out: dict[str, float] = {}
    keys = paramwise.get("custom_keys") or {}
    if not isinstance(keys, dict):
        raise UsageError(f"optim_wrapper.paramwise_cfg.custom_keys must be a dict, got {keys!r}")
    for key, settings in keys.items():
        if isinstance(settings, dict) and "lr_mult" in settings:
            mult = _multiplier(settings, "lr_mult", f"custom_keys.{key}.lr_mult")
            if mult != 1:
                out[str(key)] = mult
    if "dcn_offset_lr_mult" in paramwise and paramwise["dcn_offset_lr_mult"] not in (None, 1):
        raise Unsupported("optim_wrapper.paramwise_cfg.dcn_offset_lr_mult is not supported yet "
                          "(it depends on mmcv's deformable convolutions in the model)")
    if paramwise.get("bias_lr_mult") is not None:
        mult = _multiplier(paramwise, "bias_lr_mult", "bias_lr_mult")
        if mult != 1:
            out["bias"] = mult
    if not out:
        return {}, ""
    out[OTHERS] = 1.0
    return {"groups": out}, ("optim_wrapper.paramwise_cfg: the lr x lr_mult of custom_keys (a parameter takes its "
                             "longest key), bias_lr_mult for other biases; others: the optimizer's lr")


def _multiplier(settings: dict[str, Any], key: str, shown: str) -> float:
    try:
        value = float(number(settings, key, None))
    except UsageError:
        raise UsageError(f"optim_wrapper.paramwise_cfg.{shown}: got {settings.get(key)!r}, expected a number") from None
    if not value >= 0 or value == float("inf"):
        raise UsageError(f"optim_wrapper.paramwise_cfg.{shown}: got {value!r}, expected a number >= 0")
    return value


def _layer_decay(constructor: str, paramwise: dict[str, Any], model: Any) -> tuple[dict[str, Any], str]:
    """mmsegmentation's ``LearningRateDecayOptimizerConstructor`` (and the
    deprecated ``LayerDecayOptimizerConstructor``, ``decay_type`` layer_wise_vit
    from ``layer_decay_rate``): with L = num_layers + 2, a parameter of layer
    id i gets ``decay_rate ** (L - i - 1)``. BEiT / MAE layer_wise: ids 0
    (embeddings), block + 1, L - 1 (the rest); ConvNeXt layer_wise: 0, 1, 2,
    3 + block // 3 in stage 2, num_layers for stage 3, num_layers + 1 the
    rest; ConvNeXt stage_wise: 0, stage + 1, L - 1."""
    where = f"optim_wrapper.constructor {constructor}"
    rate_key = "layer_decay_rate" if constructor == "LayerDecayOptimizerConstructor" else "decay_rate"
    decay_type = "layer_wise_vit" if rate_key == "layer_decay_rate" else paramwise.get("decay_type", "layer_wise")
    for key in (rate_key, "num_layers"):
        if paramwise.get(key) is None:
            raise UsageError(f"{where} needs paramwise_cfg.{key}")
    rate = _multiplier(paramwise, rate_key, rate_key)
    layers = number(paramwise, "num_layers", None)
    if float(layers) != int(layers) or layers < 1:
        raise UsageError(f"{where} paramwise_cfg.num_layers: got {layers!r}, expected a whole number >= 1")
    layers = int(layers)
    backbone = model.get("backbone") if isinstance(model, dict) else None
    kind = str(backbone.get("type", "")) if isinstance(backbone, dict) else ""
    kind = kind.rsplit(".", 1)[-1]
    top = layers + 1  # the exponent of layer id 0: L - 1
    told = f"{where}: {rate_key} {rate} ** (num_layers {layers} + 1 - layer id)"
    if "layer_wise" in str(decay_type) and ("BEiT" in kind or "MAE" in kind):
        told = f"{told}, {kind}: layer_0 the embeddings, layer_k block k - 1"
        depth = number(backbone, "num_layers", 12)  # the model's blocks (BEiT's and MAE's default 12)
        if depth == layers:
            return {"layer_decay": {"rate": rate, "layers": top}}, told
        ids = [0, *range(1, int(depth) + 1), top]
        return {"groups": {f"layer_{i}": rate ** (top - i) for i in sorted(set(ids))}}, told
    if "ConvNeXt" not in kind:
        raise Unsupported(f"{where} with backbone {kind or '(none)'} and decay_type {decay_type!r} is not supported "
                          "yet (BEiT or MAE layer_wise, ConvNeXt)")
    if decay_type == "stage_wise":
        ids = [0, 1, 2, 3, 4, top]
    elif "layer_wise" in str(decay_type):
        arch = backbone.get("arch", "tiny")
        blocks = arch["depths"][2] if isinstance(arch, dict) and len(arch.get("depths", ())) == 4 else \
            CONVNEXT_STAGE2.get(arch) if isinstance(arch, str) else None
        if not isinstance(blocks, int) or blocks < 1:
            raise Unsupported(f"{where} with ConvNeXt arch {arch!r} is not supported yet "
                              f"({', '.join(CONVNEXT_STAGE2)}, or depths in the config)")
        ids = sorted({0, 1, 2, 3, *(3 + block // 3 for block in range(blocks)), layers, top})
    else:
        raise Unsupported(f"{where} with decay_type {decay_type!r} is not supported yet (layer_wise, stage_wise)")
    return ({"groups": {f"layer_{i}": rate ** (top - i) for i in ids}},
            f"{told}, ConvNeXt {decay_type}: the layer ids its parameters get")


def groups_follow_the_lr(schedulers: list[dict[str, Any]], base_lr: float, iters_per_epoch: int | None,
                         total_iters: int) -> None:
    """Each group's lr is its multiplier times the curve's only when every lr
    scheduler scales what it is given (a floor or a peak of its own is the
    same for every group): else :class:`Unsupported`."""
    run = Run(total_iters, iters_per_epoch, base_lr)
    for index, entry in enumerate(schedulers):
        s = _build(index, entry, iters_per_epoch)
        if s.param != "lr" or _inert(s, run):
            continue
        if s.kind == "OneCycleLR":
            raise Unsupported(f"parameter groups with {s.where} are not supported yet (its eta_max is every group's peak)")
        if s.kind in ("CosineAnnealingLR", "PolyLR", "CosineRestartLR") and s.args.get("eta_min_ratio") is None:
            low = _eta_min(s, run)[0]
            if low != 0:
                raise Unsupported(f"parameter groups with {s.where} eta_min {low} are not supported yet (every group "
                                  "decays to that same floor: their lrs are not multiples of one curve)")
