"""torchtitan: the mapping against torchtitan 0.3.0's own factors
(tests/golden/frameworks/torchtitan.json), and the TOML dialect against hand
calculations from torchtitan's linear_warmup_stable_decay (the real values
for the fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, torchtitan
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "torchtitan"
CASES = json.loads((ROOT / "golden" / "frameworks" / "torchtitan.json").read_text())["cases"]
# Cases drawn within the schedule (at most total_steps + 1 updates) are all reproduced.
COVERED = 116


def _mapped(case: dict):
    return torchtitan.lr_scheduler(case["args"], case["optimizer_lr"], case["training_steps"], updates=case["steps"])


def test_mapping_equals_torchtitan_at_every_update():
    reproduced, refused = 0, []
    for case in CASES:
        try:
            curve = _mapped(case)
        except Unsupported:
            refused.append(case)
            continue
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, torchtitan {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(CASES)} reproduced"
    # Only runs drawn past the schedule's end are refused: there torchtitan's
    # factor leaves [min_lr_factor, 1] (negative for linear decay).
    assert all(case["steps"] > case["training_steps"] + 1 for case in refused)


def test_mapping_resolves_the_phases_as_torchtitan_does():
    for case in CASES:
        total, warmup, decay = torchtitan.resolve(case["args"], case["training_steps"])
        resolved = case["resolved"]
        assert (warmup, decay) == (resolved["warmup_steps"], resolved["decay_steps"]), case["id"]
        assert total + 1 - warmup - decay == resolved["stable_steps"], case["id"]


def lrs(*args: str, cwd: Path | None = None) -> list[float]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_debug_model_warmup_virtual_step_then_linear_decay():
    # steps 10, warmup 2, decay_ratio 0.8 -> decay 8, stable 10 + 1 - 2 - 8 = 1; lr 8e-4.
    lr = lrs("--from", str(FIXTURES / "llama3-debug_model-linear-decay.toml"))
    factors = [1 / 2, 1, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8]
    assert lr == pytest.approx([8e-4 * f for f in factors], rel=1e-12)


def test_deepseek_cosine_decay_to_min_lr_factor():
    # steps 1000, warmup 200, decay 800, stable 1, min_lr_factor 0.1, lr 2.2e-4.
    lr = lrs("--from", str(FIXTURES / "deepseek_v3_16b-wsd-cosine.toml"))
    assert len(lr) == 1000
    peak = 2.2e-4

    def decayed(progress: float) -> float:
        return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    assert lr[0] == pytest.approx(peak / 200, rel=1e-12)
    assert lr[99] == pytest.approx(peak * 100 / 200, rel=1e-12)
    assert lr[199] == pytest.approx(peak, rel=1e-12) and lr[200] == pytest.approx(peak, rel=1e-12)
    assert lr[201] == pytest.approx(decayed(1 / 800), rel=1e-12)
    assert lr[600] == pytest.approx(peak * 0.55, rel=1e-12)
    assert lr[999] == pytest.approx(decayed(799 / 800), rel=1e-12)
    assert lr[999] > peak * 0.1


def test_legacy_training_warmup_is_the_2024_schedule():
    # [training] warmup_steps 200, steps 1000, lr 3e-4: (t + 1) / 201, then 1 - (t - 200) / 800.
    lr = lrs("--from", str(FIXTURES / "llama3_8b-legacy-training-warmup.toml"))
    assert lr[0] == pytest.approx(3e-4 / 201, rel=1e-12)
    assert lr[199] == pytest.approx(3e-4 * 200 / 201, rel=1e-12)
    assert lr[200] == pytest.approx(3e-4, rel=1e-12)
    assert lr[600] == pytest.approx(3e-4 * (1 - 400 / 800), rel=1e-12)
    assert lr[999] == pytest.approx(3e-4 / 800, rel=1e-12)


def _toml(tmp_path: Path, scheduler: str, training: str = "steps = 25", optimizer: str = "lr = 0.1") -> str:
    (tmp_path / "job.toml").write_text(
        f'[job]\ndump_folder = "./outputs"\n\n[optimizer]\nname = "AdamW"\n{optimizer}\n\n'
        f"[lr_scheduler]\n{scheduler}\n\n[training]\n{training}\n"
    )
    return "job.toml"


@pytest.mark.parametrize(
    ("ratio", "decay"),
    [("0.5", 12), ("0.3", 8)],  # round(12.5) = 12 and round(7.5) = 8: half to even
)
def test_decay_ratio_is_rounded_half_to_even(tmp_path, ratio, decay):
    name = _toml(tmp_path, f'warmup_steps = 10\ndecay_ratio = {ratio}\ndecay_type = "linear"')
    lr = lrs("--from", name, cwd=tmp_path)
    start = 25 - decay  # the last stable update: its factor is 1, the next one's 1 - 1 / decay
    assert lr[start] == pytest.approx(0.1, rel=1e-12)
    assert lr[start + 1] == pytest.approx(0.1 * (1 - 1 / decay), rel=1e-12)
    assert lr[24] == pytest.approx(0.1 * (1 - (decay - 1) / decay), rel=1e-12)


def test_warmup_longer_than_the_run_is_cut_to_it(tmp_path):
    name = _toml(tmp_path, "warmup_steps = 30", training="steps = 20")
    lr = lrs("--from", name, cwd=tmp_path)
    assert lr == pytest.approx([0.1 * (t + 1) / 20 for t in range(20)], rel=1e-12)


def test_sqrt_decay_and_lr_min_of_torchtitan_0_1(tmp_path):
    # 0.1's lr_min is today's min_lr_factor: 20 steps, no warmup, decay 20, stable 1.
    name = _toml(tmp_path, 'warmup_steps = 0\ndecay_type = "sqrt"\nlr_min = 0.2', training="steps = 20")
    lr = lrs("--from", name, cwd=tmp_path)
    expected = [0.1] + [0.1 * (0.2 + 0.8 * (1 - math.sqrt(t / 20))) for t in range(1, 20)]
    assert lr == pytest.approx(expected, rel=1e-12)


def test_translate_names_the_source_keys():
    printed = run("translate", str(FIXTURES / "deepseek_v3_16b-wsd-cosine.toml"))
    assert printed.exit_code == 0, printed.stderr
    assert "schedule: wsd" in printed.stdout
    assert "decay_steps: 800  # round([training] steps × decay_ratio 0.8) = 800" in printed.stdout
    assert "# [lr_scheduler] min_lr_factor × lr" in printed.stdout


def test_strict_refuses_a_warmup_the_lr_scheduler_table_overrides(tmp_path):
    name = _toml(tmp_path, "warmup_steps = 2", training="steps = 25\nwarmup_steps = 5")
    assert run("-o", "-", "--from", name, cwd=tmp_path).exit_code == 0
    assert_usage_error(
        run("-o", "-", "--strict", "--from", name, cwd=tmp_path),
        "[training] warmup_steps looks schedule-related but lrplot does not use it",
    )


@pytest.mark.parametrize(
    ("scheduler", "training", "expected"),
    [
        ('decay_type = "exponential"', "steps = 25", "[lr_scheduler] decay_type 'exponential' is not one of linear, sqrt, cosine"),
        ('warmup_steps = "ten"', "steps = 25", "[lr_scheduler] warmup_steps: got 'ten', expected a number"),
        ("warmup_steps = true", "steps = 25", "[lr_scheduler] warmup_steps: got True, expected a number"),
        ("decay_ratio = 1.5", "steps = 25", "decay_ratio 1.5 is not a fraction in [0, 1]"),
        ("total_steps = 50", "steps = 25", "total_steps 50 differs from [training] steps 25"),
        ("warmup_start_factor = 0.1", "steps = 25", "[lr_scheduler] warmup_start_factor is not supported yet"),
        ("lr_min = 0.1\nmin_lr_factor = 0.1", "steps = 25", "both min_lr_factor and lr_min are set"),
        ("warmup_steps = 2", "steps = 0", "[training] steps: got 0, expected a whole number of steps >= 1"),
        ("warmup_steps = 2", 'steps = "1000"', "[training] steps: got '1000'"),
    ],
)
def test_refusals_are_one_line(tmp_path, scheduler, training, expected):
    name = _toml(tmp_path, scheduler, training)
    assert_usage_error(run("-o", "-", "--from", name, cwd=tmp_path), expected)


def test_other_refusals_are_one_line(tmp_path):
    (tmp_path / "a.toml").write_text('[optimizer]\nlr = 0.1\n\n[training]\nsteps = 10\n')
    assert_usage_error(run("-o", "-", "--from", "a.toml", cwd=tmp_path), "no [lr_scheduler] table and no [training] warmup_steps")
    (tmp_path / "b.toml").write_text('lr_scheduler = 3\n[optimizer]\nlr = 0.1\n[training]\nsteps = 10\n')
    assert_usage_error(run("-o", "-", "--from", "b.toml", "--dialect", "torchtitan", cwd=tmp_path),
                       "lr_scheduler must be a TOML table")
    (tmp_path / "c.toml").write_text('[training]\nsteps = = 10\n[lr_scheduler]\n')
    assert_usage_error(run("-o", "-", "--from", "c.toml", cwd=tmp_path), "invalid TOML")
    (tmp_path / "d.toml").write_text('[optimizer]\nlr = "fast"\n[lr_scheduler]\n[training]\nsteps = 10\n')
    assert_usage_error(run("-o", "-", "--from", "d.toml", cwd=tmp_path), "[optimizer] lr: got 'fast', expected a number")


def test_a_pyproject_is_not_a_torchtitan_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ruff]\nline-length = 120\n')
    assert_usage_error(run("-o", "-", "--from", "pyproject.toml", cwd=tmp_path), "not a training configuration")
