"""timm's schedulers (``timm.scheduler``, 1.0) as ``train.py`` steps them.

With ``t_in_epochs`` (timm's default) the scheduler steps once per epoch and
its lengths count epochs: ``step_every`` = the updates in an epoch. The
warmup rises from ``warmup_lr_init`` to the base lr (``warmup_target lr``);
without ``warmup_prefix`` (the default) the schedule's clock runs under it
(``warmup_clock shared``); step and multistep default to ``warmup_prefix``.
``MultiStepLRScheduler`` applies milestone m one step early (it counts
``t + 1``), but never at step 0 (the constructor's base lr), and a step decay every 2.4 epochs decays at
epochs 3, 5, 8, ... (Python's ``t // 2.4``).

``create_scheduler_v2`` (what ``train.py`` calls with its flags) is
:func:`create_scheduler_v2`: epochs become updates unless ``step_on_epochs``.
"""

from __future__ import annotations

import math
from typing import Any

from lrplot.errors import UsageError
from lrplot.frameworks import (
    MAX_PARTS,
    Curve,
    Unsupported,
    next_cycle,
    number,
    only,
    part_value,
    sequence,
)

# Schedulers whose warmup_prefix defaults to True (the others default to False).
PREFIXED = {"StepLRScheduler": True, "MultiStepLRScheduler": True}


def scheduler(name: str, args: dict[str, Any], lr: float, updates_per_epoch: int = 1,
              steps: int | None = None) -> Curve:
    """A timm scheduler class with its constructor arguments; ``steps``: the
    updates drawn (cosine cycles are drawn only while they last)."""
    any_cycles = number(args, "cycle_limit", 1) > 1 or number(args, "cycle_mul", 1.0) != 1
    if any_cycles and name in ("TanhLRScheduler", "PolyLRScheduler"):
        return _cycle_parts(name, args, lr, updates_per_epoch if args.get("t_in_epochs", True) else 1, steps)
    cycles = name == "CosineLRScheduler" and any_cycles
    if cycles and number(args, "cycle_mul", 1.0) < 1:  # cycles that shrink: not one cosine-restarts curve
        return _cycle_parts(name, args, lr, updates_per_epoch if args.get("t_in_epochs", True) else 1, steps)
    k = number(args, "k_decay", 1.0)
    if k != 1 and name not in ("CosineLRScheduler", "PolyLRScheduler"):
        only(args, "k_decay", 1.0, name)
    if not cycles:
        for key, neutral in (("cycle_mul", 1.0), ("cycle_limit", 1)):
            only(args, key, neutral, name)
    params: dict[str, Any] = {"lr": lr}
    if args.get("t_in_epochs", True) and updates_per_epoch > 1:
        params["step_every"] = updates_per_epoch
    warmup = number(args, "warmup_t", 0)
    if warmup:
        if float(warmup) != int(warmup):
            raise Unsupported(f"{name} with a fractional warmup_t ({warmup}) is not supported yet")
        params.update(
            warmup_steps=int(warmup),
            warmup_start_lr=float(number(args, "warmup_lr_init", 0.0)),
            warmup_target="lr",
            warmup_clock="after" if args.get("warmup_prefix", PREFIXED.get(name, False)) else "shared",
        )
    params.update(_noise(args))
    low = float(number(args, "lr_min", 0.0))
    if name == "CosineLRScheduler" and cycles:
        try:
            return _cycles(args, params, low, updates_per_epoch if "step_every" in params else 1, steps)
        except Unsupported:
            # Not one cosine-restarts curve: the cycles as sequence parts.
            return _cycle_parts(name, args, lr, updates_per_epoch if args.get("t_in_epochs", True) else 1, steps)
    if name == "CosineLRScheduler":
        bend = {} if k == 1 else {"k_decay": float(k)}
        return Curve("cosine", {**params, "decay_steps": _length(args, name), "end_lr": low, **bend})
    if name == "TanhLRScheduler":
        if warmup and params["warmup_clock"] == "shared":
            params["warmup_target"] = "schedule"  # timm's tanh warms up to its own value at warmup_t
        if not warmup:
            # Step 0 is the base lr, set by timm's constructor; the tanh there is a hair below it.
            params.update(warmup_steps=1, warmup_shape="constant", warmup_start_lr=lr, warmup_clock="shared")
        return Curve("tanh", {**params, "decay_steps": _length(args, name), "end_lr": low,
                              "lower": float(number(args, "lb", -7.0)), "upper": float(number(args, "ub", 3.0))})
    if name == "PolyLRScheduler":
        return Curve("polynomial", {**params, "decay_steps": _length(args, name), "end_lr": low,
                                    **({} if k == 1 else {"k_decay": float(k)}),
                                    "power": float(number(args, "power", 0.5))})
    if name == "StepLRScheduler":
        return Curve("step", {**params, "step_size": number(args, "decay_t", None),
                              "gamma": float(number(args, "decay_rate", 1.0))})
    if name == "MultiStepLRScheduler":
        return _multistep(args, params)
    raise Unsupported(f"timm scheduler {name} is not supported yet (cosine, tanh, poly, step, multistep)")


