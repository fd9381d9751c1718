"""examples/quickstart.py (README command 1) prints what a newcomer can read."""

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import ubermag_dirac as ud

QUICKSTART = pathlib.Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_state_counts_are_by_name():
    ds = ud.macrospin.phase_diagram([0.0, 0.5], [0.0, 0.5], torque="she", t_max=300.0)
    counts = ud.macrospin.state_counts(ds)
    assert counts == {"bistable": 2, "up": 1, "inplane": 1}
    assert ud.macrospin.state_counts(ds.state) == counts
    assert sum(ud.macrospin.state_counts(np.zeros((3, 4), int)).values()) == 12
    assert "state_counts(ds)" in QUICKSTART.read_text()


@pytest.mark.slow
def test_quickstart_prints_state_names(tmp_path):
    run = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    line = next(x for x in run.stdout.splitlines() if x.startswith("macrospin states"))
    names = re.findall(r"'(\w+)': \d+", line)
    assert names and set(names) <= set(ud.macrospin.STATES), line
    assert run.stdout.rstrip().endswith("quickstart finished")
