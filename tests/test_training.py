"""From plan to training run (issue 7): units, lint, statistics, overlays."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import lrplot
from lrplot import stats
from lrplot.plan import CurveRequest, Plan, make_curves
from tests.helpers import assert_usage_error, read_csv, run

# ------------------------------------------------------------------ units


def test_epochs_anywhere_on_the_line_resolve_after_parsing():
    # --steps-per-epoch comes after --steps 9ep: units resolve once all is parsed.
    result = run("--steps", "9ep", "--steps-per-epoch", "10", "-o", "-", "multistep", "--milestones", "3ep,6ep", "--warmup-steps", "1ep")
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    assert len(rows) == 90
    values = [r[1] for r in rows]
    # Milestones count after the 10-step warmup: decays at absolute 40 and 70.
    assert values[39] == 0.1 and values[40] == pytest.approx(0.01) and values[70] == pytest.approx(0.001)


def test_fractional_epochs_round_to_whole_steps():
    bound = lrplot.curve("cosine", steps=100, decay_steps="2.5ep", steps_per_epoch=3)
    assert bound.params["decay_steps"] == 8  # round(7.5) == 8 (banker's rounding to even)


def test_a_step_size_in_epochs_keeps_its_fraction():
    # timm's --decay-epochs 2.4 stepped per update (4 per epoch): decay every 9.6 updates,
    # at updates 10, 20, 29, 39 (t // 9.6 as Python counts it).
    bound = lrplot.curve("step", steps=40, step_size="2.4ep", steps_per_epoch=4, gamma=0.5)
    assert bound.params["step_size"] == pytest.approx(9.6)
    values = bound(range(40))
    changes = [t for t in range(1, 40) if values[t] != values[t - 1]]
    assert changes == [10, 20, 29, 39]


def test_steps_per_epoch_derived_from_dataset():
    # 1,281,167 ImageNet images, 32 per device x 8 devices x 2 accumulation:
    # ceil(1281167 / 8) = 160146 per device, ceil(/32) = 5005 batches, // 2 = 2502 steps.
    result = run("--dataset-size", "1281167", "--batch-size", "32", "--world-size", "8", "--grad-accum", "2",
                 "--steps", "2ep", "-o", "-", "step", "--step-size", "1ep")
    _, rows = read_csv(result.stdout)
    assert len(rows) == 2 * 2502
    assert rows[2501][1] == 0.1 and rows[2502][1] == pytest.approx(0.01)


def test_epoch_axis_has_steps_on_top(tmp_path):
    from lrplot import plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    plan = Plan(steps=50, curves=make_curves([CurveRequest("cosine", {})], 50), steps_per_epoch=10)
    axes = plotting.draw(plan).axes[0]
    assert axes.get_xlabel() == "epoch"
    assert any(child.get_xlabel() == "step" for child in axes.child_axes)


@pytest.mark.parametrize(
    "args,expected",
    [
        (["multistep", "--milestones", "3ep"], "--milestones: got 3ep, expected a list of integers >= 1; 'ep' needs --steps-per-epoch"),
        (["--steps", "5ep", "constant"], "--steps: got 5ep"),
        (["--dataset-size", "100", "constant"], "--dataset-size and --batch-size go together"),
        (["--dataset-size", "100", "--batch-size", "10", "--steps-per-epoch", "3", "constant"], "not both"),
        (["--steps-per-epoch", "10", "step", "--step-size", "0ep"], "--step-size: got 0ep"),
    ],
)
def test_unit_errors(args, expected):
    result = run(*args)
    assert_usage_error(result, expected)


# ------------------------------------------------------------------ lint


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--steps", "100", "multistep", "--milestones", "50,100"], "milestones [100] at or beyond the run's last step"),
        (["--steps", "100", "piecewise", "--boundaries", "95", "--values", "1,0.1", "--warmup-steps", "10"], "boundaries [95]"),
        (["--steps", "100", "step", "--step-size", "100"], "the rate never decays"),
        (["--steps", "10", "cosine", "--warmup-steps", "10"], "warmup_steps = 10 is not shorter than the run"),
        (["cosine", "--warmup-steps", "5"], "the learning rate is 0 at step 0"),
        (["--steps", "100", "onecycle", "--total-steps", "60"], "torch's OneCycleLR raises"),
        (["--steps", "100", "cosine", "--decay-steps", "30"], "the decay ends at step 30"),
        (["polynomial", "--end-lr", "0.5"], "end_lr = 0.5 is above lr = 0.1"),
        (["--steps", "3", "onecycle"], "pct_start * total_steps = 0.9 < 1: the rise has no step"),
    ],
)
def test_lint_warnings(tmp_path, args, expected):
    result = run("-o", str(tmp_path / "x.csv"), *args)
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert warnings and all(line.startswith("warning: curve 1 (") for line in warnings)
    assert any(expected in line for line in warnings), warnings
    assert (tmp_path / "x.csv").exists()


def test_clean_schedules_have_no_warnings():
    result = run("--steps", "100", "-o", "-", "cosine", "step", "multistep", "--milestones", "30,60", "cosine", "--warmup-steps", "10", "--warmup-start-lr", "0.001")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_strict_turns_warnings_into_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "x.png"
    result = run("--strict", "-o", str(out), "--steps", "100", "step", "--step-size", "200")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: ") and lines[-1] == "lrplot: error: --strict: 1 warning(s) above"
    assert not out.exists()


# ------------------------------------------------------------------ stats


def test_stats_table_hand_checked():
    result = run("--steps", "4", "--stats", "step", "--step-size", "2", "--gamma", "0.5", "--lr", "1", "--label", "halving", "constant", "--lr", "1", "--label", "flat")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["curve", "first", "last", "min", "max", "area", "(sum)", "<10%", "peak", "at", "max", "|diff|", "max", "rel", "diff", "differs", "from"]
    step_row = lines[1].split()
    # values 1, 1, 0.5, 0.5: first 1, last 0.5, min 0.5, max 1, area 3, never below 0.1
    assert step_row[1:] == ["1", "0.5", "0.5", "1", "3", "-", "-", "-", "-"]
    constant_row = lines[2].split()
    # |1 - 0.5| = 0.5 at steps 2 and 3; relative to the first curve 0.5 / 0.5 = 1; first differs at 2
    assert constant_row[-3:] == ["0.5", "1", "2"]


def test_stats_first_step_below_ten_percent():
    plan = Plan(steps=100, curves=make_curves([CurveRequest("exponential", {"decay_rate": 0.9})], 100))
    (row,) = stats.compute(plan)
    # 0.9**t < 0.1 first at t = ceil(ln 0.1 / ln 0.9) = 22
    assert row["below_10pct"] == math.ceil(math.log(0.1) / math.log(0.9)) == 22
    assert row["area"] == pytest.approx(0.1 * (1 - 0.9**100) / (1 - 0.9), rel=1e-12)


def test_stats_below_ten_percent_counts_from_the_peak_not_the_warmup():
    plan = Plan(steps=100, curves=make_curves([CurveRequest("exponential", {"decay_rate": 0.9, "warmup_steps": 10})], 100))
    (row,) = stats.compute(plan)
    assert row["peak_at"] == 10
    assert row["below_10pct"] == 10 + 22


def test_stats_alone_writes_no_figure(tmp_path):
    result = run("--stats", "cosine", cwd=tmp_path)
    assert result.exit_code == 0
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ overlay

LIGHTNING = """epoch,lr-SGD,step,train_loss
,0.1,0,
0,,0,2.3
,0.1,1,
,0.05,2,
,0.05,3,
,0.025,4,
"""
TENSORBOARD = """Wall time,Step,Value
1700000000.0,0,0.1
1700000001.0,1,0.1
1700000002.0,2,0.05
1700000003.0,3,0.05
1700000004.0,4,0.03
"""
WANDB = """Step,run-1 - lr,run-1 - lr__MIN,run-1 - lr__MAX,run-1 - loss
0,0.1,0.1,0.1,2.0
1,0.1,0.1,0.1,1.9
2,0.05,0.05,0.05,1.8
"""


@pytest.mark.parametrize(
    "name,text,column,expected",
    [
        ("lightning.csv", LIGHTNING, None, "5 logged steps; largest relative difference to 'step' 0 at step 0; within 1 % everywhere"),
        ("tb.csv", TENSORBOARD, None, "first diverges by more than 1 % at step 4 (logged 0.03, planned 0.025)"),
        ("wandb.csv", WANDB, None, "3 logged steps"),
        ("tb.csv", TENSORBOARD, "Value", "5 logged steps"),
    ],
)
def test_overlay_formats(tmp_path, name, text, column, expected):
    log = tmp_path / name
    log.write_text(text)
    spec = str(log) + (f":{column}" if column else "")
    out = tmp_path / "o.png"
    result = run("--steps", "6", "--overlay", spec, "-o", str(out), "step", "--step-size", "2", "--gamma", "0.5")
    assert result.exit_code == 0, result.stderr
    assert expected in result.stderr
    assert out.exists()


def test_overlay_is_drawn_over_the_plan(tmp_path):
    from lrplot import overlay, plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    log = tmp_path / "tb.csv"
    log.write_text(TENSORBOARD)
    item = overlay.load(str(log))
    plan = Plan(steps=6, curves=make_curves([CurveRequest("constant", {})], 6), overlays=(item,))
    axes = plotting.draw(plan).axes[0]
    assert len(axes.lines) == 2
    assert list(axes.lines[1].get_ydata()) == [0.1, 0.1, 0.05, 0.05, 0.03]
    assert axes.lines[1].get_label() == "logged: tb.csv:Value"


@pytest.mark.parametrize(
    "text,spec_suffix,expected",
    [
        (TENSORBOARD, ":nope", "no column 'nope'"),
        ("a,b\n1,2\n", "", "no step column"),
        ("step,loss\n1,2\n", "", "no learning-rate column found"),
        ("step,lr\nx,0.1\n", "", "is not numeric"),
        ("step,lr\n", "", "expected a header and at least one row"),
    ],
)
def test_overlay_errors(tmp_path, text, spec_suffix, expected):
    log = tmp_path / "log.csv"
    log.write_text(text)
    out = tmp_path / "o.png"
    result = run("--overlay", str(log) + spec_suffix, "-o", str(out), "constant")
    assert_usage_error(result, expected)
    assert not out.exists()


def test_overlay_missing_file():
    result = run("--overlay", "does-not-exist.csv", "-o", "-", "constant")
    assert result.exit_code == 2
    assert "file 'does-not-exist.csv' does not exist" in result.stderr


@pytest.mark.parametrize(
    ("trainer", "expected"),
    [
        # 1010 examples on 1 device, batches of 25: ceil(1010 / 25) = 41 batches, 4 per step.
        ("torch", 10),  # 41 // 4: the last partial accumulation is dropped
        ("hf", 11),  # ceil(41 / 4): transformers' Trainer steps on it
        ("lightning", 11),
        ("timm", 10),  # floor(1010 / 25) = 40 batches (drop_last), ceil(40 / 4)
    ],
)
def test_trainer_counts_steps_per_epoch_its_way(trainer, expected):
    result = run("--dataset-size", "1010", "--batch-size", "25", "--grad-accum", "4", "--trainer", trainer,
                 "--steps", "1ep", "-o", "-", "constant")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) - 1 == expected


def test_trainer_is_for_the_generic_rule_only():
    fixture = Path(__file__).parent / "fixtures" / "configs" / "deepspeed" / "qanet-warmuplr.json"
    assert_usage_error(run("--from", str(fixture), "--trainer", "hf", "-o", "-"),
                       "--trainer counts --dataset-size without --from")
