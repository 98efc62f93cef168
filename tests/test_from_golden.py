"""``--from`` against the real frameworks: for every fixture of a dialect lrplot
reads, the learning rate its framework's own scheduler gives at every update,
stepped as its trainer steps it (tests/golden/from, written by
scripts/golden_from_configs.py with the frameworks installed), equals
lrplot's curve, and so does ``translate`` + ``--config``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrplot.dialects import MODULES
from tests.helpers import read_csv, run

ROOT = Path(__file__).parent
GOLDEN = sorted((ROOT / "golden" / "from").glob("*/*.json"))
FIXTURES = ROOT / "fixtures" / "configs"
# Fixtures whose scheduler lrplot refuses, for now, with "not supported yet".
NOT_YET = {
}
# Fixtures their own framework refuses to run (the golden values simulate the
# scheduler regardless): a one-line error quoting the framework's check.
REFUSED = {
    # Megatron-LM's validate_args asserts no batch ramp-up in an iteration-based run.
    "megatron/gpt3-175b-cosine-rampup-batch.sh": "expected no batch-size rampup for iteration-based training",
}
CASES = [path for path in GOLDEN if path.parent.name in MODULES]


def _facts(case: dict) -> list[str]:
    """The command line's facts: for a file of several runs, those every run
    shares (a run's own batch and devices come from its command line)."""
    if "facts" in case:
        facts = case["facts"]
    else:
        runs = [curve["facts"] for curve in case["curves"]]
        facts = {flag: value for flag, value in runs[0].items() if all(run.get(flag) == value for run in runs)}
    return [str(part) for flag, value in facts.items() for part in (flag, value)]


def _curves(case: dict) -> list[dict]:
    """A golden file holds one run, or several (a README's command lines)."""
    return case.get("curves") or [case]


def _expected(case: dict) -> tuple[np.ndarray, np.ndarray]:
    if "values" in case:
        values = np.asarray(case["values"], dtype=float)
        return np.arange(values.size), values
    points = np.asarray(case["points"], dtype=float)
    return points[:, 0].astype(int), points[:, 1]


def _assert_equal(ours: list[float], case: dict, quantity: str | None = None) -> None:
    """``quantity``: a column the curve carries beside its lr (momentum, a
    parameter group), whose golden values are at the lr's steps."""
    steps, theirs = _expected(case)
    if quantity is not None:
        theirs = np.asarray(case["quantities"][quantity], dtype=float)
    assert len(ours) >= case["total_updates"]
    got = np.asarray(ours)[steps]
    bad = np.flatnonzero(~np.isclose(got, theirs, rtol=1e-12, atol=1e-12 * np.abs(theirs).max()))
    assert bad.size == 0, (f"{quantity or 'lr'} at step {steps[bad[0]]}: lrplot {got[bad[0]]!r}, "
                           f"{case['framework']} {theirs[bad[0]]!r}")


def _check(result, case: dict) -> None:
    if case["fixture"] in NOT_YET:
        assert result.exit_code == 2 and "not supported yet" in result.stderr, result.stderr
        return
    if case["fixture"] in REFUSED:
        assert result.exit_code == 2 and REFUSED[case["fixture"]] in result.stderr, result.stderr
        return
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    curves = _curves(case)
    for column, curve in enumerate(curves, 1):
        _assert_equal([row[column] for row in rows][: curve["total_updates"]], curve)
        for name in curve.get("quantities", {}):
            at = header.index(f"{header[column]}:{name}")
            _assert_equal([row[at] for row in rows][: curve["total_updates"]], curve, name)
    # A column beside the learning rates only for what the framework schedules.
    carried = sum(len(curve.get("quantities", {})) for curve in curves)
    assert len(header) == 1 + len(curves) + carried, header


def _long(case: dict) -> bool:
    """Runs stored as sampled points (over 20,000 updates): checked at those
    steps through the same binding as the CLI, not through a CSV of every step."""
    return any("points" in curve for curve in _curves(case))


def _paired(case: dict, count: int) -> list[dict]:
    """The golden run for each curve lrplot draws: one each, or one for all
    (ESPnet's two optimizers on the same schedule)."""
    goldens = _curves(case)
    if len(goldens) == 1:
        return goldens * count
    assert len(goldens) == count, (len(goldens), count)
    return goldens


def _check_points(requests: list, steps: int, steps_per_epoch: int | None, case: dict) -> None:
    from lrplot.plan import make_curves
    from lrplot.quantities import columns

    curves = make_curves(requests, steps, steps_per_epoch)
    goldens = _paired(case, len(curves))
    for curve, golden in zip(curves, goldens):
        points, theirs = _expected(golden)
        carried = dict(columns(curve))
        assert set(carried) == set(golden.get("quantities", {})), sorted(carried)
        for name, function in [("lr", curve.bound), *carried.items()]:
            if name != "lr":
                theirs = np.asarray(golden["quantities"][name], dtype=float)
            got = function(points.astype(float))
            bad = np.flatnonzero(~np.isclose(got, theirs, rtol=1e-12, atol=1e-12 * np.abs(theirs).max()))
            assert bad.size == 0, (f"{name} at step {points[bad[0]]}: lrplot {got[bad[0]]!r}, "
                                   f"{golden['framework']} {theirs[bad[0]]!r}")


@pytest.mark.parametrize("golden", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_from_equals_the_framework_at_every_step(golden):
    case = json.loads(golden.read_text())
    path = str(FIXTURES / case["fixture"])
    if not _long(case) or case["fixture"] in NOT_YET or case["fixture"] in REFUSED:
        _check(run("-o", "-", "--from", path, *_facts(case)), case)
        return
    from lrplot.dialects import Facts, load
    from lrplot.plan import CurveRequest

    shared = _facts(case)
    facts = Facts(**{flag[2:].replace("-", "_"): int(value) for flag, value in zip(shared[::2], shared[1::2])})
    items = load(path, facts)
    assert [item.total_steps for item in items] == [curve["total_updates"] for curve in _paired(case, len(items))]
    from lrplot.quantities import split

    requests = [CurveRequest(item.schedule, own, label=item.label, quantities=carried)
                for item in items for own, carried in [split(item.params)]]
    _check_points(requests, items[0].total_steps, items[0].steps_per_epoch, case)


@pytest.mark.parametrize("golden", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_translate_then_config_equals_the_framework(golden, tmp_path):
    case = json.loads(golden.read_text())
    printed = run("translate", str(FIXTURES / case["fixture"]), *_facts(case))
    if case["fixture"] in NOT_YET or case["fixture"] in REFUSED:
        _check(printed, case)
        return
    assert printed.exit_code == 0, printed.stderr
    config = tmp_path / "translated.yaml"
    config.write_text(printed.stdout)
    if not _long(case):
        _check(run("-o", "-", "--config", str(config)), case)
        return
    from lrplot.config import load as load_config

    loaded = load_config(str(config))
    assert loaded.options["steps"] == case.get("total_updates", _curves(case)[0]["total_updates"])
    _check_points(loaded.curves, loaded.options["steps"], loaded.options.get("steps_per_epoch"), case)


def test_every_readable_dialect_has_framework_golden_values():
    covered = {path.parent.name for path in CASES}
    assert covered == set(MODULES), f"dialects without golden values: {sorted(set(MODULES) - covered)}"
