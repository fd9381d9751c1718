"""Quick start: a Bi2Se3/ferromagnet film driven by the Dirac spin-orbit torque.

Run with ``python examples/quickstart.py`` (about a minute on a laptop core). It
1. evaluates the analytic Dirac-surface coefficients for the Bi2Se3 preset,
2. builds an ordinary Ubermag system (exchange, PMA, interfacial DMI, demag) and adds
   ``ud.DiracSOT`` and ``ud.AnisotropicDamping`` with coefficients from the theory,
3. relaxes it with ``ud.MinDriver`` and drives it with ``ud.TimeDriver``,
4. reads the drive back with ``micromagneticdata``,
5. computes a coarse macrospin switching phase diagram (Fig. 2 of Ndiaye et al.).
Drives are written to a temporary folder that is removed at the end.
"""

import tempfile

import discretisedfield as df
import micromagneticdata as md
import micromagneticmodel as mm
import numpy as np

import ubermag_dirac as ud

# 1. analytic coefficients of the magnetised TI surface (SI units)
surface = ud.theory.preset("Bi2Se3")
mz = np.array([0.0, 0.5, 1.0])
print("Bi2Se3 preset:", surface)
print("tau_par(m_z)  [1/(m s V)]:", surface.tau_par(mz))
print("tau_perp(m_z) [1/(m s V)]:", surface.tau_perp(mz))

# 2. a 40 nm x 40 nm x 1 nm film on the TI surface
Ms, d = 8e5, 1e-9
mesh = df.Mesh(p1=(0, 0, 0), p2=(40e-9, 40e-9, d), cell=(4e-9, 4e-9, d))
system = mm.System(name="quickstart")
system.energy = (
    mm.Exchange(A=1.5e-11)
    + mm.UniaxialAnisotropy(K=8e5, u=(0, 0, 1))
    + mm.DMI(D=1e-3, crystalclass="Cnv_z")
    + mm.Demag()
)
system.dynamics = (
    mm.Precession(gamma0=mm.consts.gamma0)
    + mm.Damping(alpha=0.1)
    + ud.DiracSOT.from_surface(surface, J=5e11, thickness=d, Ms=Ms)
    + ud.AnisotropicDamping.from_surface(surface, thickness=d, Ms=Ms)
)
system.m = df.Field(mesh, nvdim=3, value=(0.1, 0, -1), norm=Ms)
print(system.dynamics.diracsot)

with tempfile.TemporaryDirectory() as tmp:
    # 3. relax, then drive for 0.1 ns
    ud.MinDriver().drive(system, dirname=tmp, verbose=0)
    ud.TimeDriver().drive(system, t=1e-10, n=10, dirname=tmp, verbose=0)
    print("final <m>/Ms:", np.round(np.asarray(system.m.mean()) / Ms, 4))

    # 4. the drives read back by micromagneticdata
    data = md.Data(system.name, dirname=tmp)
    drive = data[-1]
    print(f"{data.n} drives; last: {drive.info['driver']}, {drive.n} snapshots")
    print("table columns:", list(drive.table.data.columns))

# 5. coarse macrospin phase diagram (reduced units h = H/H_K) for the Dirac torque
ds = ud.macrospin.phase_diagram(
    np.linspace(-0.9, 0.9, 13), np.linspace(-2, 2, 21), torque="dirac", alpha=0.1
)
print("macrospin states (grid points):", ud.macrospin.state_counts(ds))
print("quickstart finished")
