"""Execute the example notebooks (examples/*.ipynb) top to bottom.

Marked ``slow``: CI runs them in ``python -m pytest -m slow`` (about 3-4 minutes for
all of them on two busy cores). Each notebook runs in a fresh kernel with a temporary
working directory, so drive folders never land in the checkout. Equivalent to
``python -m pytest --nbmake examples -o addopts=""``.
"""

import os
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # committed notebooks carry no outputs
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: strip the outputs"
            assert cell.execution_count is None, f"{path.name}: strip the outputs"
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(tmp_path)}},
    )
    client.execute()
    assert not list(tmp_path.iterdir()), "a notebook left files behind"
