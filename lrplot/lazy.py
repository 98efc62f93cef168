"""numpy, imported on first use.

``lrplot --help``, ``lrplot list`` and shell completion (which runs lrplot on
every Tab) only need the schedules' names, parameters and help: importing
numpy would double their start-up. Modules on that path write
``from lrplot.lazy import numpy as np`` and use ``np`` as usual; the real
module is imported the first time one of its names is looked up, and its
names are then copied here, so later look-ups cost what a module's do.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # copy, pickle, doctest probing: not a reason to import
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


numpy: Any = LazyModule("numpy")
