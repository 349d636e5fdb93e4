"""Worked example 3: a model of your own -- the Rashba ferromagnet (two Fermi circles).

    H = k^2/(2m) + alpha (kx sy - ky sx) + Delta sz

entered as a string, exactly as in a model file (docs/design.md section 4):

    [model]
    name = "rashba-ferromagnet"
    hamiltonian = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"
    [parameters]
    m = 1.0
    alpha = 1.0
    Delta = 0.5

The same pipeline as the paper's TI example (Sec. VI) runs unchanged: eigen-system, Berry
curvature, Fermi circles, Born collision integral and transport times (now a matrix coupling the
circles), beta, gamma, side jump and skew scattering, current and spin density. Above Delta
both bands cross eF (two Fermi circles); below, only the lower band (one circle). Closed forms
are in the symbols of each Fermi circle c (k_c, cos a_c = C_c, sin a_c = S_c, |d|_c, rho_c ...),
then evaluated and set beside the independent quadrature engine (they agree to ~1e-13).

Beyond the paper: for this model (d0(k) = k^2/2m is not constant) the paper's own skew route
(Eqs. 31-36, skew reading "C") puts half of its driving term on "mirror" shells at energies other
than eF and misses the Kubo-Streda non-crossing result; the default skew term, the golden rule with
the fourth-order non-crossing T-matrix (reading "T", all on the Fermi shell), agrees with it --
including sigma_yx = 0 with both subbands occupied (Nunner et al. 2007). See
tests/test_kubo_vs_semiclassical.py and docs/kubo_vs_semiclassical.md.

    python derivations/rashba_ferromagnet.py
"""
from __future__ import annotations

import time

import sympy as sp

from semiclassical.derivation import Derivation
from semiclassical.derivations._steps import Steps
from semiclassical.model import TwoBandModel

HAMILTONIAN = "k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz"
PARAMETERS = {"m": 1.0, "alpha": 1.0, "Delta": 0.5}
W_VALUE = 0.01
#: Fermi energies: below Delta one circle (lower band), above it two (one per band)
FERMI_ENERGIES = (0.2, 1.0, 1.5)


def model() -> TwoBandModel:
    return TwoBandModel.from_string(HAMILTONIAN, PARAMETERS, name="rashba-ferromagnet")


def derive(eF_value: float = 1.0, verbose: bool = False) -> Steps:
    """The closed forms at the Fermi-circle scenario of ``eF_value`` (circle symbols)."""
    mdl = model()
    D = Derivation(mdl)
    values = {**PARAMETERS, "eF": eF_value}
    step = Steps(f"Rashba ferromagnet at eF = {eF_value} (user-defined model)", verbose)

    # ---- the model: d-vector, winding, bands ---------------------------------------------------
    cov = mdl.require_covariant("the Rashba ferromagnet")
    step("d", "H = d0 + d.sigma: (d0, d_perp, d_z), winding J", (cov.d0, cov.dperp, cov.dz, cov.winding),
         ("d0", "d_perp", "d_z", "J"))
    step("69*", "band energies eps^{+-} (cf. Eq. 69)", (mdl.radial_energy(1), mdl.radial_energy(-1)), ("+", "-"))
    step("43*", "Berry curvature Omega_z^+ (Eq. 43)", sp.simplify(D.bs.explicit(D.bs.berry_curvature(1))))

    # ---- Fermi circles at eF ------------------------------------------------------------------
    sc = D.scenario(values)
    step.note("Fermi circles (band, radial velocity sign, k_F): "
              + ", ".join(f"({b:+d}, {s:+d}, {kc:.6g})" for b, s, kc in sc.circles))
    lead = D.leading(sc)
    step("30*", "J0 on the l = 1 harmonic (matrix over the circles; 1/tau_tr for one circle, Eqs. 28-30)",
         lead["collision_l1"])
    step("72*", "sigma_yx^int (Eq. 72; closed form in eF)", D.explicit(lead["sigma_yx_intrinsic"], sc, values))
    for c in sc.shell.circles:
        step(f"47*[{c.tag}]", f"beta on circle {c.tag} (band {c.band:+d}), polar (k, theta) (Eq. 47)",
             tuple(sp.simplify(x) for x in lead["beta"][c.tag]), ("k", "theta"))
    for piece in ("extrinsic", "side_jump"):
        step(f"sigma_{piece}", f"sigma_yx^{piece} (Eqs. 75 / 79 of the general theory)", lead[f"sigma_yx_{piece}"])
    sk = D.skew(sc)
    step("sigma_skew", "sigma_yx^skew (golden rule, Eq. 83 summed over the Fermi circles)", sk["sigma_yx_skew"])
    step("s_x", "<s_x>^{ext, sj, sk} (Eqs. 97, 100, 102)",
         (lead["sx_extrinsic"], lead["sx_side_jump"], sk["sx_skew"]), ("ext", "sj", "sk"))
    return step


def compare_with_quadrature(fermi_energies=FERMI_ENERGIES, W=W_VALUE, verbose=True):
    """sigma_yx and <s_x> pieces from the closed forms and from quadrature, side by side."""
    from semiclassical.quadrature import evaluate

    mdl = model()
    D = Derivation(mdl)
    rows = []
    for eF_value in fermi_energies:
        values = {**PARAMETERS, "eF": eF_value}
        closed = D.evaluate(values, W_value=W)
        quad = evaluate(mdl.numeric(values), eF_value, W, rtol=1e-10, gauge_seed=7)
        for name, cmap, qmap in (("sigma_yx", closed["sigma_yx"], quad["sigma_yx"]),
                                 ("<s_x>", closed["spin_density"]["x"], quad["spin_density"]["x"])):
            for piece in ("intrinsic", "extrinsic", "side_jump", "skew", "total"):
                a, b = cmap[piece], qmap[piece]
                rel = abs(a - b) / max(abs(b), 1e-300)
                rows.append((eF_value, len(closed["circles"]), name, piece, a, b, rel))
    if verbose:
        print(f"\n{'eF':>5} {'circles':>7} {'quantity':<9} {'piece':<10} {'closed form':>16} {'quadrature':>16} {'rel. diff':>9}")
        for r in rows:
            print(f"{r[0]:>5} {r[1]:>7} {r[2]:<9} {r[3]:<10} {r[4]:>16.10g} {r[5]:>16.10g} {r[6]:>9.1e}")
    return rows


if __name__ == "__main__":
    t0 = time.perf_counter()
    derive(1.0, verbose=True)
    compare_with_quadrature()
    print(f"\n{time.perf_counter() - t0:.1f} s")
