"""Engine benchmark: standard problem 4 next to OOMMF, and batches of small films.

Run from the repository root (one thread everywhere)::

    python benchmarks/bench_engine.py            # full run, writes results/engine.json
    python benchmarks/bench_engine.py --quick    # 0.1 ns of SP4, batches of 8, 20 ps

With ``OOMMFTCL`` set (and a display for OOMMF's Tk helpers, e.g. under Xvfb)
the same run also drives OOMMF 2.1 through ``oommfc`` (``n_threads=1``) on the
same relaxed SP4 state, once per repeat, interleaved with the engine's runs
(the median is reported); without it the OOMMF columns are ``null`` and the rest
runs as usual.

Standard problem 4, field 1 (200 x 50 x 1 cells of 2.5 x 2.5 x 3 nm, relaxed
from (1, 0.25, 0.1) by energy minimisation, then 1 ns in 200 stages), for each
engine configuration, repeated and interleaved (medians):

- ``before``: the first default, Dormand-Prince RK5(4)7FM (DOPRI5) at tol 1e-5;
- ``rkf54``: the previous default, OOMMF's rkf54 (RK5(4)7FC) at tol 1e-6;
- ``after``: the default, ``method="auto"`` (rkf54, and classical RK4 with a
  third-order error estimate while stability limits the step) at tol 1e-6;
- ``after_single``: the default with single-precision demag FFTs;

RHS evaluations, accepted/rejected steps, CPU and wall time, ms per evaluation,
the cost split (demag vs the rest), and the accuracy: <m>(t) against OOMMF's
table ``tests/data/sp4_field1_oommf.csv`` (largest deviation up to 0.3 ns and
over the whole ns, first m_x zero crossing). OOMMF's side: wall and CPU time of
the drive (child-process CPU, which includes OOMMF's start-up, measured
separately with a one-step drive), its energy evaluations (``E_calc_count``),
steps and last time step.

Batches: B films of 32 x 32 x 1 cells (exchange, demag, perpendicular
anisotropy, fields of different strength and direction, damping 0.02-0.32 and a
Dirac torque of different amplitude per film) run one by one, batched, and
batched the old way (every system evaluated until the slowest arrives), with the
CPU time per system, the evaluations, and the largest difference of the
batched results from the one-by-one runs; B = 8, 32, 128, and once more for 32
films whose exchange constants span 1x-4x (very different step counts).

The machine is shared: compare ratios measured in the same run, not seconds;
the load average is recorded at the start and end of every section.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import tempfile
import time

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

import ubermag_dirac as ud
from ubermag_dirac.engine import Engine

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "engine.json"
OOMMF_TABLE = ROOT / "tests" / "data" / "sp4_field1_oommf.csv"
MU0 = 4e-7 * np.pi

#: SP4 engine configurations compared in the same run
CONFIGS = {
    "before": {"method": "rkf54m", "tol": 1e-5},
    "rkf54": {"method": "rkf54"},
    "after": {},
    "after_single": {"demag_precision": "single"},
}


def _load():
    return round(os.getloadavg()[0], 2)


def sp4_system(cell=(2.5e-9, 2.5e-9, 3e-9)):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(500e-9, 125e-9, 3e-9), cell=cell)
    s = mm.System(name="sp4")
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag()
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0.25, 0.1), norm=8e5)
    return s


def sp4_field1_system():
    """SP4 relaxed by the minimiser (stopping_mxHxm = 0.01 A/m), field 1 on."""
    s = sp4_system()
    relax = Engine(s)
    iters = relax.minimise(stopping_mxHxm=0.01)
    s.m = relax.grid.to_field(relax.m * relax.Ms[:, None])
    s.energy += mm.Zeeman(H=(-24.6e-3 / MU0, 4.3e-3 / MU0, 0))
    mean0 = relax.m[0].reshape(3, -1).mean(axis=1)
    mean0 = [round(float(v), 6) for v in mean0]
    return s, {"iterations": int(iters[0]), "mean_m": mean0}


def _crossing(tab):
    """Time of the first zero crossing of <m_x> (linear interpolation)."""
    idx = np.flatnonzero(np.diff(np.sign(tab[:, 1])) != 0)
    if idx.size == 0:
        return None
    i = int(idx[0])
    t0, t1, x0, x1 = tab[i, 0], tab[i + 1, 0], tab[i, 1], tab[i + 1, 1]
    return float(t0 - x0 * (t1 - t0) / (x1 - x0))


def _accuracy(table):
    """Deviation of an <m>(t) table (t, mx, my, mz) from OOMMF's SP4 trace."""
    ref = np.loadtxt(OOMMF_TABLE, delimiter=",", skiprows=1)
    n = min(len(table), len(ref) - 1)
    ours, theirs = table[:n], ref[1 : n + 1]
    assert np.allclose(ours[:, 0], theirs[:, 0], rtol=1e-9)
    dev = np.abs(ours[:, 1:] - theirs[:, 1:])
    upto = ours[:, 0] <= 0.3e-9 * (1 + 1e-9)
    out = {
        "max_abs_diff_up_to_0.3ns": float(dev[upto].max()) if upto.any() else None,
        "max_abs_diff_all": float(dev.max()),
    }
    c_ours, c_ref = _crossing(ours), _crossing(ref)
    if c_ours is not None and c_ref is not None:
        out["first_mx_zero_crossing_ns"] = round(c_ours * 1e9, 5)
        out["oommf_first_mx_zero_crossing_ns"] = round(c_ref * 1e9, 5)
        out["crossing_relative_diff"] = abs(c_ours - c_ref) / c_ref
    return out


