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


def _args(case: dict, tmp_path: Path) -> list[str]:
    """The case's command line; a case with a ``config`` is that file (JSON,
    which YAML reads too), read with --from and the facts it lacks; one with
    ``yaml`` is an lrplot config."""
    if "yaml" in case:  # an lrplot config (JSON is YAML)
        path = tmp_path / "curves.yaml"
        path.write_text(json.dumps(case["yaml"]))
        return ["--config", str(path)]
    if "config" not in case:
        return case["args"]
    path = tmp_path / case.get("file", "ds_config.json")
    path.write_text(json.dumps(case["config"]))
    return ["--from", str(path), *case.get("facts", [])]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_momentum_matches_the_framework_at_every_step(case, tmp_path):
    out = tmp_path / "x.json"
    result = run("--steps", str(case["steps"]), "-o", str(out), *_args(case, tmp_path))
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads(out.read_text())["curves"]
    if "config" in case:  # what the framework does not schedule adds nothing
        assert [key for key in ("momentum", "weight_decay", "groups") if key in curve] == \
            [key for key in ("momentum", "weight_decay", "groups") if key in case]
    quantities = [name for name in ("lr", "momentum", "weight_decay", "groups") if name in case]
    assert quantities[-1] != "lr" or "config" in case
    if "groups" in quantities:  # per parameter group: the curve's lr times the group's multiplier
        quantities.remove("groups")
        assert list(curve["groups"]) == list(case["groups"])
        for name, values in case["groups"].items():
            np.testing.assert_allclose(curve["groups"][name], values, rtol=1e-12, atol=0, err_msg=name)
    for quantity in quantities:
        # MMEngine's cosine is recursive (chainable): a few ulps from the closed form.
        rtol = 1e-9 if case["id"].startswith("mmengine.") else 1e-12
        np.testing.assert_allclose(curve[quantity], case[quantity], rtol=rtol, atol=0, err_msg=quantity)


CONFIGS = [case for case in CASES if "config" in case]


