"""Random cross-check: lrplot against the real frameworks, at every step.

The golden files (scripts/make_golden.py) pin chosen cases; this draws
random parameters — short runs, boundaries on the last step, tiny and huge
factors, warmups — and compares every step. Run where the frameworks are
installed (never in CI):

    KERAS_BACKEND=jax python scripts/crosscheck.py [--seed 1] [--cases 200] [framework ...]

torch, paddle, optax and keras check lrplot's schedules against the
framework's classes directly; the others (scripts/crosscheck_frameworks.py:
deepspeed, timm, transformers, torchtitan, olmo, megatron, espnet, fairseq,
composer, detectron2, mmengine, paddle-from, paddledet) check the ``--from`` mappings in
lrplot/frameworks: a mapping that raises Unsupported is counted as refused,
any other difference is a mismatch, printed with the draw and the first
differing step. Each framework runs in its own interpreter (stubs on
sys.path, torch and paddle state cannot leak between them).

It prints one line per mismatch and a summary; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from make_golden import stepped  # noqa: E402  (the torch stepping loop, one definition)

import lrplot  # noqa: E402

# A draw: (description, framework values thunk, lrplot schedule, steps, lrplot params)
Draw = tuple[str, Callable[[], list[float]], str, int, dict[str, Any]]


def _steps(r: random.Random) -> int:
    return r.choice([1, 2, 3, 5, 10, r.randint(1, 60), r.randint(50, 400)])


def _rate(r: random.Random) -> float:
    return r.choice([0.1, 1.0, 1e-4, r.uniform(1e-5, 2.0)])


def torch_draw(r: random.Random) -> Draw:
    from torch.optim import lr_scheduler as S

    steps, lr = _steps(r), _rate(r)
    kind = r.choice(["step", "multistep", "exponential", "linear", "polynomial", "cosine", "cosine-restarts", "onecycle", "cyclic"])
    if kind == "step":
        size, gamma = r.randint(1, steps + 2), r.uniform(0.05, 1.5)
        return f"StepLR({size}, {gamma})", lambda: stepped(lambda o: S.StepLR(o, size, gamma), steps, lr), kind, steps, {"lr": lr, "step_size": size, "gamma": gamma}
    if kind == "multistep":
        milestones = sorted(r.randint(1, steps + 1) for _ in range(r.randint(1, 4)))
        gamma = r.uniform(0.05, 1.0)
        return f"MultiStepLR({milestones}, {gamma})", lambda: stepped(lambda o: S.MultiStepLR(o, milestones, gamma), steps, lr), kind, steps, {"lr": lr, "milestones": milestones, "gamma": gamma}
    if kind == "exponential":
        gamma = r.uniform(0.5, 1.05)
        return f"ExponentialLR({gamma})", lambda: stepped(lambda o: S.ExponentialLR(o, gamma), steps, lr), kind, steps, {"lr": lr, "decay_rate": gamma}
    if kind == "linear":
        a, b, total = r.uniform(0.01, 1.0), r.uniform(0.0, 1.0), r.randint(1, steps + 3)
        return f"LinearLR({a}, {b}, {total})", lambda: stepped(lambda o: S.LinearLR(o, a, b, total), steps, lr), kind, steps, {"lr": lr, "start_factor": a, "end_factor": b, "total_steps": total}
    if kind == "polynomial":
        total, power = r.randint(1, steps + 3), r.uniform(0.2, 3.0)
        return f"PolynomialLR({total}, {power})", lambda: stepped(lambda o: S.PolynomialLR(o, total, power), steps, lr), kind, steps, {"lr": lr, "decay_steps": total, "power": power, "end_lr": 0.0}
    if kind == "cosine":
        t_max, eta = r.randint(1, 200), r.choice([0.0, lr * r.uniform(0, 0.5)])
        shown = min(steps, t_max + 1)  # torch rises again after T_max: documented difference
        return f"CosineAnnealingLR({t_max}, {eta})", lambda: stepped(lambda o: S.CosineAnnealingLR(o, t_max, eta), shown, lr), kind, shown, {"lr": lr, "decay_steps": t_max, "end_lr": eta}
    if kind == "cosine-restarts":
        t0, mult, eta = r.randint(1, 30), r.randint(1, 3), r.choice([0.0, lr * 0.01])
        return f"CosineAnnealingWarmRestarts({t0}, {mult}, {eta})", lambda: stepped(lambda o: S.CosineAnnealingWarmRestarts(o, t0, mult, eta), steps, lr), kind, steps, {"lr": lr, "first_decay_steps": t0, "t_mul": float(mult), "end_lr": eta}
    if kind == "onecycle":
        pct = r.uniform(0.01, 0.99)
        three, anneal = r.random() < 0.5, r.choice(["cos", "linear"])
        div, final = r.uniform(1.0, 50.0), r.uniform(1.0, 1e5)
        if float(pct * steps) == 1.0:
            pct = pct / 2
        return (
            f"OneCycleLR({lr}, total_steps={steps}, pct_start={pct}, anneal={anneal}, three_phase={three}, div={div}, final={final})",
            lambda: stepped(lambda o: S.OneCycleLR(o, lr, total_steps=steps, pct_start=pct, anneal_strategy=anneal, three_phase=three, div_factor=div, final_div_factor=final, cycle_momentum=False), steps, lr),
            kind, steps,
            {"lr": lr, "total_steps": steps, "pct_start": pct, "anneal": anneal, "three_phase": three, "div_factor": div, "final_div_factor": final},
        )
    base = lr * r.uniform(0.0, 0.9)
    up, down = r.randint(1, 20), r.randint(1, 20)
    mode, gamma = r.choice(["triangular", "triangular2", "exp_range"]), r.uniform(0.9, 1.0)
    return (
        f"CyclicLR({base}, {lr}, {up}, {down}, {mode}, {gamma})",
        lambda: stepped(lambda o: S.CyclicLR(o, base, lr, up, down, mode, gamma, cycle_momentum=False), steps, lr),
        kind, steps,
        {"lr": lr, "base_lr": base, "step_size_up": up, "step_size_down": down, "mode": mode, "gamma": gamma},
    )


def paddle_draw(r: random.Random) -> Draw:
    import paddle.optimizer.lr as P

    steps, lr = _steps(r), _rate(r)
    kind = r.choice(["piecewise", "natural-exp", "inverse-time", "polynomial", "noam", "warmup-cosine"])

    def run(make: Callable[[], Any]) -> list[float]:
        scheduler, out = make(), []
        for _ in range(steps):
            out.append(float(scheduler.last_lr))
            scheduler.step()
        return out

    if kind == "piecewise":
        boundaries = sorted(r.sample(range(1, steps + 3), r.randint(1, min(3, steps + 2))))
        values = [r.uniform(0.0, 1.0) for _ in range(len(boundaries) + 1)]
        return f"PiecewiseDecay({boundaries}, {values})", lambda: run(lambda: P.PiecewiseDecay(boundaries, values)), kind, steps, {"boundaries": boundaries, "values": values}
    if kind == "natural-exp":
        gamma = r.uniform(0.0, 1.0)
        return f"NaturalExpDecay({lr}, {gamma})", lambda: run(lambda: P.NaturalExpDecay(lr, gamma)), kind, steps, {"lr": lr, "decay_rate": gamma}
    if kind == "inverse-time":
        gamma = r.uniform(0.0, 2.0)
        return f"InverseTimeDecay({lr}, {gamma})", lambda: run(lambda: P.InverseTimeDecay(lr, gamma)), kind, steps, {"lr": lr, "decay_rate": gamma}
    if kind == "polynomial":
        decay, end, power, cycle = r.randint(1, steps + 3), lr * r.uniform(0, 0.5), r.uniform(0.2, 3.0), r.random() < 0.5
        return f"PolynomialDecay({lr}, {decay}, {end}, {power}, cycle={cycle})", lambda: run(lambda: P.PolynomialDecay(lr, decay, end, power, cycle)), kind, steps, {"lr": lr, "decay_steps": decay, "end_lr": end, "power": power, "cycle": cycle}
    if kind == "noam":
        d_model, warm = r.choice([16, 64, 512]), r.randint(1, 50)
        return f"NoamDecay({d_model}, {warm}, {lr})", lambda: run(lambda: P.NoamDecay(d_model, warm, learning_rate=lr)), kind, steps, {"lr": lr, "d_model": d_model, "noam_warmup": warm}
    warm, start = r.randint(1, steps + 2), lr * r.uniform(0.0, 1.0)
    t_max = r.randint(1, 200)
    shown = min(steps, warm + t_max + 1)
    return (
        f"LinearWarmup(CosineAnnealingDecay({lr}, {t_max}), {warm}, {start}, {lr})",
        lambda: run(lambda: P.LinearWarmup(P.CosineAnnealingDecay(lr, t_max), warm, start, lr))[:shown],
        "cosine", shown,
        {"lr": lr, "decay_steps": t_max, "warmup_steps": warm, "warmup_start_lr": start},
    )


def optax_draw(r: random.Random) -> Draw:
    import jax

    jax.config.update("jax_enable_x64", True)
    import optax

    steps, lr = _steps(r), _rate(r)
    kind = r.choice(["warmup-cosine", "linear", "exponential", "cosine"])

    def run(schedule: Callable[[int], Any]) -> list[float]:
        return [float(schedule(t)) for t in range(steps)]

    if kind == "warmup-cosine":
        warm = r.randint(0, steps)
        start, end = lr * r.uniform(0.0, 1.0), lr * r.uniform(0.0, 0.5)
        # decay_steps counts the warmup too, as the "= --steps" default does
        return (
            f"warmup_cosine_decay_schedule({start}, {lr}, {warm}, {steps}, {end})",
            lambda: run(optax.warmup_cosine_decay_schedule(start, lr, warm, steps, end)),
            "cosine", steps,
            {"lr": lr, "end_lr": end, "warmup_steps": warm, "warmup_start_lr": start},
        )
    if kind == "linear":
        a, b, total = lr * r.uniform(0, 1), lr * r.uniform(0, 1), r.randint(1, steps + 3)
        return f"linear_schedule({a}, {b}, {total})", lambda: run(optax.linear_schedule(a, b, total)), "linear", steps, {"lr": lr, "start_factor": a / lr, "end_factor": b / lr, "total_steps": total}
    if kind == "exponential":
        rate, transition, stair = r.uniform(0.3, 1.0), r.randint(1, 20), r.random() < 0.5
        return (
            f"exponential_decay({lr}, {transition}, {rate}, staircase={stair})",
            lambda: run(optax.exponential_decay(lr, transition, rate, staircase=stair)),
            "exponential", steps,
            {"lr": lr, "decay_rate": rate, "decay_steps": transition, "staircase": stair},
        )
    decay, alpha = r.randint(1, steps + 3), r.uniform(0.0, 0.5)
    return f"cosine_decay_schedule({lr}, {decay}, {alpha})", lambda: run(optax.cosine_decay_schedule(lr, decay, alpha)), "cosine", steps, {"lr": lr, "decay_steps": decay, "end_lr": alpha * lr}


def keras_draw(r: random.Random) -> Draw:
    import keras

    steps, lr = _steps(r), _rate(r)
    kind = r.choice(["exponential", "inverse-time", "polynomial", "cosine", "cosine-restarts"])
    K = keras.optimizers.schedules

    def run(schedule: Any) -> list[float]:
        return [float(schedule(t)) for t in range(steps)]

    decay = r.randint(1, steps + 3)
    if kind == "exponential":
        rate, stair = r.uniform(0.3, 1.0), r.random() < 0.5
        return f"ExponentialDecay({lr}, {decay}, {rate}, {stair})", lambda: run(K.ExponentialDecay(lr, decay, rate, stair)), kind, steps, {"lr": lr, "decay_rate": rate, "decay_steps": decay, "staircase": stair}
    if kind == "inverse-time":
        rate, stair = r.uniform(0.0, 2.0), r.random() < 0.5
        return f"InverseTimeDecay({lr}, {decay}, {rate}, {stair})", lambda: run(K.InverseTimeDecay(lr, decay, rate, stair)), kind, steps, {"lr": lr, "decay_rate": rate, "decay_steps": decay, "staircase": stair}
    if kind == "polynomial":
        end, power, cycle = lr * r.uniform(0, 0.5), r.uniform(0.2, 3.0), r.random() < 0.5
        return f"PolynomialDecay({lr}, {decay}, {end}, {power}, {cycle})", lambda: run(K.PolynomialDecay(lr, decay, end, power, cycle)), kind, steps, {"lr": lr, "decay_steps": decay, "end_lr": end, "power": power, "cycle": cycle}
    if kind == "cosine":
        alpha = r.uniform(0.0, 0.5)
        return f"CosineDecay({lr}, {decay}, {alpha})", lambda: run(K.CosineDecay(lr, decay, alpha)), kind, steps, {"lr": lr, "decay_steps": decay, "end_lr": alpha * lr}
    t_mul, m_mul, alpha = r.choice([1.0, 1.5, 2.0, 3.0]), r.choice([1.0, 0.9, 0.5]), r.uniform(0.0, 0.3)
    return (
        f"CosineDecayRestarts({lr}, {decay}, {t_mul}, {m_mul}, {alpha})",
        lambda: run(K.CosineDecayRestarts(lr, decay, t_mul, m_mul, alpha)),
        kind, steps,
        {"lr": lr, "first_decay_steps": decay, "t_mul": t_mul, "m_mul": m_mul, "end_lr": alpha * lr},
    )


def sequence_momentum_draw(r: random.Random) -> Draw:
    """torch's SequentialLR of 1-4 parts (ConstantLR, ExponentialLR, OneCycleLR,
    CyclicLR; cycling or not, random momenta, SGD or Adam, built in list
    order): the momentum (betas[0]) before each update, against the momentum
    lrplot carries for a sequence of those parts. A OneCycleLR's later
    cycling parts share its momenta (other momenta lrplot refuses)."""
    import torch
    from torch.optim import lr_scheduler as S

    count, adam, lr = r.randint(1, 4), r.random() < 0.5, _rate(r)
    lengths = [r.choice([1, 2, r.randint(1, 40)]) for _ in range(count)]
    steps = sum(lengths[:-1]) + r.choice([1, lengths[-1], r.randint(1, 60)])
    makers, parts, shared = [], [], None
    for index, length in enumerate(lengths):
        run = steps - sum(lengths[:index]) if index == count - 1 else length
        kind = r.choice(["constant", "exponential", "onecycle", "cyclic"])
        cycle = r.random() < 0.8
        high = r.uniform(0.5, 0.999)
        base, high = shared or (high * r.uniform(0.5, 1.0), high)
        part: dict[str, Any] = {"schedule": kind, "steps": length}
        if kind == "constant":
            makers.append(lambda o: S.ConstantLR(o, factor=1.0, total_iters=0))
        elif kind == "exponential":
            gamma = r.uniform(0.5, 1.0)
            makers.append(lambda o, gamma=gamma: S.ExponentialLR(o, gamma))
            part["decay_rate"] = gamma
        elif kind == "onecycle":
            total = max(run, 5) + r.choice([0, 0, r.randint(0, 20)])  # torch raises past total_steps
            three, anneal = r.random() < 0.5, r.choice(["cos", "linear"])
            pct = r.uniform(0.05, 0.95)
            while float(pct * total) == 1.0 or (three and 2.0 * pct * total - 2 >= total - 1):
                pct = r.uniform(0.05, 0.45)  # no phase of 0 steps (torch divides by it)
            makers.append(lambda o, a=(total, pct, three, anneal, cycle, base, high): S.OneCycleLR(
                o, lr, total_steps=a[0], pct_start=a[1], three_phase=a[2], anneal_strategy=a[3], cycle_momentum=a[4],
                base_momentum=a[5], max_momentum=a[6]))
            part.update(total_steps=total, pct_start=pct, three_phase=three, anneal=anneal)
            if cycle:
                shared = (base, high)
        else:
            up, down, mode = r.randint(1, 12), r.randint(1, 12), r.choice(["triangular", "triangular2", "exp_range"])
            gamma = r.uniform(0.9, 1.0)
            makers.append(lambda o, a=(up, down, mode, gamma, cycle, base, high): S.CyclicLR(
                o, lr / 10, lr, a[0], a[1], a[2], a[3], cycle_momentum=a[4], base_momentum=a[5], max_momentum=a[6]))
            part.update(base_lr=lr / 10, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
        if kind in ("onecycle", "cyclic"):
            part.update(cycle_momentum=cycle, base_momentum=base, max_momentum=high)
        parts.append(part)

    def theirs() -> list[float]:
        parameter = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.Adam([parameter], lr=lr) if adam else torch.optim.SGD([parameter], lr=lr, momentum=0.9)
        built = [make(optimizer) for make in makers]
        scheduler = S.SequentialLR(optimizer, built, milestones=list(np.cumsum(lengths[:-1]).tolist()))
        out = []
        for step in range(steps):
            group = optimizer.param_groups[0]
            out.append(float(group["betas"][0] if adam else group["momentum"]))
            if step < steps - 1:
                optimizer.step()
                scheduler.step()
        return out

    return (f"SequentialLR({parts}) {'Adam' if adam else 'SGD'} momentum, {steps} steps", theirs, "sequence-momentum", steps,
            {"lr": lr, "parts": parts})


def _sequence_momentum(steps: int, params: dict[str, Any]) -> np.ndarray:
    """The momentum lrplot carries for a sequence; torch's optimizer default (0.9) where nothing cycles it."""
    from lrplot.plan import CurveRequest, make_curves
    from lrplot.quantities import extras

    (curve,) = make_curves([CurveRequest("sequence", params)], steps)
    carried = extras(curve)
    return carried[0][1](np.arange(steps, dtype=np.float64)) if carried else np.full(steps, 0.9)


