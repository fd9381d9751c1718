"""Film factories and folder helpers shared by the switching tests."""

import contextlib
import os
import stat
import sys

import discretisedfield as df
import micromagneticmodel as mm
import pytest

import ubermag_dirac as ud

GAMMA0 = 2.211e5


def film(
    n=(2, 2, 1),
    cell=(4e-9, 4e-9, 1e-9),
    torque="dirac",
    *,
    Ms=8e5,
    K=5e5,
    A=1.5e-11,
    alpha=0.3,
    demag=True,
    D=None,
    name="film",
    **term_kwargs,
):
    """A PMA film with one swept torque term (amplitude 0 in the template)."""
    mesh = df.Mesh(
        p1=(0, 0, 0), p2=tuple(k * c for k, c in zip(n, cell, strict=True)), n=n
    )
    s = mm.System(name=name)
    s.energy = mm.Exchange(A=A) + mm.UniaxialAnisotropy(K=K, u=(0, 0, 1))
    if demag:
        s.energy += mm.Demag()
    if D is not None:
        s.energy += mm.DMI(D=D, crystalclass="Cnv_z")
    s.dynamics = mm.Precession(gamma0=GAMMA0) + mm.Damping(alpha=alpha)
    if torque == "dirac":
        s.dynamics += ud.DiracSOT(**{"H_DL": 0.0, **term_kwargs})
    else:
        s.dynamics += ud.SpinHallSOT(**{"H_SH": 0.0, **term_kwargs})
    s.m = df.Field(mesh, nvdim=3, value=(0, 0, 1), norm=Ms)
    return s


@pytest.fixture
def make_film():
    return film


# ------------------------------------------------------- read-only folders
_READ_ONLY = []  # folders the audit hook below treats as read-only
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.rename": 0,
    "os.remove": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.chmod": 0,
    "os.truncate": 0,
    "os.utime": 0,
    "os.link": 1,
    "os.symlink": 1,
}


def _inside(path):
    if not isinstance(path, str | bytes | os.PathLike):
        return False
    p = os.path.abspath(os.fsdecode(path))
    return any(p == d or p.startswith(d + os.sep) for d in _READ_ONLY)


def _audit(event, args):
    if not _READ_ONLY:
        return
    path = None
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if not writes:
            return
    elif event in _PATH_EVENTS:
        path = args[_PATH_EVENTS[event]]
    if path is not None and _inside(path):
        raise PermissionError(13, "Permission denied (read-only folder)", path)


sys.addaudithook(_audit)


@contextlib.contextmanager
def read_only(folder):
    """Make ``folder`` read-only: its files and itself lose write permission,
    and (as root ignores permissions) any write into it from this process
    raises ``PermissionError`` (an audit hook on open, rename, remove, ...)."""
    folder = os.path.abspath(folder)
    modes = {}
    for root, _, files in os.walk(folder):
        for p in [root, *(os.path.join(root, f) for f in files)]:
            modes[p] = stat.S_IMODE(os.stat(p).st_mode)
            os.chmod(p, modes[p] & ~0o222)
    _READ_ONLY.append(folder)
    try:
        yield folder
    finally:
        _READ_ONLY.remove(folder)
        for p, mode in modes.items():
            os.chmod(p, mode)
