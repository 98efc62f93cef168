"""README's "Matching the frameworks" table and known differences, rendered
from the framework descriptions (lrplot.frameworks, lrplot.matching), so the
README says what ``--emit`` does. ``python -m lrplot.matchtable`` prints it;
``scripts/update_readme.py`` writes it into README.md."""

from __future__ import annotations

import re
import string

from lrplot.binding import all_schedules
from lrplot.matching import Exact, Framework, Value, Warmup, all_frameworks

# Module paths and the optimizer argument say nothing a reader needs in a table.
NOISE = ("keras.optimizers.schedules.", "paddle.optimizer.lr.", "optax.", "optimizer, ")
SAME_NAME = re.compile(r"(?<![\w.])(\w+)=\1(?![\w(])")
# The facts a template may use beyond the parameters (lrplot.matching), as people say them.
FACTS = {"warmup_from": "warmup_start_lr", "warmup_to": "the warmup's end", "shown": "--steps"}


def doc_call(template: str, values: tuple[Value, ...] = (), **parts: str) -> str:
    """A call template as people read it: each argument named by the lrplot
    parameter (or the computation) it comes from; ``k=k`` shortened to ``k``."""
    texts = FACTS | {value.name: value.text for value in values} | parts
    out = []
    for literal, field, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(texts.get(field, field))
    text = "".join(out)
    for noise in NOISE:
        text = text.replace(noise, "")
    return SAME_NAME.sub(r"\1", text)


def _conditions(texts: list[str]) -> str:
    return f" ({'; '.join(texts)})" if texts else ""


def exact_cell(rule: Exact) -> str:
    warm = [f"with a {' or '.join(rule.warmup)} warmup"] if rule.warmup else []
    return f"`{doc_call(rule.call, rule.values)}`{_conditions(warm + [c.text for c in rule.when])}"


def warmup_cell(warmup: Warmup) -> str:
    shapes = {shape: doc_call(call, warmup.values) for shape, call in warmup.shapes.items()}
    text = f"`{doc_call(warmup.call, warmup.values, inner='X', warm='W')}`"
    if any(shapes.values()):
        text += " with W = " + " or ".join(f"`{call}` ({shape})" for shape, call in shapes.items())
    else:
        text += f" ({', '.join(shapes)} warmup)"
    text += _conditions([c.text for c in warmup.when])
    if warmup.refuses:
        text += f"; not for {', '.join(warmup.refuses)}"
    return text


def _cell(framework: Framework, schedule: str) -> str:
    return "; ".join(exact_cell(rule) for rule in framework.exact if rule.schedule == schedule) or "—"


def render_table() -> str:
    frameworks = all_frameworks()
    named = [name for name in all_schedules() if any(r.schedule == name for f in frameworks.values() for r in f.exact)]
    rows = [
        "| lrplot | " + " | ".join(f.title for f in frameworks.values()) + " |",
        "|---" * (len(frameworks) + 1) + "|",
    ]
    for name in named:
        rows.append(f"| `{name}` | " + " | ".join(_cell(f, name) for f in frameworks.values()) + " |")
    warm = [warmup_cell(f.warmup) if f.warmup else "—" for f in frameworks.values()]
    rows.append("| any `--warmup-steps W` (X: the schedule's class) | " + " | ".join(warm) + " |")
    return "\n".join(rows) + "\n"


def render_differences() -> str:
    return "".join(
        f"- {_wrap(text)}\n" for framework in all_frameworks().values() for text in framework.differences
    )


def _wrap(text: str, width: int = 76) -> str:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n  ".join(lines)


def render() -> str:
    """The generated part of README's "Matching the frameworks"."""
    return (
        render_table()
        + "\nKnown differences, and how to reproduce the other framework's curve:\n\n"
        + render_differences()
    )


if __name__ == "__main__":
    print(render(), end="")
