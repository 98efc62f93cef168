"""Every schedule against an oracle written here, step by step, with `math`.

The oracles follow SPEC §2 and the seed document's formulas (and, for
onecycle and cyclic, torch's documented algorithm); they share no code with
lrplot. Non-zero warmup and step-valued parameters counted from the end of
warmup are checked too (the trap Keras' own tests fell into: starting at 0).
"""

from __future__ import annotations

import math

import pytest

import lrplot


def oracle_exponential(t, lr, rate, k=1, staircase=False):
    p = t / k
    return lr * rate ** (math.floor(p) if staircase else p)


def oracle_natural_exp(t, lr, rate, k=1, staircase=False):
    p = t / k
    return lr * math.exp(-rate * (math.floor(p) if staircase else p))


def oracle_inverse_time(t, lr, rate, k=1, staircase=False):
    p = t / k
    return lr / (1 + rate * (math.floor(p) if staircase else p))


def oracle_polynomial(t, lr, d, end, power, cycle):
    # the seed's 3.4, with its typo fixed: decay_steps (not the rate) grows.
    if cycle:
        d = d * max(1, math.ceil(t / d))
        s = t
    else:
        s = min(t, d)
    return (lr - end) * (1 - s / d) ** power + end


def oracle_piecewise(t, boundaries, values):
    return values[sum(1 for b in boundaries if b <= t)]


def oracle_cosine(t, lr, d, end):
    return end + (lr - end) * (1 + math.cos(math.pi * min(t, d) / d)) / 2


def oracle_sgdr(t, lr, first, t_mul, m_mul, end):
    start, length, i = 0.0, float(first), 0
    while t >= start + length:  # walk the cycles one by one
        start += length
        length *= t_mul
        i += 1
    frac = (t - start) / length
    return end + (lr - end) * m_mul**i * (1 + math.cos(math.pi * frac)) / 2


def oracle_onecycle(t, lr, total, pct, anneal, div, final_div, three):
    initial, low = lr / div, lr / div / final_div
    if t > total - 1:  # the run is over; lrplot holds the minimum (torch raises)
        return low
    if three:
        phases = [(pct * total - 1, initial, lr), (2 * pct * total - 2, lr, initial), (total - 1, initial, low)]
    else:
        phases = [(pct * total - 1, initial, lr), (total - 1, lr, low)]
    start = 0
    for i, (end, a, b) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            f = (t - start) / (end - start)
            if anneal == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * f) + 1)
            return (b - a) * f + a
        start = end
    raise AssertionError


def oracle_cyclic(t, lr, base, up, down, mode, gamma):
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1 + t / total - cycle
    scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    height = (lr - base) * scale
    if mode == "triangular2":
        height *= 1 / 2 ** (cycle - 1)
    elif mode == "exp_range":
        height *= gamma**t
    return base + height


def oracle_noam(t, lr, d_model, w):
    if t == 0:
        return 0.0
    return lr * d_model**-0.5 * min(t**-0.5, t * w**-1.5)


def oracle_wsd(t, lr, horizon, d, end, shape):
    if t < horizon - d:
        return lr
    p = min(1.0, (t - (horizon - d)) / d)
    factor = {"1-sqrt": 1 - math.sqrt(p), "linear": 1 - p, "cosine": (1 + math.cos(math.pi * p)) / 2}[shape]
    return end + (lr - end) * factor


def with_warmup(f, w, start, shape="linear"):
    """The seed's warmup: ramp from start to the schedule's step-0 value, then shift."""
    target = f(0)

    def g(t):
        if t >= w:
            return f(t - w)
        if shape == "linear":
            return start + (target - start) * t / w
        if shape == "exponential":
            return start * (target / start) ** (t / w)
        return start

    return g