def run_sp4(system, duration, stages, threads=1, **config):
    e = Engine(system, threads=threads, **config)
    rows = []

    def cb(k, t, m):
        rows.append((t, *m[0].reshape(3, -1).mean(axis=1)))

    w0, c0 = time.perf_counter(), time.process_time()
    e.run(duration, stages, cb)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    st = e.stats
    demag = next(n for n in e.energy_terms if "demag" in n.lower())
    t_demag = st["field_time"][demag]
    t_other = sum(v for k, v in st["field_time"].items() if k != demag)
    ev = st["evaluations"]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rhs_evaluations": ev,
        "rate_bound_field_evaluations": st["rate_bound_field_evaluations"],
        "steps": st["steps"],
        "steps_per_method": st["steps_per_method"],
        "rejections": st["rejections"],
        "mean_step_ps": round(1e12 * duration / st["steps"], 4),
        "cpu_ms_per_evaluation": 1e3 * cpu / ev,
        "cost_split_wall_s": {
            "demag": round(t_demag, 3),
            "other_energy_terms": round(t_other, 3),
            "llg_kernel": round(st["llg_time"], 3),
            "integrator_and_overhead": round(
                wall - t_demag - t_other - st["llg_time"], 3
            ),
        },
        "accuracy_vs_oommf_table": _accuracy(np.array(rows)),
    }


def _median_of(runs, key):
    return float(np.median([r[key] for r in runs]))


