"""`lrplot list`: every schedule with its parameters, defaults and formula,
as plain text or as the markdown table the README embeds."""

from __future__ import annotations

from lrplot.binding import all_schedules
from lrplot.registry import COMMON_PARAMS, Schedule


def _own_params(schedule: Schedule) -> list[str]:
    common = {p.name: p for p in COMMON_PARAMS}
    own = list(schedule.params) + [p for p in schedule.overrides if p != common.get(p.name)]
    return [f"{p.name} ({p.default_text()})" for p in own]


def render_listing(fmt: str = "text") -> str:
    schedules = all_schedules()
    if fmt == "markdown":
        return _markdown(schedules)
    lines = []
    common = ", ".join(f"{p.name} ({p.default_text()})" for p in COMMON_PARAMS)
    lines.append(f"Every schedule also takes: {common}, label, color.\n")
    for schedule in schedules.values():
        lines.append(f"{schedule.name}: {schedule.summary}")
        lines.append(f"    value:  {schedule.formula}")
        for p in list(schedule.params) + list(schedule.overrides):
            lines.append(f"    {p.name:<18} {p.default_text():<16} {p.help}")
        if schedule.matches:
            lines.append(f"    matches: {schedule.matches}")
        lines.append("")
    return "\n".join(lines)


def _markdown(schedules: dict[str, Schedule]) -> str:
    rows = [
        "| schedule | parameters (default) | value at step t | exact match |",
        "|---|---|---|---|",
    ]
    for schedule in schedules.values():
        params = ", ".join(f"`{text}`" for text in _own_params(schedule)) or "—"
        formula = schedule.formula.replace("|", "\\|")
        rows.append(f"| `{schedule.name}` | {params} | `{formula}` | {schedule.matches or '—'} |")
    return "\n".join(rows) + "\n"
