"""Semiclassical totals (closed form and quadrature, skew reading T) against the Kubo-Streda NCA engine.

The paper's claim: the semiclassical theory reproduces the non-crossing-approximation Kubo
result (docs/design.md section 5.3). The three engines share no code: the closed form comes from the
symbolic pipeline (Derivation), the quadrature and Kubo engines from the NumericModel alone.

Tolerance. The Kubo engine reports an absolute error for each W^0 piece (the change of the
Richardson extrapolation when the largest W is dropped, plus propagated radial and angular
quadrature errors): 2e-11..2e-9 at these points. Re-running with another W ladder (eta 0.01 ->
0.005, n_w 6 -> 7) or with Re Sigma from a cutoff moved the W^0 totals by up to ~10x the
reported error (Rashba ferromagnet: 1.2e-8 against 2e-9), so we allow 20x the reported error.
The quadrature engine converges to rtol = 1e-10 of the largest piece (~0.1): 1e-9 absolute
covers it. TOL = 20 err_Kubo + 1e-9, i.e. 1e-9..5e-8 here.

Finding (issue 6, resolved). With the skew term of the paper's density-matrix route (reading C:
S' of Eqs. 31-33 under the collision integral of Eq. 16) the totals agree with Kubo only for
d0 = const (TI, gapped chiral, Dirac + B k^2 sz); for d0(k) varying (Rashba ferromagnet, Dirac +
D k^2) they differ by 1e-3..2e-2, five orders above TOL -- pinned below. Reading C puts half of
its driving term on "mirror" shells at the coherence partner's energy != eF. The golden rule with
the fourth-order non-crossing T-matrix (reading T, the default; semiclassical.skew) keeps
everything at eF; its driving term is exactly twice reading C's Fermi-shell part, and with it
every model agrees with Kubo, including the published NCA zero of the two-subband Rashba
ferromagnet (Nunner et al., PRB 76, 235312 (2007)).
"""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from semiclassical import catalogue
from semiclassical.derivation import Derivation
from semiclassical.kubo import kubo_response
from semiclassical.model import TwoBandModel
from semiclassical.quadrature import evaluate

W = 0.01

POINTS = {
    "ti-surface": ("ti-surface", {"v": 1.0, "M": 0.5, "eF": 1.0}),
    "chiral": ("chiral", {"m": 1.0, "M": 0.5, "eF": 1.0}),
    "dirac-B-only": (("v*(kx*sy - ky*sx) + (M - B*k**2)*sz", {"v": 1.0, "M": 0.5, "B": 0.3}), {"eF": 1.0}),
    "rashba-one-circle": ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 0.2}),
    "rashba-two-circles": ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 1.0}),
    "rashba-two-lower-circles": ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": -0.55}),
    "dirac-quadratic": ("dirac-quadratic", {"v": 1.0, "M": 0.5, "B": 0.3, "D": 0.1, "eF": 1.0}),
}
#: d0 = const: the paper's route (reading C) agrees with Kubo too
PH_SYMMETRIC = ["ti-surface", "chiral", "dirac-B-only"]
#: d0(k) varying: only the golden rule (reading T) agrees
D0_VARYING = ["rashba-one-circle", "rashba-two-circles", "rashba-two-lower-circles", "dirac-quadratic"]


def model_of(name):
    spec, point = POINTS[name]
    model = TwoBandModel.from_string(*spec, name=name) if isinstance(spec, tuple) else catalogue.get(spec)
    return model, model.resolve_values(point)


@lru_cache(maxsize=None)
def run(name, reading="T"):
    model, values = model_of(name)
    nm = model.numeric(values, e=1.0)
    eF = float(values["eF"])
    return nm, eF, evaluate(nm, eF, W, skew_reading=reading), kubo(name)


@lru_cache(maxsize=None)
def kubo(name):
    model, values = model_of(name)
    return kubo_response(model.numeric(values, e=1.0), float(values["eF"]), W)


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


@pytest.mark.parametrize("name", PH_SYMMETRIC + D0_VARYING)
def test_quadrature_totals_equal_kubo(name):
    _, _, quad, kub = run(name)
    assert quad["meta"]["skew_reading"] == "T"
    for what, sc, k, t in totals(quad, kub):
        assert abs(sc - k) <= t, f"{name} {what}: quadrature {sc!r} vs Kubo {k!r} (tol {t:.1e})"


