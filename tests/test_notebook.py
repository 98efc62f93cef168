"""lrplot.figure: a Figure for notebooks, off pyplot; and docs/notebook.ipynb,
run by a real Jupyter kernel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot import ParamError, UsageError

NOTEBOOK = Path(__file__).parent.parent / "docs" / "notebook.ipynb"


def test_one_schedule_draws_what_evaluate_gives_and_leaves_pyplot_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figure = lrplot.figure("cosine", steps=1000, warmup_steps=100, warmup_start_lr=0.01, title="T", log_y=True)
    assert plt.get_fignums() == before
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    (line,) = axes.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1000))
    np.testing.assert_array_equal(line.get_ydata(), lrplot.evaluate("cosine", steps=1000, warmup_steps=100, warmup_start_lr=0.01))
    assert axes.get_title() == "T" and axes.get_yscale() == "log"


def test_several_curves_as_names_and_mappings_with_options():
    figure = lrplot.figure(
        ["exponential", {"schedule": "step", "step_size": 3, "label": "mine", "color": "red"}],
        steps=12, steps_per_epoch=4, size=(5, 3), dpi=50, diff="rel",
    )
    axes, panel = figure.axes[:2]
    first, second = axes.get_lines()
    np.testing.assert_array_equal(first.get_xdata(), np.arange(12) / 4)  # epochs
    np.testing.assert_array_equal(second.get_ydata(), lrplot.evaluate("step", steps=12, step_size=3))
    assert second.get_label() == "mine" and second.get_color() == "red"
    assert tuple(figure.get_size_inches()) == (5, 3) and figure.dpi == 50
    # the panel: step relative to exponential, 0.96**t by hand
    (zero, relative) = panel.get_lines()
    t = np.arange(12)
    np.testing.assert_allclose(relative.get_ydata(), 0.1 * 0.1 ** (t // 3) / (0.1 * 0.96**t) - 1, rtol=1e-12)


def test_bad_arguments_raise_what_evaluate_raises():
    with pytest.raises(ParamError) as evaluated:
        lrplot.evaluate("exponential", decay_rate=0)
    with pytest.raises(ParamError) as drawn:
        lrplot.figure("exponential", decay_rate=0)
    assert str(drawn.value) == str(evaluated.value) == "decay_rate: got 0, expected a number > 0"
    with pytest.raises(UsageError) as unknown:
        lrplot.figure("expo")
    assert "unknown schedule 'expo' (did you mean exponential?)" in str(unknown.value)
    with pytest.raises(ParamError, match="^steps: got 0, expected an integer from 1"):
        lrplot.figure("cosine", steps=0)
    with pytest.raises(ParamError, match="^diff: got 'x', expected one of abs, rel$"):
        lrplot.figure("cosine", diff="x")
    with pytest.raises(ParamError, match=r"^unknown parameter titel \(did you mean title\?\)"):
        lrplot.figure(["cosine"], titel="x")
    with pytest.raises(UsageError, match=r"^lrplot.figure: curve 2 \(cosine\): unknown key 'decay_rat'"):
        lrplot.figure(["cosine", {"schedule": "cosine", "decay_rat": 1}])
    with pytest.raises(UsageError, match="give two or more curves"):
        lrplot.figure("cosine", diff="abs")


def test_warnings_are_python_warnings():
    with pytest.warns(UserWarning, match=r"^curve 1 \(multistep\): milestones \[200\] at or beyond"):
        lrplot.figure("multistep", steps=100, milestones=[200])


def test_it_shows_itself_as_png_without_pyplot():
    png = lrplot.figure("constant", steps=10, size=(2, 2), dpi=40)._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (80, 80)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Jupyter's own, on its paths
def test_the_notebook_runs_in_a_real_jupyter_kernel(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    # A kernel of this very interpreter (the installed kernel.json says
    # "python", whichever that is on PATH).
    spec = tmp_path / "kernels" / "lrplot-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lrplot test", "language": "python",
    }))
    manager = KernelManager(kernel_name="lrplot-test",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(notebook, km=manager, timeout=60,
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    finally:  # the kernel is ours, not the client's: stop it and close its sockets
        if client.kc is not None:
            client.kc.stop_channels()
        manager.shutdown_kernel(now=True)
        manager.context.term()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    # Both figures are shown inline, as PNG, without %matplotlib or pyplot.
    shown = [cell for cell in code if any("image/png" in out.get("data", {}) for out in cell.outputs)]
    assert [cell.source.splitlines()[-1] for cell in shown][-1] == "fig"
    assert len(shown) == 2
    printed = "".join(out.get("text", "") for cell in code for out in cell.outputs)
    assert "same values: True | pyplot imported: False" in printed
