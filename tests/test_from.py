"""``--from FILE`` and ``lrplot translate``: other frameworks' configs, drawn as
their trainers run them. Expected values here are hand calculations from the
framework's documented formula; tests/test_from_golden.py holds the values
the real frameworks computed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.helpers import assert_usage_error, lrplot_process, read_csv, run

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
HF = FIXTURES / "hf"


def curve(*args: str) -> tuple[list[str], list[float]]:
    result = run("-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    return header, [row[1] for row in rows]


def test_hf_cosine_by_epochs_counts_the_last_partial_accumulation():
    # zephyr: batch 32 per device, accumulation 2, 1 epoch, cosine, no warmup.
    # 10,000 examples on 8 devices: ceil(10000 / 256) = 40 batches per device,
    # ceil(40 / 2) = 20 updates: the Trainer's count.
    header, values = curve("--from", str(HF / "zephyr-7b-sft-full-cosine.yaml"), "--dataset-size", "10000",
                           "--world-size", "8")
    assert header == ["step", "zephyr-7b-sft-full-cosine.yaml"]
    assert len(values) == 20
    expected = [2e-5 * 0.5 * (1 + math.cos(math.pi * t / 20)) for t in range(20)]
    assert values == pytest.approx(expected, rel=1e-12, abs=1e-20)


def test_hf_partial_accumulation_step_is_an_update():
    # 10,241 examples: ceil(10241 / 256) = 41 batches per device, ceil(41 / 2) = 21 updates
    # (the last holds one batch); flooring would give 20.
    _, values = curve("--from", str(HF / "zephyr-7b-sft-full-cosine.yaml"), "--dataset-size", "10241",
                      "--world-size", "8")
    assert len(values) == 21


def test_hf_warmup_ratio_rounds_up_and_min_lr_rate_is_the_floor():
    # olympiccoder: lr 1e-5, cosine_with_min_lr (min_lr_rate 0.1), warmup_ratio 0.03,
    # 10 epochs, batch 2 x accumulation 8. 10,000 / (2 x 8) = 625 batches, ceil(625 / 8) = 79
    # updates per epoch, 790 in all; warmup ceil(0.03 x 790) = ceil(23.7) = 24.
    _, values = curve("--from", str(HF / "olympiccoder-7b-sft-cosine-min-lr.yaml"), "--dataset-size", "10000",
                      "--world-size", "8")
    assert len(values) == 790
    lr, warmup, decay = 1e-5, 24, 790 - 24
    for t in (0, 1, 23, 24, 25, 400, 789):
        if t < warmup:
            expected = lr * t / warmup
        else:
            progress = (t - warmup) / decay
            expected = lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        assert values[t] == pytest.approx(expected, rel=1e-12, abs=1e-22), t


def test_hf_launch_script_with_max_steps_needs_no_dataset_size():
    # codefuse: torchrun ... --max_steps 1000 --warmup_ratio 0.05 --learning_rate 5e-6, cosine.
    _, values = curve("--from", str(HF / "codefuse-devops-pt-cosine-max-steps.sh"))
    assert len(values) == 1000
    assert values[0] == 0.0
    assert values[25] == pytest.approx(5e-6 * 25 / 50, rel=1e-12)
    assert values[50] == pytest.approx(5e-6, rel=1e-12)
    assert values[999] == pytest.approx(5e-6 * 0.5 * (1 + math.cos(math.pi * 949 / 950)), rel=1e-12)


def test_a_readme_command_line_with_json_kwargs():
    # StructureCoder README: --lr_scheduler_type cosine_with_min_lr --lr_scheduler_kwargs '{"min_lr_rate": 0.1}'
    # --warmup_ratio 0.05 --num_train_epochs 1 --learning_rate 1e-6, batch 1 x accumulation 16,
    # torchrun --nproc_per_node 8 (the world size when --world-size is not given).
    _, values = curve("--from", str(HF / "structurecoder-dpo-readme-cosine-min-lr.md"), "--dataset-size", "12800")
    # 12800 / 8 processes = 1600 batches each, 100 updates, warmup ceil(0.05 x 100) = 5
    assert len(values) == 100
    assert values[5] == pytest.approx(1e-6, rel=1e-12)
    assert values[99] == pytest.approx(1e-6 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 94 / 95))), rel=1e-12)


def test_steps_only_sets_how_much_is_shown():
    _, full = curve("--from", str(HF / "codefuse-devops-pt-cosine-max-steps.sh"))
    _, shown = curve("--steps", "100", "--from", str(HF / "codefuse-devops-pt-cosine-max-steps.sh"))
    assert shown == full[:100]


def test_from_curves_come_before_command_line_curves():
    result = run("-o", "-", "--from", str(HF / "codefuse-devops-pt-cosine-max-steps.sh"),
                 "cosine", "--warmup-steps", "500", "--label", "alternative")
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header == ["step", "codefuse-devops-pt-cosine-max-steps.sh", "alternative"]
    assert len(rows) == 1000


def test_epochs_on_the_x_axis_when_the_file_counts_epochs(tmp_path):
    result = run("-o", str(tmp_path / "x.json"), "--from", str(HF / "olympiccoder-7b-sft-cosine-min-lr.yaml"),
                 "--dataset-size", "10000", "--world-size", "8")
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "suffix", "args", "expected"),
    [
        ("lr_scheduler_type: cosine\nnum_train_epochs: 1\nper_device_train_batch_size: 4\n", ".yaml", [],
         "give --dataset-size (the number of training examples): the run is num_train_epochs = 1 epochs of it"),
        ("lr_scheduler_type: reduce_lr_on_plateau\nmax_steps: 10\nper_device_train_batch_size: 4\n", ".yaml", [],
         "lr_scheduler_type reduce_lr_on_plateau follows the validation loss"),
        ("lr_scheduler_type: cosine_schedule\nmax_steps: 10\nper_device_train_batch_size: 4\n", ".yaml", [],
         "lr_scheduler_type 'cosine_schedule' is not a transformers scheduler lrplot knows"),
        ("lr_scheduler_type: warmup_stable_decay\nlr_scheduler_kwargs: {num_cycles: 2, num_decay_steps: -4}\n"
         "max_steps: 10\nper_device_train_batch_size: 4\n", ".yaml", [], "num_decay_steps -4: expected >= 0"),
        ("lr_scheduler_type: cosine_with_restarts\nlr_scheduler_kwargs: {num_cycles: -2.5}\nmax_steps: 10\n"
         "per_device_train_batch_size: 4\n", ".yaml", [], "lr_scheduler_kwargs num_cycles=-2.5: expected a number > 0"),
        ("lr_scheduler_type: cosine_with_restarts\nlr_scheduler_kwargs: {num_cycles: 20001}\nmax_steps: 100000\n"
         "per_device_train_batch_size: 4\n", ".yaml", [], "more than 10,000 cycles in the run is not supported yet"),
        ("lr_scheduler_type: cosine\nlr_scheduler_kwargs: {num_cycles: 0}\nmax_steps: 10\n"
         "per_device_train_batch_size: 4\n", ".yaml", [], "lr_scheduler_kwargs num_cycles=0: expected a number > 0"),
        ("lr_scheduler_type: cosine\nlr_scheduler_kwargs: {warmup: 2}\nmax_steps: 10\n"
         "per_device_train_batch_size: 4\n", ".yaml", [], "lr_scheduler_kwargs warmup is not an argument lrplot knows"),
        ("model: resnet\nepochs: 3\n", ".yaml", [], "not a training configuration lrplot recognises; name its kind with --dialect (hf|deepspeed|detectron2|timm"),
        ('{"lr_scheduler_type": "linear", "max_steps": "many", "per_device_train_batch_size": 2}', ".json", [],
         "max_steps: got 'many', expected a number"),
        ("lr_scheduler_type: cosine\nmax_steps: 10\nper_device_train_batch_size: 4\nlr_warmup_frac: 0.1\n", ".yaml",
         ["--strict"], "--strict: --from train.yaml: lr_warmup_frac looks schedule-related"),
    ],
)
def test_what_lrplot_cannot_honour_is_one_line(tmp_path, text, suffix, args, expected):
    path = tmp_path / f"train{suffix}"
    path.write_text(text)
    result = run(*args, "-o", "-", "--from", path.name, cwd=tmp_path)
    assert_usage_error(result, expected)


def test_the_from_file_is_an_input_never_an_output(tmp_path):
    config = tmp_path / "train.json"
    config.write_text('{"lr_scheduler_type": "linear", "max_steps": 10, "per_device_train_batch_size": 2}')
    done = lrplot_process("--from", "train.json", "-o", "train.json", "-o", "x.png", cwd=tmp_path)
    assert done.returncode == 2 and "is also an input" in done.stderr
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------- translate


HF_CASES = [
    ("zephyr-7b-sft-full-cosine.yaml", ["--dataset-size", "10000", "--world-size", "8"]),
    ("gpt2-nl-cpt-cosine-warmup-ratio.yaml", ["--dataset-size", "5000"]),
    ("olympiccoder-7b-sft-cosine-min-lr.yaml", ["--dataset-size", "10000", "--world-size", "8"]),
    ("structurecoder-dpo-readme-cosine-min-lr.md", ["--dataset-size", "1600"]),
    ("codefuse-devops-pt-cosine-max-steps.sh", []),
]


@pytest.mark.parametrize(("name", "facts"), HF_CASES)
def test_translate_then_config_draws_the_same_curve(tmp_path, name, facts):
    printed = run("translate", str(HF / name), *facts)
    assert printed.exit_code == 0, printed.stderr
    config = tmp_path / "translated.yaml"
    config.write_text(printed.stdout)
    via_config = run("-o", "-", "--config", str(config))
    via_from = run("-o", "-", "--from", str(HF / name), *facts)
    assert via_config.exit_code == 0, via_config.stderr
    assert via_config.stdout == via_from.stdout


def test_translate_comments_name_the_source_keys():
    printed = run("translate", str(HF / "olympiccoder-7b-sft-cosine-min-lr.yaml"), "--dataset-size", "10000",
                  "--world-size", "8")
    lines = printed.stdout.splitlines()
    assert "  lr: 1.0e-05  # olympiccoder-7b-sft-cosine-min-lr.yaml: learning_rate" in [f"  {line.strip()}" for line in lines]
    assert any(line.strip().startswith("warmup_steps: 24  # ceil(") and "warmup_ratio" in line for line in lines)
    assert any(line.startswith("steps: 790  #") and "num_train_epochs" in line for line in lines)


def test_translate_in_a_real_process(tmp_path):
    done = lrplot_process("translate", str(HF / "codefuse-devops-pt-cosine-max-steps.sh"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "schedule: cosine" in done.stdout and "steps: 1000" in done.stdout
    missing = lrplot_process("translate", "nowhere.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.startswith("lrplot: error: ") and missing.stderr.count("\n") == 1


def test_emit_writes_a_from_curve_as_framework_code():
    result = run("--steps", "40", "--emit", "torch", "--from", str(FIXTURES / "deepspeed" / "qanet-warmuplr.json"))
    assert result.exit_code == 0, result.stderr
    compile(result.stdout, "<emit>", "exec")
    assert "log1p(step)" in result.stdout  # DeepSpeed's log warmup, in lrplot's closed form
    assert "qanet-warmuplr.json" in result.stdout


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

YAML_VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(YAML_VALUES)
def test_translate_writes_values_yaml_reads_back_exactly(value):
    import yaml

    from lrplot.translate import scalar

    assert yaml.safe_load(f"key: {scalar(value)}")["key"] == value
