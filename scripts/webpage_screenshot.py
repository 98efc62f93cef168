"""README's picture of the interactive page: docs/webpage.png.

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


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([sys.executable, "-m", "lrplot", *COMMAND], cwd=directory, check=True)
        with chromium(width=900, height=560) as browser:
            page = browser.new_page()
            page.goto((Path(directory) / "plan.html").as_uri())
            page.wait_for_function("window.lrplot && window.lrplot.ready")
            box = page.locator("#plot").bounding_box()
            page.mouse.move(page.evaluate("window.lrplot.pixelOf(83000)"), box["y"] + box["height"] * 0.3)
            page.screenshot(path=str(ROOT / "docs" / "webpage.png"))


if __name__ == "__main__":
    main()
