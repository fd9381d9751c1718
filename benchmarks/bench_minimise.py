"""Minimiser benchmark (issue 10): the battery of ``tests/engine/minimiser_battery.py``.

Run from the repository root::

    python benchmarks/bench_minimise.py           # all; writes results/minimise.json
    python benchmarks/bench_minimise.py --quick   # without SP4 and the wall pairs
    python benchmarks/bench_minimise.py --oommf   # also OOMMF's CG (needs OOMMFTCL)
    python benchmarks/bench_minimise.py --relax-only  # only the RelaxDriver section

For every problem and ``stopping_mxHxm`` 0.1 and 0.01 A/m, in the same process and
interleaved (before, after, before, after, ...):

* before: ``Engine.minimise(method="bb")``, the Barzilai-Borwein minimiser of main
  before issue 10 (unchanged code: same iterations and states as main's);
* after: ``Engine.minimise()`` (``method="auto"``: Barzilai-Borwein for up to 100
  iterations, then L-BFGS);
* ``RelaxDriver`` (damped dynamics, then the minimiser's refinement) with either
  minimiser, on the problems of ``RELAX``, with ``stopping_mxHxm`` 0.1 and the
  driver's default 1e-3 A/m (``--relax-only`` reruns this section alone and
  replaces it in the results file, with its own date and load);
* with ``--oommf``: ``oommfc.MinDriver`` (OOMMF 2.1a0's ``Oxs_CGEvolve``) on the
  same system; its final state is evaluated with this package's engine (energy,
  max |m x H x m|), its own table gives its iterations and max mxHxm.

Reported: converged (max |m x H x m| <= stopping_mxHxm, OOMMF's criterion),
iterations (and L-BFGS field evaluations), median CPU time (``time.process_time``)
and wall time over ``--repeat`` runs (more, up to 30, for runs under 0.1 s),
``(E - E_best)/|E_best|`` with ``E_best`` the best known minimum of the battery,
the problem's state check, and the CPU ratio after/before. ``uptime`` load is recorded:
the development machine is shared, so compare ratios measured in the same run, not
absolute seconds. A run that fails (``IntegrationError``) is not repeated.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "minimise.json"
STOPS = (0.1, 0.01)
SLOW = ("sp4", "dw_pair", "dw_pair_long")
#: RelaxDriver before/after on these (quick: the first three)
RELAX = ("dw_single", "skyrmion", "hysteresis", "dw_pair", "vortex")
#: RelaxDriver's stopping_mxHxm: oommfc's MinDriver default and RelaxDriver's own
RELAX_STOPS = (0.1, 1e-3)


def _battery():
    path = ROOT / "tests" / "engine" / "minimiser_battery.py"
    spec = importlib.util.spec_from_file_location("minimiser_battery", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["minimiser_battery"] = module
    spec.loader.exec_module(module)
    return module


MB = _battery()


def _state(problem, m, Ms, E):
    try:
        problem.check(m, Ms)
        check = "ok"
    except AssertionError as exc:
        check = str(exc)
    return {
        "dE_rel": float((E - problem.E_best) / abs(problem.E_best)),
        "known_minimum": bool(
            E - problem.E_best <= problem.E_tol * abs(problem.E_best)
        ),
        "check": check,
    }


def run_engine(problem, stop, method):
    from ubermag_dirac.engine import Engine, IntegrationError

    engine = Engine(problem.build())
    engine.energies()  # numba compilation and caches outside the timing
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        iterations = int(engine.minimise(stop, method=method)[0])
        converged = True
    except IntegrationError as exc:
        iterations = None
        converged = False
        error = str(exc).split(":", 1)[-1].strip()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out = {
        "converged": converged,
        "iterations": iterations,
        "cpu_s": cpu,
        "wall_s": wall,
    }
    if not converged:
        out["error"] = error
        return out
    stats = engine.minimise_stats
    if "evaluations" in stats:
        out["lbfgs_evaluations"] = int(stats["evaluations"][0])
    out["max_mxHxm"] = float(engine.max_mxHxm()[0])
    E = engine.energies()["total"][0]
    out.update(_state(problem, engine.m[0], engine.Ms[0], E))
    return out


def run_relax(problem, stop, method):
    import micromagneticmodel as mm

    import ubermag_dirac as ud
    from ubermag_dirac.engine import Engine

    original = Engine.minimise
    Engine.minimise = functools.partialmethod(original, method=method)
    system = problem.build()
    system.dynamics = mm.Damping(alpha=0.5)
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ud.RelaxDriver(stopping_mxHxm=stop).drive(system, dirname=tmp, verbose=0)
        converged = True
    except Exception as exc:  # recorded as a failure
        converged = False
        error = f"{type(exc).__name__}: {str(exc).split(':', 1)[-1].strip()}"
    finally:
        Engine.minimise = original
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out = {"converged": converged, "cpu_s": cpu, "wall_s": wall}
    if not converged:
        out["error"] = error
        return out
    row = system.table.data.iloc[-1]
    out["iterations"] = int(row["iteration"])
    out["max_mxHxm"] = float(row["max_mxHxm"])
    m = np.moveaxis(system.m.orientation.array, -1, 0)
    Ms = np.linalg.norm(system.m.array, axis=-1)
    out.update(_state(problem, m, Ms, float(row["E"])))
    return out


def run_oommf(problem, stop):
    import resource

    import oommfc as oc

    from ubermag_dirac.engine import Engine

    system = problem.build()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        oc.MinDriver(stopping_mxHxm=stop).drive(system, dirname=tmp, verbose=0)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = system.table.data.iloc[-1]
    engine = Engine(system)
    E = engine.energies()["total"][0]
    out = {
        "converged": bool(row["max_mxHxm"] <= stop),
        "iterations": int(row["iteration"]),
        "wall_s": wall,
        "child_cpu_s": (after.ru_utime + after.ru_stime)
        - (before.ru_utime + before.ru_stime),
        "oommf_max_mxHxm": float(row["max_mxHxm"]),
        "max_mxHxm": float(engine.max_mxHxm()[0]),
    }
    out.update(_state(problem, engine.m[0], engine.Ms[0], E))
    return out


def _repeats(runs, repeat):
    """``repeat``, or more (up to 30) for runs shorter than 0.1 s of CPU: at
    least about 1 s in all, so that the medians of millisecond runs are stable."""
    done = [r["cpu_s"] for v in runs.values() for r in v]
    if not done:
        return 1
    longest = max(done)
    return min(30, max(repeat, int(np.ceil(1.0 / max(longest, 1e-3)))))


def _median(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _summary(runs):
    first = dict(runs[0])
    first["cpu_s"] = _median(runs, "cpu_s")
    first["wall_s"] = _median(runs, "wall_s")
    first["repeats"] = len(runs)
    return first


def _warm_up():
    """Load the compiled kernels of both minimisers outside the timings."""
    for method in ("bb", "auto", "lbfgs"):
        run_engine(MB.PROBLEMS["uncoupled"], 0.1, method)


def _before_after(run, repeat):
    """``run(method)`` for before (``"bb"``) and after (``"auto"``), interleaved
    and repeated (`_repeats`), a failure not repeated; the row's medians."""
    runs = {"before": [], "after": []}
    k = 0
    while k < _repeats(runs, repeat):
        order = ("before", "after") if k % 2 == 0 else ("after", "before")
        k += 1
        for which in order:
            if runs[which] and not runs[which][-1]["converged"]:
                continue  # a failure is not repeated
            runs[which].append(run("bb" if which == "before" else "auto"))
    row = {k: _summary(v) for k, v in runs.items()}
    row["cpu_ratio_after_before"] = row["after"]["cpu_s"] / row["before"]["cpu_s"]
    return row


