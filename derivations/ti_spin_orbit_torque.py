"""Worked example 2: spin density and spin-orbit torque of a magnetic TI surface (Sec. VI B, Eqs. 87-105).

Same model, scenario and pipeline as :mod:`ti_anomalous_hall` (Eqs. 68-73 are derived there);
every result comes from the Hamiltonian of Eq. 68, the paper's printed forms are only compared
with by ``semiclassical reproduce``.

    python derivations/ti_spin_orbit_torque.py         # prints every step
    from semiclassical.derivations import ti_spin_orbit_torque
    steps = ti_spin_orbit_torque.derive()

Spin operator sigma (Pauli, no hbar/2) as in Eqs. 88-104; the torque restores hbar/2 (text below
Eq. 104): tau = (2M/hbar) m x <s>, s = (hbar/2) sigma, m = zhat. Per unit E_x and unit area.
"""
from __future__ import annotations

import sympy as sp

from semiclassical.derivations._steps import Steps
from semiclassical.derivations.ti_anomalous_hall import REFERENCE, in_theta, ti_setup
from semiclassical.fermi import eF
from semiclassical.model import k
from semiclassical.paper import M

__all__ = ["REFERENCE", "derive", "intrinsic_spin_density"]


def intrinsic_spin_density(D, sc, component: int):
    """<s_i>^int (Eq. 91 with s^int of Eq. 57): the filled Fermi sea, one radial integral.

    Scenario 0 < M < eF: the lower band is filled for all k, the upper band for k < k_F.
    """
    f = D.intrinsic_spin_integrands()            # (1/2pi) k <s^int_m>_theta per band, explicit in k
    kF = D.circle_substitution(sc, REFERENCE)[sc.shell.circles[0].point.k]
    total = sp.integrate(f[-1][component] + f[1][component], (k, 0, kF)) \
        + sp.integrate(f[-1][component], (k, kF, sp.oo))
    return sp.refine(sp.simplify(total), sp.Q.positive(eF) & sp.Q.positive(eF - M))


def derive(verbose: bool = False) -> Steps:
    T = ti_setup()
    D, Dp, X, c = T.D, T.Dp, T.X, T.circle
    step = Steps("Spin density and spin-orbit torque of the magnetic TI surface (Sec. VI B)", verbose)
    lead = D.leading(T.sc)

    # ---- spin matrix elements (Eqs. 88-89, 94-95) ---------------------------------------------
    step("88-89", "s^{++}: x and y components",
         tuple(in_theta(D.bs.explicit(s)) for s in D.bs.spin(1, 1)[:2]), ("x", "y"))
    step("94-95", "s^{-+}: x and y components (Eq. 69 gauge)",
         tuple(in_theta(Dp.bs.explicit(s)) for s in Dp.bs.spin(-1, 1)[:2]), ("x", "y"))

    # ---- Edelstein effect: leading order, 1/W (Eq. 87) -----------------------------------------
    step.define("87", "<s>^Edel", "sum_{m,k} s^{mm} n^(-1)m", "90")
    sy_edel = step("90", "<s_y>^Edel (E x zhat = -yhat)", X(lead["sy_edelstein"]))

    # ---- intrinsic: the Fermi sea through s^int (Eqs. 57, 91) ------------------------------------
    step.define("91", "<s>^int", "(ieE/hbar) . sum_{nmk} (T^{mn} R^{nm} - R^{mn} T^{nm}) n_FD(eps^m_k)", "96")
    sx_int = step("96", "<s_x>^int", intrinsic_spin_density(D, T.sc, 0))
    sy_int = intrinsic_spin_density(D, T.sc, 1)

    # ---- extrinsic spin gamma (Eqs. 56, 61) -----------------------------------------------------
    step("98", "gamma^{++} (k component; the theta component vanishes)",
         X(c.point.polar(lead["gamma"][c.tag][:2])[0]))
    step.define("97", "<s>^ext", "sum_{m,k} n^(-1)m gamma^m", "99")
    sx_ext = step("99", "<s_x>^ext", X(lead["sx_extrinsic"]))

    # ---- side jump: n^sj of Eq. 81 weighted by s^{++} --------------------------------------------
    step.define("100", "<s_x>^sj", "sum_k s^{++}_x n^sj++", "101")
    sx_sj = step("101", "<s_x>^sj", X(lead["sx_side_jump"]))

    # ---- skew scattering: n^sk of Eq. 84 weighted by s^{mm} ---------------------------------------
    sk = D.skew(T.sc)
    step.define("102", "<s>^sk", "sum_k [s^{++} n^sk++ + s^{--} n^sk--]", "103")
    sx_sk = step("103", "<s_x>^sk", X(sk["sx_skew"]))

    # ---- totals (Eq. 104) and the torque (Eq. 105) ---------------------------------------------
    sx_total = step("104", "<s_x> total (W^0: int + ext + sj + sk)",
                    sp.factor(sp.simplify(sx_int + sx_ext + sx_sj + sx_sk)))
    sy_w0 = sp.simplify(sy_int + X(lead["sy_extrinsic"]) + X(lead["sy_side_jump"]) + X(sk["sy_skew"]))
    step.note(f"W^0 pieces of <s_y> (vanish by symmetry): {sy_w0}; <s_x>^Edel = {X(lead['sx_edelstein'])}")
    # tau = (2M/hbar) zhat x (hbar/2)<sigma> = M zhat x <sigma>; with E = xhat,
    # <sigma> = <s_x> E + <s_y> (zhat x E), so tau = M <s_y> m x (zhat x E) + M <s_x> m x E
    sx_all = sx_total + X(lead["sx_edelstein"])
    step("105", "torque (2M/hbar) m x <s>, s = (hbar/2) sigma: coefficients of m x (z x E) and m x E",
         (sp.factor(sp.simplify(M * (sy_edel + sy_w0))), sp.factor(sp.simplify(M * sx_all))),
         ("m x (z x E)", "m x E"))
    return step


if __name__ == "__main__":
    derive(verbose=True)