def _noise(args: dict[str, Any]) -> dict[str, Any]:
    """timm's noise_range_t (a step, or [start, end)) and its draws' settings."""
    span = args.get("noise_range_t")
    if span is None:
        return {}
    bounds = list(span) if isinstance(span, (list, tuple)) else [span]
    if len(bounds) not in (1, 2) or any(isinstance(b, bool) or not isinstance(b, (int, float)) for b in bounds):
        raise UsageError(f"noise_range_t {span!r}: a step or [start, end]")
    kind = args.get("noise_type", "normal")
    if kind not in ("normal", "uniform"):
        raise UsageError(f"noise_type {kind!r}: normal or uniform")
    # Step 0 is the lr the constructor sets, never noisy: noise from step 1 at the earliest.
    bounds[0] = max(bounds[0], 1)
    if len(bounds) == 2 and bounds[1] <= bounds[0]:
        return {}
    seed = number(args, "noise_seed", 42)
    if float(seed) != int(seed) or seed < 0:
        raise Unsupported(f"noise_seed {seed} is not supported yet (a whole number >= 0)")
    return {"noise_range": [float(b) for b in bounds], "noise_type": kind,
            "noise_pct": float(number(args, "noise_pct", 0.67)), "noise_std": float(number(args, "noise_std", 1.0)),
            "noise_seed": int(seed)}


