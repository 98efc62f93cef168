"""The interactive page (-o plan.html) in a real browser: Debian's Chromium,
driven by Playwright. Pages are written by real ``python -m lrplot`` runs
together with a CSV, and the values the page shows on hover are compared
with the CSV's text.

The browser is required: CI installs it (.ci/run), and without it these
tests fail, they do not skip.
"""

from __future__ import annotations

import csv
import math
import random
import struct
from pathlib import Path

import pytest

from tests.browser import BrowserMissing, chromium
from tests.helpers import leftovers, lrplot_process

TITLE = "plan η — </script><script>document.title='owned'</script> & <b>co</b>"
HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
BIG_STEPS = 200_000


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as context:
            yield context
    except BrowserMissing as missing:
        pytest.fail(str(missing))


def write_page(directory: Path, *args: str) -> tuple[Path, dict[int, list[str]]]:
    """A page and the CSV of the same run, written together by one lrplot process;
    the CSV's rows by step, as text."""
    done = lrplot_process("-o", "plan.html", "-o", "plan.csv", *args, cwd=directory)
    assert done.returncode == 0, done.stderr
    with open(directory / "plan.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return directory / "plan.html", {int(row[0]): row[1:] for row in rows}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """500 steps: every step is in the page."""
    return write_page(
        tmp_path_factory.mktemp("small"),
        "--steps", "500", "--steps-per-epoch", "100", "--title", TITLE,
        "warmup", "--warmup-steps", "50", "cosine", "step", "--step-size", "100", "--label", HOSTILE_LABEL,
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """More steps than the page keeps: each curve is reduced to its drawn points."""
    return write_page(
        tmp_path_factory.mktemp("big"),
        "--steps", str(BIG_STEPS), "cosine-restarts", "--first-decay-steps", "7000",
        "cyclic", "--step-size-up", "900", "step", "--step-size", "30011",
    )


class Page:
    """One page open in the browser, with every request it made and every script error."""

    def __init__(self, browser, path: Path) -> None:
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))
        self.page.goto(self.url)
        self.page.wait_for_function("window.lrplot && window.lrplot.ready")
        box = self.page.locator("#plot").bounding_box()
        self.middle = box["y"] + box["height"] / 2

    def hover(self, step: float) -> tuple[int, list[tuple[int, str, str]]]:
        """Point at ``step``: the step the readout names and, for each curve
        shown, its number, the value's text and the step that value is from."""
        self.page.mouse.move(self.page.evaluate("s => window.lrplot.pixelOf(s)", step), self.middle)
        head = self.page.inner_text("#readout .step")
        assert head.startswith("step "), head
        shown = int(head.removeprefix("step "))
        rows = self.page.eval_on_selector_all(
            "#readout tr",
            "rows => rows.map(r => [r.dataset.curve, r.querySelector('.value').textContent,"
            " r.querySelector('.at').textContent])",
        )
        return shown, [(int(k), value, at) for k, value, at in rows]

    def view(self) -> list[float]:
        return self.page.evaluate("window.lrplot.view()")

    def ink(self, step: float, value: float, panel: str | None = None) -> list[tuple[int, int, int]]:
        """The chart's pixels within 2 pixels of where (step, value) is drawn
        (on the learning rate's chart, or the ``panel`` of that quantity)."""
        point = self.page.evaluate("([s, v, p]) => window.lrplot.pointOf(s, v, p)", [step, value, panel])
        box = self.page.locator("#plot").bounding_box()
        x, y = round(point["x"] - box["x"]), round(point["y"] - box["y"])
        data = self.page.evaluate(
            "([x, y]) => Array.from(document.getElementById('chart').getContext('2d')"
            ".getImageData(x - 2, y - 2, 5, 5).data)",
            [x, y],
        )
        return [tuple(data[i : i + 3]) for i in range(0, len(data), 4)]

    def close(self) -> None:
        assert self.errors == []
        # Everything the page needs is in the file: no request but the page itself.
        assert self.requests == [self.url]
        self.page.close()


def near(pixels: list[tuple[int, int, int]], color: str) -> bool:
    want = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return any(sum(abs(a - b) for a, b in zip(pixel, want)) < 90 for pixel in pixels)


ORANGE = "#ff7f0e"  # matplotlib's second default colour: the second curve


def test_hover_shows_the_csv_values_of_every_step_and_its_epoch(browser, small):
    path, rows = small
    page = Page(browser, path)
    # Epochs by hand: 100 steps each.
    epochs = {0: "0", 1: "0.01", 49: "0.49", 50: "0.5", 99: "0.99", 100: "1", 101: "1.01", 250: "2.5", 499: "4.99"}
    for step, epoch in epochs.items():
        shown, values = page.hover(step)
        assert shown == step
        assert page.page.inner_text("#readout .where") == f"step {step} · epoch {epoch}"
        assert values == [(k, rows[step][k], "") for k in range(3)]
    # Half-way: warmup is at its peak, cosine at (1 + cos(pi/2)) / 2 * 0.1.
    assert page.hover(250)[1][:2] == [(0, "0.1", ""), (1, "0.05", "")]
    # User text is shown as text: no markup runs, no image is fetched.
    page.page.mouse.wheel(0, -2000)  # every step is in this page: no detail to miss
    page.page.wait_for_function("window.lrplot.view()[1] - window.lrplot.view()[0] < 100")
    assert page.page.locator("#detail").is_hidden()
    assert page.page.inner_text("h1") == TITLE
    assert page.page.title() == TITLE
    assert page.page.inner_text("#legend").splitlines()[-1] == HOSTILE_LABEL
    page.close()


def test_hover_on_a_reduced_curve_shows_real_steps(browser, big):
    path, rows = big
    page = Page(browser, path)
    plot_width = page.page.locator("#plot").bounding_box()["width"]
    steps_per_pixel = BIG_STEPS / plot_width
    bucket = math.ceil(BIG_STEPS / 2048)
    for target in (0, 12_345, 30_011, 100_000, 150_001, BIG_STEPS - 1):
        shown, values = page.hover(target)
        assert abs(shown - target) <= steps_per_pixel
        assert [k for k, _, _ in values] == [0, 1, 2]
        for k, value, at in values:
            step = shown if at == "" else int(at.removeprefix("at step "))
            assert abs(step - shown) <= bucket
            assert value == rows[step][k], (target, k, step)
    page.close()


def test_legend_hides_and_shows_a_curve(browser, small):
    path, rows = small
    page = Page(browser, path)
    value = float(rows[150][1])  # cosine, where no other curve is drawn
    assert near(page.ink(150, value), ORANGE)
    entry = page.page.locator('#legend button[data-curve="1"]')
    entry.click()
    assert entry.get_attribute("aria-pressed") == "false"
    assert not near(page.ink(150, value), ORANGE)
    assert [k for k, _, _ in page.hover(150)[1]] == [0, 2]
    entry.click()
    assert entry.get_attribute("aria-pressed") == "true"
    assert near(page.ink(150, value), ORANGE)
    assert [k for k, _, _ in page.hover(150)[1]] == [0, 1, 2]
    page.close()


def test_log_y_toggle(browser, small):
    path, rows = small
    page = Page(browser, path)

    def heights() -> list[float]:
        return [page.page.evaluate("v => window.lrplot.pointOf(0, v).y", v) for v in (0.1, 0.01, 0.001)]

    linear = heights()
    # Linear: 0.1 -> 0.01 spans ten times 0.01 -> 0.001.
    assert (linear[1] - linear[0]) == pytest.approx(10 * (linear[2] - linear[1]))
    button = page.page.locator("#logy")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    logarithmic = heights()
    assert (logarithmic[1] - logarithmic[0]) == pytest.approx(logarithmic[2] - logarithmic[1])
    value = float(rows[150][1])
    assert near(page.ink(150, value), ORANGE)  # drawn where the log scale puts it
    # Warmup's 0.0 at step 0 has no place on a log axis, but the readout still says it.
    assert page.hover(0)[1][0] == (0, rows[0][0], "")
    assert rows[0][0] == "0.0"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert heights() == linear
    page.close()


def test_zoom_pan_and_reset(browser, big):
    path, rows = big
    page = Page(browser, path)
    everything = [0, BIG_STEPS - 1]
    assert page.view() == everything
    # Mouse events are at whole pixels: the step under the pointer, from the linear scale.
    edge = 4 * 30_011  # the step curve's fourth drop
    x = round(page.page.evaluate(f"window.lrplot.pixelOf({edge})"))
    first, second = page.page.evaluate("[window.lrplot.pixelOf(0), window.lrplot.pixelOf(1)]")
    under = (x - first) / (second - first)
    page.page.mouse.move(x, page.middle)
    for _ in range(10):
        page.page.mouse.wheel(0, -400)
    page.page.wait_for_function(f"window.lrplot.view()[1] - window.lrplot.view()[0] < {BIG_STEPS / 100}")
    low, high = page.view()
    assert low < under < high
    # Zoomed in past the page's points (one per 98 steps, 200,000 / 2,048): it says so.
    assert page.page.inner_text("#detail") == (
        "Zoomed in past the page's detail: it holds the first, last, lowest and highest step "
        "of every 98 steps, joined by lines (a CSV has every step)."
    )
    # The step under the pointer stays under it.
    assert page.page.evaluate(f"window.lrplot.pixelOf({under})") == pytest.approx(x, abs=1e-6)
    for target in (edge - 2, edge - 1, edge, edge + 1):
        shown, values = page.hover(target)
        assert shown == target  # zoomed in: a pixel is less than a step
        for k, value, at in values:
            step = shown if at == "" else int(at.removeprefix("at step "))
            assert value == rows[step][k]
        # A decaying step curve keeps its edges and holds its value from one
        # drawn step to the next: its readout is its value at the very step.
        assert values[2][1] == rows[target][2]
    # Drag 200 pixels to the right: the view moves left by as many steps.
    span = high - low
    width = page.page.locator("#plot").bounding_box()["width"]
    page.page.mouse.move(x, page.middle)
    page.page.mouse.down()
    page.page.mouse.move(x + 100, page.middle)
    page.page.mouse.move(x + 200, page.middle)
    page.page.mouse.up()
    moved = page.view()
    plot_width = page.page.evaluate("window.lrplot.pixelOf(1) - window.lrplot.pixelOf(0)") * span
    assert plot_width < width
    assert moved[0] == pytest.approx(low - 200 / plot_width * span, rel=1e-9)
    assert moved[1] - moved[0] == pytest.approx(span)
    page.page.click("#reset")
    assert page.view() == everything
    assert page.page.locator("#detail").is_hidden()
    page.page.mouse.move(x, page.middle)
    page.page.mouse.wheel(0, -400)
    page.page.wait_for_function(f"window.lrplot.view()[0] > 0 || window.lrplot.view()[1] < {BIG_STEPS - 1}")
    page.page.mouse.dblclick(x, page.middle)
    assert page.view() == everything
    # The keyboard does the same on the focused plot.
    page.page.focus("#plot")
    page.page.keyboard.press("+")
    low, high = page.view()
    assert high - low == pytest.approx(0.8 * (BIG_STEPS - 1))
    page.page.keyboard.press("ArrowLeft")
    assert page.view()[0] == pytest.approx(low - (high - low) / 10)
    page.page.keyboard.press("0")
    assert page.view() == everything
    page.close()


def test_readout_numbers_are_pythons_repr(browser, small):
    """The page's own number format against Python's repr, over float64s of every magnitude."""
    path, _ = small
    page = Page(browser, path)
    chance = random.Random(15)
    values = [1e16, 1e-05, 0.0001, 123.0, 1e15, 5e-324, -0.0, 0.0, 1.7976931348623157e308, 0.1 + 0.2, -2.5e-7]
    while len(values) < 3000:
        value = struct.unpack("<d", chance.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            values.append(value)
    bits = [struct.pack(">d", value).hex() for value in values]
    shown = page.page.evaluate(
        "hexes => hexes.map(h => { const view = new DataView(new ArrayBuffer(8));"
        " view.setBigUint64(0, BigInt('0x' + h)); return window.lrplot.format(view.getFloat64(0)); })",
        bits,
    )
    assert shown == [repr(value) for value in values]
    page.close()


def test_descent_panels_are_refused_and_nothing_is_written(tmp_path):
    done = lrplot_process(
        "--steps", "20", "--descent", "quadratic", "-o", "a.csv", "-o", "b.html", "constant", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "lrplot: error: -o/--output: an .html page shows learning-rate curves, not --descent panels: "
        "write those as .png, .svg or .pdf\n"
    )
    assert list(tmp_path.iterdir()) == [] and leftovers(tmp_path) == []


# ------------------------------------------------------------------ momentum, weight decay, parameter groups

BLUE = "#1f77b4"  # the first curve
CARRIED_STEPS = 300


@pytest.fixture(scope="module")
def carried(tmp_path_factory):
    """A page with a momentum and a weight-decay panel and a curve with groups,
    and the CSV of the same run (its columns by name)."""
    directory = tmp_path_factory.mktemp("carried")
    done = lrplot_process(
        "-o", "plan.html", "-o", "plan.csv", "--steps", str(CARRIED_STEPS),
        "onecycle", "--weight-decay", "cosine lr=0.04 end_lr=0.4",
        "cosine", "--groups", "backbone=0.1 head=2", "--momentum", "multistep lr=0.9 milestones=150 gamma=0.5",
        cwd=directory,
    )
    assert done.returncode == 0, done.stderr
    with open(directory / "plan.csv", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return directory / "plan.html", {name: [row[i] for row in rows] for i, name in enumerate(header)}


def quantities(page: Page) -> dict[int, dict[str, str]]:
    """Each readout row's carried values, by key, as the page shows them."""
    rows = page.page.eval_on_selector_all(
        "#readout tr",
        "rows => rows.map(r => [r.dataset.curve, [...r.querySelectorAll('.quantity')]"
        ".map(q => [q.dataset.key, q.lastChild.textContent])])",
    )
    return {int(k): dict(values) for k, values in rows}


def test_panels_and_readout_carry_momentum_weight_decay_and_groups(browser, carried):
    path, csv_columns = carried
    page = Page(browser, path)
    panels = page.page.evaluate("window.lrplot.panels()")
    assert [p["key"] for p in panels] == ["momentum", "weight_decay"]
    # Stacked under the learning rate's chart, inside the plot.
    box = page.page.locator("#plot").bounding_box()
    assert page.middle < panels[0]["top"] < panels[1]["top"] < box["y"] + box["height"]
    for step in range(0, CARRIED_STEPS, 23):
        shown, values = page.hover(step)
        assert shown == step  # 300 steps: every step is in the page
        assert [value for _, value, _ in values] == [csv_columns["onecycle"][step], csv_columns["cosine"][step]]
        assert quantities(page) == {
            0: {"momentum": csv_columns["onecycle:momentum"][step], "weight_decay": csv_columns["onecycle:weight_decay"][step]},
            1: {"momentum": csv_columns["cosine:momentum"][step],
                "group:backbone": csv_columns["cosine:backbone"][step], "group:head": csv_columns["cosine:head"][step]},
        }
    # Each quantity is drawn in its panel, in its curve's colour.
    step = 60
    assert near(page.ink(step, float(csv_columns["onecycle:momentum"][step]), "momentum"), BLUE)
    assert near(page.ink(step, float(csv_columns["onecycle:weight_decay"][step]), "weight_decay"), BLUE)
    assert near(page.ink(step, float(csv_columns["cosine:momentum"][step]), "momentum"), ORANGE)
    # The groups' band: between the cosine x 0.1 and x 2, orange at 18 % opacity (alpha 46 of 255)
    # on the transparent chart; just above x 2, nothing.
    peak = 2 * float(csv_columns["cosine"][step])
    for value, alpha in ((0.5 * peak / 2, 46), (0.15 * peak / 2, 46), (1.1 * peak, 0)):
        x, y = page.page.evaluate("([s, v]) => { const p = window.lrplot.pointOf(s, v); return [p.x, p.y]; }", [step, value])
        box = page.page.locator("#plot").bounding_box()
        pixel = page.page.evaluate(
            "([x, y]) => Array.from(document.getElementById('chart').getContext('2d').getImageData(x, y, 1, 1).data)",
            [round(x - box["x"]), round(y - box["y"])],
        )
        assert pixel[3] == alpha and (alpha == 0 or near([tuple(pixel[:3])], ORANGE)), (value, pixel)
    # Hiding a curve hides its quantities too.
    page.page.locator('#legend button[data-curve="0"]').click()
    assert not near(page.ink(step, float(csv_columns["onecycle:momentum"][step]), "momentum"), BLUE)
    page.close()


def test_a_page_without_quantities_has_no_panels(browser, small):
    path, _ = small
    page = Page(browser, path)
    assert page.page.evaluate("window.lrplot.panels()") == []
    assert page.page.eval_on_selector_all("#readout .quantity", "q => q.length") == 0
    page.close()
