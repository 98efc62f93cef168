"""Megatron's ``OptimizerParamScheduler`` (megatron-core 0.16.1) as its training loop steps it.

Its constructor calls ``step(0)`` and ``train_step`` calls ``step(global
batch)`` after every iteration, so iteration t runs at ``num_steps = t ×
batch``: its lengths (``lr_warmup_steps``, ``lr_decay_steps``,
``wsd_decay_steps``, counted in samples) are divided by the batch into
updates, and must be whole numbers of batches. The warmup ends inclusively
(``num_steps <= lr_warmup_steps`` is still warmup, at ``max_lr``), which is
where lrplot's schedules start at their lr; past ``lr_decay_steps`` the lr is
``min_lr``. A batch that ramps up (``--rampup-batch-size``,
``RampupBatchsizeNumMicroBatchesCalculator``) steps the same scheduler by a
growing batch: :func:`ramped` draws it as one sequence part per batch, each
the scheduler on the samples clock (``step_scale`` the batch, ``step_offset``
the samples consumed before the part).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, NamedTuple

from lrplot.errors import UsageError
from lrplot.frameworks import Curve, Unsupported, number, sequence

STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_SHAPES = {"linear": "linear", "cosine": "cosine", "minus_sqrt": "1-sqrt"}
MAX_RAMP_UPDATES = 10_000_000  # updates simulated while the batch ramps up


class Ramp(NamedTuple):
    """``--rampup-batch-size start increment samples`` up to the global batch."""

    start: int
    increment: int
    samples: int
    final: int

    def checked(self) -> Ramp:
        """Megatron's asserts, and its division by the number of increments."""
        if self.start <= 0 or self.increment <= 0 or self.samples < 0:
            raise UsageError(f"--rampup-batch-size {self.start} {self.increment} {self.samples}: Megatron asserts a "
                             "positive start and increment and non-negative samples")
        if self.samples == 0:
            raise UsageError(f"--rampup-batch-size {self.start} {self.increment} 0: Megatron divides the samples "
                             "consumed by the ramp-up samples per increment, 0, at the first update")
        grow = self.final - self.start
        if grow <= 0 or grow % self.increment:
            raise UsageError(f"--rampup-batch-size: the global batch {self.final} minus the start {self.start} must be "
                             f"a positive multiple of the increment {self.increment} (Megatron asserts it, and "
                             "divides by the number of increments)")
        return self

    def batch(self, consumed: int) -> int:
        """The global batch of the update after ``consumed`` samples (Megatron's ``update``)."""
        if consumed > self.samples:
            return self.final
        per_increment = self.samples / ((self.final - self.start) // self.increment)
        return self.start + int(consumed / per_increment) * self.increment

    def ramp_updates(self) -> Iterator[tuple[int, int]]:
        """``(samples consumed before it, its batch)`` for each update while
        the batch ramps up (Megatron steps the scheduler by that batch)."""
        consumed = 0
        for done in itertools.count():
            if consumed > self.samples:
                return
            if done > MAX_RAMP_UPDATES:
                raise Unsupported(f"a batch ramp-up over more than {MAX_RAMP_UPDATES:,} updates is not supported yet")
            size = self.batch(consumed)
            yield consumed, size
            consumed += size

    def segments(self, updates: int) -> list[tuple[int, int, int]]:
        """``(updates, samples consumed before them, batch)`` for each run of
        updates with one batch, covering ``updates``."""
        out: list[list[int]] = []
        for _, (before, size) in zip(range(updates), self.ramp_updates()):
            if out and out[-1][2] == size:
                out[-1][0] += 1
            else:
                out.append([1, before, size])
        done = sum(count for count, _, _ in out)
        consumed = out[-1][1] + out[-1][0] * out[-1][2] if out else 0
        if done < updates:
            if out and out[-1][2] == self.final:
                out[-1][0] += updates - done
            else:
                out.append([updates - done, consumed, self.final])
        return [(count, before, size) for count, before, size in out]


def ramped_updates(ramp: Ramp, train_samples: int) -> int:
    """The updates of a ``--train-samples`` run (``update_train_iters``): those
    of the ramp, then whole global batches; a partial last batch is dropped."""
    consumed = updates = 0
    for before, size in ramp.ramp_updates():
        if before > train_samples:
            break
        consumed, updates = before + size, updates + 1
    if train_samples > consumed:
        updates += (train_samples - consumed) // ramp.final
    return updates


def ramped(args: dict[str, Any], ramp: Ramp, steps: int) -> Curve:
    """The scheduler stepped by a ramping batch for ``steps`` updates."""
    segments = ramp.segments(steps)
    last = segments[-1][1] + (segments[-1][0] - 1) * segments[-1][2]  # the samples the last update runs at
    on_samples = scheduler(args, 1, last + 1)  # lengths in samples: one "update" per sample
    parts = []
    for count, before, size in segments:
        part = {"schedule": on_samples.schedule, **on_samples.params, "step_scale": size,
                "step_offset": on_samples.params.get("step_offset", 0) + before, "steps": count}
        parts.append(part)
    return sequence(on_samples.params["lr"], parts)


def scheduler(args: dict[str, Any], batch: int, steps: int) -> Curve:
    """The scheduler built with ``args`` (its constructor's names, lengths in
    samples), stepped by ``batch`` samples per update, for ``steps`` updates."""
    init = float(number(args, "init_lr", 0.0))
    peak = float(number(args, "max_lr", None))
    low = float(number(args, "min_lr", 0.0))
    style = args.get("lr_decay_style", "linear")
    if style not in STYLES:
        raise Unsupported(f"--lr-decay-style {style} is not supported yet ({', '.join(STYLES)})")
    warmup_samples = number(args, "lr_warmup_steps", 0)
    decay_samples = number(args, "lr_decay_steps", None)
    # The constructor's asserts.
    if low < 0 or peak < low or init > peak:
        raise UsageError(f"Megatron asserts 0 <= min_lr <= lr and lr_warmup_init <= lr (min_lr {low}, lr {peak}, "
                         f"lr_warmup_init {init})")
    if decay_samples <= 0:
        raise UsageError(f"the decay length {decay_samples} must be > 0 (Megatron asserts)")
    if warmup_samples >= decay_samples:
        raise UsageError(f"the warmup ({warmup_samples} samples) must be shorter than the decay "
                         f"({decay_samples}) (Megatron asserts)")
    try:
        warmup = _updates(warmup_samples, batch, "warmup")
        decay = _updates(decay_samples, batch, "decay")
    except Unsupported:
        if batch == 1 or style not in ("linear", "cosine", "constant"):
            raise
        # Lengths that are not whole batches (--lr-decay-samples 47245280 of batch 64): the same
        # schedule on Megatron's own clock, in samples, advanced by the batch at every update.
        on_samples = scheduler(args, 1, steps * batch)
        return Curve(on_samples.schedule, {**on_samples.params, "step_scale": batch})
    params: dict[str, Any] = {"lr": peak}
    if warmup > 0:
        params.update(warmup_steps=warmup, warmup_start_lr=init)
    if style == "constant":
        return Curve("constant", params)
    if style == "linear":
        return Curve("polynomial", {**params, "decay_steps": decay - warmup, "end_lr": low, "power": 1.0})
    if style == "cosine":
        return Curve("cosine", {**params, "decay_steps": decay - warmup, "end_lr": low})
    if style == "inverse-square-root":
        return _inverse_square_root(params, peak, low, warmup, decay, batch, steps)
    return _wsd(args, params, warmup, decay, batch)


def _updates(samples: float, batch: int, what: str) -> int:
    """``samples`` in updates of ``batch`` samples (a whole number, give or
    take the rounding of ``--lr-warmup-fraction × decay``)."""
    updates = samples / batch
    whole = round(updates)
    if abs(updates - whole) > 1e-9 * max(1.0, abs(updates)):
        raise Unsupported(f"a {what} of {samples} samples, not a whole number of global batches of {batch}, "
                          "is not supported yet")
    return int(whole)


def _inverse_square_root(params: dict[str, Any], peak: float, low: float, warmup: int, decay: int, batch: int,
                         steps: int) -> Curve:
    # Megatron: max(min_lr, max_lr * sqrt(max(W, 1) / max(num_steps, 1))) up to
    # lr_decay_steps, then min_lr; lrplot draws neither the floor nor the jump.
    if steps - 1 > decay:
        raise Unsupported(f"inverse-square-root past lr_decay_steps (update {decay}; min_lr after it) "
                          "is not supported yet")
    if warmup > 0:
        # After the warmup, lr * sqrt(W batch / (t batch)) = lr * sqrt(W / ((t - W) + W)).
        curve = Curve("inverse-sqrt", {**params, "timescale": warmup})
        last = peak * (warmup / max(steps - 1, warmup)) ** 0.5
    elif batch == 1:
        # num_steps 0 counts as 1: updates 0 and 1 both at max_lr, then lr / sqrt(t).
        curve = Curve("inverse-sqrt", {**params, "timescale": 1, "step_offset": -1})
        last = peak * max(steps - 1, 1) ** -0.5
    else:
        # Update 0 at max_lr (num_steps 0 counts as 1), then lr / sqrt(t batch):
        # a one-update "warmup" holding max_lr before lr / sqrt(batch) / sqrt(t).
        curve = Curve("inverse-sqrt", {**params, "lr": peak / batch**0.5, "timescale": 1, "warmup_steps": 1,
                                       "warmup_start_lr": peak, "warmup_shape": "constant"})
        last = peak * (max(steps - 1, 1) * batch) ** -0.5 if steps > 1 else peak
    if last < low:
        raise Unsupported(f"inverse-square-root down to min_lr {low} (where Megatron holds it) is not supported yet")
    return curve


def _wsd(args: dict[str, Any], params: dict[str, Any], warmup: int, decay: int, batch: int) -> Curve:
    shape = args.get("lr_wsd_decay_style")
    if shape not in WSD_SHAPES:
        raise Unsupported(f"WSD with --lr-wsd-decay-style {shape} is not supported yet ({', '.join(WSD_SHAPES)})")
    if args.get("wsd_decay_steps") is None:
        raise UsageError("WSD needs --lr-wsd-decay-iters or --lr-wsd-decay-samples (Megatron asserts)")
    anneal = _updates(number(args, "wsd_decay_steps", None), batch, "WSD decay")
    if anneal < 0:
        raise UsageError(f"a WSD decay of {anneal} updates (Megatron asserts a length >= 0)")
    if anneal == 0:
        # Megatron never divides by it: max_lr up to lr_decay_steps (inclusive), then min_lr.
        return Curve("piecewise", {**params, "boundaries": [decay + 1 - warmup],
                                   "values": [params["lr"], float(number(args, "min_lr", 0.0))]})
    stable = decay - anneal - warmup  # on lrplot's clock, which starts after the warmup
    if stable < 0:
        # Megatron's warmup still ends at max_lr, where lrplot's wsd has begun its decay.
        raise Unsupported("a WSD decay longer than the steps after the warmup is not supported yet")
    return Curve("wsd", {**params, "decay_steps": anneal, "end_lr": float(number(args, "min_lr", 0.0)),
                         "decay_shape": WSD_SHAPES[shape], "stable_steps": stable})