@pytest.mark.parametrize("case", CONFIGS, ids=[case["id"] for case in CONFIGS])
def test_translated_config_carries_the_same_quantities(case, tmp_path):
    printed = run("translate", *_args(case, tmp_path)[1:], "--steps", str(case["steps"]))
    assert printed.exit_code == 0, printed.stderr
    config = tmp_path / "translated.yaml"
    config.write_text(printed.stdout)
    result = run("-o", "-", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    label = case.get("file", "ds_config.json")
    expected = {name: case[name] for name in ("lr", "momentum") if name in case} | case.get("groups", {})
    assert header == ["step", label] + [f"{label}:{name}" for name in expected if name != "lr"]
    for column, name in enumerate(header[1:], 1):
        theirs = expected[name.partition(":")[2] or "lr"]
        np.testing.assert_allclose([row[column] for row in rows], theirs, rtol=1e-12, atol=0, err_msg=name)


def test_timm_vit_layer_counts_are_timms():
    # timm's own count, max(layer map) + 1, for every model lrplot knows, with and without a head.
    from lrplot.frameworks.timm import layer_decay

    table = DOCUMENTS["timm-import"]["vit_layers"]
    assert table
    for name, counts in table.items():
        for classes, count in counts.items():
            grouped = layer_decay(name, None if classes == "unset" else int(classes), 0.5, None, None)
            assert grouped["layer_decay"]["layers"] == count - 1, (name, classes)


def test_golden_files_name_framework_and_version():
    assert {"torch", "mmengine", "timm", "paddle", "timm-import", "deepspeed"} <= set(DOCUMENTS)
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
    torch = next(case for case in CASES if case.get("args") == ["onecycle"])
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


def test_dino_weight_decay_from_yaml(tmp_path):
    # DINO's utils.cosine_scheduler(0.04, 0.4, epochs, niter_per_ep): written out by hand.
    config = tmp_path / "dino.yaml"
    config.write_text(
        "steps: 100\n"
        "curves:\n"
        "  - schedule: cosine\n"
        "    lr: 0.0005\n"
        "    label: dino\n"
        "    weight_decay: {schedule: cosine, value: 0.04, end_lr: 0.4}\n"
        "    momentum: 0.9\n"
    )
    out = tmp_path / "x.json"
    result = run("--config", str(config), "-o", str(out), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads(out.read_text())["curves"]
    i = np.arange(100)
    dino = 0.4 + 0.5 * (0.04 - 0.4) * (1 + np.cos(np.pi * i / 100))
    np.testing.assert_allclose(curve["weight_decay"], dino, rtol=1e-12, atol=0)
    assert curve["momentum"] == [0.9] * 100
    assert list(curve)[-3:] == ["lr", "momentum", "weight_decay"]
    header, rows = read_csv((tmp_path / "x.csv").read_text())
    assert header == ["step", "dino", "dino:momentum", "dino:weight_decay"]
    assert [row[3] for row in rows] == curve["weight_decay"]


def test_an_own_momentum_replaces_the_cycled_one():
    result = run("--steps", "5", "-o", "-", "onecycle", "--momentum", "0.5")
    header, rows = read_csv(result.stdout)
    assert header == ["step", "onecycle", "onecycle:momentum"]
    assert [row[2] for row in rows] == [0.5] * 5


@pytest.mark.parametrize(
    "args,expected",
    [
        (["cosine", "--weight-decay", "cosine lr=x"], "curve 1 (cosine): weight_decay (cosine): lr: got 'x', expected a number >= 0"),
        (["cosine", "--momentum", "cosin"], "curve 1 (cosine): momentum: unknown schedule 'cosin' (did you mean cosine?)"),
        (["cosine", "--momentum", "cosine foo"], "curve 1 (cosine): momentum: got 'cosine foo', expected a number (held)"),
        (["cosine", "--momentum", "cosine foo=1"], "unknown parameter foo; not a parameter of cosine"),
    ],
)
def test_bad_quantities_are_one_line_errors_and_write_nothing(args, expected, tmp_path):
    out = tmp_path / "x.csv"
    result = run("--steps", "5", "-o", str(out), *args)
    assert result.exit_code == 2 and expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "entry,expected",
    [
        ("weight_decay: {value: 0.1}", "curve 1 (cosine): weight_decay: `schedule:` is required"),
        ("weight_decay: {schedule: cosine, value: 0.1, lr: 0.2}", "weight_decay: give value or lr, not both"),
        ("momentum: [0.9]", "momentum: got [0.9], expected a number"),
        ("momentum: {schedule: sequence, parts: []}", "momentum (sequence): parts: got [], expected a list of curves"),
        ("momentum: {schedule: sequence, parts: [{schedule: constant, value: 1, lr: 2}]}",
         "momentum: part 1 (constant): unknown key 'value'"),
    ],
)
def test_bad_yaml_quantities(entry, expected, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(f"curves:\n  - schedule: cosine\n    {entry}\n")
    result = run("--config", str(config), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def _plan(*requests, steps=100, **options):
    from lrplot.plan import Plan, make_curves

    return Plan(steps=steps, curves=make_curves(list(requests), steps), **options)


def test_figure_has_one_panel_per_quantity_below_the_learning_rate():
    from lrplot import plotting
    from lrplot.plan import CurveRequest

    plan = _plan(
        CurveRequest("onecycle", {}),
        CurveRequest("cosine", {}, quantities=(("weight_decay", "cosine lr=0.04 end_lr=0.4"),)),
        CurveRequest("constant", {}),
        steps_per_epoch=10,
    )
    figure = plotting.draw(plan)
    top, momentum, decay = figure.axes[:3]
    assert [a.get_ylabel() for a in (top, momentum, decay)] == ["learning rate", "momentum", "weight decay"]
    assert decay.get_xlabel() == "epoch" and top.get_xlabel() == ""
    assert top.get_shared_x_axes().joined(top, decay)
    # Each quantity in its curve's colour; x in epochs; every step drawn (100 steps: no reduction).
    lr_lines = top.get_lines()[:3]
    (m,) = momentum.get_lines()
    assert m.get_color() == lr_lines[0].get_color()
    np.testing.assert_array_equal(m.get_xdata(), np.arange(100) / 10)
    torch = next(case for case in CASES if case.get("args") == ["onecycle"])
    np.testing.assert_allclose(m.get_ydata(), torch["momentum"], rtol=1e-12, atol=0)
    (w,) = decay.get_lines()
    assert w.get_color() == lr_lines[1].get_color()
    assert w.get_ydata()[0] == pytest.approx(0.04) and w.get_ydata()[-1] < 0.4


def test_figure_without_quantities_keeps_one_axis():
    from lrplot import plotting
    from lrplot.plan import CurveRequest

    figure = plotting.draw(_plan(CurveRequest("onecycle", {"cycle_momentum": False}), CurveRequest("cosine", {})))
    assert len(figure.axes) == 1 and figure.axes[0].get_xlabel() == "step"


def test_stepwise_quantity_is_drawn_as_steps():
    from lrplot import plotting
    from lrplot.plan import CurveRequest

    figure = plotting.draw(_plan(CurveRequest("cosine", {}, quantities=(("momentum", "step lr=0.9 step_size=30"),))))
    assert figure.axes[1].get_lines()[0].get_drawstyle() == "steps-post"


def test_groups_and_layer_decay_columns(tmp_path):
    config = tmp_path / "finetune.yaml"
    config.write_text(
        "steps: 10\n"
        "curves:\n"
        "  - schedule: cosine\n"
        "    label: ft\n"
        "    groups: {backbone: 0.1, head: 1}\n"
        "    layer_decay: {rate: 0.5, layers: 2}\n"
    )
    result = run("--config", str(config), "-o", "-")
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header == ["step", "ft", "ft:backbone", "ft:head", "ft:layer_0", "ft:layer_1", "ft:layer_2"]
    for row in rows:
        # lr x 0.1, x 1, x 0.5 ** 2, x 0.5, x 1
        assert row[2:] == [row[1] * 0.1, row[1], row[1] * 0.25, row[1] * 0.5, row[1]]


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--groups", "backbone"], "groups: got 'backbone', expected group names with their lr multipliers"),
        (["--groups", "a=-1"], "groups: a: got '-1', expected a number >= 0"),
        (["--layer-decay", "rate=0.5"], "layer_decay: got keys rate, expected rate=R layers=N"),
        (["--layer-decay", "rate=0.5 layers=0"], "layer_decay: layers: got '0', expected an integer >= 1 and <= 1000"),
        (["--groups", "layer_1=1", "--layer-decay", "rate=0.5 layers=2"], "groups: 'layer_1' is given twice"),
    ],
)
def test_bad_groups(args, expected):
    result = run("--steps", "5", "-o", "-", "cosine", *args)
    assert result.exit_code == 2 and expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_groups_are_a_band_between_the_extreme_multipliers_named_at_the_peak():
    from lrplot import plotting
    from lrplot.plan import CurveRequest

    request = CurveRequest("cosine", {}, quantities=(("groups", "$a$=0.1 b=0.5 c=1"),))
    figure = plotting.draw(_plan(request, steps=50))
    (axes,) = figure.axes
    (line,) = axes.get_lines()  # the groups add no line, so no legend entry
    (band,) = axes.collections
    edges = band.get_paths()[0].vertices[:, 1]
    y = line.get_ydata()
    assert np.isclose(edges.min(), y.min() * 0.1) and np.isclose(edges.max(), y.max())
    texts = sorted(t.get_text() for t in axes.texts)
    assert texts == ["$a$ ×0.1", "c ×1"]


RECIPES = Path(__file__).parent.parent / "configs" / "recipes"


def test_dino_recipe_is_dinos_own_cosine_scheduler(tmp_path):
    # main_dino.py: utils.cosine_scheduler(lr, min_lr, 100, 1251, warmup_epochs=10) and
    # cosine_scheduler(0.04, 0.4, 100, 1251), written out here with numpy as DINO does.
    def cosine_scheduler(base, final, epochs, niter, warmup_epochs=0):
        warmup = np.linspace(0, base, warmup_epochs * niter) if warmup_epochs else np.array([])
        iters = np.arange(epochs * niter - warmup_epochs * niter)
        return np.concatenate((warmup, final + 0.5 * (base - final) * (1 + np.cos(np.pi * iters / len(iters)))))

    out = tmp_path / "dino.json"
    assert run("--config", str(RECIPES / "dino-vit.yaml"), "-o", str(out)).exit_code == 0
    (curve,) = json.loads(out.read_text())["curves"]
    np.testing.assert_allclose(curve["lr"], cosine_scheduler(2e-3, 1e-6, 100, 1251, 10), rtol=1e-12, atol=1e-20)
    np.testing.assert_allclose(curve["weight_decay"], cosine_scheduler(0.04, 0.4, 100, 1251), rtol=1e-12, atol=0)


def test_mae_recipe_groups():
    header, rows = read_csv(run("--config", str(RECIPES / "mae-finetune.yaml"), "-o", "-").stdout)
    assert header[2:] == [f"ViT-B fine-tuning:layer_{i}" for i in range(14)]
    peak = rows[5 * 1251]  # the end of the 5 warmup epochs
    assert peak[1] == 2e-3 and peak[2] == 2e-3 * 0.65**13 and peak[-1] == 2e-3


def test_stats_add_a_table_of_the_carried_columns():
    result = run("--steps", "100", "--stats", "onecycle", "cosine", "--groups", "a=0.5")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split() == ["column", "first", "last", "min", "max"])
    # torch's OneCycleLR momentum: 0.95 at both ends, 0.85 at the peak; cosine x 0.5 from 0.05.
    assert lines[at + 1].split() == ["onecycle:momentum", "0.95", "0.95", "0.85", "0.95"]
    assert lines[at + 2].split()[:2] == ["cosine:a", "0.05"] and lines[at + 2].split()[4] == "0.05"
    assert "column" not in run("--steps", "10", "--stats", "cosine").stdout


def test_a_group_that_overflows_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "x.csv"
    result = run("--steps", "3", "-o", str(out), "cosine", "--lr", "1e300", "--groups", "a=1e10")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "group a: the learning rate x 1e+10 overflows float64 at step 0" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("target", ["-", "x.png"])
def test_an_overflow_in_a_carried_column_prints_and_writes_nothing(target, tmp_path):
    result = lrplot_process("--steps", "3", "-o", target, "cosine", "--lr", "1e300", "--groups", "a=1e10", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "group a" in result.stderr and result.stdout == ""
    assert list(tmp_path.iterdir()) == []
