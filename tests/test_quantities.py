"""Momentum and weight decay beside the learning rate, against the real
frameworks at every step (tests/golden/quantities/, from
scripts/golden_quantities.py), and their place in the CSV and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import lrplot_process, read_csv, run

GOLDEN = Path(__file__).parent / "golden" / "quantities"
DOCUMENTS = {path.stem: json.loads(path.read_text()) for path in sorted(GOLDEN.glob("*.json"))}
CASES = [case for doc in DOCUMENTS.values() for case in doc["cases"]]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_momentum_matches_the_framework_at_every_step(case, tmp_path):
    out = tmp_path / "x.json"
    result = run("--steps", str(case["steps"]), "-o", str(out), *case["args"])
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads(out.read_text())["curves"]
    for quantity in ("lr", "momentum"):
        np.testing.assert_allclose(curve[quantity], case[quantity], rtol=1e-12, atol=0, err_msg=quantity)


def test_golden_files_name_framework_and_version():
    assert "torch" in DOCUMENTS
    for doc in DOCUMENTS.values():
        assert doc["version"] and doc["generated_by"] == "scripts/golden_quantities.py"


def test_csv_has_a_momentum_column_after_the_learning_rates(tmp_path):
    # Run as users do: a real process, a figure and both data files at once.
    targets = [tmp_path / name for name in ("x.csv", "x.json", "x.png")]
    args = ["--steps", "100"]
    for target in targets:
        args += ["-o", str(target)]
    result = lrplot_process(*args, "onecycle", "cosine", "cyclic", "--label", "c")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(targets[0].read_text())
    # The learning rates keep their columns; the quantities follow them.
    assert header == ["step", "onecycle", "cosine", "c", "onecycle:momentum", "c:momentum"]
    torch = next(case for case in CASES if case["args"] == ["onecycle"])
    np.testing.assert_allclose([row[4] for row in rows], torch["momentum"], rtol=1e-12, atol=0)
    curves = json.loads(targets[1].read_text())["curves"]
    assert ["momentum" in curve for curve in curves] == [True, False, True]
    assert targets[2].stat().st_size > 0


def test_no_cycle_momentum_leaves_the_csv_as_before():
    plain = run("--steps", "20", "-o", "-", "cosine")
    off = run("--steps", "20", "-o", "-", "onecycle", "--no-cycle-momentum", "--label", "cosine")
    assert off.exit_code == plain.exit_code == 0
    assert off.stdout.splitlines()[0] == plain.stdout.splitlines()[0] == "step,cosine"


def test_a_quantity_column_never_takes_a_labels_name():
    result = run("--steps", "5", "-o", "-", "onecycle", "--label", "a", "cosine", "--label", "a:momentum")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "step,a,a:momentum,a:momentum (2)"


def test_warmup_holds_the_cycles_first_momentum():
    # 5 warmup steps, then torch's OneCycleLR(total_steps=20): momentum 0.95 until the cycle starts.
    result = run("--steps", "25", "-o", "-", "onecycle", "--warmup-steps", "5", "--total-steps", "20")
    header, rows = read_csv(result.stdout)
    momentum = [row[header.index("onecycle(warmup_steps=5, total_steps=20):momentum")] for row in rows]
    assert momentum[:6] == [0.95] * 6
    # cycle step 1 of a rise that ends at step 0.3 * 20 - 1 = 5: cos annealing from 0.95 to 0.85
    assert momentum[6] == pytest.approx(0.85 + 0.05 * (1 + np.cos(np.pi / 5)), rel=1e-12)
