"""Debian's Chromium driven by Playwright, for the page tests, the benchmark
and README's screenshot. Playwright's own browser download is never used
(``playwright install`` is not run anywhere): the browser is the system's."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("LRPLOT_CHROMIUM", "/usr/bin/chromium")
# Headless and quiet: no GPU, no sandbox (CI runs as root), and none of the
# background traffic Chromium makes on its own, so any request seen is the page's.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class BrowserMissing(Exception):
    pass


@contextmanager
def chromium(width: int = 1000, height: int = 700) -> Iterator[Any]:
    """A browser context with a new profile and a ``width`` x ``height`` viewport."""
    if not os.path.exists(CHROMIUM):
        raise BrowserMissing(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="lrplot-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": width, "height": height},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()
