"""Film switching diagrams: cost (batched vs point by point, processes) and studies.

Run ``python benchmarks/bench_switching.py`` (all sections) or pick sections with
``--only bench size transition limit``. Numbers go to
``benchmarks/results/switching.json`` (sections not run keep their old entry).

Sections
--------
bench
    Cost of a 21 x 21 film diagram of 32 x 32 x 1 cells (exchange, PMA, demag,
    interfacial DMI, Dirac torque step, 0.3 ns): a sample of the grid points is
    run (a) as one batch through one engine, (b) point by point (one engine per
    point), (c) as chunks on a ``ProcessPoolExecutor`` with 1 and 2 workers; the
    per-point costs are extrapolated to the 441 points. Ratios are measured in
    the same run (the machine is shared: compare ratios, not seconds).
size
    Comparison 2: critical H_sot at fixed small H_x (0.05 H_K,eff) versus film
    size (100, 150, 200 nm squares, 1 nm thick, interfacial DMI) for the Dirac
    and the spin-Hall torque, next to the macrospin value with the same
    effective anisotropy. Grid scan of the down start, refined once.
transition
    Comparison 3: final <m_z> across H_x = 0 (beyond the bistable region) in a
    100 nm film with DMI, both torques, and in the macrospin.
limit
    Comparison 1: agreement of single-domain films with the macrospin diagram
    (fraction of grid points classified identically), both torques.
"""

import argparse
import concurrent.futures
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
from ubermag_dirac import macrospin as ms
from ubermag_dirac import switching as sw

RESULTS = pathlib.Path(__file__).parent / "results" / "switching.json"
GAMMA0 = 2.211e5


def film(
    L=None,
    n=None,
    cell=4e-9,
    torque="dirac",
    *,
    Ms=8e5,
    K=6e5,
    A=1.5e-11,
    D=1.5e-3,
    alpha=0.1,
):
    """Square film of side L (m) or n x n cells, 1 nm thick, PMA, demag, DMI."""
    if n is None:
        n = round(L / cell)
    mesh = df.Mesh(p1=(0, 0, 0), p2=(n * cell, n * cell, 1e-9), n=(n, n, 1))
    s = mm.System(name=f"film{n}")
    s.energy = mm.Exchange(A=A) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1)) + mm.Demag()
    if D:
        s.energy += mm.DMI(D=D, crystalclass="Cnv_z")
    s.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    if torque == "dirac":
        s.dynamics += ud.DiracSOT(H_DL=0.0)
    else:
        s.dynamics += ud.SpinHallSOT(H_SH=0.0)
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=Ms)
    return s


def timed(f, *a, **kw):
    t0 = time.perf_counter()
    out = f(*a, **kw)
    return out, time.perf_counter() - t0


# ---------------------------------------------------------------- bench
def _cpu():
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


