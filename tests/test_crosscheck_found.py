"""What scripts/crosscheck.py's random draws found wrong in the framework
mappings, each pinned at its smallest draw. Expected values are the real
frameworks' (printed by them, written out here), or a refusal."""

from __future__ import annotations

import pytest

from lrplot.api import evaluate
from lrplot.errors import UsageError
from lrplot.frameworks import Unsupported, composer, deepspeed, espnet, megatron, timm


def lrs(curve, steps: int) -> list[float]:
    return list(evaluate(curve.schedule, steps=steps, **curve.params))


def test_deepspeed_warmup_decay_lr_defaults_its_peak_to_0_001():
    # deepspeed 0.19.8: WarmupDecayLR(total_num_steps=4, warmup_num_steps=2, warmup_type="linear") over
    # an optimizer at lr 0.1 gives [0, 0, 0.0005, 0.001, 0.0005]: its warmup_max_lr defaults to 0.001.
    curve = deepspeed.scheduler("WarmupDecayLR", {"total_num_steps": 4, "warmup_num_steps": 2,
                                                  "warmup_type": "linear"}, 0.1, 5)
    assert lrs(curve, 5) == pytest.approx([0.0, 0.0, 0.0005, 0.001, 0.0005], abs=1e-18)


def test_megatron_wsd_without_a_decay_drops_to_min_lr_after_the_decay_steps():
    # megatron-core 0.16.1: max_lr 1, min_lr 0, no warmup, lr_decay_steps 2, WSD with wsd_decay_steps 0,
    # stepped by 1: [1, 1, 1, 0] (num_steps > lr_decay_steps returns min_lr before any division).
    args = {"max_lr": 1.0, "min_lr": 0.0, "lr_warmup_steps": 0, "lr_decay_steps": 2, "lr_decay_style": "WSD",
            "lr_wsd_decay_style": "linear", "wsd_decay_steps": 0}
    assert lrs(megatron.scheduler(args, 1, 4), 4) == [1.0, 1.0, 1.0, 0.0]


def test_espnet_cosine_restarts_of_one_step():
    # espnet 202511: CosineAnnealingWarmupRestarts(first_cycle_steps=1, max_lr=0.1, min_lr=0) -> [0, 0.1, 0.1].
    conf = {"first_cycle_steps": 1, "cycle_mult": 1.0, "max_lr": 0.1, "min_lr": 0.0, "warmup_steps": 0, "gamma": 1.0}
    assert lrs(espnet.scheduler("CosineAnnealingWarmupRestarts", conf, 0.05, steps=3), 3) == [0.0, 0.1, 0.1]


def test_composer_milestone_at_batch_0_is_passed_from_the_start():
    # mosaicml 0.32.1: MultiStepWithWarmupScheduler(t_warmup='0ba', milestones=['0ba'], gamma=0.5),
    # max_duration 3ba, lr 1 -> [0.5, 0.5, 0.5].
    run = composer.Run(composer.scaled_duration("3ba", 1.0), None, 1)
    curve = composer.scheduler("MultiStepWithWarmupScheduler", {"t_warmup": "0ba", "milestones": ["0ba"],
                                                                "gamma": 0.5}, 1.0, run)
    assert lrs(curve, 3) == [0.5, 0.5, 0.5]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        # Cycles that shrink below a scheduler step (4, 2, 1, 0.5, ...).
        ("CosineLRScheduler", {"t_initial": 4, "cycle_mul": 0.5, "cycle_limit": 5}),
    ],
)
def test_timm_draws_lrplot_cannot_say_are_refused(name, args):
    with pytest.raises(Unsupported, match="not supported yet"):
        timm.scheduler(name, args, 0.1, 1, 8)


def test_timm_shrinking_cycles_past_their_end_fail_as_timm_does():
    # timm 1.0.31: CosineLRScheduler(t_initial=4, cycle_mul=0.5) raises "math domain error" at step 8
    # (math.log(1 - 8 / 4 * 0.5, 0.5)): a run of 9 or more steps never finishes.
    with pytest.raises(UsageError, match="math domain error"):
        timm.scheduler("CosineLRScheduler", {"t_initial": 4, "cycle_mul": 0.5, "cycle_limit": 2}, 0.1, 1, 9)


# transformers 5.24: get_scheduler("warmup_stable_decay", AdamW(lr=1.0), num_warmup_steps,
# num_training_steps, kwargs), three updates: no decay at all, and a decay already under way
# when the warmup ends (num_stable_steps = 3 - 2 - 2 = -1).
@pytest.mark.parametrize("decay, stable, warmup, expected", [(0, 1, 0, [1.0, 0.0, 0.0]), (2, None, 2, [0.0, 0.5, 0.5])])
def test_transformers_wsd_edges(decay, stable, warmup, expected):
    from lrplot.dialects import hf

    kwargs = {"num_decay_steps": decay, **({"num_stable_steps": stable} if stable is not None else {})}
    schedule, params = hf.SCHEDULERS["warmup_stable_decay"](hf.Run(1.0, warmup, 3, kwargs, "warmup_stable_decay"))
    warmed = {"warmup_steps": warmup, **params} if warmup else params
    assert evaluate(schedule, steps=3, lr=1.0, **warmed).tolist() == pytest.approx(expected, abs=1e-15)


