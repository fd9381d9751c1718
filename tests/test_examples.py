"""The example notebooks (examples/*.ipynb): stored with outputs, and executable.

They are committed with their outputs, so that a reader sees the figures without
running anything (fast test below). CI executes a fresh copy of each top to bottom
(marked ``slow``: ``python -m pytest -m slow``, a few minutes for all of them on two
busy cores) and compares nothing of the stored outputs (timings differ). Each
notebook runs in a fresh kernel with a temporary working directory, so drive folders
never land in the checkout. Equivalent to
``python -m pytest --nbmake examples -o addopts=""``.
"""

import json
import os
import pathlib
import re

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS


#: what stored outputs must not contain: paths of the machine that ran them
MACHINE_PATH = re.compile(r"/(work|tmp|home|root)/")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_with_its_outputs(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: run all cells top to bottom in a fresh kernel and save"
    )
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), (
        f"{path.name}: no stored figure"
    )
    text = json.dumps(outputs)
    assert not MACHINE_PATH.search(text), f"{path.name}: a machine path in outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(tmp_path)}},
    )
    client.execute()
    assert not list(tmp_path.iterdir()), "a notebook left files behind"