CASES = [
    ("constant", {"lr": 0.3}, lambda t: 0.3),
    ("warmup", {"lr": 0.1, "warmup_steps": 10}, lambda t: 0.1 * min(t, 10) / 10),
    ("piecewise", {"boundaries": [30, 60, 90], "values": [0.1, 0.05, 0.025, 0.0125]}, lambda t: oracle_piecewise(t, [30, 60, 90], [0.1, 0.05, 0.025, 0.0125])),
    ("exponential", {"decay_rate": 0.96}, lambda t: oracle_exponential(t, 0.1, 0.96)),
    ("exponential", {"lr": 0.5, "decay_rate": 0.5, "decay_steps": 7, "staircase": True}, lambda t: oracle_exponential(t, 0.5, 0.5, 7, True)),
    ("exponential", {"decay_rate": 0.9, "decay_steps": 4}, lambda t: oracle_exponential(t, 0.1, 0.9, 4)),
    ("natural-exp", {"decay_rate": 0.05}, lambda t: oracle_natural_exp(t, 0.1, 0.05)),
    ("natural-exp", {"decay_rate": 0.3, "decay_steps": 5, "staircase": True}, lambda t: oracle_natural_exp(t, 0.1, 0.3, 5, True)),
    ("inverse-time", {}, lambda t: oracle_inverse_time(t, 0.1, 0.5)),
    ("inverse-time", {"decay_rate": 2.0, "decay_steps": 3, "staircase": True}, lambda t: oracle_inverse_time(t, 0.1, 2.0, 3, True)),
    ("polynomial", {"decay_steps": 30, "end_lr": 0.01, "power": 0.5}, lambda t: oracle_polynomial(t, 0.1, 30, 0.01, 0.5, False)),
    ("polynomial", {"decay_steps": 30, "end_lr": 0.01, "power": 2.0, "cycle": True}, lambda t: oracle_polynomial(t, 0.1, 30, 0.01, 2.0, True)),
    ("polynomial", {}, lambda t: oracle_polynomial(t, 0.1, 100, 0.0001, 1.0, False)),
    ("linear", {"start_factor": 0.2, "end_factor": 1.5, "total_steps": 40}, lambda t: 0.1 * (0.2 + 1.3 * min(t, 40) / 40)),
    ("step", {"step_size": 7, "gamma": 0.5}, lambda t: 0.1 * 0.5 ** (t // 7)),
    ("step", {"step_size": 1, "gamma": 0.97}, lambda t: 0.1 * 0.97**t),
    ("multistep", {"milestones": [10, 10, 40], "gamma": 0.3}, lambda t: 0.1 * 0.3 ** sum(1 for m in (10, 10, 40) if m <= t)),
    ("cosine", {"end_lr": 0.02, "decay_steps": 60}, lambda t: oracle_cosine(t, 0.1, 60, 0.02)),
    ("cosine-restarts", {"first_decay_steps": 5}, lambda t: oracle_sgdr(t, 0.1, 5, 2.0, 1.0, 0.0)),
    ("cosine-restarts", {"first_decay_steps": 4, "t_mul": 1.5, "m_mul": 0.7, "end_lr": 0.001}, lambda t: oracle_sgdr(t, 0.1, 4, 1.5, 0.7, 0.001)),
    ("cosine-restarts", {"first_decay_steps": 3, "t_mul": 1.0, "m_mul": 0.9}, lambda t: oracle_sgdr(t, 0.1, 3, 1.0, 0.9, 0.0)),
    ("onecycle", {"total_steps": 100}, lambda t: oracle_onecycle(t, 0.1, 100, 0.3, "cos", 25, 1e4, False)),
    ("onecycle", {"total_steps": 80, "three_phase": True, "anneal": "linear", "pct_start": 0.2, "div_factor": 10, "final_div_factor": 50}, lambda t: oracle_onecycle(t, 0.1, 80, 0.2, "linear", 10, 50, True)),
    ("cyclic", {"base_lr": 0.01, "step_size_up": 4, "step_size_down": 9, "mode": "triangular2"}, lambda t: oracle_cyclic(t, 0.1, 0.01, 4, 9, "triangular2", 1.0)),
    ("cyclic", {"step_size_up": 6, "mode": "exp_range", "gamma": 0.98}, lambda t: oracle_cyclic(t, 0.1, 0.01, 6, 6, "exp_range", 0.98)),
    ("cyclic", {}, lambda t: oracle_cyclic(t, 0.1, 0.01, 10, 10, "triangular", 1.0)),
    ("noam", {"lr": 2.0, "d_model": 64, "noam_warmup": 25}, lambda t: oracle_noam(t, 2.0, 64, 25)),
    ("inverse-sqrt", {"timescale": 20}, lambda t: 0.1 * math.sqrt(20 / (t + 20))),
    ("wsd", {}, lambda t: oracle_wsd(t, 0.1, 100, 10, 0.0, "1-sqrt")),
    ("wsd", {"decay_steps": 30, "end_lr": 0.01, "decay_shape": "cosine"}, lambda t: oracle_wsd(t, 0.1, 100, 30, 0.01, "cosine")),
    ("wsd", {"decay_steps": 25, "decay_shape": "linear"}, lambda t: oracle_wsd(t, 0.1, 100, 25, 0.0, "linear")),
]


@pytest.mark.parametrize("name,params,oracle", CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_schedule_equals_hand_formula(name, params, oracle):
    ours = lrplot.evaluate(name, steps=100, **params)
    for t in range(100):
        assert ours[t] == pytest.approx(oracle(t), rel=1e-12, abs=1e-300), (name, t)


@pytest.mark.parametrize("shape", ["linear", "exponential", "constant"])
@pytest.mark.parametrize(
    "name,params,oracle",
    [
        ("multistep", {"milestones": [10, 20]}, lambda t: 0.1 * 0.1 ** sum(1 for m in (10, 20) if m <= t)),
        ("cosine", {"decay_steps": 50}, lambda t: oracle_cosine(t, 0.1, 50, 0.0)),
        ("piecewise", {"boundaries": [5], "values": [0.2, 0.1]}, lambda t: 0.2 if t < 5 else 0.1),
        ("cyclic", {"step_size_up": 5}, lambda t: oracle_cyclic(t, 0.1, 0.01, 5, 5, "triangular", 1.0)),
    ],
)
def test_warmup_then_schedule_counted_from_warmup_end(name, params, oracle, shape):
    w, start = 12, 0.004
    ours = lrplot.evaluate(name, steps=100, warmup_steps=w, warmup_start_lr=start, warmup_shape=shape, **params)
    expected = with_warmup(oracle, w, start, shape)
    for t in range(100):
        assert ours[t] == pytest.approx(expected(t), rel=1e-12), (name, shape, t)


def test_seed_figure_values_by_hand():
    # Section 3.2: 0.1 * 0.96 ** 10 at step 10.
    assert lrplot.evaluate("exponential", steps=11, decay_rate=0.96)[10] == pytest.approx(0.1 * 0.96**10, rel=1e-14)
    # Section 3.3: 0.1 * e ** (-0.05 * 20) at step 20.
    assert lrplot.evaluate("natural-exp", steps=21)[20] == pytest.approx(0.1 * math.exp(-1.0), rel=1e-14)
    # Section 2: warmup reaches the initial rate at warmup_steps.
    values = lrplot.evaluate("warmup", steps=30, warmup_steps=20)
    assert values[10] == pytest.approx(0.05) and values[20] == 0.1 and values[29] == 0.1
    # Section 3.4 with cycle: at 31 the period is 60, (1 - 31/60) * (0.1 - 0.01) + 0.01.
    cyc = lrplot.evaluate("polynomial", steps=40, decay_steps=30, end_lr=0.01, cycle=True)
    assert cyc[30] == pytest.approx(0.01) and cyc[31] == pytest.approx(0.09 * (1 - 31 / 60) + 0.01)


def test_piecewise_switches_at_the_boundary_step():
    values = lrplot.evaluate("piecewise", steps=12, boundaries=[5, 10], values=[3.0, 2.0, 1.0])
    assert values.tolist() == [3.0] * 5 + [2.0] * 5 + [1.0] * 2


def test_defaults_equal_to_steps_count_after_warmup():
    cosine = lrplot.curve("cosine", steps=1000, warmup_steps=100)
    assert cosine.params["decay_steps"] == 900
    values = cosine(list(range(1001)))
    assert values[1000] == 0.0 and values[999] > 0.0  # end_lr one past the last step drawn
    assert lrplot.curve("cosine-restarts", steps=103, warmup_steps=3).params["first_decay_steps"] == 25
    cyclic = lrplot.curve("cyclic", steps=53, warmup_steps=3, lr=0.5)
    assert cyclic.params["step_size_up"] == 5 and cyclic.params["step_size_down"] == 5 and cyclic.params["base_lr"] == 0.05
    wsd = lrplot.curve("wsd", steps=210, warmup_steps=10)
    assert wsd.params["decay_steps"] == 20
    assert wsd([210])[0] == 0.0 and wsd([209])[0] > 0
    assert lrplot.curve("polynomial", steps=5, warmup_steps=10).params["decay_steps"] == 1  # max(1, R)
    assert lrplot.curve("onecycle", steps=70, warmup_steps=20).params["total_steps"] == 50


def test_sequence_parts_start_at_their_own_step_zero():
    values = lrplot.evaluate(
        "sequence",
        steps=30,
        lr=0.2,
        parts=[{"schedule": "linear", "start_factor": 0.5, "end_factor": 1.0, "steps": 10}, {"schedule": "cosine", "decay_steps": 20}],
    )
    for t in range(30):
        expected = 0.2 * (0.5 + 0.5 * t / 10) if t < 10 else oracle_cosine(t - 10, 0.2, 20, 0.0)
        assert values[t] == pytest.approx(expected, rel=1e-12)


def test_public_call_takes_any_order_and_leaves_input_alone():
    bound = lrplot.curve("step", steps=100, step_size=10)
    steps = [95, 3, 40, 10, 9]
    values = bound(steps)
    assert steps == [95, 3, 40, 10, 9]
    assert values.tolist() == pytest.approx([0.1 * 0.1**9, 0.1, 0.1 * 0.1**4, 0.01, 0.1])


def test_inverse_sqrt_timescale_defaults_to_10000_with_or_without_warmup():
    # SPEC §2: timescale (10000); transformers' "= warmup steps" needs --timescale W.
    plain = lrplot.evaluate("inverse-sqrt", steps=5)
    assert plain.tolist() == pytest.approx([0.1 * math.sqrt(10000 / (t + 10000)) for t in range(5)], rel=1e-12)
    warm = lrplot.evaluate("inverse-sqrt", steps=15, warmup_steps=10)
    assert warm[10:].tolist() == pytest.approx([0.1 * math.sqrt(10000 / (t + 10000)) for t in range(5)], rel=1e-12)


def test_step_scale_counts_several_schedule_steps_per_update():
    # Megatron's sample clock: 8 samples per update, from sample 3. The warmup from 0.01 to
    # 0.1 over 20 samples, then a cosine over 100 samples from the end of the warmup.
    lr = lrplot.evaluate("cosine", steps=6, lr=0.1, decay_steps=100, warmup_steps=20, warmup_start_lr=0.01,
                         step_scale=8, step_offset=3)
    samples = [3 + 8 * t for t in range(6)]  # 3, 11, 19 in the warmup; 27, 35, 43 after it
    expected = [0.01 + 0.09 * s / 20 if s < 20 else 0.05 * (1 + math.cos(math.pi * (s - 20) / 100)) for s in samples]
    assert list(lr) == pytest.approx(expected, rel=1e-12)


def test_noise_is_timms_draw_on_the_schedules_own_steps():
    # timm's draws for seed 42 + step, printed by torch 2.13: torch.Generator().manual_seed(42 + t);
    # torch.randn(1).item() until |n| < 0.67 (written out here, not computed by lrplot).
    from_torch = {2: 0.058945026248693466, 3: 0.031175758689641953}
    lr = lrplot.evaluate("constant", steps=10, lr=0.1, noise_range=[2, 4], step_every=2)
    # step_every 2: updates 4, 5 are the schedule's step 2, updates 6, 7 step 3; step 4 is out of range.
    assert list(lr[:4]) == [0.1] * 4 and list(lr[8:]) == [0.1] * 2
    assert list(lr[4:8]) == pytest.approx([0.1 + 0.1 * from_torch[2]] * 2 + [0.1 + 0.1 * from_torch[3]] * 2, rel=1e-15)


def test_cosine_num_cycles_goes_back_up():
    # transformers' num_cycles 1 over 8 steps: (1 + cos(2 pi t / 8)) / 2, a full period, then held.
    lr = lrplot.evaluate("cosine", steps=10, lr=1.0, decay_steps=8, num_cycles=1)
    assert list(lr) == pytest.approx([1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.0,
                                      0.14644660940672627, 0.5, 0.8535533905932737, 1.0, 1.0], abs=1e-15)


def test_multiply_warmup_needs_a_finite_start_factor():
    # 0.001 / 5e-324 overflows: the factor the warmup multiplies by would be inf.
    with pytest.raises(lrplot.errors.ParamError, match="a finite multiple of lr when warmup_mode is multiply"):
        lrplot.curve("constant", lr=5e-324, warmup_steps=1, warmup_start_lr=0.001, warmup_mode="multiply")


def test_cosine_k_decay_bends_the_progress():
    # timm's k_decay 2 over 4 steps: 0.5 (1 + cos(pi t^2 / 16)): 1, (1 + cos(pi / 16)) / 2, ...
    lr = lrplot.evaluate("cosine", steps=5, lr=1.0, decay_steps=4, k_decay=2)
    assert list(lr) == pytest.approx([(1 + math.cos(math.pi * t * t / 16)) / 2 for t in range(5)], rel=1e-15)


def test_polynomial_k_decay_bends_the_progress():
    # timm's poly with k_decay 2 over 4 steps, power 1: 1 - t^2 / 16.
    lr = lrplot.evaluate("polynomial", steps=5, lr=1.0, decay_steps=4, end_lr=0.0, power=1.0, k_decay=2)
    assert list(lr) == pytest.approx([1 - t * t / 16 for t in range(5)], rel=1e-15)
