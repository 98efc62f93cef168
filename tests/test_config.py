"""YAML configs (SPEC §3) and the shipped seed figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import read_csv, run

CONFIGS = Path(__file__).parent.parent / "configs"


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return str(path)


def test_yaml_equals_command_line(tmp_path):
    config = write(tmp_path, """
steps: 40
curves:
  - schedule: polynomial
    lr: 0.2
    end_lr: 0.01
    decay_steps: 15
    power: 2
    cycle: true
    warmup_steps: 5
  - schedule: piecewise
    boundaries: [10, 20]
    values: [0.3, 0.2, 0.1]
""")
    from_yaml = run("--config", config, "-o", "-")
    from_cli = run(
        "--steps", "40", "-o", "-",
        "polynomial", "--lr", "0.2", "--end-lr", "0.01", "--decay-steps", "15", "--power", "2", "--cycle", "--warmup-steps", "5",
        "piecewise", "--boundaries", "10,20", "--values", "0.3,0.2,0.1",
    )
    assert from_yaml.exit_code == 0, from_yaml.stderr
    assert from_yaml.stdout == from_cli.stdout


def test_command_line_options_win_and_curves_are_added(tmp_path):
    config = write(tmp_path, "steps: 10\ntitle: from file\ncurves:\n  - schedule: constant\n")
    result = run("--steps", "4", "--config", config, "-o", "-", "linear")
    header, rows = read_csv(result.stdout)
    assert header == ["step", "constant", "linear"]
    assert len(rows) == 4


def test_sequence_parts_each_start_at_their_own_step_0(tmp_path):
    config = write(tmp_path, """
steps: 8
curves:
  - schedule: sequence
    lr: 1.0
    label: seq
    parts:
      - {schedule: constant, lr: 0.5, steps: 3}
      - {schedule: step, step_size: 2, gamma: 0.5}
