"""Cost curves of the film engine up to device scale.

Run from the repository root::

    python benchmarks/bench_scaling.py             # all sizes + device case (long)
    python benchmarks/bench_scaling.py --no-device # the cost curves only
    python benchmarks/bench_scaling.py --quick     # 32^2 and 64^2, short runs

Films of N x N x 1 cells of 2 x 2 x 1 nm (N = 32 ... 512) and one 3-layer film
(128 x 128 x 3) with exchange, perpendicular anisotropy, interfacial DMI, demag,
damping 0.1 and a Dirac spin-orbit torque (the quickstart's physics). For each
case, in a fresh process (so that its peak memory is its own): the engine's
milliseconds of CPU per right-hand-side evaluation (median of three timed runs
after a warm-up that settles the step size), RHS evaluations per simulated ns,
peak resident memory above the interpreter's baseline per cell, and the same
evaluation with two threads (the speed-up). A power law ``ms = c N_cells^p`` is
fitted to the single-layer films.

Device-scale reference (``--device``, on by default): a 512 nm x 512 nm x 1 nm
film of 2 nm cells (256 x 256 x 1), relaxed up (+z) then driven for 1 ns by a
Dirac torque pulse (H_DL = 0.8 H_K,eff, in-plane bias field -0.05 H_K,eff along
the current; a 96 nm film with these settings switches to <m_z> = -0.99) and
0.5 ns without it: wall and CPU time, evaluations, final <m_z>.

Writes ``benchmarks/results/scaling.json``, ``scaling.md`` (the table) and
``scaling.png`` (log-log plot). The machine is shared; the load average is
recorded with every case.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MU0 = 4e-7 * np.pi
MS, K, A, D = 8e5, 6e5, 1.5e-11, 1.5e-3
#: effective anisotropy field of a thin film (A/m): 2K/(mu0 Ms) - Ms
HK_EFF = 2 * K / (MU0 * MS) - MS
SIZES = [32, 64, 128, 256, 512]
LAYERED = (128, 3)


def film(N, nz=1, H_DL=-0.3 * HK_EFF, pulse=None, hx=0.0, m0=(0.1, 0.0, 1.0)):
    import discretisedfield as df
    import micromagneticmodel as mm

    import ubermag_dirac as ud

    mesh = df.Mesh(p1=(0, 0, 0), p2=(N * 2e-9, N * 2e-9, nz * 1e-9), n=(N, N, nz))
    s = mm.System(name=f"film{N}x{nz}")
    s.energy = (
        mm.Exchange(A=A)
        + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
        + mm.DMI(D=D, crystalclass="Cnv_z")
        + mm.Demag()
    )
    if hx:
        s.energy += mm.Zeeman(H=(hx, 0, 0))
    kw = {} if pulse is None else {"func": pulse, "dt": 1e-12}
    s.dynamics = (
        mm.Precession(gamma0=2.211e5)
        + mm.Damping(alpha=0.1)
        + ud.DiracSOT(H_DL=H_DL, H_FL=0.2 * abs(H_DL), beta=0.3, **kw)
    )
    s.m = df.Field(mesh, nvdim=3, value=m0, norm=MS)
    return s


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case(N, nz, threads):
    """One case in this process: dict of the measurements."""
    from ubermag_dirac.engine import Engine

    rss0 = _rss_mib()
    s = film(N, nz)
    e = Engine(s, threads=threads)
    cells = N * N * nz
    dur = 2e-12 if cells >= 512 * 512 else 4e-12
    e.run(dur)  # warm-up: kernels loaded, step size settled
    cpu, evals = [], []
    for _ in range(3):
        ev0 = e.stats["evaluations"]
        c0 = time.process_time()
        e.run(dur)
        cpu.append(time.process_time() - c0)
        evals.append(e.stats["evaluations"] - ev0)
    ms = [1e3 * c / max(ev, 1) / threads for c, ev in zip(cpu, evals, strict=True)]
    it = e._integrator
    settled = it.methods[int(it.mode[0])]  # "auto": RK5(4) or RK4(3) at the end
    return {
        "N": N,
        "nz": nz,
        "cells": cells,
        "threads": threads,
        # CPU time of a multi-threaded run is summed over threads: wall per
        # evaluation is what the speed-up needs, so report both
        "cpu_ms_per_evaluation": round(float(np.median(ms)) * threads, 4),
        "wall_ms_per_evaluation_estimate": round(float(np.median(ms)), 4),
        # measured over the three short runs (each ends with a truncated step)
        "evaluations_per_ns": round(float(np.sum(evals)) / (3 * dur) * 1e-9),
        # from the settled (stability-limited) step and the evaluations per
        # step of the method it was taken with
        "evaluations_per_ns_settled_step": round(
            (settled.stages - 1) * 1e-9 / float(it.h[0])
        ),
        "settled_step_ps": round(1e12 * float(it.h[0]), 4),
        "settled_method": settled.name,
        "peak_rss_mib": round(_rss_mib(), 1),
        "rss_before_engine_mib": round(rss0, 1),
        "load": round(os.getloadavg()[0], 2),
    }


def _case_wall(N, nz, threads):
    """As :func:`case` but with wall time per evaluation (for the speed-up)."""
    from ubermag_dirac.engine import Engine

    e = Engine(film(N, nz), threads=threads)
    dur = 2e-12 if N * N * nz >= 512 * 512 else 4e-12
    e.run(dur)
    walls = []
    for _ in range(3):
        ev0 = e.stats["evaluations"]
        w0 = time.perf_counter()
        e.run(dur)
        walls.append(1e3 * (time.perf_counter() - w0) / (e.stats["evaluations"] - ev0))
    return float(np.median(walls))


def _subprocess(args):
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    out = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def device_case():
    """512 nm x 512 nm x 1 nm, 2 nm cells, 1 ns Dirac pulse then 0.5 ns."""
    from ubermag_dirac.engine import Engine

    N = 256
    relax = Engine(film(N, H_DL=0.0, m0=(0.05, 0, 1)))
    w0, c0 = time.perf_counter(), time.process_time()
    relax.minimise(stopping_mxHxm=1.0)
    t_relax = (time.perf_counter() - w0, time.process_time() - c0)
    s = film(
        N,
        H_DL=0.8 * HK_EFF,
        pulse=lambda t: 1.0 if t < 1e-9 else 0.0,
        hx=-0.05 * HK_EFF,
    )
    s.m = relax.grid.to_field(relax.m * relax.Ms[:, None])
    e = Engine(s)
    mz = []
    w0, c0 = time.perf_counter(), time.process_time()
    e.run(1.5e-9, 30, lambda k, t, m: mz.append((t, float(m[0, 2].mean()))))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    st = e.stats
    return {
        "film": "512 nm x 512 nm x 1 nm, 2 nm cells (256 x 256 x 1)",
        "physics": (
            f"A {A}, K {K} (PMA), D {D} (Cnv_z), Ms {MS}, alpha 0.1, demag; Dirac "
            f"torque H_DL = 0.8 H_K,eff = {0.8 * HK_EFF:.4g} A/m (H_FL = 0.2 "
            f"|H_DL|, beta 0.3) for 1 ns, bias H_x = -0.05 H_K,eff; then 0.5 ns off"
        ),
        "relax_minimise_wall_s": round(t_relax[0], 2),
        "run_wall_s": round(wall, 2),
        "run_cpu_s": round(cpu, 2),
        "evaluations": st["evaluations"],
        "steps": st["steps"],
        "rejections": st["rejections"],
        "ms_per_evaluation_cpu": round(1e3 * cpu / st["evaluations"], 3),
        "mz_start": round(float(relax.m[0, 2].mean()), 4),
        "mz_t": [(round(t * 1e9, 3), round(v, 4)) for t, v in mz],
        "load_end": round(os.getloadavg()[0], 2),
    }


def fit_power_law(cells, ms):
    p, logc = np.polyfit(np.log(cells), np.log(ms), 1)
    return float(p), float(np.exp(logc))


def write_outputs(res):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scaling.json").write_text(json.dumps(res, indent=2) + "\n")
    rows = res["cases"]
    lines = [
        "| cells | N x N x nz | ms / evaluation (1 thread, CPU) | "
        "ns CPU / cell / evaluation | evaluations / ns | peak RSS above "
        "baseline (bytes / cell) | 2-thread speed-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['cells']} | {r['N']} x {r['N']} x {r['nz']} | "
            f"{r['cpu_ms_per_evaluation']:.3f} | "
            f"{1e6 * r['cpu_ms_per_evaluation'] / r['cells']:.1f} | "
            f"{r['evaluations_per_ns']}"
            + (
                f" ({r['evaluations_per_ns_settled_step']} from the settled step)"
                if "evaluations_per_ns_settled_step" in r
                else ""
            )
            + f" | {r['bytes_per_cell']:.0f} | "
            f"{r['speedup_2_threads']:.2f} |"
        )
    fit = res["fit_single_layer"]
    lines.append("")
    lines.append(
        f"Fit over single-layer films: ms per evaluation = {fit['c']:.3g} x "
        f"cells^{fit['exponent']:.3f}."
    )
    if "device" in res:
        dv = res["device"]
        lines.append("")
        lines.append(
            f"Device-scale reference ({dv['film']}, 1 ns Dirac pulse + 0.5 ns): "
            f"run {dv['run_wall_s']} s wall / {dv['run_cpu_s']} s CPU, "
            f"{dv['evaluations']} evaluations, <m_z> {dv['mz_start']} -> "
            f"{dv['mz_t'][-1][1]}."
        )
    (RESULTS / "scaling.md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return
    single = [r for r in rows if r["nz"] == 1]
    x = np.array([r["cells"] for r in single])
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    ax[0].loglog(
        x, [r["cpu_ms_per_evaluation"] for r in single], "o-", label="1 thread"
    )
    ax[0].loglog(
        x,
        [r["cpu_ms_per_evaluation"] / r["speedup_2_threads"] for r in single],
        "s--",
        label="2 threads (wall)",
    )
    ax[0].loglog(
        x,
        fit["c"] * x ** fit["exponent"],
        "k:",
        label=f"fit $\\propto N^{{{fit['exponent']:.2f}}}$",
    )
    for r in rows:
        if r["nz"] > 1:
            ax[0].loglog(
                [r["cells"]], [r["cpu_ms_per_evaluation"]], "r^", label="3 layers"
            )
    ax[0].set_xlabel("cells")
    ax[0].set_ylabel("ms per RHS evaluation")
    ax[0].legend(fontsize=8)
    ax[1].semilogx(x, [r["evaluations_per_ns"] for r in single], "o-")
    ax[1].set_xlabel("cells")
    ax[1].set_ylabel("RHS evaluations per ns")
    ax[1].set_ylim(bottom=0)
    fig.suptitle("ubermag-dirac film engine, 2 nm cells, demag + PMA + DMI + Dirac SOT")
    fig.tight_layout()
    fig.savefig(RESULTS / "scaling.png", dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-device", action="store_true")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--case-wall", help=argparse.SUPPRESS)
    parser.add_argument("--device-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        N, nz, threads = (int(v) for v in args.case.split(","))
        print(json.dumps(case(N, nz, threads)))
        return
    if args.case_wall:
        N, nz, threads = (int(v) for v in args.case_wall.split(","))
        print(json.dumps(_case_wall(N, nz, threads)))
        return
    if args.device_only:
        print(json.dumps(device_case()))
        return
    sizes = [32, 64] if args.quick else SIZES
    cases = [(N, 1) for N in sizes] + ([] if args.quick else [LAYERED])
    base = _subprocess(["--case", "8,1,1"])  # interpreter + libraries baseline
    res = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "command": "python benchmarks/bench_scaling.py"
        + (" --quick" if args.quick else ""),
        "baseline_rss_mib": base["peak_rss_mib"],
        "cases": [],
    }
    for N, nz in cases:
        r = _subprocess(["--case", f"{N},{nz},1"])
        w1 = _subprocess(["--case-wall", f"{N},{nz},1"])
        w2 = _subprocess(["--case-wall", f"{N},{nz},2"])
        r["bytes_per_cell"] = (
            (r["peak_rss_mib"] - base["peak_rss_mib"]) * 2**20 / r["cells"]
        )
        r["wall_ms_per_evaluation_1_thread"] = round(w1, 4)
        r["wall_ms_per_evaluation_2_threads"] = round(w2, 4)
        r["speedup_2_threads"] = round(w1 / w2, 3)
        res["cases"].append(r)
        print(json.dumps(r), flush=True)
    single = [r for r in res["cases"] if r["nz"] == 1]
    p, c = fit_power_law(
        [r["cells"] for r in single], [r["cpu_ms_per_evaluation"] for r in single]
    )
    res["fit_single_layer"] = {"exponent": round(p, 4), "c": c}
    if not (args.quick or args.no_device):
        res["device"] = _subprocess(["--device-only"])
        print(json.dumps(res["device"]), flush=True)
    elif not args.quick and (RESULTS / "scaling.json").exists():
        # keep what this run did not measure (device case, quiet 2-thread run)
        old = json.loads((RESULTS / "scaling.json").read_text())
        kept = {k: v for k, v in old.items() if k not in res}
        res.update(kept)
        res["kept_from_earlier_runs"] = sorted(kept)
    if not args.quick:
        write_outputs(res)
    else:
        print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
