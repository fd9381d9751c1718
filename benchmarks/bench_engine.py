"""Engine benchmark: muMAG standard problem 4 and a batch of small films.

Run from the repository root::

    python benchmarks/bench_engine.py            # full run, writes results/engine.json
    python benchmarks/bench_engine.py --quick    # 0.1 ns of SP4, batch of 8

Reports, for SP4 field 1 (200 x 50 x 1 cells of 2.5 x 2.5 x 3 nm, relaxed from
(1, 0.25, 0.1) by energy minimisation, then 1 ns in 200 stages): wall time, RHS
evaluations, accepted/rejected steps, ms per evaluation, the cost split (demag
FFT convolution vs everything else), and <m> at 0.2, 0.5 and 1 ns against the
reference values of ``/work/shared/ENGINES.md`` and the OOMMF table
``tests/data/sp4_field1_oommf.csv``. For a batch of 32 films of 32 x 32 x 1 cells
(exchange, demag, perpendicular anisotropy, fields of different strength and
direction), the per-system wall time batched versus one by one. The machine is
shared: compare ratios measured in the same run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import time

import discretisedfield as df
import micromagneticmodel as mm
import numpy as np

import ubermag_dirac.engine as ude
from ubermag_dirac.engine import Engine
from ubermag_dirac.engine.registry import ENERGY

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "engine.json"
MU0 = 4e-7 * np.pi

#: <m> of the reference engines (ENGINES.md), which reproduced OOMMF
REFERENCE = {
    0.2e-9: (-0.815890, -0.061801, -0.152745),
    0.5e-9: (-0.919160, -0.224488, +0.047794),
    1.0e-9: (-0.98451, 0.12745, 0.04315),
}
OOMMF_CPU_SECONDS = 25.0


def _ensure_demag():
    """Import the package's energy terms; report whether Demag is registered."""
    Engine  # noqa: B018  (the Engine imports the energy modules when built)
    import importlib

    for name in ("ubermag_dirac.engine.energy", "ubermag_dirac.engine.demag"):
        importlib.import_module(name)
    return any(issubclass(mm.Demag, c) for c in ENERGY)


def sp4_system(cell=(2.5e-9, 2.5e-9, 3e-9)):
    mesh = df.Mesh(p1=(0, 0, 0), p2=(500e-9, 125e-9, 3e-9), cell=cell)
    s = mm.System(name="sp4")
    s.energy = mm.Exchange(A=1.3e-11) + mm.Demag()
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02)
    s.m = df.Field(mesh, nvdim=3, value=(1, 0.25, 0.1), norm=8e5)
    return s


def bench_sp4(duration=1e-9, stages=200, threads=1):
    s = sp4_system()
    t0 = time.perf_counter()
    relax = Engine(s, threads=threads)
    build_relax = time.perf_counter() - t0
    t0 = time.perf_counter()
    iters = relax.minimise(stopping_mxHxm=0.01)
    t_min = time.perf_counter() - t0
    m_relaxed = relax.m.copy()
    mean0 = m_relaxed[0].reshape(3, -1).mean(axis=1)

    s.m = relax.grid.to_field(m_relaxed * relax.Ms[:, None])
    s.energy += mm.Zeeman(H=(-24.6e-3 / MU0, 4.3e-3 / MU0, 0))
    t0 = time.perf_counter()
    e = Engine(s, threads=threads)
    build = time.perf_counter() - t0
    table = []

    def cb(k, t, m):
        table.append((t, *m[0].reshape(3, -1).mean(axis=1)))

    t0, c0 = time.perf_counter(), time.process_time()
    e.run(duration, stages, cb)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    st = e.stats
    table = np.array(table)

    # cost split: the demag term's share of the RHS time
    demag_name = next(n for n, impl in e.energy_terms.items() if "demag" in n.lower())
    t_demag = st["field_time"][demag_name]
    t_other_fields = sum(v for k, v in st["field_time"].items() if k != demag_name)
    out = {
        "grid": [200, 50, 1],
        "duration_s": duration,
        "stages": stages,
        "threads": threads,
        "relax": {
            "method": "minimise (BB, then L-BFGS), stopping_mxHxm = 0.01 A/m",
            "iterations": int(iters[0]),
            "wall_s": round(t_min, 3),
            "mean_m": [round(float(v), 6) for v in mean0],
            "oommf_mean_m_t0": [0.966716, 0.125749, 0.0],
            "engine_build_s": round(build_relax, 3),
        },
        "engine_build_s": round(build, 3),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "rhs_evaluations": st["evaluations"],
        "steps": st["steps"],
        "rejections": st["rejections"],
        "ms_per_evaluation": round(1e3 * wall / st["evaluations"], 4),
        "cpu_ms_per_evaluation": round(1e3 * cpu / st["evaluations"], 4),
        "cost_split": {
            "demag_s": round(t_demag, 3),
            "other_energy_terms_s": round(t_other_fields, 3),
            "llg_kernel_s": round(st["llg_time"], 3),
            "integrator_and_overhead_s": round(
                wall - t_demag - t_other_fields - st["llg_time"], 3
            ),
            "demag_fraction": round(t_demag / wall, 3),
        },
        "cpu_vs_oommf_cpu_25s": round(cpu / OOMMF_CPU_SECONDS, 3),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }
    checks = {}
    for t_ref, ref in REFERENCE.items():
        if t_ref <= duration * (1 + 1e-9):
            row = table[np.argmin(np.abs(table[:, 0] - t_ref))]
            checks[f"{t_ref * 1e9:.1f}ns"] = {
                "mean_m": [round(float(v), 6) for v in row[1:]],
                "reference": list(ref),
                "max_abs_diff": float(np.max(np.abs(row[1:] - np.array(ref)))),
            }
    out["mean_m_checks"] = checks
    ref_file = ROOT / "tests" / "data" / "sp4_field1_oommf.csv"
    if ref_file.exists():
        ref = np.loadtxt(ref_file, delimiter=",", skiprows=1)
        n = min(len(table), len(ref) - 1)
        ours = table[:n]
        theirs = ref[1 : n + 1]
        assert np.allclose(ours[:, 0], theirs[:, 0], rtol=1e-9)
        upto = ours[:, 0] <= 0.3e-9 * (1 + 1e-9)
        dev = np.abs(ours[:, 1:] - theirs[:, 1:])
        out["vs_oommf_table"] = {
            "max_abs_diff_up_to_0.3ns": float(dev[upto].max()) if upto.any() else None,
            "max_abs_diff_all": float(dev.max()),
        }

        # first zero crossing of <m_x>
        def crossing(tab):
            i = int(np.flatnonzero(np.diff(np.sign(tab[:, 1])) != 0)[0])
            t0_, t1_ = tab[i, 0], tab[i + 1, 0]
            x0, x1 = tab[i, 1], tab[i + 1, 1]
            return t0_ - x0 * (t1_ - t0_) / (x1 - x0)

        if (np.sign(ours[:, 1]) < 0).any():
            out["first_mx_zero_crossing_ns"] = round(crossing(ours) * 1e9, 5)
            out["oommf_first_mx_zero_crossing_ns"] = round(crossing(ref) * 1e9, 5)
    return out


