"""lrplot's speed and memory targets, measured side by side in one run.

    python benchmarks/bench.py            # everything (about a minute)
    python benchmarks/bench.py --quick    # smaller sizes, for a smoke test
    python benchmarks/bench.py --markdown # the table for README's Performance section

The machine is shared and noisy, so every target is a ratio of two things
measured here, now, interleaved, taking the best of several repeats.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import lrplot

ROOT = Path(__file__).resolve().parent.parent
LRPLOT = [sys.executable, "-m", "lrplot"]

# The "obvious" numpy formula a user would write for each schedule, over t =
# np.arange(N); lrplot.evaluate must be no slower (ratio <= 1.0).
OBVIOUS: dict[str, tuple[dict, Callable[[np.ndarray], np.ndarray]]] = {
    "constant": ({}, lambda t: np.full(t.shape, 0.1)),
    "warmup": ({"warmup_steps": 1000}, lambda t: np.where(t < 1000, 0.1 * t / 1000, 0.1)),
    "piecewise": (
        {"boundaries": [3_000_000, 6_000_000], "values": [0.1, 0.01, 0.001]},
        lambda t: np.select([t < 3_000_000, t < 6_000_000], [0.1, 0.01], 0.001),
    ),
    "exponential": ({"decay_steps": 100_000}, lambda t: 0.1 * 0.96 ** (t / 100_000)),
    "natural-exp": ({"decay_steps": 100_000}, lambda t: 0.1 * np.exp(-0.05 * t / 100_000)),
    "inverse-time": ({}, lambda t: 0.1 / (1 + 0.5 * t / 1)),
    "range-test": ({"step_size": 100_000, "step_rate": 0.5}, lambda t: 0.1 * (1 + 0.5 * t / 100_000)),
    "polynomial": (
        {"decay_steps": 5_000_000, "power": 2.0},
        lambda t: (0.1 - 0.0001) * (1 - np.minimum(t, 5_000_000) / 5_000_000) ** 2.0 + 0.0001,
    ),
    "linear": (
        {"total_steps": 5_000_000},
        lambda t: 0.1 * (1.0 + (0.0 - 1.0) * np.minimum(t, 5_000_000) / 5_000_000),
    ),
    "step": ({"step_size": 1_000_000}, lambda t: 0.1 * 0.1 ** np.floor(t / 1_000_000)),
    "multistep": (
        {"milestones": [3_000_000, 6_000_000, 8_000_000]},
        lambda t: 0.1 * 0.1 ** ((t >= 3_000_000).astype(float) + (t >= 6_000_000) + (t >= 8_000_000)),
    ),
    "cosine": (
        {"decay_steps": 8_000_000},
        lambda t: 0.0 + 0.1 * (1 + np.cos(np.pi * np.minimum(t, 8_000_000) / 8_000_000)) / 2,
    ),
    "cosine-restarts": ({"first_decay_steps": 100_000}, None),  # filled in below
    "onecycle": ({}, None),
    "cyclic": ({"step_size_up": 20_000, "mode": "triangular2"}, None),
    "noam": (
        {"d_model": 512, "noam_warmup": 4000},
        lambda t: 0.1 * 512**-0.5 * np.minimum(np.maximum(t, 1) ** -0.5, t * 4000**-1.5),
    ),
    "inverse-sqrt": ({}, lambda t: 0.1 * np.sqrt(10000 / (t + 10000))),
    "wsd": ({}, None),
    "sequence": (
        {"parts": [{"schedule": "linear", "start_factor": 0.01, "end_factor": 1.0, "steps": 100_000}, {"schedule": "cosine"}]},
        None,
    ),
}


def _sgdr(t: np.ndarray) -> np.ndarray:
    # Keras' CosineDecayRestarts, vectorised.
    fraction = t / 100_000
    i = np.floor(np.log(1 - fraction * (1 - 2.0)) / np.log(2.0))
    done = (1 - 2.0**i) / (1 - 2.0)
    fraction = (fraction - done) / 2.0**i
    return 0.1 * 0.5 * (1 + np.cos(np.pi * fraction))


def _onecycle(t: np.ndarray, total: int) -> np.ndarray:
    peak, start, low = 0.1, 0.1 / 25, 0.1 / 25 / 1e4
    up_end = 0.3 * total - 1
    rise = low + 0 * t
    rise = peak + (start - peak) / 2 * (np.cos(np.pi * t / up_end) + 1)
    pct = (t - up_end) / (total - 1 - up_end)
    fall = low + (peak - low) / 2 * (np.cos(np.pi * pct) + 1)
    return np.where(t <= up_end, rise, fall)


def _cyclic(t: np.ndarray) -> np.ndarray:
    total = 40_000.0
    cycle = np.floor(1 + t / total)
    x = 1 + t / total - cycle
    scale = np.where(x <= 0.5, x / 0.5, (x - 1) / (0.5 - 1))
    return 0.01 + (0.1 - 0.01) * scale / 2 ** (cycle - 1)


def _wsd(t: np.ndarray, total: int) -> np.ndarray:
    d = total // 10
    p = np.clip((t - (total - d)) / d, 0, 1)
    return np.where(t < total - d, 0.1, 0.1 * (1 - np.sqrt(p)))


def _sequence(t: np.ndarray, total: int) -> np.ndarray:
    n = 100_000
    rest = total - n
    warm = 0.1 * (0.01 + (1 - 0.01) * np.minimum(t, n) / n)
    tail = 0.1 * (1 + np.cos(np.pi * np.minimum(t - n, rest) / rest)) / 2
    return np.where(t < n, warm, tail)


def best_of(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_evaluation(steps: int, repeats: int) -> list[tuple[str, float, float]]:
    rows = []
    for name, (params, formula) in OBVIOUS.items():
        if formula is None:
            formula = {
                "cosine-restarts": _sgdr,
                "onecycle": lambda t: _onecycle(t, steps),
                "cyclic": _cyclic,
                "wsd": lambda t: _wsd(t, steps),
                "sequence": lambda t: _sequence(t, steps),
            }[name]

        def obvious(formula=formula) -> np.ndarray:
            return formula(np.arange(steps, dtype=np.float64))

        def ours(name=name, params=params) -> np.ndarray:
            return lrplot.evaluate(name, steps=steps, **params)

        # The baseline must compute the same curve, or the comparison means nothing.
        np.testing.assert_allclose(ours(), obvious(), rtol=1e-9, atol=1e-15, err_msg=name)
        times_ours, times_obvious = [], []
        for _ in range(repeats):  # interleaved, so drift hits both alike
            times_obvious.append(best_of(obvious, 1))
            times_ours.append(best_of(ours, 1))
        rows.append((name, min(times_ours), min(times_obvious)))
    return rows


def bench_torch(steps: int) -> tuple[float, float] | None:
    try:
        import torch
    except ImportError:
        return None
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    start = time.perf_counter()
    values = []
    for _ in range(steps):
        values.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    torch_time = time.perf_counter() - start
    ours = best_of(lambda: lrplot.evaluate("cosine", steps=steps, decay_steps=steps, end_lr=0.0), 3)
    np.testing.assert_allclose(lrplot.evaluate("cosine", steps=steps, end_lr=0.0), values, rtol=1e-9, atol=1e-12)
    return torch_time, ours


def run_process(args: list[str], cwd: str) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one lrplot process.

    Peak RSS is VmHWM from /proc, not ru_maxrss: Linux carries ru_maxrss over
    fork+exec, so a child of this (large) benchmark process would report the
    parent's peak."""
    code = (
        "import runpy, sys, time; sys.argv = ['lrplot'] + sys.argv[1:];"
        "t = time.perf_counter()\n"
        "try:\n runpy.run_module('lrplot', run_name='__main__')\n"
        "except SystemExit as e:\n assert not e.code, e.code\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(time.perf_counter() - t, hwm, file=sys.stderr)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    rss = int(done.stderr.strip().split()[-1])
    return wall, rss


def bench_plot(big: int, repeats: int, workdir: str) -> tuple[float, float]:
    curves = ["cosine-restarts", "cyclic", "--mode", "triangular2", "step", "--step-size", str(big // 7)]
    small_times, big_times = [], []
    for _ in range(repeats):
        small_times.append(run_process(["--steps", "1000", "-o", "s.png", *curves], workdir)[0])
        big_times.append(run_process(["--steps", str(big), "-o", "b.png", *curves], workdir)[0])
    return min(small_times), min(big_times)


def bench_term(big: int, repeats: int, workdir: str) -> tuple[float, float]:
    """--term and a PNG of the same 3 curves: each evaluates every step once."""
    curves = ["cosine-restarts", "cyclic", "--mode", "triangular2", "step", "--step-size", str(big // 7)]
    term_times, png_times = [], []
    for _ in range(repeats):
        term_times.append(run_process(["--steps", str(big), "--term", *curves], workdir)[0])
        png_times.append(run_process(["--steps", str(big), "-o", "t.png", *curves], workdir)[0])
    return min(term_times), min(png_times)


# The three curves (cosine with warmup, step, exponential), scaled to the run.
def flat_curves(steps: int) -> list[str]:
    return [
        "cosine", "--warmup-steps", str(max(1, steps // 100)),
        "step", "--step-size", str(max(1, steps // 7)),
        "exponential", "--decay-steps", str(max(1, steps // 20)),
    ]


def bench_flat(sizes: list[int], repeats: int, workdir: str) -> tuple[float, list[float]]:
    """PNG of the three curves at 1,000 steps and at each size, interleaved."""
    small_times: list[float] = []
    big_times: list[list[float]] = [[] for _ in sizes]
    for _ in range(repeats):
        small_times.append(run_process(["--steps", "1000", "-o", "s.png", *flat_curves(1000)], workdir)[0])
        for times, size in zip(big_times, sizes):
            times.append(run_process(["--steps", str(size), "-o", "b.png", *flat_curves(size)], workdir)[0])
    return min(small_times), [min(times) for times in big_times]


# --diff and the momentum and weight-decay panels (issue 17): reduced from breakpoints too.
def panel_curves(steps: int) -> list[str]:
    return ["--diff", "onecycle", "cosine", "--warmup-steps", str(max(1, steps // 100)),
            "--weight-decay", "cosine lr=0.04 end_lr=0.4"]


def bench_panels(steps: int, repeats: int, workdir: str) -> tuple[float, float]:
    """PNG with a momentum panel, a weight-decay panel and --diff at 1,000 steps and at ``steps``."""
    small_times, big_times = [], []
    for _ in range(repeats):
        small_times.append(run_process(["--steps", "1000", "-o", "s.png", *panel_curves(1000)], workdir)[0])
        big_times.append(run_process(["--steps", str(steps), "-o", "b.png", *panel_curves(steps)], workdir)[0])
    return min(small_times), min(big_times)


def bench_memory(steps: int, workdir: str) -> int:
    _, rss = run_process(["--steps", str(steps), "-o", "m.png", "cosine-restarts", "exponential", "--decay-steps", str(steps // 20)], workdir)
    return rss


def time_command(args: list[str], repeats: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, **env} if env else None)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# What a shell runs on every Tab: `lrplot cosine --w<Tab>`.
COMPLETION = {"_LRPLOT_COMPLETE": "bash_complete", "COMP_WORDS": "lrplot cosine --w", "COMP_CWORD": "2"}
STARTUP = {
    "lrplot --help": (["--help"], {}),
    "lrplot cosine --help": (["cosine", "--help"], {}),
    "lrplot list": (["list"], {}),
    "completion of lrplot cosine --w<Tab>": ([], COMPLETION),
}


def bench_startup(repeats: int) -> tuple[float, dict[str, float]]:
    """Median wall time of `python -c "import click"` and of each STARTUP
    command, run as `python -m lrplot` (the lrplot script adds nothing),
    interleaved."""
    # An installed package has its bytecode compiled (pip does it); a source
    # checkout run with PYTHONDONTWRITEBYTECODE=1 (as here) would recompile
    # lrplot on every start while click loads its .pyc.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lrplot")], check=True)
    base: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in STARTUP}
    for _ in range(repeats):
        base.append(time_command([sys.executable, "-c", "import click"], 1))
        for name, (args, env) in STARTUP.items():
            times[name].append(time_command(LRPLOT + args, 1, env))
    return statistics.median(base), {name: statistics.median(t) for name, t in times.items()}


def bench_csv(steps: int, repeats: int) -> tuple[float, float]:
    from lrplot import export
    from lrplot.plan import CurveRequest, Plan, make_curves

    # cyclic without its momentum column: the plain writer below writes learning rates only.
    requests = [CurveRequest("cosine", {}), CurveRequest("exponential", {"decay_steps": 1000}),
                CurveRequest("cyclic", {"cycle_momentum": False})]
    plan = Plan(steps=steps, curves=make_curves(requests, steps))

    def plain() -> str:
        columns = plan.values()
        out = io.StringIO()
        out.write("step," + ",".join(c.label for c in plan.curves) + "\n")
        for t in range(steps):
            out.write(f"{t}," + ",".join(repr(float(col[t])) for col in columns) + "\n")
        return out.getvalue()

    def ours() -> str:
        out = io.StringIO()
        export.write_csv(plan, out)
        return out.getvalue()

    if ours() != plain():
        raise AssertionError("CSV differs from the plain repr writer")
    rows = list(csv.reader(io.StringIO(ours())))[1:]
    values = plan.values()
    assert all(float(rows[t][1]) == values[0][t] for t in range(0, steps, 997))
    times_plain, times_ours = [], []
    for _ in range(repeats):
        times_plain.append(best_of(plain, 1))
        times_ours.append(best_of(ours, 1))
    return min(times_ours), min(times_plain)


# Three curves that keep four points in every column of the page: its largest size.
PAGE_CURVES = ["cosine-restarts", "--first-decay-steps", "10000", "cyclic", "--step-size-up", "1000",
               "step", "--step-size", "1428571"]
TRIVIAL_PAGE = "<!doctype html><title>trivial</title><p>a trivial page"


def bench_page(steps: int, repeats: int, workdir: str) -> tuple[float, float, int, tuple[float, float] | None]:
    """Writing a page vs a PNG of the same curves, the page's size, and its
    load time in headless Chromium (navigation to first drawing done) vs a
    trivial page's; None for the load when the browser is not installed."""
    html_times, png_times = [], []
    for _ in range(repeats):
        png_times.append(run_process(["--steps", str(steps), "-o", "p.png", *PAGE_CURVES], workdir)[0])
        html_times.append(run_process(["--steps", str(steps), "-o", "p.html", *PAGE_CURVES], workdir)[0])
    page = Path(workdir) / "p.html"
    trivial = Path(workdir) / "trivial.html"
    trivial.write_text(TRIVIAL_PAGE)
    sys.path.insert(0, str(ROOT))
    from tests.browser import BrowserMissing, chromium

    def load(browser: object, path: Path, ready: str) -> float:
        tab = browser.new_page()
        start = time.perf_counter()
        tab.goto(path.as_uri())
        tab.wait_for_function(ready, polling="raf")
        took = time.perf_counter() - start
        tab.close()
        return took

    try:
        with chromium() as browser:
            load(browser, trivial, "true")  # the first page of a browser pays for its start
            trivial_times, page_times = [], []
            for _ in range(repeats * 2):
                trivial_times.append(load(browser, trivial, "document.readyState === 'complete'"))
                page_times.append(load(browser, page, "window.lrplot && window.lrplot.ready"))
            loads = (min(page_times), min(trivial_times))
    except (BrowserMissing, ImportError):
        loads = None
    return min(html_times), min(png_times), page.stat().st_size, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test, not the targets)")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args()
    scale = 100 if args.quick else 1
    eval_steps, torch_steps = 10_000_000 // scale, 1_000_000 // scale
    plot_steps, memory_steps, csv_steps = 10_000_000 // scale, 100_000_000 // scale, 1_000_000 // scale
    flat_steps, long_steps = 10**9 // scale, 10**12 // scale
    results: list[tuple[str, str, str, bool]] = []

    def record(what: str, measured: str, target: str, ok: bool) -> None:
        results.append((what, measured, target, ok))
        print(f"{'ok ' if ok else 'MISS'} {what:<44} {measured:<34} target {target}", flush=True)

    for name, ours, obvious in bench_evaluation(eval_steps, 5):
        ratio = ours / obvious
        record(
            f"evaluate {name} ({eval_steps:,} steps)",
            f"{ours * 1e3:.0f} ms vs {obvious * 1e3:.0f} ms: {ratio:.2f}x",
            "<= 1.0x obvious numpy",
            ratio <= 1.0,
        )
    torch_result = bench_torch(torch_steps)
    if torch_result is None:
        record("vs torch CosineAnnealingLR", "torch not installed", ">= 500x", True)
    else:
        torch_time, ours = torch_result
        record(
            f"vs torch CosineAnnealingLR ({torch_steps:,} steps)",
            f"{torch_time:.1f} s vs {ours * 1e3:.1f} ms: {torch_time / ours:,.0f}x faster",
            ">= 500x",
            torch_time / ours >= 500,
        )
    workdir = tempfile.mkdtemp(prefix="lrplot-bench-")
    try:
        small, big = bench_plot(plot_steps, 3, workdir)
        record(
            f"PNG, 3 curves, {plot_steps:,} vs 1,000 steps",
            f"{big:.2f} s vs {small:.2f} s: {big / small:.2f}x",
            "<= 1.5x",
            big / small <= 1.5,
        )
        term, png = bench_term(plot_steps, 3, workdir)
        record(
            f"--term vs PNG, 3 curves, {plot_steps:,} steps",
            f"{term:.2f} s vs {png:.2f} s: {term / png:.2f}x",
            "<= 1.0x",
            term / png <= 1.0,
        )
        rss = bench_memory(memory_steps, workdir)
        record(f"peak RSS, PNG of {memory_steps:,} steps", f"{rss / 1024:.0f} MB", "< 400 MB", rss / 1024 < 400)
        html, png, size, loads = bench_page(plot_steps, 3, workdir)
        record(f"HTML page, 3 curves x {plot_steps:,} steps", f"{html:.2f} s vs PNG {png:.2f} s: {html / png:.2f}x", "<= 1.0x PNG", html / png <= 1.0)
        record(f"HTML page size, 3 curves x {plot_steps:,} steps", f"{size / 1e6:.2f} MB", "<= 2 MB", size <= 2e6)
        if loads is None:
            record("HTML page load in Chromium", "Chromium or playwright not installed", "< 1 s", False)
        else:
            page, trivial = loads
            record(
                f"HTML page load, 3 curves x {plot_steps:,} steps",
                f"{page * 1e3:.0f} ms vs trivial page {trivial * 1e3:.0f} ms: {page / trivial:.1f}x",
                "< 1 s",
                page < 1.0,
            )
        small, (billion, trillion) = bench_flat([flat_steps, long_steps], 3, workdir)
        for steps, big, target in ((flat_steps, billion, 1.2), (long_steps, trillion, 1.5)):
            record(
                f"PNG, cosine+warmup, step, exponential, {steps:,} vs 1,000 steps",
                f"{big:.2f} s vs {small:.2f} s: {big / small:.2f}x",
                f"<= {target}x",
                big / small <= target,
            )
        _, rss = run_process(["--steps", str(long_steps), "-o", "m.png", *flat_curves(long_steps)], workdir)
        record(f"peak RSS, PNG of {long_steps:,} steps", f"{rss / 1024:.0f} MB", "< 150 MB", rss / 1024 < 150)
        small, big = bench_panels(long_steps, 3, workdir)
        record(
            f"PNG, --diff, momentum and weight decay, {long_steps:,} vs 1,000 steps",
            f"{big:.2f} s vs {small:.2f} s: {big / small:.2f}x",
            "<= 1.5x",
            big / small <= 1.5,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    base, startups = bench_startup(21)
    for name, took in startups.items():
        record(f"start-up: {name}", f"{took * 1e3:.0f} ms vs {base * 1e3:.0f} ms: {took / base:.2f}x",
               "<= 1.5x import click", took / base <= 1.5)
    ours, plain = bench_csv(csv_steps, 3)
    record(f"CSV, {csv_steps:,} rows x 3 curves", f"{ours:.2f} s vs {plain:.2f} s: {ours / plain:.2f}x", "<= 1.0x plain repr writer", ours / plain <= 1.0)

    if args.markdown:
        cpu = platform.processor() or platform.machine()
        print(f"\nMachine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; {time.strftime('%Y-%m-%d')}\n")
        print("| measurement | result | target | |")
        print("|---|---|---|---|")
        for what, measured, target, ok in results:
            print(f"| {what} | {measured} | {target} | {'✓' if ok else '✗'} |")
    missed = [r for r in results if not r[3]]
    print(f"\n{len(results) - len(missed)}/{len(results)} targets met", file=sys.stderr)
    sys.exit(1 if missed and not args.quick else 0)


if __name__ == "__main__":
    main()