def test_deepspeed_one_cycle_whose_stairs_never_show():
    # deepspeed 0.19.8: OneCycle(cycle_min_lr=0.02, cycle_max_lr=2, cycle_first_step_size=2,
    # cycle_second_step_size=0, cycle_first_stair_count=1), one update: [0.02] (the stair rises at batch 2).
    args = {"cycle_min_lr": 0.02, "cycle_max_lr": 2.0, "cycle_first_step_size": 2, "cycle_second_step_size": 0,
            "cycle_first_stair_count": 1}
    assert lrs(deepspeed.scheduler("OneCycle", args, 2.0, 1), 1) == [0.02]


def test_mmengine_linear_lr_after_a_linear_warmup_starts_at_its_own_factor():
    # Two LinearLRs one after the other (iterations [0, 5) from 0.001 to 1, then [5, 20) from 0.4 to 1),
    # lr 0.5: MMEngine's factors 0.001 + 0.999 k / 4 for k = 0..4, then 0.4 + 0.6 j / 14 from iteration 5.
    from lrplot.frameworks import mmengine

    schedulers = [{"type": "LinearLR", "by_epoch": False, "start_factor": 0.001, "end": 5},
                  {"type": "LinearLR", "by_epoch": False, "start_factor": 0.4, "begin": 5, "end": 20}]
    expected = [0.5 * (0.001 + 0.999 * k / 4) for k in range(5)] + [0.5 * (0.4 + 0.6 * j / 14) for j in range(15)]
    assert lrs(mmengine.param_scheduler(schedulers, 0.5, None, 20), 20) == pytest.approx(expected, rel=1e-12)


def test_timm_tanh_cycles_warm_up_to_the_tanh_at_warmup_t():
    # timm 1.0.31: TanhLRScheduler(t_initial=6, cycle_mul=2, cycle_limit=2, warmup_t=2, warmup_lr_init=0,
    # warmup_prefix=False) over lr 0.1, stepped per epoch (printed by timm; its warmup rises to
    # _get_lr(warmup_t), not to the lr), then lr_min 0 past the 2 cycles.
    timm_values = [0.0, 0.04996735173312237, 0.09993470346624474, 0.09820137900379085, 0.06607563687658173,
                   0.006496916912866402, 0.09999991684719724, 0.09999955974988523, 0.09999766914421587,
                   0.09998766054240138, 0.09993470346624474, 0.09965525486984365, 0.09820137900379085,
                   0.09116003227929416, 0.06607563687658173, 0.026894142136999512, 0.006496916912866402,
                   0.0012953727530695847, 0.0, 0.0]
    args = {"t_initial": 6, "cycle_mul": 2.0, "cycle_limit": 2, "warmup_t": 2, "warmup_lr_init": 0.0,
            "warmup_prefix": False}
    assert lrs(timm.scheduler("TanhLRScheduler", args, 0.1, 1, 20), 20) == pytest.approx(timm_values, rel=1e-12, abs=1e-18)


def test_mmengine_poly_lr_rising_far_above_the_lr_starts_at_the_lr_exactly():
    # mmengine 0.10.7: PolyLR(eta_min=0.0807..., power=0.9) over lr 1.52e-08 gives the lr itself at
    # iteration 0; (lr - eta_min) + eta_min would lose its digits.
    from lrplot.frameworks import mmengine

    schedulers = [{"type": "PolyLR", "eta_min": 0.08074775250588752, "power": 0.9, "by_epoch": False, "end": 2}]
    assert lrs(mmengine.param_scheduler(schedulers, 1.522784740929836e-08, None, 1), 1) == [1.522784740929836e-08]


def test_detectron2_milestone_where_fvcore_counts_it():
    # fvcore 0.1.5: MultiStepParamScheduler(values=[1, 0.1], milestones=[2_000_000], num_updates=3_000_000)
    # at where = t / 3e6 gives 1 up to t = 1999996 and 0.1 from t = 1999997 (int((where + 1e-6) * 3e6)).
    import lrplot
    from lrplot.frameworks import detectron2

    curve = detectron2.solver({"LR_SCHEDULER_NAME": "WarmupMultiStepLR", "MAX_ITER": 3_000_000, "BASE_LR": 1.0,
                               "STEPS": (2_000_000,), "WARMUP_ITERS": 0})
    values = lrplot.curve(curve.schedule, steps=3_000_000, **curve.params)([1_999_996, 1_999_997, 2_000_000])
    assert values.tolist() == pytest.approx([1.0, 0.1, 0.1], rel=1e-15)
    with pytest.raises(Unsupported, match="1e-6 tolerance moves the warmup's end"):
        detectron2.solver({"LR_SCHEDULER_NAME": "WarmupCosineLR", "MAX_ITER": 3_000_000, "WARMUP_ITERS": 1000})