def bench_sp4(duration, stages, repeats, threads=1):
    system, relax = sp4_field1_system()
    out = {
        "grid": [200, 50, 1],
        "duration_s": duration,
        "stages": stages,
        "threads": threads,
        "repeats": repeats,
        "relax": relax,
        "load_start": _load(),
        "configs": {},
    }
    runs = {name: [] for name in CONFIGS}
    oommf_runs = []
    for _ in range(repeats):  # interleaved: every configuration, then OOMMF
        for name, config in CONFIGS.items():
            runs[name].append(run_sp4(system, duration, stages, threads, **config))
        oommf_runs.append(bench_oommf(system, duration, stages))
    for name, rs in runs.items():
        first = rs[0]
        out["configs"][name] = {
            "settings": {"method": "auto", "tol": 1e-6, **CONFIGS[name]},
            "cpu_s_median": round(_median_of(rs, "cpu_s"), 3),
            "wall_s_median": round(_median_of(rs, "wall_s"), 3),
            "cpu_s_all": [round(r["cpu_s"], 3) for r in rs],
            "cpu_ms_per_evaluation_median": round(
                _median_of(rs, "cpu_ms_per_evaluation"), 4
            ),
            **{
                k: first[k]
                for k in (
                    "rhs_evaluations",
                    "rate_bound_field_evaluations",
                    "steps",
                    "steps_per_method",
                    "rejections",
                )
            },
            "mean_step_ps": first["mean_step_ps"],
            "cost_split_wall_s": first["cost_split_wall_s"],
            "accuracy_vs_oommf_table": first["accuracy_vs_oommf_table"],
        }
    b, a = out["configs"]["before"], out["configs"]["after"]
    out["after_vs_before"] = {
        "evaluations": round(a["rhs_evaluations"] / b["rhs_evaluations"], 4),
        "cpu": round(a["cpu_s_median"] / b["cpu_s_median"], 4),
        "cpu_single": round(
            out["configs"]["after_single"]["cpu_s_median"] / b["cpu_s_median"], 4
        ),
    }
    r = out["configs"]["rkf54"]
    out["after_vs_rkf54"] = {
        "evaluations": round(a["rhs_evaluations"] / r["rhs_evaluations"], 4),
        "cpu": round(a["cpu_s_median"] / r["cpu_s_median"], 4),
    }
    timed = [o for o in oommf_runs if o.get("cpu_s") is not None]
    if timed:  # the run of median CPU time, with every run's times
        timed.sort(key=lambda o: o["cpu_s_without_startup"])
        out["oommf"] = {
            **timed[len(timed) // 2],
            "cpu_s_without_startup_all": [o["cpu_s_without_startup"] for o in timed],
        }
    else:
        out["oommf"] = oommf_runs[0]
    if out["oommf"].get("cpu_s") is not None:
        o = out["oommf"]
        out["vs_oommf"] = {
            name: {
                "evaluations": round(c["rhs_evaluations"] / o["evaluations"], 4),
                "cpu": round(c["cpu_s_median"] / o["cpu_s"], 4),
                "cpu_vs_oommf_without_startup": round(
                    c["cpu_s_median"] / o["cpu_s_without_startup"], 4
                ),
                "wall": round(c["wall_s_median"] / o["wall_s"], 4),
                "ms_per_evaluation": round(
                    c["cpu_ms_per_evaluation_median"] / o["cpu_ms_per_evaluation"], 4
                ),
            }
            for name, c in out["configs"].items()
        }
    out["load_end"] = _load()
    return out


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_oommf(system, duration, stages):
    """OOMMF 2.1 (oommfc, rkf54, n_threads=1) on the same state, or why not."""
    if not os.environ.get("OOMMFTCL"):
        return {"skipped": "OOMMFTCL is not set (OOMMF not available)"}
    try:
        import oommfc as oc
    except ImportError as exc:  # pragma: no cover - oommfc is a dependency
        return {"skipped": f"oommfc not importable: {exc}"}

    def drive(t, n):
        s = mm.System(name="sp4oommf")
        s.energy = system.energy
        s.dynamics = system.dynamics
        s.m = df.Field(system.m.mesh, nvdim=3, value=system.m.array.copy())
        with tempfile.TemporaryDirectory() as tmp:
            w0, c0 = time.perf_counter(), _children_cpu()
            oc.TimeDriver().drive(s, t=t, n=n, n_threads=1, dirname=tmp, verbose=0)
            wall, cpu = time.perf_counter() - w0, _children_cpu() - c0
        return s.table.data, wall, cpu

    try:
        _, w_start, c_start = drive(5e-12, 1)  # start-up and one stage
        data, wall, cpu = drive(duration, stages)
    except Exception as exc:  # OOMMF missing pieces, no display, ...
        return {"skipped": f"OOMMF run failed: {type(exc).__name__}: {exc}"}
    evals = int(data["E_calc_count"].iloc[-1])
    table = data[["t", "mx", "my", "mz"]].to_numpy()
    return {
        "version": "OOMMF via oommfc " + getattr(oc, "__version__", "?"),
        "evolver": "Oxs_RungeKuttaEvolve rkf54 (oommfc default), n_threads=1",
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "startup_run_5ps": {"wall_s": round(w_start, 3), "cpu_s": round(c_start, 3)},
        "cpu_s_without_startup": round(cpu - c_start, 3),
        "evaluations": evals,
        "steps": int(data["iteration"].iloc[-1]),
        "last_time_step_ps": round(float(data["last_time_step"].iloc[-1]) * 1e12, 4),
        "cpu_ms_per_evaluation": round(1e3 * (cpu - c_start) / evals, 4),
        "accuracy_vs_oommf_table": _accuracy(table),
    }


def film(i, n=32, B=32, stiffness=1.0):
    """Film ``i`` of a batch: different field, damping and Dirac torque each
    (``stiffness`` multiplies the exchange constant)."""
    rng = np.random.default_rng(i)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n * 2e-9, n * 2e-9, 1e-9), n=(n, n, 1))
    s = mm.System(name=f"film{i}")
    H = rng.normal(size=3)
    H *= (2e4 + 3e5 * (i % 32) / 32) / np.linalg.norm(H)
    s.energy = (
        mm.Exchange(A=1.5e-11 * stiffness)
        + mm.Demag()
        + mm.UniaxialAnisotropy(K=6e5, u=(0, 0, 1))
        + mm.Zeeman(H=tuple(H))
    )
    s.dynamics = (
        mm.Precession(gamma0=2.211e5)
        + mm.Damping(alpha=0.02 + 0.3 * (i % 32) / 32)
        + ud.DiracSOT(H_DL=-2e5 * i / max(B - 1, 1), H_FL=1e4, beta=0.3)
    )
    s.m = df.Field(mesh, nvdim=3, value=(0.3, 0.1, 1), norm=1.1e6)
    return s


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def bench_batch(B, duration, stages=5, threads=1, mixed=False):
    """Per-system CPU of B films: one by one, batched, batched without compaction.

    ``mixed``: the exchange constant grows from 1x to 4x across the batch, so
    the films need very different numbers of steps (the case compaction is for).
    """
    systems = [
        film(i, B=B, stiffness=1 + 3 * i / max(B - 1, 1) if mixed else 1.0)
        for i in range(B)
    ]
    load0 = _load()
    singles = [Engine(s, threads=threads) for s in systems]
    batched = Engine(systems, threads=threads)
    old = Engine(systems, threads=threads)
    old._integrator.rhs_subset = None  # every system evaluated until the slowest ends

    def run_singles():
        for e1 in singles:
            e1.run(duration, stages)

    w_single, c_single = _timed(run_singles)
    w_batched, c_batched = _timed(lambda: batched.run(duration, stages))
    _, c_old = _timed(lambda: old.run(duration, stages))
    max_diff = max(
        float(np.abs(e1.m[0] - batched.m[i]).max()) for i, e1 in enumerate(singles)
    )
    st = batched.stats
    one_evals = [e1.stats["evaluations"] for e1 in singles]
    return {
        "batch": B,
        "grid": [32, 32, 1],
        "exchange": "1x-4x across the batch" if mixed else "same in every film",
        "duration_s": duration,
        "stages": stages,
        "threads": threads,
        "load_start": load0,
        "one_by_one": {
            "cpu_s": round(c_single, 3),
            "wall_s": round(w_single, 3),
            "per_system_cpu_s": round(c_single / B, 4),
            "evaluations_total": int(sum(one_evals)),
            "evaluations_min_max": [min(one_evals), max(one_evals)],
        },
        "batched": {
            "cpu_s": round(c_batched, 3),
            "wall_s": round(w_batched, 3),
            "per_system_cpu_s": round(c_batched / B, 4),
            "batch_evaluations": st["evaluations"],
            "system_evaluations": st["system_evaluations"],
            "max_abs_diff_vs_one_by_one": max_diff,
        },
        "batched_without_compaction": {
            "cpu_s": round(c_old, 3),
            "per_system_cpu_s": round(c_old / B, 4),
            "system_evaluations": old.stats["system_evaluations"],
            "max_abs_diff_vs_one_by_one": max(
                float(np.abs(e1.m[0] - old.m[i]).max()) for i, e1 in enumerate(singles)
            ),
        },
        "cpu_speedup_batched_vs_one_by_one": round(c_single / c_batched, 3),
        "cpu_speedup_without_compaction_vs_one_by_one": round(c_single / c_old, 3),
        "load_end": _load(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--batches", default=None, help="e.g. 8,32,128")
    parser.add_argument("--batch-duration", type=float, default=None)
    parser.add_argument("--only", choices=["sp4", "batch"], default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    duration = 1e-10 if args.quick else 1e-9
    stages = 20 if args.quick else 200
    repeats = args.repeats or (1 if args.quick else 3)
    batches = args.batches or ("8" if args.quick else "8,32,128")
    batches = [int(b) for b in batches.split(",")]
    batch_duration = args.batch_duration or (2e-11 if args.quick else 1e-10)
    # warm-up (numba compilation / cache load) on a tiny system
    warm = Engine(film(0, n=4))
    warm.run(1e-12, 1)
    warm.minimise(stopping_mxHxm=1e3)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "shared 2-core machine; compare ratios within one run",
        },
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "command": "python benchmarks/bench_engine.py"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else ""),
    }
    if args.only in (None, "sp4"):
        results["sp4"] = bench_sp4(duration, stages, repeats, threads=args.threads)
    elif "sp4" in previous:
        results["sp4"] = previous["sp4"]
    if args.only in (None, "batch"):
        results["batch_32x32x1"] = [
            bench_batch(B, batch_duration, threads=args.threads) for B in batches
        ]
        results["batch_32x32x1_mixed_stiffness"] = bench_batch(
            batches[min(1, len(batches) - 1)],
            batch_duration,
            threads=args.threads,
            mixed=True,
        )
    else:
        for key in ("batch_32x32x1", "batch_32x32x1_mixed_stiffness"):
            if key in previous:
                results[key] = previous[key]
    print(json.dumps(results, indent=2))
    if not args.no_write and not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