@pytest.mark.parametrize("name", PH_SYMMETRIC + D0_VARYING)
def test_closed_form_totals_equal_kubo(name):
    """The symbolic pipeline's W^0 totals (default skew reading T) agree with Kubo for every model."""
    model, values = model_of(name)
    closed = Derivation(model).evaluate(values, W_value=W)
    for what, sc, k, t in totals(closed, kubo(name)):
        assert abs(sc - k) <= t, f"{name} {what}: closed form {sc!r} vs Kubo {k!r} (tol {t:.1e})"


@pytest.mark.parametrize("name", PH_SYMMETRIC + D0_VARYING)
def test_edelstein_agrees(name):
    """The 1/W piece of <s_y> (Edelstein, Eq. 87) agrees for every model (relative 1e-9)."""
    _, _, quad, kub = run(name)
    sc, k = quad["spin_density"]["y"]["edelstein"], kub["spin_density"]["y"]["edelstein"]
    err = kub["extrapolation_error"]["spin_density"]["y"]["edelstein"]
    assert abs(sc - k) <= 20 * err + 1e-9 * abs(k)


@pytest.mark.parametrize("name", PH_SYMMETRIC + D0_VARYING)
def test_paper_route_agrees_only_with_particle_hole_symmetry(name):
    """Reading C (the paper's S' route, mirror shells included): equal to Kubo for d0 = const,
    off by far more than TOL (the recorded finding) when d0(k) varies; sigma_yx tells them apart."""
    _, _, quad, kub = run(name, "C")
    assert quad["meta"]["skew_reading"] == "C"
    (_, sc, k, t), (_, scx, kx, tx) = totals(quad, kub)
    if name in PH_SYMMETRIC:
        assert abs(sc - k) <= t and abs(scx - kx) <= tx
    else:
        assert abs(sc - k) > 1e3 * t, (name, sc, k)


def test_rashba_two_circles_published_anchor():
    """Nunner et al., PRB 76, 235312 (2007): NCA sigma_yx = 0 with both Rashba subbands occupied.
    Kubo has it, and so has the golden-rule skew term (the paper's route gives -0.0137: the test above)."""
    _, _, quad, kub = run("rashba-two-circles")
    assert kub["meta"]["fermi_points_per_ray"] == 2
    assert abs(kub["sigma_yx"]["total"]) <= tol(kub, "sigma_yx")
    assert abs(quad["sigma_yx"]["total"]) <= tol(kub, "sigma_yx")


# ------------------------------------------------------------------ property tests (hypothesis)
# The agreement is not special to the points above: random parameters of the two families where the
# paper's route fails (d0 = D k^2, d0 = k^2/2m), quadrature (reading T) against Kubo, same tolerance.
PROPERTY = settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])


def _agree_with_kubo(model, values):
    nm = model.numeric(model.resolve_values(values), e=1.0)
    quad, kub = evaluate(nm, values["eF"], W), kubo_response(nm, values["eF"], W)
    assert [p["fermi"] for p in quad["meta"]["skew_by_shell"]] == [True]
    for what, sc, k, t in totals(quad, kub):
        assert abs(sc - k) <= t, f"{values} {what}: quadrature {sc!r} vs Kubo {k!r} (tol {t:.1e})"


@PROPERTY
@given(M=st.floats(0.2, 0.8), B=st.floats(0.05, 0.4), d=st.floats(0.05, 0.8), negative=st.booleans(),
       above=st.floats(0.2, 1.5))
def test_property_dirac_quadratic_equals_kubo(M, B, d, negative, above):
    """Massive Dirac + B k^2 sz + D k^2, either sign of D (|D| < B keeps both bands unbounded), eF in
    the upper band. D < 0 needs a model that declares it negative."""
    D = -d * B if negative else d * B
    ham = catalogue.MODELS["dirac-quadratic"][0]
    model = TwoBandModel.from_string(ham, {"v": 1.0, "M": M, "B": B, "D": D}, name="dirac-quadratic",
                                     negative=("D",) if negative else ())
    _agree_with_kubo(model, {"v": 1.0, "M": M, "B": B, "D": D, "eF": M + above})


@PROPERTY
@given(alpha=st.floats(0.5, 1.5), Delta=st.floats(0.2, 0.8), x=st.floats(0.0, 1.0), two=st.booleans())
def test_property_rashba_equals_kubo(alpha, Delta, x, two):
    """Rashba ferromagnet, one circle (|eF| < Delta) or two (Delta < eF < Delta + 1.5), edges avoided."""
    eF = (Delta + 0.1 + 1.4 * x) if two else (-0.9 + 1.8 * x) * Delta
    _agree_with_kubo(catalogue.get("rashba-ferromagnet"), {"m": 1.0, "alpha": alpha, "Delta": Delta, "eF": eF})
