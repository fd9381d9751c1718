"""Documentation exists where it is cited and names only what ships with the repo."""

import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "ubermag_dirac").rglob("*.py")),
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples").glob("*.py")),
    *sorted((ROOT / "examples").glob("*.md")),
    ROOT / "README.md",
]


def test_physics_reference_ships_and_every_citation_points_to_it():
    physics = ROOT / "docs" / "PHYSICS.md"
    assert physics.exists()
    text = physics.read_text()
    # the corrections it must record (the README no longer holds them)
    for needle in (
        "lacks one factor `1/hbar`",
        "factor 2 smaller",
        "`G^A v G^R`",
        "opposite to the printed Eq. (22)",
        "Eq. (24) is garbled",
        "four times the conductivity bubble",
        "H_FL/H_DL = tau_perp(0)/tau_par(0) = -tau eps_F/(2 hbar beta)",
    ):
        assert needle in text, needle
    bare = []
    for path in SOURCES:
        for k, line in enumerate(path.read_text().splitlines(), 1):
            for hit in re.finditer(r"[\w./-]*PHYSICS\.md", line):
                if hit.group() not in ("docs/PHYSICS.md", "PHYSICS.md") or (
                    hit.group() == "PHYSICS.md" and path.parent.name != "docs"
                ):
                    bare.append(f"{path.relative_to(ROOT)}:{k}: {hit.group()}")
    assert not bare, "cite docs/PHYSICS.md:\n" + "\n".join(bare)


def test_no_path_outside_the_repository_is_cited():
    pattern = re.compile(r"/work/|\.\./shared|\bshared/(reference|papers)|ENGINES\.md")
    bad = [
        f"{path.relative_to(ROOT)}:{k}"
        for path in [*SOURCES, *sorted((ROOT / "benchmarks").glob("*.py"))]
        for k, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not bad, bad


def test_api_page_documents_the_constructors_from_a_surface():
    api = (ROOT / "docs" / "API.md").read_text()
    for name in (
        "ud.DiracSOT.from_surface(",
        "ud.AnisotropicDamping.from_surface(",
        "Bilayer(",
    ):
        assert name in api, name


def test_pyfftw_is_an_explained_optional_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert any(req.startswith("pyfftw") for req in extras["fftw"])
    assert not any(req.startswith("pyfftw") for req in project["dependencies"])
    readme = (ROOT / "README.md").read_text()
    assert '".[fftw]"' in readme and "pyfftw" in readme
    test = (ROOT / "tests" / "engine" / "test_demag_field.py").read_text()
    assert 'importorskip("pyfftw", reason=' in test


def test_readme_gives_the_duration_of_both_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Install and test", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"first .*takes about \d+ min", block, re.S), block
    assert re.search(r"second .*about \d+ min", block, re.S), block
