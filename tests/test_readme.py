"""The README's code blocks run as written (they are what newcomers copy)."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).parents[1] / "README.md"


def test_readme_quick_start_runs(tmp_path, monkeypatch):
    pattern = r"## Quick start\n\n```python\n(.*?)```"
    block = re.search(pattern, README.read_text(), re.S)
    assert block is not None, "README has no python quick-start block"
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block.group(1), "README quick start", "exec"), namespace)
    system = namespace["system"]
    assert (tmp_path / "film" / "drive-0" / "info.json").exists()
    assert len(system.table.data) == 10
    assert system.table.data["t"].iloc[-1] == 1e-10


@pytest.mark.slow
def test_readme_switching_diagram_in_current_density(tmp_path, monkeypatch):
    pattern = (
        r"## A switching diagram in A/m\^2, ready for a paper\n.*?```python\n(.*?)```"
    )
    block = re.search(pattern, README.read_text(), re.S)
    assert block is not None, "README has no switching-diagram block"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {}
    exec(compile(block.group(1), "README switching diagram", "exec"), namespace)
    ds = namespace["ds"]
    assert ds.J.attrs["units"] == "A/m^2" and ds.J.size == 7
    counts = {"bistable", "up", "down"} & set(
        namespace["ud"].macrospin.state_counts(ds)
    )
    assert counts == {"bistable", "up", "down"}  # the printed example is true
    assert "fl_dl_note" in ds.attrs
    png = tmp_path / "switching-diagram.png"
    assert png.stat().st_size > 10_000
