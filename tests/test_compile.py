"""First-use message of the numba kernels (ubermag_dirac._compile)."""

import types

from ubermag_dirac import _compile
from ubermag_dirac.engine import llg


def _fake(path):
    cache_file = types.SimpleNamespace(_index_path=str(path))
    return types.SimpleNamespace(_cache=types.SimpleNamespace(_cache_file=cache_file))


def test_cold_cache_is_announced_once(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("UBERMAG_DIRAC_QUIET", raising=False)
    monkeypatch.setattr(_compile, "_ANNOUNCED", set())
    cold = _fake(tmp_path / "missing.nbi")
    assert _compile.cache_is_cold([cold])
    assert _compile.announce("test kernels", [cold], "1-2")
    err = capsys.readouterr().err
    assert "compiling the test kernels" in err and "first use only" in err
    assert not _compile.announce("test kernels", [cold], "1-2")  # once
    assert capsys.readouterr().err == ""


def test_warm_cache_and_quiet_are_silent(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_compile, "_ANNOUNCED", set())
    warm = tmp_path / "present.nbi"
    warm.write_text("")
    assert not _compile.announce("warm kernels", [_fake(warm)], "1")
    monkeypatch.setenv("UBERMAG_DIRAC_QUIET", "1")
    assert not _compile.announce("quiet kernels", [_fake(tmp_path / "x")], "1")
    assert capsys.readouterr().err == ""


def test_real_dispatchers_have_a_cache_index():
    # the engine's kernels are compiled with cache=True (numba writes an index)
    assert _compile._index_path(llg.normalise) is not None
