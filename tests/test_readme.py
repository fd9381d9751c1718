"""The README's quick-start block runs as written (it is what newcomers copy)."""

import pathlib
import re

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
