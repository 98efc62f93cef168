"""Composer / llm-foundry: the mapping against composer 0.32.1's own
schedulers stepped as its Trainer steps them
(tests/golden/frameworks/composer.json), and the YAML dialect against hand
calculations from composer/optim/scheduler.py (the real values for the
fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, composer
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "composer"
GOLDEN = json.loads((ROOT / "golden" / "frameworks" / "composer.json").read_text())
COVERED = 29  # every case


def _run(case: dict) -> composer.Run:
    ratio = case.get("scale_schedule_ratio", 1.0)
    return composer.Run(composer.scaled_duration(case["max_duration"], ratio), case.get("steps_per_epoch"), 1, ratio)


def test_mapping_equals_composer_at_every_update():
    reproduced, refused = 0, []
    for case in GOLDEN["cases"]:
        try:
            curve = composer.scheduler(case["scheduler"], case["args"], case["optimizer_lr"], _run(case))
        except Unsupported:
            refused.append(case)
            continue
        assert _run(case).batches == case["steps"]
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, Composer {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(GOLDEN['cases'])} reproduced"
    assert not refused, refused[0]["id"]


@pytest.mark.parametrize("raised", GOLDEN["raises"], ids=lambda r: r["scheduler"])
def test_what_composer_raises_on_is_refused(raised):
    run_ = composer.Run(composer.scaled_duration(raised["max_duration"], 1.0), None, 1)
    with pytest.raises(Unsupported, match="shorter than max_duration: Composer refuses it"):
        composer.scheduler(raised["scheduler"], raised["args"], 0.1, run_)


def lrs(*args: str, cwd: Path | None = None) -> list[float]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_mpt_cosine_lags_one_batch():
    # t_warmup 100ba, max_duration 4800ba, lr 6e-4, alpha_f 0.1: update t uses batch t - 1 (0 for t = 0).
    lr = lrs("--from", str(FIXTURES / "llmfoundry-mpt-125m-cosine-warmup-ba.yaml"))
    assert len(lr) == 4800
    assert lr[0] == 0.0 and lr[1] == 0.0
    assert lr[2] == pytest.approx(6e-4 / 100, rel=1e-12)
    assert lr[100] == pytest.approx(6e-4 * 99 / 100, rel=1e-12)
    assert lr[101] == pytest.approx(6e-4, rel=1e-12)
    assert lr[4799] == pytest.approx(6e-5 + 5.4e-4 * (1 + math.cos(math.pi * 4698 / 4700)) / 2, rel=1e-12)


def test_dolly_one_epoch_from_the_dataset_size():
    # 15000 samples over 8 devices, drop_last: floor(15000 / 8) = 1875 each, floor(1875 / (64 / 8)) = 234 batches.
    lr = lrs("--from", str(FIXTURES / "llmfoundry-7b-dolly-sft-linear-1ep.yaml"), "--dataset-size", "15000",
             "--world-size", "8")
    assert len(lr) == 234
    assert lr[0] == lr[1] == pytest.approx(1e-5, rel=1e-12)  # t_warmup 0ba: no warmup
    assert lr[117] == pytest.approx(1e-5 * (1 - 116 / 234), rel=1e-12)
    assert lr[233] == pytest.approx(1e-5 * (1 - 232 / 234), rel=1e-12)


def test_mosaicbert_samples_and_fraction_of_the_run():
    # 286720000sp / 4096 = 70000 batches; t_warmup 0.06dur = 17203200 samples = 4200 batches; alpha_f 0.02.
    lr = lrs("--from", str(FIXTURES / "mosaicbert-base-linear-warmup-dur-samples.yaml"))
    assert len(lr) == 70000
    assert lr[2101] == pytest.approx(5e-4 * 2100 / 4200, rel=1e-12)
    assert lr[4201] == pytest.approx(5e-4, rel=1e-12)
    assert lr[69999] == pytest.approx(5e-4 * (1 + (0.02 - 1) * 65798 / 65800), rel=1e-12)


def _yaml(tmp_path: Path, scheduler: str, rest: str = "max_duration: 100ba\nglobal_train_batch_size: 64") -> str:
    (tmp_path / "foundry.yaml").write_text(
        f"model:\n  name: mpt_causal_lm\nscheduler:\n{scheduler}\noptimizer:\n  name: decoupled_adamw\n  lr: 0.1\n{rest}\n"
    )
    return "foundry.yaml"


def test_multistep_milestones_count_from_batch_0(tmp_path):
    name = _yaml(tmp_path, "  name: multistep_with_warmup\n  t_warmup: 10ba\n  milestones: [5ba, 60ba]\n  gamma: 0.5")
    lr = lrs("--from", name, cwd=tmp_path)
    assert lr[6] == pytest.approx(0.1 * 5 / 10, rel=1e-12)  # the warmup rises to the full lr past a milestone
    assert lr[11] == pytest.approx(0.05, rel=1e-12)  # batch 10: one milestone passed
    assert lr[60] == pytest.approx(0.05, rel=1e-12) and lr[61] == pytest.approx(0.025, rel=1e-12)


def test_scale_schedule_ratio_shortens_the_run_but_not_the_warmup(tmp_path):
    name = _yaml(tmp_path, "  name: cosine_with_warmup\n  t_warmup: 10ba\n  alpha_f: 0.0",
                 "max_duration: 100ba\nglobal_train_batch_size: 64\nscale_schedule_ratio: 0.5")
    lr = lrs("--from", name, cwd=tmp_path)
    assert len(lr) == 50
    assert lr[11] == pytest.approx(0.1, rel=1e-12)
    assert lr[31] == pytest.approx(0.05, rel=1e-12)  # batch 30: half way from 10 to 50


def test_scale_warmup_rises_faster_then_holds(tmp_path):
    # ssr 0.5: the rise takes int(10 x 0.5) = 5 batches, the warmup still 10; update t uses batch t - 1.
    name = _yaml(tmp_path, "  name: cosine_with_warmup\n  t_warmup: 10ba\n  alpha_f: 0.0\n  scale_warmup: true",
                 "max_duration: 100ba\nglobal_train_batch_size: 64\nscale_schedule_ratio: 0.5")
    expected = [0.0, 0.0, 0.02, 0.04, 0.06, 0.08] + [0.1] * 6 + [0.05 * (1 + math.cos(math.pi * 1 / 40))]
    assert lrs("--from", name, cwd=tmp_path)[:13] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    printed = run("translate", name, cwd=tmp_path)
    assert printed.exit_code == 0, printed.stderr
    (tmp_path / "mine.yaml").write_text(printed.stdout)
    assert lrs("--config", "mine.yaml", cwd=tmp_path)[:13] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_a_milestone_at_batch_0_under_a_warmup(tmp_path):
    name = _yaml(tmp_path, "  name: multistep_with_warmup\n  t_warmup: 4ba\n  milestones: [0ba, 6ba]\n  gamma: 0.5")
    # The warmup rises to the full lr (batches 0-3), then 0.5 x lr from batch 4 and 0.25 x lr from batch 6.
    assert lrs("--from", name, cwd=tmp_path)[:9] == pytest.approx(
        [0.0, 0.0, 0.025, 0.05, 0.075, 0.05, 0.05, 0.025, 0.025], rel=1e-12, abs=1e-15)


def test_translate_names_the_source_keys():
    printed = run("translate", str(FIXTURES / "llmfoundry-mpt-125m-cosine-warmup-ba.yaml"))
    assert printed.exit_code == 0, printed.stderr
    assert "steps: 4800  # max_duration 4800ba" in printed.stdout
    assert "warmup_steps: 100  # scheduler.t_warmup" in printed.stdout


@pytest.mark.parametrize(
    ("scheduler", "rest", "expected"),
    [
        ("  name: inv_sqrt_with_warmup\n  t_warmup: 10ba", None, "scheduler inv_sqrt_with_warmup is not supported yet"),
        ("  name: cosine\n  t_warmup: 10ba", None, "scheduler.name 'cosine' is not one of"),
        ("  name: cosine_with_warmup\n  t_warmup: 100", None, "t_warmup: got 100, expected a Composer time string"),
        ("  name: cosine_with_warmup\n  t_warmup: 10tok", None, "t_warmup in tok is not supported yet"),
        ("  name: cosine_with_warmup\n  t_warmup: 1.5ba", None, "'1.5ba': Composer needs a whole number of ba"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba\n  t_max: 80ba", None, "t_max 80ba is shorter than max_duration"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba\n  alpha_i: 0.5", None,
         "CosineAnnealingWithWarmupScheduler has no argument alpha_i"),
        ("  name: cosine_with_warmup\n  t_warmup: 1ba\n  scale_warmup: true", "max_duration: 100ba\nscale_schedule_ratio: 0.5",
         "rises over 0 batches: Composer divides by it"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba", "max_duration: 6400sp\nglobal_train_batch_size: 64",
         "t_warmup in ba and t_max in sp: Composer requires the same units"),
        ("  name: cosine_with_warmup\n  t_warmup: 0.1dur", "max_duration: 1000sp\nglobal_train_batch_size: 64",
         "not a whole number of batches of 64"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba", "max_duration: 2ep\nglobal_train_batch_size: 64",
         "give --dataset-size (the training samples)"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba", "max_duration: 10 hours", "is not a Composer time string"),
        ("  name: cosine_with_warmup\n  t_warmup: 10ba", "max_duration: 100ba\nglobal_train_batch_size: 60",
         "global_train_batch_size 60 is not divisible by --world-size 8"),
    ],
)
def test_refusals_are_one_line(tmp_path, scheduler, rest, expected):
    name = _yaml(tmp_path, scheduler, *([rest] if rest is not None else []))
    assert_usage_error(run("-o", "-", "--from", name, "--world-size", "8", cwd=tmp_path), expected)


def test_batch_size_facts(tmp_path):
    name = _yaml(tmp_path, "  name: constant_with_warmup\n  t_warmup: 1ep", "max_duration: 2ep\nglobal_train_batch_size: 64")
    assert_usage_error(run("-o", "-", "--from", name, "--dataset-size", "1000", "--world-size", "8", "--batch-size", "4",
                           cwd=tmp_path), "--batch-size 4 contradicts global_train_batch_size 64")
    # No drop_last: ceil(1000 / 8) = 125 samples a device, ceil(125 / 8) = 16 batches an epoch.
    lr = lrs("--from", name, "--dataset-size", "1000", "--world-size", "8", cwd=tmp_path)
    assert len(lr) == 32
    assert lr[17] == pytest.approx(0.1, rel=1e-12) and lr[16] == pytest.approx(0.1 * 15 / 16, rel=1e-12)
    (tmp_path / "nobatch.yaml").write_text(
        "scheduler:\n  name: cosine_with_warmup\n  t_warmup: 1ep\noptimizer:\n  lr: 0.1\nmax_duration: 1ep\n")
    assert_usage_error(run("-o", "-", "--from", "nobatch.yaml", "--dataset-size", "100", cwd=tmp_path),
                       "give --batch-size (per device)")
