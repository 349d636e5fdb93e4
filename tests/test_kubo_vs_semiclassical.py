"""Semiclassical totals (quadrature engine, skew reading C) against the Kubo-Streda NCA engine.

The paper's claim: the semiclassical theory reproduces the non-crossing-approximation Kubo
result (DESIGN.md section 5.3). Both engines take the same NumericModel and share no code.

Tolerance. The Kubo engine reports an absolute error for each W^0 piece (the change of the
Richardson extrapolation when the largest W is dropped, plus propagated radial and angular
quadrature errors): 2e-11..2e-9 at these points. Re-running with another W ladder (eta 0.01 ->
0.005, n_w 6 -> 7) or with Re Sigma from a cutoff moved the W^0 totals by up to ~10x the
reported error (Rashba ferromagnet: 1.2e-8 against 2e-9), so we allow 20x the reported error.
The quadrature engine converges to rtol = 1e-10 of the largest piece (~0.1): 1e-9 absolute
covers it. TOL = 20 err_Kubo + 1e-9, i.e. 1e-9..5e-8 here; the disagreements found below are
7e-4..2e-2, five orders of magnitude above it.

Finding (models without particle-hole symmetry, d0(k) != 0: Rashba ferromagnet, massive Dirac
with D k^2, tilted cone). The two semiclassical implementations (closed form and quadrature)
agree with each other to 1e-14 but not with Kubo. The Kubo side reproduces the published NCA
result for the Rashba ferromagnet with both subbands occupied (sigma_yx = 0, Nunner et al., PRB
76, 235312 (2007)); the semiclassical side gives -0.0137 there. The disagreement sits entirely
in the part of the skew response n^sk that reading C places on the "mirror" shells (the other
band at the Fermi momenta, energy E_c = eps^{cbar}(k_F) != eF, relaxed by J0 at E_c): Kubo equals
(W^0 total without skew) + 2 x (Fermi-shell part of the skew response) to the Kubo error, for
sigma_yx and <s_x>, one and two circles (test_kubo_equals_fermi_shell_doubled). For d0 = 0 the
mirror shell is the exact image of the Fermi shell, which is why the TI, the gapped chiral
model and the massive Dirac model with B k^2 sz only (D = 0) agree. A T = 0 Kubo-Streda
response contains no pinched G^R G^A product at any energy other than eF, so the NCA cannot
hold a W^0 population at E_c: the mirror-shell part is where the semiclassical side (as read)
departs from the NCA. Reported, not loosened: those cases are strict xfails.
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from semiclassical import catalogue
from semiclassical.kubo import kubo_response
from semiclassical.model import TwoBandModel
from semiclassical.quadrature import evaluate
from semiclassical.quadrature.gauge import RandomGauge
from semiclassical.quadrature.response import fermi_surface_terms

W = 0.01
FINDING = ("semiclassical skew (reading C) puts part of n^sk on mirror shells at E_c != eF; for "
           "d0(k) != 0 that part differs from the NCA (Kubo = non-skew + 2 x Fermi-shell skew)")

POINTS = {
    "ti-surface": ("ti-surface", {"v": 1.0, "M": 0.5, "eF": 1.0}),
    "chiral": ("chiral", {"m": 1.0, "M": 0.5, "eF": 1.0}),
    "dirac-B-only": (("v*(kx*sy - ky*sx) + (M - B*k**2)*sz", {"v": 1.0, "M": 0.5, "B": 0.3}), {"eF": 1.0}),
    "rashba-one-circle": ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 0.2}),
    "rashba-two-circles": ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 1.0}),
    "dirac-quadratic": ("dirac-quadratic", {"v": 1.0, "M": 0.5, "B": 0.3, "D": 0.1, "eF": 1.0}),
}
AGREE = ["ti-surface", "chiral", "dirac-B-only"]
DIFFER = ["rashba-one-circle", "rashba-two-circles", "dirac-quadratic"]


@lru_cache(maxsize=None)
def run(name):
    spec, point = POINTS[name]
    model = TwoBandModel.from_string(*spec, name=name) if isinstance(spec, tuple) else catalogue.get(spec)
    values = model.resolve_values(point)
    nm = model.numeric(values, e=1.0)
    eF = float(values["eF"])
    quad = evaluate(nm, eF, W)
    kubo = kubo_response(nm, eF, W)
    return nm, eF, quad, kubo


def tol(kubo, *path):
    err = kubo["extrapolation_error"]
    for key in path:
        err = err[key]
    return 20 * float(err["total"]) + 1e-9


def totals(quad, kubo):
    """(name, semiclassical, Kubo, tolerance) for sigma_yx and <s_x> W^0 totals."""
    return [("sigma_yx", quad["sigma_yx"]["total"], kubo["sigma_yx"]["total"], tol(kubo, "sigma_yx")),
            ("<s_x>", quad["spin_density"]["x"]["total"], kubo["spin_density"]["x"]["total"],
             tol(kubo, "spin_density", "x"))]


@pytest.mark.parametrize("name", AGREE)
def test_totals_agree_particle_hole_symmetric(name):
    _, _, quad, kubo = run(name)
    assert quad["meta"]["skew_reading"] == "C"
    assert kubo["meta"]["fermi_points_per_ray"] == 1
    for what, sc, k, t in totals(quad, kubo):
        assert abs(sc - k) <= t, f"{name} {what}: quadrature {sc!r} vs Kubo {k!r} (tol {t:.1e})"


@pytest.mark.parametrize("name", AGREE + DIFFER)
def test_edelstein_agrees(name):
    """The 1/W piece of <s_y> (Edelstein, Eq. 87) agrees for every model (relative 1e-9)."""
    _, _, quad, kubo = run(name)
    sc, k = quad["spin_density"]["y"]["edelstein"], kubo["spin_density"]["y"]["edelstein"]
    err = kubo["extrapolation_error"]["spin_density"]["y"]["edelstein"]
    assert abs(sc - k) <= 20 * err + 1e-9 * abs(k)


@pytest.mark.xfail(strict=True, reason=FINDING)
@pytest.mark.parametrize("name", DIFFER)
def test_totals_agree_without_particle_hole_symmetry(name):
    _, _, quad, kubo = run(name)  # reading C is asserted in test_kubo_equals_fermi_shell_doubled
    for what, sc, k, t in totals(quad, kubo):
        assert abs(sc - k) <= t, f"{name} {what}: quadrature {sc!r} vs Kubo {k!r} (tol {t:.1e})"


def fermi_shell_skew(nm, eF, n_theta):
    """(sigma_yx, <s_x>) of the part of the skew response n^sk that lives on the Fermi shell."""
    terms = fermi_surface_terms(nm, eF, W, n_theta, gauge=RandomGauge(0))
    parts = [p for p in terms["skew"].parts if abs(p.shell.energy - eF) < 1e-12]
    assert len(parts) == 1
    p = parts[0]
    v = p.shell.integrate(p.g, p.shell.own_velocity())
    s = p.shell.integrate(p.g, p.shell.own_spin())
    return -float(nm.e) * float(v[1]), float(s[0])


@pytest.mark.parametrize("name", AGREE + DIFFER)
def test_kubo_equals_fermi_shell_doubled(name):
    """The evidence for the finding: Kubo = (W^0 total - skew) + 2 x (Fermi-shell skew part)
    for every model, to the Kubo error; the disagreement is the mirror-shell skew response."""
    nm, eF, quad, kubo = run(name)
    assert quad["meta"]["skew_reading"] == "C"
    fs, fx = fermi_shell_skew(nm, eF, quad["meta"]["n_theta"])
    star = {"sigma_yx": quad["sigma_yx"]["total"] - quad["sigma_yx"]["skew"] + 2 * fs,
            "<s_x>": quad["spin_density"]["x"]["total"] - quad["spin_density"]["x"]["skew"] + 2 * fx}
    for what, _, k, t in totals(quad, kubo):
        assert abs(star[what] - k) <= t, f"{name} {what}: SC* {star[what]!r} vs Kubo {k!r}"


def test_rashba_two_circles_published_anchor():
    """Nunner et al., PRB 76, 235312 (2007): NCA sigma_yx = 0 with both Rashba subbands occupied.
    The Kubo side has it; the semiclassical side (reading C) does not."""
    _, _, quad, kubo = run("rashba-two-circles")
    assert kubo["meta"]["fermi_points_per_ray"] == 2
    assert abs(kubo["sigma_yx"]["total"]) <= tol(kubo, "sigma_yx")
    assert abs(quad["sigma_yx"]["total"]) > 1e-2
