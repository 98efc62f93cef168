"""A sequence's onecycle and cyclic parts carry their cycled momentum, as
torch's SequentialLR leaves it (tests/golden/quantities/torch.json, the
``SequentialLR`` cases from scripts/golden_quantities.py: torch 2.13 stepped
through a real optimizer): through every output, the views' reduction,
--emit, and the one combination torch makes ill-defined, refused."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lrplot import envelope, plotting
from lrplot.plan import CurveRequest, make_curves
from lrplot.quantities import extras
from lrplot.quantity_points import carried_points
from tests.helpers import assert_usage_error, leftovers, lrplot_process, read_csv, run

GOLDEN = json.loads((Path(__file__).parent / "golden" / "quantities" / "torch.json").read_text())
SEQUENTIAL = [case for case in GOLDEN["cases"] if "yaml" in case]


def _config(case: dict, tmp_path: Path) -> Path:
    path = tmp_path / "curves.yaml"
    path.write_text(json.dumps(case["yaml"]))
    return path


def test_the_goldens_cover_what_torch_does_around_the_cycles():
    # Each SequentialLR case shows one rule, read in torch's values themselves:
    cut, last_built, first, short_rise = SEQUENTIAL
    # a OneCycleLR cut short at its milestone leaves its last momentum (step 10: neither 0.85 nor 0.95) ...
    assert cut["momentum"][11:] == [cut["momentum"][10]] * 9 and 0.85 < cut["momentum"][10] < 0.95
    # ... the last cycling scheduler built (OneCycleLR, 0.95) sets it before the first cycle (CyclicLR's max is 0.9) ...
    assert last_built["momentum"][:4] == [0.95] * 4 and last_built["momentum"][4] == 0.9
    # ... and a cycling first part starts from its own max_momentum.
    assert first["momentum"][0] == 0.95 and min(first["momentum"][:17]) == pytest.approx(0.7)
    # A constructor sets its step 0's momentum, not always max_momentum: a rise shorter than a step
    # (pct_start 0.04 of 20) starts part-way up from 0.85, and that is what holds before it.
    assert short_rise["momentum"][:4] == [short_rise["momentum"][3]] * 4 and 0.85 < short_rise["momentum"][3] < 0.851


def test_every_output_carries_the_momentum_torch_sets(tmp_path):
    # As users run it: a real process, YAML in, the data files, a figure, a page and --stats at once.
    case = SEQUENTIAL[0]
    config = _config(case, tmp_path)
    result = lrplot_process("--steps", str(case["steps"]), "--config", str(config), "--stats",
                            "-o", "x.csv", "-o", "x.json", "-o", "x.png", "-o", "x.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, rows = read_csv((tmp_path / "x.csv").read_text())
    label = "sequence(linear+onecycle+constant)"
    assert header == ["step", label, f"{label}:momentum"]
    np.testing.assert_allclose([row[2] for row in rows], case["momentum"], rtol=1e-12, atol=0)
    np.testing.assert_allclose([row[1] for row in rows], case["lr"], rtol=1e-12, atol=0)
    (curve,) = json.loads((tmp_path / "x.json").read_text())["curves"]
    np.testing.assert_allclose(curve["momentum"], case["momentum"], rtol=1e-12, atol=0)
    # --stats: first, last, lowest, highest of torch's momentum
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(f"{label}:momentum")]
    expected = [case["momentum"][0], case["momentum"][-1], min(case["momentum"]), max(case["momentum"])]
    np.testing.assert_allclose([float(word) for word in line.split()[1:]], expected, rtol=1e-5)
    # the page draws every step of 20 (one column per step), its momentum panel torch's values
    page = (tmp_path / "x.html").read_text()
    drawn = json.loads(re.search(r'"momentum": (\{"stepwise": false, "x": \[[^]]*\], "y": \[[^]]*\]\})', page)[1])
    assert drawn["x"] == list(range(20))
    np.testing.assert_allclose(drawn["y"], case["momentum"], rtol=1e-12, atol=0)
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_terminal_draws_a_momentum_panel(tmp_path):
    case = SEQUENTIAL[2]
    result = lrplot_process("--term", "--steps", str(case["steps"]), "--config", str(_config(case, tmp_path)),
                            env={"COLUMNS": "60", "LINES": "30", "PATH": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    (title,) = [i for i, line in enumerate(lines) if line.strip(" │") == "momentum"]
    ticks = [float(line.split("┤")[0]) for line in lines[title + 1:] if "┤" in line]
    # torch's momentum spans 0.7 (the CyclicLR's base) .. 0.95: the panel's axis is fitted to it, not from 0
    assert len(ticks) >= 2 and 0.6 <= min(ticks) <= 0.7 and 0.95 <= max(ticks) <= 1.0


# The parts as long runs: cycles cut short, held stretches, a jump up to a cycle's
# max_momentum where the learning rate has no extreme.
LONG = [
    [{"schedule": "linear", "start_factor": 0.01, "total_steps": 5_000, "steps": 7_001},
     {"schedule": "cyclic", "step_size_up": 1_999, "mode": "triangular2", "base_momentum": 0.6, "steps": 13_333},
     {"schedule": "onecycle", "total_steps": 20_000, "steps": 9_000},
     {"schedule": "cosine", "lr": 0.01}],
    [{"schedule": "cyclic", "step_size_up": 3_000, "step_size_down": 700, "steps": 10_000, "warmup_steps": 900},
     {"schedule": "constant", "lr": 1e-5, "steps": 5},
     {"schedule": "onecycle", "three_phase": True, "anneal": "linear", "max_momentum": 0.9, "base_momentum": 0.8,
      "total_steps": 25_000}],
]
STEPS, BUCKETS = 40_003, 200


@pytest.mark.parametrize("parts", LONG)
def test_figures_and_views_reduce_the_momentum_as_every_step(parts):
    curve = make_curves([CurveRequest("sequence", {"parts": parts, "step_every": 1})], STEPS)[0]
    ((name, function),) = extras(curve)
    every = plotting.reduce_curve(function, STEPS, BUCKETS, chunk=30_000)
    figure = envelope.reduce_beside(function, curve.bound, STEPS, BUCKETS)
    lr_x, _ = envelope.reduce_bound(curve.bound, STEPS, BUCKETS)  # the lr's points, as the views keep them
    ((_, x, y, stepwise),) = carried_points(SimpleNamespace(steps=STEPS), 1, curve, lr_x, BUCKETS)
    assert name == "momentum" and not stepwise
    for fast in (figure, (x, y)):
        np.testing.assert_array_equal(fast[0], every[0])
        np.testing.assert_allclose(fast[1], every[1], rtol=1e-12, atol=0)


def test_a_trillion_steps_draw_in_seconds(tmp_path):
    config = tmp_path / "long.yaml"
    config.write_text(json.dumps({"curves": [{"schedule": "sequence", "parts": [
        {"schedule": "cosine", "steps": 3 * 10**11},
        {"schedule": "cyclic", "step_size_up": 10**9, "steps": 4 * 10**11},
        {"schedule": "onecycle", "total_steps": 5 * 10**11}]}]}))
    result = lrplot_process("--steps", str(10**12), "--config", str(config), "--term", "-o", "x.png", "-o", "x.html",
                            cwd=tmp_path, timeout=60, env={"COLUMNS": "80", "LINES": "30", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "momentum" in result.stdout and '"momentum": {' in (tmp_path / "x.html").read_text()
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_onecycle_part_before_a_cycle_of_other_momenta_is_refused(tmp_path):
    # torch's OneCycleLR reads base_momentum / max_momentum from the optimizer's group, which a later
    # CyclicLR's constructor overwrites: it would cycle 0.8 .. 0.9, not its own 0.85 .. 0.95.
    (torch,) = GOLDEN["refused"]  # torch 2.13's own values for the refused case: not the onecycle's 0.85 .. 0.95
    cycle = torch["momentum"][: torch["onecycle_steps"]]
    assert 0.8 <= min(cycle) < 0.81 and max(cycle) == pytest.approx(0.9)  # CyclicLR's 0.8 .. 0.9
    assert_usage_error(run("--steps", "20", "--config", str(_config(torch, tmp_path)), "-o", "-"),
                       "part 1 (onecycle) and part 2 (cyclic) cycle momentum between other values")

    def config(cyclic: str, own: str = "") -> str:
        path = tmp_path / "c.yaml"
        path.write_text(f"curves:\n  - schedule: sequence\n{own}    parts:\n"
                        "      - {schedule: onecycle, total_steps: 12, steps: 12}\n"
                        f"      - {{schedule: cyclic, step_size_up: 3{cyclic}}}\n")
        return str(path)

    result = run("--steps", "40", "--config", config(""), "-o", str(tmp_path / "x.csv"))
    assert_usage_error(result, "curve 1 (sequence): part 1 (onecycle) and part 2 (cyclic) cycle momentum between "
                               "other values")
    assert not (tmp_path / "x.csv").exists() and not leftovers(tmp_path)
    # Defined once the parts agree or one cycles nothing ...
    for cyclic in (", base_momentum: 0.85, max_momentum: 0.95", ", cycle_momentum: false"):
        agreed = run("--steps", "40", "--config", config(cyclic), "-o", "-")
        assert agreed.exit_code == 0 and agreed.stdout.splitlines()[0].endswith(":momentum"), agreed.stderr
    # ... or the curve has a momentum of its own, which replaces the cycled one.
    own = run("--steps", "40", "--config", config("", own="    momentum: 0.9\n"), "-o", "-")
    assert own.exit_code == 0, own.stderr
    header, rows = read_csv(own.stdout)
    assert header[-1].endswith(":momentum") and {row[-1] for row in rows} == {0.9}


STAND_INS = {
    "torch/__init__.py": "from . import nn, optim\n\n\ndef zeros(size):\n    return [0.0] * size\n",
    "torch/nn.py": "def Parameter(data):\n    return data\n",
    "torch/optim/__init__.py": (
        "from . import lr_scheduler\n\n\nclass SGD:\n"
        "    def __init__(self, parameters, lr, momentum=0.0):\n"
        "        self.param_groups = [{'lr': lr, 'momentum': momentum}]\n\n"
        "    def step(self):\n        pass\n"
    ),
    "torch/optim/lr_scheduler.py": (
        "class LambdaLR:  # torch's: the optimizer's lr times f(number of step() calls)\n"
        "    def __init__(self, optimizer, lr_lambda):\n"
        "        self.base, self.factor, self.count = optimizer.param_groups[0]['lr'], lr_lambda, 0\n\n"
        "    def get_last_lr(self):\n        return [self.base * self.factor(self.count)]\n\n"
        "    def step(self):\n        self.count += 1\n\n\n"
        "def __getattr__(name):  # classes the script imports but never calls here\n"
        "    return None\n"
    ),
}


@pytest.mark.parametrize("case", SEQUENTIAL, ids=[str(i) for i in range(len(SEQUENTIAL))])
def test_the_emitted_torch_script_prints_torchs_momentum(case, tmp_path):
    # A sequence is emitted as a LambdaLR of lrplot's closed form (no SequentialLR), its momentum set on the
    # optimizer at every step; run with stand-ins for torch's LambdaLR and SGD, it prints what torch's
    # SequentialLR of the golden case set (checked live against torch 2.13 when the goldens were made).
    printed = run("--steps", str(case["steps"]), "--emit", "torch", "--config", str(_config(case, tmp_path)))
    assert printed.exit_code == 0, printed.stderr
    assert "SequentialLR(" not in printed.stdout.split('if __name__ == "__main__":')[0].split(")\n", 1)[1]
    for name, text in STAND_INS.items():
        (tmp_path / "stand_ins" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "stand_ins" / name).write_text(text)
    (tmp_path / "script.py").write_text(printed.stdout)
    done = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(tmp_path / "stand_ins"), "PATH": ""})
    assert done.returncode == 0, done.stderr
    columns: dict[str, list[float]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("# "):
            column = columns.setdefault(line[2:].rpartition(":")[2] if ":" in line else "lr", [])
        else:
            column.append(float(line))
    assert list(columns) == ["lr", "momentum"]
    np.testing.assert_allclose(columns["momentum"], case["momentum"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(columns["lr"], case["lr"], rtol=1e-9, atol=0)


def test_frameworks_without_a_momentum_schedule_refuse_in_one_line(tmp_path):
    case = SEQUENTIAL[0]
    result = run("--steps", "20", "--emit", "keras", "--config", str(_config(case, tmp_path)))
    assert_usage_error(result, "--emit keras: curve 1 (sequence(linear+onecycle+constant)) carries momentum")