def film(i, n=32):
    rng = np.random.default_rng(i)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n * 2e-9, n * 2e-9, 1e-9), n=(n, n, 1))
    s = mm.System(name=f"film{i}")
    H = rng.normal(size=3)
    H *= (2e4 + 3e5 * i / 32) / np.linalg.norm(H)
    s.energy = (
        mm.Exchange(A=1.5e-11)
        + mm.Demag()
        + mm.UniaxialAnisotropy(K=6e5, u=(0, 0, 1))
        + mm.Zeeman(H=tuple(H))
    )
    s.dynamics = mm.Precession(gamma0=2.211e5) + mm.Damping(alpha=0.02 + 0.3 * i / 32)
    s.m = df.Field(mesh, nvdim=3, value=(0.3, 0.1, 1), norm=1.1e6)
    return s


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def bench_batch(B=32, duration=5e-11, threads=1):
    """Per-system cost of B films: batched (per-system and shared step) vs one by one.

    Engines (and their demag tensors) are built first and timed separately; the
    runs are then timed in wall and process CPU seconds.
    """
    systems = [film(i) for i in range(B)]
    w0 = time.perf_counter()
    batched = Engine(systems, threads=threads)
    build_batched = time.perf_counter() - w0
    shared = Engine(systems, threads=threads, shared_step=True)
    w0 = time.perf_counter()
    singles = [Engine(s, threads=threads) for s in systems]
    build_singles = time.perf_counter() - w0

    def run_singles():
        for e1 in singles:
            e1.run(duration, 5)

    w_single, c_single = _timed(run_singles)
    w_batched, c_batched = _timed(lambda: batched.run(duration, 5))
    w_shared, c_shared = _timed(lambda: shared.run(duration, 5))
    max_diff = max(
        float(np.abs(e1.m[0] - batched.m[i]).max()) for i, e1 in enumerate(singles)
    )
    st = batched.stats
    return {
        "batch": B,
        "grid": [32, 32, 1],
        "duration_s": duration,
        "threads": threads,
        "build_s": {
            "batched": round(build_batched, 3),
            "one_by_one": round(build_singles, 3),
        },
        "one_by_one": {
            "wall_s": round(w_single, 3),
            "cpu_s": round(c_single, 3),
            "per_system_cpu_s": round(c_single / B, 4),
            "evaluations_total": sum(e1.stats["evaluations"] for e1 in singles),
        },
        "batched_per_system_step": {
            "wall_s": round(w_batched, 3),
            "cpu_s": round(c_batched, 3),
            "per_system_cpu_s": round(c_batched / B, 4),
            "evaluations": st["evaluations"],
            "steps_per_system_min_max": [
                min(st["steps_per_system"]),
                max(st["steps_per_system"]),
            ],
            "max_abs_diff_vs_one_by_one": max_diff,
        },
        "batched_shared_step": {
            "wall_s": round(w_shared, 3),
            "cpu_s": round(c_shared, 3),
            "per_system_cpu_s": round(c_shared / B, 4),
            "evaluations": shared.stats["evaluations"],
            "max_abs_diff_vs_per_system_step": float(
                np.abs(shared.m - batched.m).max()
            ),
        },
        "cpu_speedup_batched_vs_one_by_one": round(c_single / c_batched, 3),
        "cpu_speedup_shared_vs_one_by_one": round(c_single / c_shared, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not _ensure_demag():
        raise SystemExit(
            "mm.Demag is not registered with the engine yet (ubermag_dirac.engine "
            "energy adapter missing); the benchmark needs it."
        )
    duration = 1e-10 if args.quick else 1e-9
    stages = 20 if args.quick else 200
    # warm-up (numba compilation / cache load) on a tiny system
    warm = Engine(film(0, n=4))
    warm.run(1e-12, 1)
    warm.minimise(stopping_mxHxm=1e3)
    results = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "shared 2-core machine; compare ratios within one run",
        },
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "engine_version": getattr(ude, "__doc__", "").split("\n")[0],
        "sp4": bench_sp4(duration, stages, threads=args.threads),
        "batch_32x32x1": bench_batch(
            8 if args.quick else 32, 2e-11 if args.quick else 5e-11, args.threads
        ),
    }
    print(json.dumps(results, indent=2))
    if not args.no_write and not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