def bench(quick=False, torques=None, rounds=2):
    """Batched vs point by point vs 1 and 2 processes, interleaved rounds."""
    s = film(n=32, cell=3e-9, torque="dirac")
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    hx_full = np.linspace(-0.8, 0.8, 21) * HK
    hs_full = np.linspace(-1.6, 1.6, 21) * HK
    # sample: 2 x 4 points spread over the diagram (every 10th hx, every 6th hsot)
    hx = hx_full[[5, 15]]
    hs = hs_full[[2, 8, 12, 18]] if not quick else hs_full[[2, 18]]
    npts = hx.size * hs.size
    kw = {"t_run": 0.3e-9, "n_samples": 30, "progress": False}
    warm = {**kw, "t_run": 2e-11, "n_samples": 2}
    # warm-up (numba compilation, FFT plans) outside the timings
    sw.phase_diagram(s, hx[:1], hs[:1], **warm)

    def in_process(chunk):
        return sw.phase_diagram(s, hx, hs, chunk_size=chunk, **kw)

    def pool(workers):
        with concurrent.futures.ProcessPoolExecutor(workers) as ex:
            sw.phase_diagram(s, hx[:1], hs[:1], executor=ex, **warm)  # warm workers
            t0 = time.perf_counter()
            ds = sw.phase_diagram(
                s, hx, hs, executor=ex, chunk_size=max(1, npts // 4), **kw
            )
            wall = time.perf_counter() - t0
        return ds, wall

    configs = {
        "batched": lambda: in_process(npts),
        "point_by_point": lambda: in_process(1),
        "processes_1": lambda: pool(1),
        "processes_2": lambda: pool(2),
    }
    walls = {k: [] for k in configs}
    cpus = {k: [] for k in configs}
    states = {}
    load = [os.getloadavg()[0]]
    for _ in range(rounds):
        for name, f in configs.items():
            c0, t0 = _cpu(), time.perf_counter()
            res = f()
            wall = time.perf_counter() - t0
            cpu = _cpu() - c0
            if isinstance(res, tuple):  # pool: time of the sweep alone
                res, wall = res
            walls[name].append(wall)
            cpus[name].append(cpu)
            states[name] = res.state.values
            load.append(os.getloadavg()[0])
    same = all(np.array_equal(states["batched"], v) for v in states.values())
    return summarise_bench(
        {
            "wall_s_per_round": walls,
            "cpu_s_per_round": cpus,
            "load_average_1min": load,
            "sample_points": npts,
            "rounds": rounds,
            "states_identical": bool(same),
        }
    )


def summarise_bench(raw):
    """Best-of-rounds wall and CPU times, ratios and the 21 x 21 extrapolation."""
    walls, cpus, npts = (
        raw["wall_s_per_round"],
        raw["cpu_s_per_round"],
        raw["sample_points"],
    )
    best = {k: min(v) for k, v in walls.items()}
    best_cpu = {k: min(v) for k, v in cpus.items()}
    return {
        "film": "32 x 32 x 1 cells of 3 nm x 3 nm x 1 nm, exchange + PMA + demag + "
        "interfacial DMI, Dirac torque step, alpha 0.1, t_run 0.3 ns, both starts",
        "sample_points": npts,
        "rounds": raw["rounds"],
        "wall_s_per_round": walls,
        "cpu_s_per_round": cpus,
        "cpu_note": "CPU of this process plus finished children (pool workers; "
        "for the pools it includes worker start-up and warm-up)",
        "load_average_1min": raw["load_average_1min"],
        "best_wall_s": best,
        "best_cpu_s": best_cpu,
        "cpu_ratio_point_by_point_over_batched": best_cpu["point_by_point"]
        / best_cpu["batched"],
        "batched_per_point_s": best["batched"] / npts,
        "point_by_point_per_point_s": best["point_by_point"] / npts,
        "ratio_point_by_point_over_batched": best["point_by_point"] / best["batched"],
        "speedup_2_over_1_processes": best["processes_1"] / best["processes_2"],
        "states_identical": raw["states_identical"],
        "extrapolated_21x21_s": {k: 441 * v / npts for k, v in best.items()},
        "extrapolated_21x21_cpu_s": {k: 441 * v / npts for k, v in best_cpu.items()},
    }


# ---------------------------------------------------------------- size study
def threshold_scan(s, hx_red, s_grid, t_run, refine=4):
    """Bracket (lo, thr] of the smallest s (H_K,eff) switching the down start.

    Returns ``thr`` (the smallest scanned value at which the down start is
    lost), the largest scanned value below it that did not switch, the largest
    spread of m_z seen and H_K,eff.
    """
    HK = sw.effective_anisotropy(s)["H_K_eff"]
    kw = {"t_run": t_run, "n_samples": 60, "progress": False, "starts": ["down"]}
    ds = sw.phase_diagram(s, [hx_red * HK], np.asarray(s_grid) * HK, **kw)
    thr = float(sw.switching_threshold(ds).values[0]) / HK
    scans = [ds]
    if np.isfinite(thr) and refine:
        k = int(np.argmin(np.abs(np.asarray(s_grid) - thr)))
        lo = s_grid[k - 1] if k > 0 else 0.0
        fine = np.linspace(lo, thr, refine + 2)[1:-1]
        ds2 = sw.phase_diagram(s, [hx_red * HK], fine * HK, **kw)
        t2 = float(sw.switching_threshold(ds2).values[0]) / HK
        if np.isfinite(t2):
            thr = t2
        scans.append(ds2)
    spread = max(float(d.mz_spread_max.sel(start="down").max()) for d in scans)
    scanned = np.concatenate([d.hsot.values for d in scans]) / HK
    lost = np.concatenate([d.mz_down.values[0] > -float(d.attrs["tol"]) for d in scans])
    below = scanned[(scanned < thr) & ~lost] if np.isfinite(thr) else scanned
    lower = float(below.max()) if below.size else 0.0
    return thr, lower, spread, HK


def size_study(quick=False, torques=("dirac", "she"), sizes=None):
    hx_red = 0.05
    grids = {
        "dirac": [0.3, 0.6, 0.9, 1.2, 1.5],
        "she": [0.1, 0.2, 0.3, 0.4, 0.5],
    }
    grids = {k: v for k, v in grids.items() if k in torques}
    if sizes is None:
        sizes = [100e-9, 150e-9] if quick else [20e-9, 50e-9, 100e-9, 150e-9, 200e-9]
    out = {
        "hx_over_HK_eff": hx_red,
        "alpha": 0.1,
        "film": "L x L x 1 nm, 5 nm cells, Ms 8e5 A/m, K 6e5 J/m^3, A 1.5e-11 J/m, "
        "D 1.5e-3 J/m^2 (Cnv_z), demag; torque stepped on, 1.5 ns",
        "threshold_definition": "smallest H_sot/H_K,eff on the scan at which the "
        "field-relaxed down start ends with <m_z> > -1e-3 (grid step, then one "
        "refinement of 4 points below it)",
        "results": {},
    }
    for torque, grid in grids.items():
        rows = []
        for L in sizes:
            s = film(L=L, cell=5e-9, torque=torque)
            (thr, lower, spread, HK), t = timed(
                threshold_scan, s, hx_red, grid, 1.5e-9, 4
            )
            # the macrospin with the same effective anisotropy and protocol
            mthr = float(
                ms.switching_threshold(
                    [hx_red],
                    torque=torque,
                    alpha=0.1,
                    ds=0.01,
                    t_max=1.5e-9 * GAMMA0 * HK,
                )[0]
            )
            rows.append(
                {
                    "L_nm": round(L * 1e9),
                    "H_K_eff_A_per_m": HK,
                    "threshold_over_HK_eff": thr,
                    "largest_non_switching_over_HK_eff": lower,
                    "threshold_A_per_m": thr * HK,
                    "macrospin_threshold_over_HK_eff": mthr,
                    "film_over_macrospin": thr / mthr,
                    "max_mz_spread_during_scan": spread,
                    "wall_s": t,
                }
            )
            print(torque, rows[-1], flush=True)
        out["results"][torque] = rows
    return out


def merge_size(old, new):
    """Rows of two size studies merged by L (the newer row wins)."""
    out = dict(new)
    res = {}
    for src in (old.get("results", {}), new.get("results", {})):
        for torque, rows in src.items():
            res.setdefault(torque, {}).update({r["L_nm"]: r for r in rows})
    out["results"] = {t: [r[k] for k in sorted(r)] for t, r in res.items()}
    return out


# ---------------------------------------------------------------- transition
def transition_study(quick=False, torques=("dirac", "she")):
    hx = np.array([-0.1, -0.05, -0.02, 0.02, 0.05, 0.1])
    s_red = {"dirac": 2.0, "she": 0.8}
    out = {
        "film": "100 nm x 100 nm x 1 nm, 4 nm cells, DMI 1.5e-3 J/m^2, alpha 0.1, 3 ns",
        "hx_over_HK_eff": hx.tolist(),
        "results": {},
    }
    for torque, sr in s_red.items():
        if torque not in torques:
            continue
        s = film(L=100e-9, torque=torque)
        HK = sw.effective_anisotropy(s)["H_K_eff"]
        ds, t = timed(
            sw.phase_diagram,
            s,
            hx * HK,
            [sr * HK],
            t_run=3e-9,
            n_samples=60,
            progress=False,
        )
        mds = ms.phase_diagram(
            hx, [sr], torque=torque, alpha=0.1, t_max=3e-9 * GAMMA0 * HK
        )
        out["results"][torque] = {
            "hsot_over_HK_eff": sr,
            "film_final_mz_up_start": ds.mz_up.values[:, 0].tolist(),
            "film_final_mz_down_start": ds.mz_down.values[:, 0].tolist(),
            "film_mz_spread_final": ds.mz_spread_final.values[:, 0].tolist(),
            "film_at_rest": bool((ds.t_stop.values < 3e-9).all()),
            "macrospin_final_mz_up_start": mds.mz_up.values[:, 0].tolist(),
            "macrospin_final_mz_down_start": mds.mz_down.values[:, 0].tolist(),
            "wall_s": t,
        }
        print(torque, out["results"][torque], flush=True)
    return out


# ---------------------------------------------------------------- limit
def limit_study(quick=False, torques=("dirac", "she")):
    out = {}
    for torque, smax in (("dirac", 1.6), ("she", 0.8)):
        if torque not in torques:
            continue
        mesh = df.Mesh(p1=(0, 0, 0), p2=(12e-9, 12e-9, 1e-9), n=(4, 4, 1))
        s = mm.System(name="dot")
        s.energy = (
            mm.Exchange(A=1.5e-11)
            + mm.UniaxialAnisotropy(K=5e5, u=(0, 0, 1))
            + mm.Demag()
        )
        s.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=0.3)
        s.dynamics += (
            ud.DiracSOT(H_DL=0.0) if torque == "dirac" else ud.SpinHallSOT(H_SH=0.0)
        )
        s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=8e5)
        HK = sw.effective_anisotropy(s)["H_K_eff"]
        n = 7 if quick else 11
        ds, t = timed(
            sw.phase_diagram,
            s,
            np.linspace(-0.8, 0.8, n) * HK,
            np.linspace(-smax, smax, n) * HK,
            t_run=1e-9,
            n_samples=50,
            progress=False,
        )
        cmp = sw.compare(ds)
        out[torque] = {
            "film": "12 nm x 12 nm x 1 nm (4 x 4 x 1 cells), exchange + PMA + demag",
            "grid": f"{n} x {n}",
            "agreement": cmp.attrs["agreement"],
            "max_mz_spread": float(ds.mz_spread_max.max()),
            "wall_s": t,
        }
        print(torque, out[torque], flush=True)
    return out


SECTIONS = {
    "bench": bench,
    "size": size_study,
    "transition": transition_study,
    "limit": limit_study,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", choices=sorted(SECTIONS), default=None)
    p.add_argument("--quick", action="store_true", help="smaller samples (smoke run)")
    p.add_argument("--output", default=str(RESULTS))
    p.add_argument("--torques", nargs="+", default=["dirac", "she"])
    p.add_argument(
        "--sizes", nargs="+", type=float, default=None, help="size study: L in nm"
    )
    args = p.parse_args(argv)
    results = _results.load(args.output)
    for name in args.only or list(SECTIONS):
        print(f"== {name}", flush=True)
        kw = {}
        if name == "size" and args.sizes:
            kw["sizes"] = [x * 1e-9 for x in args.sizes]
        res, t = timed(SECTIONS[name], args.quick, tuple(args.torques), **kw)
        res = _results.stamp(res, t, args.quick)
        if name == "size" and "size" in results:
            res = merge_size(results["size"], res)
        results[name] = res
        _results.save(args.output, results)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
