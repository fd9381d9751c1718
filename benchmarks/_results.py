"""Results files of the sectioned benchmarks (bench_switching, bench_thermal_film).

Each section's result is stamped with its wall time, the time it was measured
and whether it was a quick run; the file keeps the other sections' last results
and records the machine.
"""

from __future__ import annotations

import json
import os
import pathlib
import platform
import sys
import time

MACHINE_NOTE = (
    "shared 2-core machine under load from other work: compare ratios measured in "
    "one run, not absolute seconds"
)


def load(path) -> dict:
    """The results stored in ``path`` (empty if there are none)."""
    path = pathlib.Path(path)
    return json.loads(path.read_text()) if path.exists() else {}


def stamp(res: dict, wall_s: float, quick: bool) -> dict:
    """``res`` with its section wall time (s), UTC time and quick flag."""
    res["section_wall_s"] = wall_s
    res["measured"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    res["quick"] = bool(quick)
    return res


def save(path, results: dict) -> None:
    """Write ``results`` with the machine description to ``path`` (JSON)."""
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "note": MACHINE_NOTE,
    }
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")