DRAWS = {"torch": torch_draw, "paddle": paddle_draw, "optax": optax_draw, "keras": keras_draw,
         "torch-sequence-momentum": sequence_momentum_draw}


def as_float32(params: dict[str, Any]) -> dict[str, Any]:
    """Keras holds every float parameter in float32: compare with lrplot given
    those same float32 values, so the remaining difference is float32 arithmetic."""
    return {k: float(np.float32(v)) if isinstance(v, float) else v for k, v in params.items()}


def agrees(framework: str, ours: np.ndarray, theirs: np.ndarray) -> bool:
    if framework == "keras":  # SPEC §2: 1e-6 relative or 1e-7 x the peak, whichever is larger
        peak = float(np.max(np.abs(theirs))) if theirs.size else 0.0
        return bool(np.all(np.abs(ours - theirs) <= np.maximum(1e-6 * np.abs(theirs), 1e-7 * peak)))
    return bool(np.allclose(ours, theirs, rtol=1e-9, atol=1e-300))


def check_schedules(framework: str, seed: int, cases: int) -> int:
    """lrplot's schedules against torch/paddle/optax/keras classes; the mismatches."""
    r = random.Random(f"{seed}-{framework}")
    failures = checked = 0
    for _ in range(cases):
        description, theirs_of, schedule, steps, params = DRAWS[framework](r)
        try:
            theirs = np.asarray(theirs_of(), dtype=np.float64)
        except Exception as error:  # the framework refuses it: nothing to compare
            print(f"skip {framework} {description}: {type(error).__name__}")
            continue
        if framework == "keras":
            params = as_float32(params)
        try:
            if schedule == "sequence-momentum":
                ours = _sequence_momentum(steps, params)
            else:
                ours = lrplot.evaluate(schedule, steps=steps, **params)
        except Exception as error:
            failures += 1
            print(f"REFUSED {framework} {description}: lrplot says {error}")
            continue
        checked += 1
        if ours.shape != theirs.shape or not agrees(framework, ours, theirs):
            failures += 1
            worst = int(np.argmax(np.abs(ours - theirs))) if ours.shape == theirs.shape else -1
            print(f"MISMATCH {framework} {description}: step {worst}: lrplot {ours[worst]!r} vs {theirs[worst]!r}")
    print(f"{framework}: {checked} random cases compared at every step")
    return failures


