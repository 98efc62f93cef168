"""``lrplot translate FILE``: the lrplot YAML config that draws the same curve
as ``--from FILE``, each line commented with the file's key(s) it came from."""

from __future__ import annotations

import json
import re
from typing import Any

from lrplot.dialects import DIALECTS, Facts, Imported, load

# Characters YAML may not hold, or would read as line breaks, even inside double
# quotes: written as escapes.
NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff\ufeff]")
MAX_COMMENT = 200


def translate(path: str, facts: Facts, dialect: str | None = None, steps: int | None = None) -> str:
    """``steps``: the run's length when the file does not say it (``--steps``)."""
    items = load(path, facts, dialect)
    first = items[0]
    title = DIALECTS[first.dialect].title
    if steps is None:
        steps = max(item.total_steps for item in items)
    lines = [
        f"# lrplot config for {_comment(path)} ({first.dialect}: {title}),",
        "# the same curve as `lrplot --from` draws; use it with `lrplot --config FILE`.",
        f"steps: {steps}{_note(first, 'steps')}",
    ]
    if first.steps_per_epoch:
        lines.append(f"steps_per_epoch: {first.steps_per_epoch}{_note(first, 'steps_per_epoch')}")
    lines.append("curves:")
    for item in items:
        lines += [f"  - schedule: {item.schedule}", f"    label: {quote(item.label)}"]
        for name, value in item.params.items():
            lines.append(f"    {name}: {scalar(value)}{_note(item, name)}")
    return "\n".join(lines) + "\n"


def _note(item: Imported, name: str) -> str:
    origin = item.origin.get(name)
    return f"  # {_comment(origin)}" if origin else ""


def _comment(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_COMMENT else flat[: MAX_COMMENT - 1] + "…"


def quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``text``."""
    escaped = json.dumps(text, ensure_ascii=False)
    return NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def scalar(value: Any) -> str:
    """A YAML scalar that ``yaml.safe_load`` reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        # YAML 1.1 wants a dot in a float (2e-05 would be a string): 2.0e-05.
        if "e" in text and "." not in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dict):  # a sequence's part: a flow mapping
        return "{" + ", ".join(f"{quote(str(k))}: {scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as YAML")
