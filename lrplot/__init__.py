"""lrplot: evaluate, compare, draw and export learning-rate schedules.

>>> import lrplot
>>> lrplot.evaluate("exponential", steps=3, decay_rate=0.5).tolist()
[0.1, 0.05, 0.025]
"""

from __future__ import annotations

from lrplot import schedules as _builtins  # noqa: F401  (fills the registry)
from lrplot.api import curve, evaluate, figure, list_schedules
from lrplot.binding import get_schedule
from lrplot.errors import ParamError, UsageError
from lrplot.registry import SCHEDULES, Param, Schedule, register

__all__ = [
    "SCHEDULES",
    "Param",
    "ParamError",
    "Schedule",
    "UsageError",
    "curve",
    "evaluate",
    "figure",
    "get_schedule",
    "list_schedules",
    "register",
]

__version__ = "1.0.0"