""")
    result = run("--config", config, "-o", "-")
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    # Part 2 inherits lr 1.0 and halves every 2 of ITS steps, starting at step 3.
    assert [r[1] for r in rows] == [0.5, 0.5, 0.5, 1.0, 1.0, 0.5, 0.5, 0.25]


def test_json_params_describe_sequence_parts(tmp_path):
    config = write(tmp_path, "steps: 4\ncurves:\n  - schedule: sequence\n    parts:\n      - {schedule: constant, steps: 2}\n      - {schedule: linear}\n")
    out = tmp_path / "s.json"
    assert run("--config", config, "-o", str(out)).exit_code == 0
    (curve,) = json.loads(out.read_text())["curves"]
    parts = curve["params"]["parts"]
    assert [p["schedule"] for p in parts] == ["constant", "linear"]
    assert parts[1]["params"]["total_steps"] == 2


@pytest.mark.parametrize(
    "text,expected",
    [
        ("curves:\n  - schedule: exponential\n    decay_rat: 0.5\n", "c.yaml: curve 1 (exponential): unknown key 'decay_rat' (did you mean `decay_rate`?)"),
        ("curves:\n  - shedule: cosine\n", "c.yaml: curve 1: `schedule:` is required; unknown key 'shedule' (did you mean `schedule`?)"),
        ("curves:\n  - schedule: cosine\n    lable: warm\n", "c.yaml: curve 1 (cosine): unknown key 'lable' (did you mean `label`?)"),
        ("curves:\n  - schedule: cosine\n    colour: red\n", "c.yaml: curve 1 (cosine): unknown key 'colour' (did you mean `color`?)"),
        ("curves:\n  - schedule: expo\n", "c.yaml: curve 1: schedule: got 'expo', expected a schedule name (did you mean exponential?)"),
        ("stepz: 10\ncurves:\n  - schedule: constant\n", "c.yaml: unknown key 'stepz' (did you mean `steps`?)"),
        ("curves:\n  - schedule: constant\n  - schedule: exponential\n    decay_rate: zero\n", "c.yaml: curve 2 (exponential): decay_rate: got 'zero', expected a number > 0"),
        ("curves:\n  - schedule: piecewise\n    boundaries: [3]\n", "curve 1 (piecewise): values is required"),
        ("curves:\n  - {lr: 0.1}\n", "curve 1: `schedule:` is required"),
        ("steps: 10\n", "`curves:` is required"),
        ("curves: []\n", "expected a non-empty list"),
        ("- a\n- b\n", "expected a mapping"),
        ("curves:\n  - schedule: constant\n    lr: [1\n", "invalid YAML"),
        ("steps: -3\ncurves:\n  - schedule: constant\n", "c.yaml: steps: got -3, expected an integer >= 1"),
        ("log_y: maybe\ncurves:\n  - schedule: constant\n", "log_y: got 'maybe', expected true or false"),
        ("curves:\n  - schedule: cosine\n    staircase: true\n", "unknown key 'staircase' (did you mean `step_scale`?); allowed: lr, warmup_steps"),
        ("curves:\n  - schedule: constant\n    color: nocolour\n", "curve 1 (constant): color: got 'nocolour'"),
        ("curves:\n  - schedule: sequence\n    parts:\n      - {schedule: constant}\n      - {schedule: linear}\n", "part 1 (constant): steps is required"),
        ("curves:\n  - schedule: sequence\n    parts:\n      - {schedule: exponential, steps: 2, decay_rate: -1}\n", "part 1 (exponential): decay_rate: got -1"),
        ("curves:\n  - schedule: constant\n    lr:\n", "curve 1 (constant): lr: got null"),
        ("curves:\n  - schedule: constant\n    lr: 1" + "0" * 400 + "\n", "lr: got 1000"),
        ("curves:\n  - schedule: constant\n    lr: !!python/object/apply:os.system ['echo hacked']\n", "invalid YAML"),
        ("curves:\n  - schedule: constant\n    lr: 0.1\n    lr: 0.2\n", "c.yaml: invalid YAML at line 4: key 'lr' is given twice"),
        ("steps: 5\nsteps: 6\ncurves:\n  - schedule: constant\n", "invalid YAML at line 2: key 'steps' is given twice"),
        ("steps:\ncurves:\n  - schedule: constant\n", "c.yaml: steps: got null, expected an integer >= 1"),
        ("x: &a [*a]\ncurves: [{schedule: constant}]\n", "c.yaml: invalid YAML at line 1: alias *a is inside the value it names (a value containing itself)"),
        ("~: 1\ncurves: [{schedule: constant}]\n", "c.yaml: unknown key null"),
        ("curves:\n  - schedule: sequence\n    parts:\n      - {schedule: constant, step: 3}\n      - {schedule: cosine}\n", "curve 1 (sequence): part 1 (constant): unknown key 'step' (did you mean `steps`?)"),
        ("curves:\n  - schedule: sequence\n    parts:\n      - {schedule: expo, steps: 3}\n", "curve 1 (sequence): part 1: unknown schedule 'expo' (did you mean exponential?)"),
    ],
)
def test_yaml_errors_name_file_curve_key(tmp_path, text, expected):
    result = run("--config", write(tmp_path, text), "-o", str(tmp_path / "out.png"))
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert expected in lines[0]
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("name", ["figure2", "figure3", "figure4", "figure5", "warmup"])
def test_seed_configs_render(tmp_path, name):
    out = tmp_path / f"{name}.png"
    result = run("--config", str(CONFIGS / f"{name}.yaml"), "-o", str(out), "-o", str(tmp_path / "v.csv"))
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000


def test_figure4_natural_exponential_decays_faster_than_exponential(tmp_path):
    result = run("--config", str(CONFIGS / "figure4.yaml"), "-o", "-")
    _, rows = read_csv(result.stdout)
    values = np.array(rows)
    assert np.all(values[1:, 3] < values[1:, 2])


def test_figure5_cycled_curve_rises_at_each_multiple_of_decay_steps():
    result = run("--config", str(CONFIGS / "figure5.yaml"), "-o", "-")
    _, rows = read_csv(result.stdout)
    cycled = [r[2] for r in rows]
    rises = [t for t in range(1, len(cycled)) if cycled[t] > cycled[t - 1]]
    assert rises == [31, 61, 91]
    plain = [r[1] for r in rows]
    assert plain[30:] == [0.01] * 70


def test_yaml_merge_keys_may_be_overridden(tmp_path):
    text = "steps: 2\ncurves:\n  - &base {schedule: constant, lr: 0.3}\n  - <<: *base\n    lr: 0.2\n"
    result = run("--config", write(tmp_path, text), "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["0,0.3,0.2", "1,0.3,0.2"]


def test_command_line_curves_are_numbered_after_the_files(tmp_path):
    config = write(tmp_path, "curves:\n  - {schedule: constant}\n  - {schedule: cosine}\n")
    bad_value = run("--config", config, "cosine", "--decay-steps", "0")
    assert bad_value.exit_code == 2
    assert bad_value.stderr.startswith("lrplot: error: curve 3 (cosine): --decay-steps: got 0")
    bad_option = run("--config", config, "cosine", "--bogus", "1")
    assert bad_option.exit_code == 2
    assert bad_option.stderr.startswith("lrplot: error: command-line curve 1 (cosine): No such option '--bogus'")
