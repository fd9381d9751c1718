"""Thermal film runs: cost at 300 K against T = 0, and trials batched vs one by one.

Run ``python benchmarks/bench_thermal_film.py`` (all sections) or pick sections
with ``--only cost trials``; ``--quick`` shortens the runs (smoke test). Numbers
go to ``benchmarks/results/thermal_film.json`` (sections not run keep their old
entry).

Sections
--------
cost
    A 64 x 64 x 1 film (4 nm cells, 1 nm thick: exchange, perpendicular
    anisotropy, demag, a spin-Hall torque with a step current below the
    switching threshold and an in-plane field) run for 2 ns (20 stages) by the
    engine at T = 0 (adaptive Dormand-Prince RK5(4), OOMMF's default, tol 1e-5)
    and at T = 300 K (stochastic Heun, fixed step from the dynamics, the
    default step fraction 0.1): wall and CPU time, steps, right-hand-side
    evaluations, and the ratio 300 K / 0 K measured in the same run.
trials
    Trials per hour of ``ud.switching.switching_probability`` for 16 trials of a
    32 x 32 x 1 film (same materials with alpha = 0.3, 0.2 ns pulse of
    0.5 H_K,eff, 0.3 ns relaxation) batched through one engine
    (``chunk_size=16``) against one by one (``chunk_size=1``: one engine,
    relaxation and integration per trial), and batched without the early stop
    of settled trials (``settle=None``); the results are bit-identical between
    batched and one by one (checked).

The machine is shared (2 cores, other work running): compare ratios measured
in one run, not absolute seconds; the load average is recorded.
"""

import argparse
import json
import os
import pathlib
import resource
import time

import _results
import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

import ubermag_dirac as ud
from ubermag_dirac import switching as sw
from ubermag_dirac.engine import Engine

RESULTS = pathlib.Path(__file__).parent / "results" / "thermal_film.json"
GAMMA0 = 2.211e5


def film(n, T=300.0, cell=4e-9, H_SH=0.0, alpha=0.1, name="film"):
    """PMA film (1 nm thick) with demag, spin-Hall torque and an in-plane field."""
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n * cell, n * cell, 1e-9), n=(n, n, 1))
    s = mm.System(name=name)
    s.energy = (
        mm.Exchange(A=1.5e-11)
        + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
        + mm.Demag()
        + mm.Zeeman(H=(2e4, 0, 0))
    )
    s.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    s.dynamics += ud.SpinHallSOT(H_SH=H_SH)
    s.m = df.Field(mesh, nvdim=3, value=(0.05, 0, 1), norm=8e5)
    s.T = T
    return s


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _measure(f):
    load = os.getloadavg()[0]
    c0, t0 = _cpu(), time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0, _cpu() - c0, load


def bench_cost(quick):
    n = 32 if quick else 64
    t_run = 0.2e-9 if quick else 2e-9
    Engine(film(8, T=300.0), seed=1).run(1e-12)  # warm-up: compilation
    rows = {}
    for T in (0.0, 300.0):
        e = Engine(film(n, T=T, H_SH=1e5), tol=1e-5, seed=1)

        def run(e=e):
            e.run(t_run, n=20)
            return e

        e, wall, cpu, load = _measure(run)
        st = e.stats
        rows[f"T_{int(T)}K"] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "steps": st["steps"],
            "evaluations": st["evaluations"],
            "rejections": st["rejections"],
            "mean_step_s": t_run / max(st["steps"], 1),
            "thermal_dt_s": None if e.thermal is None else float(e.thermal_dt[0]),
            "mz_final": float(e.m[0, 2].mean()),
            "load_average_1min": load,
        }
        print(f"T = {T} K", rows[f"T_{int(T)}K"], flush=True)
    hot, cold = rows["T_300K"], rows["T_0K"]
    return {
        "film": f"{n} x {n} x 1 cells of 4 x 4 x 1 nm^3, exchange, PMA, demag, "
        "spin-Hall torque 1e5 A/m (step), Zeeman 2e4 A/m in-plane",
        "t_run_s": t_run,
        "stages": 20,
        "runs": rows,
        "ratio_wall_300K_over_0K": hot["wall_s"] / cold["wall_s"],
        "ratio_cpu_300K_over_0K": hot["cpu_s"] / cold["cpu_s"],
        "ratio_evaluations_300K_over_0K": hot["evaluations"] / cold["evaluations"],
    }


def bench_trials(quick):
    n = 16 if quick else 32
    trials = 4 if quick else 16
    s = film(n, T=300.0, alpha=0.3)
    H_K = sw.effective_anisotropy(s)["H_K_eff"]
    kw = {
        "pulse_width": [0.2e-9],
        "t_relax": 0.3e-9,
        "n_trials": trials,
        "seed": 1,
        "starts": "up",
        "progress": False,
    }
    args = (s, [0.05 * H_K], [-0.5 * H_K])
    # warm-up (compilation, demag tensor cache) outside the measurements
    sw.switching_probability(*args, **{**kw, "n_trials": 1, "pulse_width": [1e-12]})
    rows = {}
    results = {}
    configs = [(0.9, trials), (0.9, 1), (None, trials)]
    for settle, chunk in configs:
        name = f"chunk_{chunk}_settle_{settle}"
        ds, wall, cpu, load = _measure(
            lambda chunk=chunk, settle=settle: sw.switching_probability(
                *args, chunk_size=chunk, settle=settle, **kw
            )
        )
        results[name] = ds
        rows[name] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "trials_per_hour": trials * 3600.0 / wall,
            "P_sw": float(ds.P_sw.values.item()),
            "steps_mean": float(ds.steps.values.mean()),
            "load_average_1min": load,
        }
        print(name, rows[name], flush=True)
    same = np.array_equal(
        results[f"chunk_{trials}_settle_0.9"].mz_final.values,
        results["chunk_1_settle_0.9"].mz_final.values,
    )
    b = rows[f"chunk_{trials}_settle_0.9"]
    o = rows["chunk_1_settle_0.9"]
    full = rows[f"chunk_{trials}_settle_None"]
    return {
        "film": f"{n} x {n} x 1 cells, alpha = 0.3, 300 K, hx = 0.05 H_K,eff, "
        "H_SH = -0.5 H_K,eff, 0.2 ns pulse + 0.3 ns relaxation",
        "trials": trials,
        "runs": rows,
        "batched_identical_to_one_by_one": bool(same),
        "speedup_batched_over_one_by_one": o["wall_s"] / b["wall_s"],
        "speedup_batched_over_one_by_one_cpu": o["cpu_s"] / b["cpu_s"],
        "speedup_settle_over_full_run_batched": full["wall_s"] / b["wall_s"],
        "speedup_settle_over_full_run_batched_cpu": full["cpu_s"] / b["cpu_s"],
    }


SECTIONS = {"cost": bench_cost, "trials": bench_trials}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", choices=sorted(SECTIONS), default=None)
    p.add_argument("--quick", action="store_true", help="smaller runs (smoke run)")
    p.add_argument("--output", default=str(RESULTS))
    args = p.parse_args(argv)
    results = _results.load(args.output)
    for name in args.only or list(SECTIONS):
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        res = SECTIONS[name](args.quick)
        results[name] = _results.stamp(res, time.perf_counter() - t0, args.quick)
        _results.save(args.output, results)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
