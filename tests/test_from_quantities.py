"""``--from`` reading momentum, weight decay and parameter groups: what a
framework leaves alone adds no column, and what lrplot cannot hold exact is
a one-line error (exit 2) that names it. Values against the frameworks are in
tests/test_quantities.py (tests/golden/quantities) and tests/test_from_golden.py."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run


def _deepspeed(tmp_path, optimizer: dict | None, **params):
    config = {"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {
        "cycle_min_lr": 0.001, "cycle_max_lr": 0.01, "cycle_first_step_size": 10, **params}}}
    if optimizer is not None:
        config["optimizer"] = optimizer
    path = tmp_path / "ds_config.json"
    path.write_text(json.dumps(config))
    return path


def _header(path, *extra):
    result = run("--steps", "30", "-o", "-", "--from", str(path), *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[0]


def test_deepspeed_onecycle_without_a_named_optimizer_draws_no_momentum(tmp_path):
    # The script's own optimizer may have no betas: DeepSpeed would then cycle nothing.
    assert _header(_deepspeed(tmp_path, None)) == "step,ds_config.json"


def test_deepspeed_onecycle_with_adam_adds_a_momentum_column(tmp_path):
    path = _deepspeed(tmp_path, {"type": "AdamW", "params": {"lr": 0.001}})
    assert _header(path) == "step,ds_config.json,ds_config.json:momentum"


@pytest.mark.parametrize(
    ("optimizer", "params", "expected"),
    [
        ({"type": "Adam"}, {"cycle_min_mom": [0.8, 0.85]}, "OneCycle with a cycle_min_mom per parameter group is not supported yet"),
        ({"type": "Adam"}, {"cycle_momentum": "yes"}, "OneCycle cycle_momentum: got 'yes', expected true or false"),
        ({"type": "Adam"}, {"cycle_max_mom": 0}, "OneCycle momentum from 0.8 to 0.0 is not supported yet"),
        ({"type": "Adam"}, {"cycle_min_mom": "high"}, "cycle_min_mom: got 'high', expected a number"),
        ({"type": "Adam"}, {"decay_mom_rate": -1, "decay_step_size": 5},
         "OneCycle with decay_mom_rate -1.0 and decay_step_size 5.0 is not supported yet"),
        ({"type": "FancyOpt"}, {}, "OneCycle momentum with optimizer 'FancyOpt' is not supported yet"),
    ],
)
def test_deepspeed_momentum_that_lrplot_cannot_hold_is_one_line(tmp_path, optimizer, params, expected):
    path = _deepspeed(tmp_path, optimizer, **params)
    out = tmp_path / "x.csv"
    result = run("--steps", "30", "-o", str(out), "--from", str(path))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"lrplot: error: --from {path}: scheduler OneCycle: "), result.stderr
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not out.exists()


MM_HEAD = "train_cfg = dict(type='IterBasedTrainLoop', max_iters=20)\n"


def _mm(tmp_path, optimizer: str, schedulers: str, wrapper: str = "", model: str = ""):
    path = tmp_path / "config.py"
    path.write_text(f"optim_wrapper = dict(optimizer=dict({optimizer}){wrapper})\n{MM_HEAD}"
                    f"param_scheduler = [{schedulers}]\n{model}")
    return path


def test_mmengine_momentum_held_adds_no_column_and_scheduled_adds_one(tmp_path):
    held = _mm(tmp_path, "type='SGD', lr=0.1, momentum=0.9",
               "dict(type='ConstantMomentum', factor=1.0, by_epoch=False)")
    assert _header(held) == "step,config.py"
    cosine = _mm(tmp_path, "type='SGD', lr=0.1, momentum=0.9",
                 "dict(type='CosineAnnealingMomentum', T_max=10, eta_min=0.8, by_epoch=False, end=10)")
    assert _header(cosine) == "step,config.py,config.py:momentum"


def test_mmengine_layer_decay_stage_wise_convnext_by_hand(tmp_path):
    # mmseg's LearningRateDecayOptimizerConstructor, ConvNeXt stage_wise, num_layers 6: L = 8 and
    # layer id i (0 embeddings, stage + 1, L - 1 = 7 the rest) gets 0.9 ** (L - i - 1).
    path = _mm(tmp_path, "type='AdamW', lr=1e-4", "",
               ", constructor='LearningRateDecayOptimizerConstructor', "
               "paramwise_cfg=dict(decay_rate=0.9, decay_type='stage_wise', num_layers=6)",
               "model = dict(backbone=dict(type='mmpretrain.ConvNeXt', arch='base'))\n")
    result = run("--steps", "3", "-o", str(tmp_path / "x.json"), "--from", str(path))
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads((tmp_path / "x.json").read_text())["curves"]
    assert list(curve["groups"]) == ["layer_0", "layer_1", "layer_2", "layer_3", "layer_4", "layer_7"]
    for name, exponent in zip(curve["groups"], (7, 6, 5, 4, 3, 0)):
        assert curve["groups"][name] == [1e-4 * 0.9**exponent] * 3, name


def test_mmengine_custom_keys_give_groups_and_bias_its_own(tmp_path):
    path = _mm(tmp_path, "type='SGD', lr=0.1", "dict(type='MultiStepLR', milestones=[10], by_epoch=False)",
               ", paramwise_cfg=dict(bias_lr_mult=2.0, custom_keys={'backbone': dict(lr_mult=0.1), "
               "'norm': dict(decay_mult=0.0)})")
    result = run("--steps", "20", "-o", str(tmp_path / "x.json"), "--from", str(path))
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads((tmp_path / "x.json").read_text())["curves"]
    assert list(curve["groups"]) == ["backbone", "bias", "others"]
    assert curve["groups"]["backbone"][:11:10] == [0.1 * 0.1, 0.1 * 0.1 * 0.1]
    assert curve["groups"]["bias"][0] == 0.2 and curve["groups"]["others"] == curve["lr"]


@pytest.mark.parametrize(
    ("optimizer", "schedulers", "wrapper", "model", "expected"),
    [
        ("type='SGD', lr=0.1", "dict(type='CosineAnnealingLR', T_max=20, eta_min=0.001, by_epoch=False)",
         ", paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)})", "",
         "parameter groups with param_scheduler[0] CosineAnnealingLR eta_min 0.001 are not supported yet"),
        ("type='SGD', lr=0.1", "dict(type='OneCycleLR', eta_max=0.1, total_steps=20, by_epoch=False)",
         ", paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0)})", "",
         "parameter groups with param_scheduler[0] OneCycleLR are not supported yet"),
        ("type='SGD', lr=0.1", "", ", paramwise_cfg=dict(custom_keys={'head': dict(lr_mult='ten')})", "",
         "optim_wrapper.paramwise_cfg.custom_keys.head.lr_mult: got 'ten', expected a number"),
        ("type='SGD', lr=0.1", "", ", constructor='LearningRateDecayOptimWrapperConstructor', "
         "paramwise_cfg=dict(layer_decay_rate=0.65)", "",
         "optim_wrapper.constructor LearningRateDecayOptimWrapperConstructor is not supported yet"),
        ("type='AdamW', lr=0.1", "", ", constructor='LearningRateDecayOptimizerConstructor', "
         "paramwise_cfg=dict(decay_rate=0.9, num_layers=12)", "model = dict(backbone=dict(type='ResNet'))\n",
         "with backbone ResNet and decay_type 'layer_wise' is not supported yet"),
        ("type='Adagrad', lr=0.1", "dict(type='LinearMomentum', start_factor=0.5, by_epoch=False, end=5)", "", "",
         "a momentum scheduler with optimizer Adagrad: MMEngine refuses it"),
        ("type='Adam', lr=0.1", "dict(type='LinearParamScheduler', param_name='momentum', start_factor=0.5, "
         "by_epoch=False, end=5)", "", "",
         "a ParamScheduler on momentum with optimizer Adam (betas) is not supported yet"),
        ("type='SGD', lr=0.1", "dict(type='LinearParamScheduler', param_name='eps', by_epoch=False, end=5)", "", "",
         "param_scheduler[0] LinearParamScheduler with param_name 'eps' is not supported yet"),
        ("type='SGD', lr=0.1, momentum=0.9", "dict(type='OneCycleParamScheduler', param_name='momentum', "
         "eta_max=0.95, by_epoch=False)", "", "", "MMEngine asserts OneCycle only works for the lr"),
        ("type='Lion', lr=0.1", "dict(type='CosineAnnealingParamScheduler', param_name='weight_decay', "
         "by_epoch=False)", "", "", "a weight-decay scheduler with optimizer Lion and no weight_decay"),
    ],
)
def test_mmengine_what_lrplot_cannot_hold_is_one_line(tmp_path, optimizer, schedulers, wrapper, model, expected):
    path = _mm(tmp_path, optimizer, schedulers, wrapper, model)
    out = tmp_path / "x.png"
    result = run("-o", str(out), "--from", str(path))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"lrplot: error: --from {path}: "), result.stderr
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"model": "resnet50"}, "layer_decay with model 'resnet50' is not supported yet"),
        ({"layer_decay_no_opt_scale": 0.01}, "layer_decay_no_opt_scale is not supported yet"),
        ({"layer_decay": "steep"}, "layer_decay: got 'steep', expected a number"),
        ({"layer_decay": 0}, "layer_decay: got 0.0, expected a number > 0"),
    ],
)
def test_timm_layer_decay_that_lrplot_cannot_hold_is_one_line(tmp_path, extra, expected):
    args = {"model": "vit_base_patch16_224", "sched": "cosine", "epochs": 3, "lr": 0.001, "layer_decay": 0.65,
            "batch_size": 8, **extra}
    path = tmp_path / "args.yaml"
    path.write_text(json.dumps(args))
    result = run("-o", "-", "--dialect", "timm", "--from", str(path), "--dataset-size", "80")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"lrplot: error: --from {path}: "), result.stderr
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_from_with_momentum_and_groups_writes_figure_and_data_at_once(tmp_path):
    # As users run it: a real process, a figure, the CSV and the JSON together.
    from pathlib import Path

    from tests.helpers import lrplot_process, read_csv

    fixtures = Path(__file__).parent / "fixtures" / "configs" / "mmengine"
    cyclic = fixtures / "mmdetection3d" / "configs" / "_base_" / "schedules" / "cyclic-40e.py"
    targets = [tmp_path / name for name in ("x.png", "x.csv", "x.json")]
    outputs = [part for target in targets for part in ("-o", str(target))]
    result = lrplot_process("--from", str(cyclic), "--dataset-size", "3712", "--batch-size", "6", "--world-size", "8",
                            *outputs, "cosine", "--label", "mine", "--layer-decay", "rate=0.5 layers=2")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(targets[1].read_text())
    assert header == ["step", "cyclic-40e.py", "mine", "cyclic-40e.py:momentum",
                      "mine:layer_0", "mine:layer_1", "mine:layer_2"]
    assert len(rows) == 3120 and rows[0][3] == 0.95  # AdamW's betas[0] before the first step
    curves = json.loads(targets[2].read_text())["curves"]
    assert [sorted(set(curve) & {"momentum", "groups"}) for curve in curves] == [["momentum"], ["groups"]]
    assert targets[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
