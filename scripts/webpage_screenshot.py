"""README's pictures of the interactive page: docs/webpage.png, and
docs/webpage-momentum.png (panels for momentum and weight decay, a band of
parameter groups).

    python scripts/webpage_screenshot.py

Writes the page of README's example with lrplot, opens it in headless
Chromium (tests/browser.py), points at a step and takes the screenshot.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402 - needs ROOT on the path

# The example of README's "Interactive page" section.
COMMAND = [
    "--steps", "100000", "--steps-per-epoch", "1000", "-o", "plan.html",
    "cosine", "--lr", "6e-4", "--end-lr", "6e-5", "--warmup-steps", "2000", "--warmup-start-lr", "6e-6",
    "--label", "cosine to 6e-5",
    "wsd", "--lr", "6e-4", "--warmup-steps", "2000", "--warmup-start-lr", "6e-6", "--decay-steps", "20000",
    "--decay-shape", "1-sqrt", "--label", "WSD, 1-sqrt cool-down",
]

# The example of README's "Interactive page" section on momentum and groups.
MOMENTUM = [
    "--steps", "10000", "-o", "plan.html",
    "onecycle", "--lr", "0.01", "--weight-decay", "cosine lr=0.04 end_lr=0.4", "--label", "one-cycle",
    "cosine", "--lr", "0.001", "--warmup-steps", "1000", "--layer-decay", "rate=0.75 layers=12",
    "--momentum", "0.9", "--label", "fine-tuning, layer decay 0.75",
]


def shoot(command: list[str], step: int, height: int, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([sys.executable, "-m", "lrplot", *command], cwd=directory, check=True)
        with chromium(width=900, height=height) as browser:
            page = browser.new_page()
            page.goto((Path(directory) / "plan.html").as_uri())
            page.wait_for_function("window.lrplot && window.lrplot.ready")
            box = page.locator("#plot").bounding_box()
            page.mouse.move(page.evaluate(f"window.lrplot.pixelOf({step})"), box["y"] + box["height"] * 0.3)
            page.screenshot(path=str(ROOT / "docs" / name))


def main() -> None:
    shoot(COMMAND, 83000, 560, "webpage.png")
    shoot(MOMENTUM, 6000, 910, "webpage-momentum.png")


if __name__ == "__main__":
    main()
