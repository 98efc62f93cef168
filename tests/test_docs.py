"""Docs cannot drift: README's schedule table is the registry's own listing."""

from pathlib import Path

from lrplot.listing import render_listing

ROOT = Path(__file__).parent.parent


def test_readme_schedule_table_is_generated_from_the_registry():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- schedules:start -->\n") + len("<!-- schedules:start -->\n")
    end = readme.index("<!-- schedules:end -->")
    assert readme[start:end] == render_listing("markdown"), (
        "README is stale: regenerate with `lrplot list --format markdown`"
    )


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) >= 2
    assert "lrplot" in commands[0] and "pip install ." in commands[0]
    test_command = commands[1].split("&& ", 2)[2]  # after venv creation and activation
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_readme_development_section_names_every_module():
    readme = (ROOT / "README.md").read_text()
    development = readme[readme.index("## Development"):]
    modules = [p for p in (ROOT / "lrplot").glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    packages = [p for p in (ROOT / "lrplot").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    missing = [p.name for p in modules if f"`lrplot/{p.name}`" not in development]
    missing += [p.name for p in packages if f"`lrplot/{p.name}/`" not in development]
    assert not missing, f"README's Development section does not name: {missing}"


def test_readme_framework_table_is_generated_from_the_framework_descriptions():
    from lrplot.matchtable import render

    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- frameworks:start -->\n") + len("<!-- frameworks:start -->\n")
    end = readme.index("<!-- frameworks:end -->")
    assert readme[start:end] == render(), "README is stale: regenerate with `python scripts/update_readme.py`"
