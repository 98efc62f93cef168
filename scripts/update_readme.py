"""Rewrite README.md's generated sections: the schedule table (from the
registry, as `lrplot list --format markdown` prints it) and the framework
table with its known differences (from lrplot/frameworks, see
lrplot/matchtable.py). tests/test_docs.py fails when either is stale."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrplot.listing import render_listing  # noqa: E402
from lrplot.matchtable import render  # noqa: E402

SECTIONS = {"schedules": lambda: render_listing("markdown"), "frameworks": render}


def replace(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    head, rest = text.split(start, 1)
    return head + start + body + end + rest.split(end, 1)[1]


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    for name, body in SECTIONS.items():
        text = replace(text, name, body())
    readme.write_text(text)


if __name__ == "__main__":
    main()
