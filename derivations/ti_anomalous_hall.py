"""Worked example 1: the anomalous Hall effect of a magnetic TI surface (paper Sec. VI A, Eqs. 68-86).

Every result below comes out of the toolkit's pipeline, starting from the Hamiltonian of Eq. 68
alone; the paper's printed forms (``semiclassical.paper``) are only set beside them by
``semiclassical reproduce``. Read top to bottom: each step cites the equation it reproduces.

    python derivations/ti_anomalous_hall.py            # prints every step
    from semiclassical.derivations import ti_anomalous_hall
    steps = ti_anomalous_hall.derive()                 # the same steps, as data

Conventions (docs/design.md section 3): charge -e, E = E_x xhat, per unit E_x and unit area,
sigma in units of e^2/hbar; W = n_i u0^2 (the paper's u0^2); 1/tau = pi W rho/hbar.
Scenario of Sec. VI: 0 < M < eF, one Fermi circle in the upper band.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

from semiclassical import catalogue
from semiclassical.bloch import Gauge, Point
from semiclassical.derivation import Derivation
from semiclassical.derivations._steps import Steps
from semiclassical.model import e, u

#: a parameter point of the scenario 0 < M < eF; it only selects the branch (which band crosses
#: eF, which root is the Fermi radius): every result is a closed form in eF, M, v, hbar, e, W
REFERENCE = {"v": 1.0, "M": 0.5, "eF": 1.1, "hbar": 1.0}
theta = sp.Symbol("theta", real=True)


@lru_cache(maxsize=None)
def ti_setup():
    """Eq. 68 -> model, derivations (canonical gauge and the paper's Eq. 69 gauge), scenario."""
    model = catalogue.get("ti-surface")          # H = hbar v (kx sy - ky sx) + M sz      (Eq. 68)
    D = Derivation(model)                        # canonical Bloch-sphere gauge (README)
    Dp = Derivation(model, Gauge.paper_ti())     # the gauge of Eq. 69, for gauge-dependent entries
    sc = D.scenario(REFERENCE)                   # Fermi circles at eF: one, band +
    # the paper's own skew route (S' of Eqs. 31-33 under J, "reading C"), with its mirror shell:
    # only Eq. 84, the distribution it prints, needs it; every observable uses the default reading T
    Dc = Derivation(model, skew_reading="C")
    scc = Dc.scenario(REFERENCE)
    circle = sc.shell.circles[0]
    return SimpleNamespace(model=model, D=D, Dp=Dp, Dc=Dc, sc=sc, scc=scc, circle=circle, p=circle.point,
                           X=lambda expr: D.explicit(expr, sc, REFERENCE),
                           Xc=lambda expr: Dc.explicit(expr, scc, REFERENCE))


def in_theta(expr):
    """Replace u = e^{i theta} by cos(theta) + i sin(theta) and simplify (polar angle of k)."""
    return sp.simplify(sp.expand_complex(sp.sympify(expr).subs(u, sp.exp(sp.I * theta))))


def coefficient_of_eE_thetahat(g, p: Point):
    """g = A (u - 1/u) on a circle equals c e E.thetahat with E.thetahat = -sin(theta) = i(u - 1/u)/2."""
    return -2 * sp.I * sp.expand(g).coeff(p.u, 1) / e


def derive(verbose: bool = False) -> Steps:
    T = ti_setup()
    D, Dp, X, p, c = T.D, T.Dp, T.X, T.p, T.circle
    step = Steps("Anomalous Hall effect of the magnetic TI surface (Sec. VI A)", verbose)

    # ---- the model and its eigen-system -------------------------------------------------
    step("68", "H (the input), matrix entries", tuple(T.model.matrix), ("11", "12", "21", "22"))
    q = Point()
    half_angles = {q.ch: sp.sqrt((1 + q.C) / 2), q.sh: sp.sqrt((1 - q.C) / 2)}   # alpha in [0, pi]
    spinors = [Dp.bs.explicit(x.subs(half_angles)).subs(u, sp.exp(sp.I * theta))   # no simplify: keeps
               for b in (1, -1) for x in Dp.bs.spinor(b, q)]                         # the half-angle form
    step("69", "eigenvalues eps^{+-} and eigenvectors |u^+>, |u^-> (Eq. 69 gauge)",
         (T.model.radial_energy(1), T.model.radial_energy(-1), *spinors),
         ("eps+", "eps-", "u+_1", "u+_2", "u-_1", "u-_2"))

    # ---- Berry geometry (Eqs. 39, 43) -----------------------------------------------------
    step("70", "R^d: theta components of R^{++}, R^{--} (Eq. 69 gauge)",
         tuple(sp.simplify(Dp.bs.explicit(Dp.bs.berry_connection(b, b)[1])) for b in (1, -1)), ("++", "--"))
    step("71/92-93", "R^{+-}: k and theta components (Eq. 69 gauge)",
         tuple(sp.simplify(Dp.bs.explicit(x)) for x in Dp.bs.berry_connection(1, -1)), ("k", "theta"))
    step("73", "Omega_z^+ (Berry curvature of the upper band, Eq. 43)",
         sp.simplify(D.bs.explicit(D.bs.berry_curvature(1))))

    # ---- intrinsic Hall conductivity: the filled Fermi sea ---------------------------------
    lead = D.leading(T.sc)
    step.define("72", "sigma_yx^int", "(e^2/hbar) sum_{m,k} Omega^m_z n_FD(eps^m_k)", "74")
    sigma_int = step("74", "sigma_yx^int", X(lead["sigma_yx_intrinsic"]))

    # ---- leading order: Born collision integral, transport time, n^(-1) (Eqs. 27-30) ------
    step("76", "1/tau_tr (l = 1 eigenvalue of J0, Eqs. 28-30)", X(lead["collision_l1"][0, 0]))
    step("80", "v_y^{++} (band velocity)",
         in_theta(D.bs.explicit(q.cartesian((q.velocity(1), sp.Integer(0)))[1])))

    # ---- extrinsic interband velocity beta (Eq. 47) and its current (Eq. 75) ---------------
    step("77", "beta^+ (theta component; the k component vanishes)", X(lead["beta"][c.tag][1]))
    step.define("75", "sigma_yx^ext", "-(e/E_x) sum_{m,k} n^(-1)m beta^m_y", "78")
    sigma_ext = step("78", "sigma_yx^ext", X(lead["sigma_yx_extrinsic"]))

    # ---- side jump: J_E (Eq. 38, gauge-invariant coordinate shift) -> n^sj (Eq. 37) --------
    step("81", "n^sj++ as (coefficient) x e E.thetahat delta(eF - eps^+)",
         X(coefficient_of_eE_thetahat(lead["g_sj"][c.tag], p)))
    step.define("79", "sigma_yx^sj", "-(e/E_x) sum_k v^{++}_y n^sj++", "82")
    sigma_sj = step("82", "sigma_yx^sj", X(lead["sigma_yx_side_jump"]))

    # ---- skew scattering. Eq. 84 is the paper's route: S' (Eqs. 31, 33) -> J_sk (Eq. 36,
    #      corrected) -> n^sk (Eq. 35), with a lower-band (mirror) half at energy -eF (reading C).
    #      The observables use the golden rule (reading T, the default): the same n^sk folded onto
    #      the Fermi circle (2 x the ++ entry, no -- entry), hence the same Eqs. 85, 103 here.
    sk = D.skew(T.sc)
    dist = T.Dc.skew(T.scc)["n_sk"]
    mirror = T.Dc.mirrors(T.scc)[c.tag].partner      # band - at k_F: the mirror shell, energy -eF
    upper = dist[("F", c.tag)]
    lower = dist[(c.tag, mirror.tag)] * mirror.rho / c.rho  # delta(eps^- + eF) -> delta(eF - eps^+)
    step("84", "n^sk coefficients of e E.thetahat delta(eF - eps^+) (++, --), the paper's density-matrix route",
         tuple(T.Xc(coefficient_of_eE_thetahat(g, p)) for g in (upper, lower)), ("++", "--"))
    step.define("83", "sigma_yx^sk", "-(e/E_x) sum_k [v^{++}_y n^sk++ + v^{--}_y n^sk--]", "85")
    sigma_sk = step("85", "sigma_yx^sk", X(sk["sigma_yx_skew"]))

    # ---- the total (order W^0) --------------------------------------------------------------
    step("86", "sigma_yx total (int + ext + sj + sk)", sp.factor(sp.simplify(sigma_int + sigma_ext + sigma_sj + sigma_sk)))
    return step


if __name__ == "__main__":
    derive(verbose=True)