def first_difference(ours: np.ndarray, theirs: np.ndarray) -> int | None:
    """The first update where lrplot's mapping and the framework differ: rtol
    1e-12 as tests/test_frameworks_golden.py, atol 1e-15 x the run's peak so
    that lrs of any scale are held alike."""
    if ours.shape != theirs.shape:
        return min(ours.size, theirs.size)
    peak = float(np.max(np.abs(theirs))) if theirs.size else 0.0
    bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15 * peak + 1e-300))
    return int(bad[0]) if bad.size else None


def check_mapping(framework: str, seed: int, cases: int) -> int:
    """A ``--from`` mapping against its framework; the mismatches."""
    import logging
    import warnings

    import crosscheck_frameworks as F

    from lrplot.frameworks import Unsupported

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)  # the frameworks' own notes on odd arguments
    if framework in F.SETUP:
        F.SETUP[framework]()
    r = random.Random(f"{seed}-{framework}")
    compared = refused = skipped = mismatched = 0
    reasons: dict[str, int] = {}
    for _ in range(cases):
        description, theirs_of, curve_of = F.DRAWS[framework](r)
        try:
            theirs = np.asarray(theirs_of(), dtype=np.float64)
        except Exception as error:  # the framework itself refuses these arguments
            skipped += 1
            reasons[type(error).__name__] = reasons.get(type(error).__name__, 0) + 1
            continue
        if not theirs.size or not np.all(np.isfinite(theirs)):
            skipped += 1
            reasons["not finite"] = reasons.get("not finite", 0) + 1
            continue
        try:
            curve = curve_of()
            ours = lrplot.evaluate(curve.schedule, steps=theirs.size, **curve.params)
        except Unsupported:
            refused += 1
            continue
        except Exception as error:
            mismatched += 1
            print(f"MISMATCH {framework} {description}: lrplot raises {type(error).__name__}: {error}")
            continue
        compared += 1
        step = first_difference(ours, theirs)
        if step is not None:
            mismatched += 1
            mine = ours[step] if step < ours.size else None
            framework_value = theirs[step] if step < theirs.size else None
            print(f"MISMATCH {framework} {description}: first at update {step} of {theirs.size}: "
                  f"lrplot {mine!r}, framework {framework_value!r} ({curve.schedule} {curve.params})")
    framework_refused = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    print(f"{framework} seed {seed}: {cases} draws, {compared} compared at every update, {refused} refused "
          f"(Unsupported), {skipped} the framework refuses ({framework_refused or '-'}), {mismatched} mismatched")
    return mismatched


def main() -> int:
    from crosscheck_frameworks import DRAWS as MAPPINGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=200, help="random draws per framework")
    parser.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)  # one framework, this interpreter
    parser.add_argument("frameworks", nargs="*", default=[*DRAWS, *MAPPINGS])
    args = parser.parse_args()
    unknown = [f for f in args.frameworks if f not in DRAWS and f not in MAPPINGS]
    if unknown:
        parser.error(f"unknown framework(s) {unknown}; known: {[*DRAWS, *MAPPINGS]}")
    if args.inline:
        (framework,) = args.frameworks
        check = check_schedules if framework in DRAWS else check_mapping
        return 1 if check(framework, args.seed, args.cases) else 0
    failed = []
    for framework in args.frameworks:
        done = subprocess.run([sys.executable, __file__, "--inline", "--seed", str(args.seed), "--cases",
                               str(args.cases), framework])
        if done.returncode:
            failed.append(framework)
    print(f"mismatches in: {', '.join(failed)}" if failed else "0 mismatches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