def _cycles(args: dict[str, Any], params: dict[str, Any], low: float, every: int, steps: int | None) -> Curve:
    """Restarts: cycle i lasts t_initial x cycle_mul**i and peaks at lr x
    cycle_decay**i, over a fixed lr_min (lrplot's cosine-restarts). After
    cycle_limit cycles timm holds lr_min, which that schedule does not: drawn
    only while the cycles last."""
    if number(args, "k_decay", 1.0) != 1:
        raise Unsupported("CosineLRScheduler cycles with a k_decay are not supported yet")
    decay = float(number(args, "cycle_decay", 1.0))
    if decay != 1 and low != 0:
        # timm decays lr_max toward a fixed lr_min; cosine-restarts scales lr - end_lr.
        raise Unsupported("CosineLRScheduler with cycle_decay and lr_min both set is not supported yet")
    first, mul = _length(args, "CosineLRScheduler"), float(number(args, "cycle_mul", 1.0))
    limit = int(number(args, "cycle_limit", 1))
    span = sum(first * mul**i for i in range(limit))
    prefix = params.get("warmup_steps", 0) if params.get("warmup_clock") == "after" else 0
    if steps is None or -(-steps // every) > span + prefix:
        raise Unsupported(f"CosineLRScheduler drawn past its {limit} cycles (then held at lr_min) is not supported yet")
    return Curve("cosine-restarts", {**params, "first_decay_steps": first, "t_mul": mul,
                                     "m_mul": decay, "end_lr": low})


def _cycle_parts(name: str, args: dict[str, Any], lr: float, every: int, steps: int | None) -> Curve:
    """timm's cycles as ``sequence`` parts on the scheduler's own steps, as
    ``_get_lr`` computes them: cycle i (found with timm's own ``math.log``)
    runs from lr x cycle_decay**i toward lr_min over t_initial x cycle_mul**i
    steps from its start (a fraction of a step when cycle_mul is not whole:
    the part's ``step_offset`` is where its first step falls in the cycle);
    past cycle_limit cycles, lr_min. Step 0 is the constructor's lr
    (warmup_lr_init during a warmup, else the base lr). The sequence steps
    every ``every`` updates and carries timm's noise, drawn at the scheduler's
    step as timm draws it."""
    if steps is None:
        raise Unsupported(f"{name} cycles without a known run length are not supported yet")
    first, mul = _length(args, name), float(number(args, "cycle_mul", 1.0))
    if mul <= 0:
        raise Unsupported(f"{name} with cycle_mul {mul} <= 0 is not supported yet")
    limit, decay = int(number(args, "cycle_limit", 1)), float(number(args, "cycle_decay", 1.0))
    low, k = float(number(args, "lr_min", 0.0)), float(number(args, "k_decay", 1.0))
    warmup = number(args, "warmup_t", 0)
    if float(warmup) != int(warmup):
        raise Unsupported(f"{name} with a fractional warmup_t ({warmup}) is not supported yet")
    warmup = int(warmup)
    prefix = bool(args.get("warmup_prefix", PREFIXED.get(name, False)))
    last = -(-steps // every)  # the scheduler steps the run reaches
    parts: list[dict[str, Any]] = []
    if warmup:
        start = float(number(args, "warmup_lr_init", 0.0))
        parts.append({"schedule": "linear", "lr": lr, "start_factor": start / lr if lr else 0.0, "end_factor": 1.0,
                      "total_steps": warmup, "steps": min(warmup, last)})
    else:
        parts.append({"schedule": "constant", "lr": lr, "steps": 1})  # the constructor's base lr

    def geometry(own: int) -> tuple[int, float, float]:
        """timm's cycle index, its length and its start for the scheduler's own step."""
        if mul != 1:
            index = math.floor(math.log(1 - own / first * (1 - mul), mul))
            return index, mul**index * first, (1 - mul**index) / (1 - mul) * first
        return own // first, float(first), float(first * (own // first))

    reached = (last - warmup if prefix else last) - 1  # the last of the scheduler's own steps the run reaches
    if mul < 1 and reached >= 0:
        try:
            geometry(reached)
        except ValueError:
            # Shrinking cycles end after t_initial / (1 - cycle_mul) steps; past them math.log fails.
            raise UsageError(f"{name} with cycle_mul {mul}: timm fails (math domain error) once its cycles, "
                             f"{first / (1 - mul):g} steps in all, are over, before this run's end") from None

    def cycle_at(t: int) -> tuple[dict[str, Any] | None, int]:
        """The part of the cycle scheduler step t is in (None past cycle_limit) and where it ends."""
        own = t - warmup if prefix else t
        index, length, begin = geometry(own)
        if index >= limit:
            return None, last
        if length < 1:
            raise Unsupported(f"{name} cycles shorter than a scheduler step (cycle_mul {mul}) are not supported yet")
        # Where the next cycle starts, as timm's logarithm decides it.
        end = next_cycle(lambda own: geometry(own)[0], own, begin + length, reached + 1)
        offset = own - begin  # exact: a whole number less a float within a cycle of it
        part = {"lr": lr * decay**index, "decay_steps": int(length) if length.is_integer() else length,
                "end_lr": low, "step_offset": int(offset) if offset.is_integer() else offset}
        if name == "TanhLRScheduler":
            part.update(schedule="tanh", lower=float(number(args, "lb", -7.0)), upper=float(number(args, "ub", 3.0)))
        elif name == "PolyLRScheduler":
            part.update(schedule="polynomial", power=float(number(args, "power", 0.5)), **({} if k == 1 else {"k_decay": k}))
        else:
            part.update(schedule="cosine", **({} if k == 1 else {"k_decay": k}))
        return part, t + end - own

    t = max(warmup, 1)
    while t < last:
        part, end = cycle_at(t)
        if part is None:
            parts.append({"schedule": "constant", "lr": low, "steps": last - t})
            break
        parts.append({**part, "steps": min(end, last) - t})
        t = end
        if len(parts) > MAX_PARTS:
            raise Unsupported(f"{name} with more than {MAX_PARTS:,} cycles in the run is not supported yet")
    if name == "TanhLRScheduler" and warmup and not prefix:
        # timm's tanh warms up to its own value at warmup_t (_get_lr(warmup_t)), not to the lr.
        after, _ = cycle_at(warmup)
        target = low if after is None else part_value(after, 0)
        parts[0]["end_factor"] = target / lr if lr else 0.0
    curve = sequence(lr, parts)
    clock = {"step_every": every} if every > 1 else {}
    return Curve(curve.schedule, {**curve.params, **clock, **_noise(args)})


def _length(args: dict[str, Any], name: str) -> int:
    length = number(args, "t_initial", None)
    if float(length) != int(length) or length < 1:
        raise Unsupported(f"{name} with t_initial={length} is not supported (a whole number >= 1)")
    return int(length)


def _multistep(args: dict[str, Any], params: dict[str, Any]) -> Curve:
    # timm counts milestones up to t + 1, so milestone m takes effect at m - 1;
    # step 0 is the constructor's base lr whatever the milestones, so at least 1.
    raw = [int(m) - 1 for m in args.get("decay_t") or ()]
    gamma = float(number(args, "decay_rate", 1.0))
    if params.get("warmup_clock") == "after" and any(m <= 0 for m in raw):
        # After a warmup prefix such a milestone applies from the clock's step 0, where the
        # warmup (rising to lr) hands over: the decays as values, lr x decay_rate ** count.
        edges = sorted({m for m in raw if m > 0})
        counts = [sum(m <= edge for m in raw) for edge in [0, *edges]]
        values = [params["lr"] * gamma**count for count in counts]
        return Curve("piecewise", {**params, "boundaries": edges or [1], "values": values if edges else values * 2})
    milestones = sorted(max(1, m) for m in raw)
    if not milestones:
        return Curve("constant", params)
    return Curve("multistep", {**params, "milestones": milestones, "gamma": gamma})


def create_scheduler_v2(args: dict[str, Any], lr: float, updates_per_epoch: int) -> tuple[Curve, int]:
    """The curve and the run's length in epochs that ``create_scheduler_v2``
    returns for ``train.py``'s arguments (``sched``, ``epochs`` ...)."""
    sched = args.get("sched", "cosine")
    epochs = number(args, "num_epochs", 300)
    per_update = not args.get("step_on_epochs", True)
    unit = updates_per_epoch if per_update else 1
    common = {
        "warmup_lr_init": number(args, "warmup_lr", 1e-5),
        "warmup_t": number(args, "warmup_epochs", 0) * unit,
        "warmup_prefix": bool(args.get("warmup_prefix", False)),  # create_scheduler_v2's own default
        "t_in_epochs": not per_update,
        "cycle_mul": number(args, "cycle_mul", 1.0),
        "cycle_limit": number(args, "cycle_limit", 1),
        "cycle_decay": number(args, "cycle_decay", 0.1),  # create_scheduler_v2's default
        "k_decay": number(args, "k_decay", 1.0),
    }
    decay = args.get("decay_epochs")
    noise = args.get("noise")
    if noise is not None:
        # Fractions of t_initial (the epochs, in the scheduler's units), as create_scheduler_v2 makes them.
        fractions = list(noise) if isinstance(noise, (list, tuple)) else [noise]
        common.update(noise_range_t=[number({"lr_noise": n}, "lr_noise", None) * epochs * unit for n in fractions],
                      noise_pct=number(args, "noise_pct", 0.67), noise_std=number(args, "noise_std", 1.0),
                      noise_seed=number(args, "noise_seed", 42))
    if sched in ("cosine", "poly", "tanh"):
        name = {"cosine": "CosineLRScheduler", "poly": "PolyLRScheduler", "tanh": "TanhLRScheduler"}[sched]
        timm_args = {**common, "t_initial": epochs * unit, "lr_min": number(args, "min_lr", 0.0)}
        if sched == "poly":
            timm_args["power"] = number(args, "decay_rate", 0.1)
        # get_cycle_length() + cooldown, in the scheduler's own units (updates when per update).
        cycles, mul, first = max(1, int(timm_args["cycle_limit"])), timm_args["cycle_mul"], timm_args["t_initial"]
        span = first * cycles if mul == 1.0 else int(math.floor(-first * (mul**cycles - 1) / (1 - mul)))
        span += common["warmup_t"] if common["warmup_prefix"] else 0
        span += number(args, "cooldown_epochs", 0) * unit
        length = span // unit if per_update else span
    elif sched in ("step", "multistep"):
        name = "StepLRScheduler" if sched == "step" else "MultiStepLRScheduler"
        timm_args = {**common, "decay_rate": number(args, "decay_rate", 0.1)}
        if sched == "step":
            timm_args["decay_t"] = (90 if decay is None else decay) * unit
        else:
            timm_args["decay_t"] = [m * unit for m in args.get("decay_milestones", (90, 180, 270))]
        length = epochs + (common["warmup_t"] / unit if common["warmup_prefix"] else 0)
    else:
        raise Unsupported(f"timm sched {sched!r} is not supported yet (cosine, tanh, poly, step, multistep)")
    drawn = int(length) * updates_per_epoch
    return scheduler(name, timm_args, lr, 1 if per_update else updates_per_epoch, drawn), int(length)


# ---------------------------------------------------------------- layer decay

# VisionTransformer models whose layer count lrplot holds (checked against
# timm 1.0 instantiating each one, scripts/golden_quantities.py): the blocks,
# and the models whose default has no classifier head (num_classes 0).
VIT_DEPTH = {"tiny": 12, "small": 12, "medium": 12, "base": 12, "large": 24, "huge": 32, "giant": 40, "gigantic": 48}
VIT_MODELS = frozenset((
    "deit3_base_patch16_224 deit3_base_patch16_384 deit3_huge_patch14_224 deit3_large_patch16_224 "
    "deit3_large_patch16_384 deit3_medium_patch16_224 deit3_small_patch16_224 deit3_small_patch16_384 "
    "deit_base_patch16_224 deit_base_patch16_384 deit_small_patch16_224 deit_tiny_patch16_224 vit_base_patch8_224 "
    "vit_base_patch16_224 vit_base_patch16_384 vit_base_patch32_224 vit_base_patch32_384 vit_giant_patch14_224 "
    "vit_gigantic_patch14_224 vit_huge_patch14_224 vit_large_patch14_224 vit_large_patch16_224 "
    "vit_large_patch16_384 vit_large_patch32_224 vit_large_patch32_384 vit_small_patch8_224 vit_small_patch16_224 "
    "vit_small_patch16_384 vit_small_patch32_224 vit_small_patch32_384 vit_tiny_patch16_224 vit_tiny_patch16_384"
).split())
HEADLESS = frozenset(("vit_huge_patch14_224", "vit_large_patch32_224", "vit_small_patch8_224"))


def layer_decay(model: Any, num_classes: Any, rate: Any, min_scale: Any, no_opt_scale: Any) -> dict[str, Any]:
    """train.py's ``--layer-decay`` as the curve's groups: ``create_optimizer_v2``
    calls ``param_groups_layer_decay``, whose layers are the model's
    ``group_matcher`` groups (a ViT: 0 the embeddings, block i at i + 1, the
    final norm, then the head when it has one), layer i at
    ``max(min_scale, rate ** (last - i))``; timm's schedulers set each group's
    lr to the value times that scale."""
    name = str(model or "").split(".", 1)[0]  # a pretrained tag (".augreg_in21k") does not change the model
    if name not in VIT_MODELS:
        raise Unsupported(f"layer_decay with model {model!r} is not supported yet: lrplot knows the layer count of "
                          "timm's plain ViT / DeiT models only; translate the file and give the curve "
                          "layer_decay: {rate: R, layers: N} (N: the model's layer count less one)")
    if no_opt_scale is not None:
        raise Unsupported("layer_decay_no_opt_scale is not supported yet (it leaves the lowest layers out of training)")
    rate = float(number({"layer_decay": rate}, "layer_decay", None))
    low = float(number({"layer_decay_min_scale": min_scale}, "layer_decay_min_scale", 0.0))
    if not 0 < rate or rate == float("inf"):
        raise UsageError(f"layer_decay: got {rate!r}, expected a number > 0")
    headless = num_classes == 0 or (num_classes is None and name in HEADLESS)
    last = VIT_DEPTH[name.split("_")[1]] + (0 if headless else 1)
    if low <= 0:
        return {"layer_decay": {"rate": rate, "layers": last}}
    return {"groups": {f"layer_{i}": max(low, rate ** (last - i)) for i in range(last + 1)}}