def bench(names, repeat, with_oommf):
    _warm_up()
    rows = []
    for name in names:
        problem = MB.PROBLEMS[name]
        for stop in STOPS:
            row = {"problem": name, "stopping_mxHxm": stop}
            row.update(
                _before_after(functools.partial(run_engine, problem, stop), repeat)
            )
            if with_oommf:
                row["oommf"] = run_oommf(problem, stop)
            rows.append(row)
            _print_row(row)
    return rows


def bench_relax(names, repeat):
    _warm_up()
    relax = []
    for name in names:
        problem = MB.PROBLEMS[name]
        for stop in RELAX_STOPS:
            row = {"problem": name, "stopping_mxHxm": stop}
            row.update(
                _before_after(functools.partial(run_relax, problem, stop), repeat)
            )
            relax.append(row)
            _print_row(row, label="RelaxDriver ")
    return relax


def _fmt(r):
    if r is None:
        return "-"
    if not r["converged"]:
        return f"FAILED ({r.get('error', '')[:60]}) {r['cpu_s']:.2f} s"
    ev = f"/{r['lbfgs_evaluations']}ev" if "lbfgs_evaluations" in r else ""
    cpu = f"{r['cpu_s']:.3f} s cpu" if "cpu_s" in r else f"{r['wall_s']:.2f} s wall"
    return (
        f"{r['iterations']}it{ev} {cpu} dE={r['dE_rel']:.1e} "
        f"g={r['max_mxHxm']:.3g} {r['check']}"
    )


def _print_row(row, label=""):
    ratio = row.get("cpu_ratio_after_before")
    print(
        f"{label}{row['problem']:13s} {row['stopping_mxHxm']:5g}  before: "
        f"{_fmt(row['before'])} | after: {_fmt(row['after'])} | ratio "
        f"{ratio:.2f}" + (f" | OOMMF: {_fmt(row['oommf'])}" if "oommf" in row else ""),
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip SP4 and wall pairs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--oommf", action="store_true", help="also run OOMMF (OOMMFTCL)"
    )
    parser.add_argument("--only", default=None, help="comma-separated problem names")
    parser.add_argument(
        "--relax-only",
        action="store_true",
        help="only the RelaxDriver section (replaced in the results file)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    names = [n for n in MB.PROBLEMS if not (args.quick and n in SLOW)]
    if args.only:
        names = args.only.split(",")
    relax_names = [n for n in RELAX if n in names]
    if args.oommf and not os.environ.get("OOMMFTCL"):
        parser.error("--oommf needs OOMMFTCL (and a display or Xvfb for oommfc)")
    if args.relax_only and not RESULTS.exists():
        parser.error(f"--relax-only updates {RESULTS}, which does not exist")

    def machine(load):
        return {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": load,
            "load_after": os.getloadavg(),
            "note": "shared machine; compare ratios within one run",
        }

    load = os.getloadavg()
    if args.relax_only:
        results = json.loads(RESULTS.read_text())
    else:
        rows = bench(names, args.repeat, args.oommf)
        results = {
            "machine": machine(load),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "before": "Engine.minimise(method='bb'): main's Barzilai-Borwein minimiser",
            "after": "Engine.minimise(): 100 Barzilai-Borwein iterations, then L-BFGS",
            "repeat": args.repeat,
            "minimise": rows,
        }
        load = os.getloadavg()
    relax = bench_relax(relax_names, args.repeat)
    results["relaxdriver"] = {
        "machine": machine(load),
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "repeat": args.repeat,
        "rows": relax,
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
