"""Benchmark of the demagnetising-field convolution (``ubermag_dirac.engine.demag``).

Cases
-----
- ``sp4``: muMAG standard problem 4, 200 x 50 x 1 cells of 2.5 x 2.5 x 3 nm, B = 1.
- ``batch32``: 32 films of 32 x 32 x 1 cells (3 x 3 x 1 nm), batched (B = 32) and one
  by one (32 calls with B = 1), per-system cost.
- ``film3d``: 64 x 64 x 8 cells (2 x 2 x 2 nm), B = 1 (a multilayer check of the
  3-D path).

For each case the reference implementation (``method="reference"``: complex tensor
spectra, full 3-D ``rfftn`` of the zero-padded arrays, numpy products), the
optimised path (``method="fast"``: buffered pocketfft pipeline), the same path through
the public ``scipy.fft`` functions, and, when pyfftw is importable, ``fft="pyfftw"``
are timed *interleaved in one process*, round by round, so that machine load
affects them alike; the ratio of their times in the same run is the number to
compare. Reported: minimum and median over the rounds (ms per
``field`` call) and the tensor/spectrum setup time. With ``--malloc`` the script runs
itself twice more in subprocesses, with and without glibc ``mallopt`` tuning
(:func:`ubermag_dirac.engine.threads.tune_malloc`), alternating, and reports both.

Usage::

    python benchmarks/bench_demag.py [--rounds 200] [--malloc] [--out PATH]

Results go to ``benchmarks/results/demag.json`` by default.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import scipy

from ubermag_dirac.engine._fft import have_pyfftw
from ubermag_dirac.engine.demag import DemagField

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {
    "sp4": ((200, 50, 1), (2.5e-9, 2.5e-9, 3e-9), 1),
    "batch32": ((32, 32, 1), (3e-9, 3e-9, 1e-9), 32),
    "film3d": ((64, 64, 8), (2e-9, 2e-9, 2e-9), 1),
}


def _interleaved(funcs, rounds):
    """Time each callable once per round, in turn; return ms lists."""
    for f in funcs.values():  # warm-up (numba compile, plan caches)
        f()
        f()
    times = {k: [] for k in funcs}
    for _ in range(rounds):
        for k, f in funcs.items():
            t0 = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t0) * 1e3)
    return times


def _pyfftw_version():
    if not have_pyfftw():
        return None
    import pyfftw

    return pyfftw.__version__


def _stats(ms):
    ms = np.asarray(ms)
    return {"min_ms": float(ms.min()), "median_ms": float(np.median(ms))}


def _setup_time(n, cell, method, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        DemagField(n, cell, method=method)
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def run_case(name, rounds, threads=1):
    n, cell, B = CASES[name]
    rng = np.random.default_rng(0)
    M = rng.uniform(-8e5, 8e5, size=(B, 3, *n))
    fast = DemagField(n, cell, threads=threads)
    ref = DemagField(n, cell, threads=threads, method="reference")
    out = np.empty_like(M)
    H_ref = ref.field(M)
    err = float(np.abs(fast.field(M) - H_ref).max() / np.abs(H_ref).max())
    public = DemagField(n, cell, threads=threads)
    public._conv = None  # the fast path through the public scipy.fft functions
    funcs = {
        "reference": lambda: ref.field(M, out=out),
        "fast": lambda: fast.field(M, out=out),
        "fast_public_scipy_fft": lambda: public.field(M, out=out),
    }
    if have_pyfftw():
        fw = DemagField(n, cell, threads=threads, fft="pyfftw")
        funcs["fast_pyfftw"] = lambda: fw.field(M, out=out)
    if B > 1:
        singles = [np.ascontiguousarray(M[b : b + 1]) for b in range(B)]
        out1 = np.empty_like(singles[0])

        def one_by_one():
            for Mb in singles:
                fast.field(Mb, out=out1)

        funcs["fast_one_by_one"] = one_by_one
    times = _interleaved(funcs, rounds if B == 1 else max(rounds // 4, 20))
    res = {
        "n": n,
        "cell": cell,
        "batch": B,
        "padded": fast.padded,
        "threads": threads,
        "rounds": len(times["fast"]),
        "max_rel_diff_fast_vs_reference": err,
        "setup_ms": {
            "fast": _setup_time(n, cell, "fast"),
            "reference": _setup_time(n, cell, "reference"),
        },
    }
    for k, v in times.items():
        res[k] = _stats(v)
    res["speedup_fast_vs_reference"] = {
        "min": res["reference"]["min_ms"] / res["fast"]["min_ms"],
        "median": res["reference"]["median_ms"] / res["fast"]["median_ms"],
    }
    if "fast_pyfftw" in res:
        res["speedup_pyfftw_vs_fast"] = {
            "min": res["fast"]["min_ms"] / res["fast_pyfftw"]["min_ms"],
            "median": res["fast"]["median_ms"] / res["fast_pyfftw"]["median_ms"],
        }
    if B > 1:
        res["per_system_ms"] = {
            "fast_batched_min": res["fast"]["min_ms"] / B,
            "fast_one_by_one_min": res["fast_one_by_one"]["min_ms"] / B,
            "reference_batched_min": res["reference"]["min_ms"] / B,
        }
        res["batch_gain_min"] = res["fast_one_by_one"]["min_ms"] / res["fast"]["min_ms"]
    return res


def _malloc_subprocess(tuned, rounds):
    env = dict(os.environ)
    if tuned:
        env.pop("UBERMAG_DIRAC_NO_MALLOPT", None)
    else:
        env["UBERMAG_DIRAC_NO_MALLOPT"] = "1"
    cmd = [sys.executable, __file__, "--rounds", str(rounds), "--child"]
    if tuned:
        cmd.append("--tune-malloc")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--malloc", action="store_true", help="compare mallopt tuning")
    p.add_argument("--tune-malloc", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=os.path.join(HERE, "results", "demag.json"))
    args = p.parse_args(argv)
    if args.tune_malloc:
        from ubermag_dirac.engine.threads import tune_malloc

        tune_malloc()
    cases = [c for c in args.cases.split(",") if c]
    results = {c: run_case(c, args.rounds, args.threads) for c in cases}
    if args.child:
        print(
            json.dumps(
                {c: r["fast"] | {"ref": r["reference"]} for c, r in results.items()}
            )
        )
        return results
    record = {
        "what": "ms per DemagField.field call; reference vs fast timed interleaved "
        "in one process (compare ratios; the machine is shared and noisy)",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_1min_at_start": os.getloadavg()[0],
            "python": platform.python_version(),
            "executable": sys.executable,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pyfftw": _pyfftw_version(),
        },
        "cases": results,
    }
    if args.malloc:
        runs = {"tuned": [], "default": []}
        for _ in range(2):
            for tuned in (False, True):
                key = "tuned" if tuned else "default"
                runs[key].append(_malloc_subprocess(tuned, max(args.rounds // 2, 20)))
        record["mallopt"] = {
            "note": "separate processes, alternating default/tuned twice; min over "
            "runs of each process's min",
            **{
                key: {
                    c: {
                        "fast_min_ms": min(r[c]["min_ms"] for r in rs),
                        "reference_min_ms": min(r[c]["ref"]["min_ms"] for r in rs),
                    }
                    for c in cases
                }
                for key, rs in runs.items()
            },
        }
    record["machine"]["loadavg_1min_at_end"] = os.getloadavg()[0]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(record, fh, indent=2)
    for c, r in results.items():
        sp = r["speedup_fast_vs_reference"]
        line = (
            f"{c:8s} ref {r['reference']['min_ms']:8.3f} ms  fast "
            f"{r['fast']['min_ms']:7.3f} ms (min)  speedup {sp['min']:5.1f}x "
            f"(median {sp['median']:4.1f}x)  setup {r['setup_ms']['fast']:7.1f} ms"
        )
        if "fast_pyfftw" in r:
            line += (
                f"  pyfftw {r['fast_pyfftw']['min_ms']:7.3f} ms "
                f"({r['speedup_pyfftw_vs_fast']['min']:.2f}x fast)"
            )
        if "per_system_ms" in r:
            line += f"  batch gain {r['batch_gain_min']:.2f}x"
        print(line)
    if "mallopt" in record:
        print(json.dumps(record["mallopt"], indent=1))
    return record


if __name__ == "__main__":
    main()
