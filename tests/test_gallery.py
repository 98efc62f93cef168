"""The gallery and the recipes: documented, rendering, and saying what their papers say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lrplot
from tests.helpers import read_csv, run

ROOT = Path(__file__).parent.parent
GALLERY = ROOT / "docs" / "gallery"
RECIPES = sorted((ROOT / "configs" / "recipes").glob("*.yaml"))


@pytest.mark.parametrize("name", list(lrplot.list_schedules()))
def test_every_schedule_has_a_gallery_image(name):
    assert (GALLERY / f"{name}.png").is_file(), f"run `python scripts/gallery.py`: no image for {name}"
    assert f"`{name}`" in (GALLERY / "README.md").read_text()


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.stem for r in RECIPES])
def test_every_recipe_has_an_image_a_source_and_renders(recipe, tmp_path):
    assert (GALLERY / f"recipe-{recipe.stem}.png").is_file()
    header = recipe.read_text().split("\n\n")[0]
    assert "Source:" in header and any(str(year) in header for year in range(2015, 2026))
    out = tmp_path / "r.png"
    result = run("--config", str(recipe), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000


def test_at_least_seven_recipes():
    names = {r.stem for r in RECIPES}
    assert {"resnet50-imagenet", "bert-pretraining", "transformer-noam", "gpt-cosine", "wsd-1-sqrt", "sgdr", "onecycle"} <= names


def values(recipe: str, *extra: str) -> list[list[float]]:
    result = run("--config", str(ROOT / "configs" / "recipes" / f"{recipe}.yaml"), "-o", "-", *extra)
    assert result.exit_code == 0, result.stderr
    return read_csv(result.stdout)[1]


def test_resnet_recipe_numbers():
    rows = values("resnet50-imagenet")
    per_epoch = 157
    assert len(rows) == 90 * per_epoch
    assert rows[0][1] == 0.1  # warmup starts at 0.1 (Goyal et al.)
    assert rows[5 * per_epoch][1] == 3.2  # 0.1 x 8192 / 256 after 5 epochs
    assert rows[30 * per_epoch - 1][1] == 3.2
    assert rows[30 * per_epoch][1] == pytest.approx(0.32)
    assert rows[60 * per_epoch][1] == pytest.approx(0.032)
    assert rows[80 * per_epoch][1] == pytest.approx(0.0032)


def test_bert_recipe_numbers(tmp_path):
    # A million steps: JSON reads back faster than CSV rows.
    out = tmp_path / "bert.json"
    result = run("--config", str(ROOT / "configs" / "recipes" / "bert-pretraining.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    (curve,) = json.loads(out.read_text())["curves"]
    lr = curve["lr"]
    assert len(lr) == 1_000_000
    assert lr[5000] == pytest.approx(0.5e-4)
    assert lr[10000] == pytest.approx(1e-4)  # peak after 10k warmup steps
    assert lr[505000] == pytest.approx(0.5e-4)  # halfway down the 990k-step decay
    assert lr[-1] == pytest.approx(1e-4 / 990000)


def test_noam_recipe_peaks_at_warmup():
    rows = values("transformer-noam", "--steps", "8001")
    column = [r[1] for r in rows]
    peak = max(range(len(column)), key=column.__getitem__)
    assert peak == 4000
    assert column[4000] == pytest.approx(512**-0.5 * 4000**-0.5)


def test_gpt_recipe_ends_at_ten_percent():
    rows = values("gpt-cosine")
    assert max(r[1] for r in rows) == pytest.approx(6e-4)
    assert rows[-1][1] == pytest.approx(6e-5, rel=1e-3)


def test_wsd_and_sgdr_recipes():
    wsd = [r[1] for r in values("wsd-1-sqrt")]
    assert wsd[2000] == 1e-3 and wsd[80000] == 1e-3 and wsd[80001] < 1e-3 and wsd[-1] < 1e-5
    sgdr = [r[1] for r in values("sgdr")]
    restarts = [t for t in range(1, len(sgdr)) if sgdr[t] > sgdr[t - 1] + 0.01]
    assert restarts == [10 * 391, 30 * 391, 70 * 391]
