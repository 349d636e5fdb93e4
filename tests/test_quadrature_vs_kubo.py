"""Quadrature engine (semiclassical theory, skew scattering in reading C) vs the Kubo-Streda engine
(non-crossing approximation): the W^0 totals of sigma_yx and <s_x>.

The two engines share nothing but the numeric Hamiltonian (quadrature.models / kubo.examples,
each written by hand in numpy). Both W^0 totals are scheme independent for these components
(no 1/W piece; kubo.engine docstring).

Tolerance. The quadrature side is exact to rounding for rotationally covariant models (~1e-14
relative) and converged to its rtol = 1e-10 for the tilted cone; the comparison is limited by the
Kubo side's W -> 0 Richardson extrapolation, whose own estimate (``extrapolation_error``: change
when the largest W is dropped, plus the propagated radial/angular quadrature error) is 1e-10 to
2e-10 relative for the TI and up to ~2e-7 relative on the Rashba points. We assert
|quadrature - Kubo| <= 3 x that estimate (the estimate is a heuristic, not a bound) plus 1e-12
relative, and that the estimate itself is small (< 1e-6 relative), so the check is never vacuous.
Measured: TI 4e-13 to 2.5e-11 relative (Kubo estimate 1e-10 to 2e-10 relative), i.e. inside it.

Findings pinned here:

* TI surface (paper's model, Eq. 68): reading C reproduces the Kubo-Streda totals (and Eq. 86) at
  every point; reading B misses 2/3 of the skew term.
* Models whose scalar term d0(k) is not constant (Rashba ferromagnet with one circle, two circles
  of different bands, two circles of one band; massive Dirac + D k^2; the tilted cone): the
  reading-C sigma_yx DISAGREES with Kubo by 1.4e-3 to 1.9e-2 absolute (1% to 40%, and a finite
  value where Kubo gives zero), against a Kubo error of 1e-11 to 3e-8.
  The Kubo side is right: it reproduces the published NCA result that sigma_yx vanishes for the
  Rashba ferromagnet with both subbands occupied (Nunner et al., PRB 76, 235312 (2007);
  tests/test_kubo_models.py), where reading C gives -1.37e-2. The quadrature side is a faithful
  implementation of reading C (equal to the symbolic closed form of semiclassical.skew to ~1e-15,
  test below, and to the independent ring-distribution reference of tests/test_skew.py).
  The disagreement is localized exactly: with the skew distribution replaced by TWICE its
  Fermi-shell part (the mirror shells, at the other band's energy eps^cbar(k_F) != eF, dropped),
  every other piece unchanged, the quadrature totals equal the Kubo totals within the Kubo error
  at all points (|difference| <= 1.4e-9). For d0 = const (TI, Dirac + B k^2 sz, chiral) the
  mirror-shell part equals the Fermi-shell part (Eq. 83: "the two bands contribute equally"),
  which is why reading C agrees with Kubo there; for k-dependent d0 it does not (the <s_x> of the
  Dirac + D k^2 model still agrees, because there s^{--} = -s^{++} and n^{--} = -n^{++} at each
  k; its sigma_yx, which sees the scalar velocity grad d0, does not).
  So, as measured, reading C is right on the Fermi shell and wrong on the mirror shells in
  general. A plausible reason (not proven here): a band-diagonal distribution at an energy away
  from eF, relaxed by J0 on that energy shell, has no counterpart in the Kubo-Streda (NCA)
  response, whose ladder lives at eF only; particle-hole symmetry makes the two coincide for the TI.
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from semiclassical.kubo import kubo_response
from semiclassical.kubo import examples as kex
from semiclassical.quadrature import evaluate, models

W = 0.01
MARGIN = 3.0

# ---------------------------------------------------------------------------- models, both engines
TI_POINTS = [  # (M, eF, v, hbar)
    (0.3, 1.0, 1.0, 1.0),
    (0.5, 1.2, 1.3, 0.7),
    (-0.4, 0.9, 0.8, 1.0),
]
RASHBA = dict(m=1.0, alpha=1.0, Delta=0.5)
#: Rashba ferromagnet H = k^2/(2m) + alpha (kx sy - ky sx) + Delta sz (band edges -0.625, -0.5, 0.5):
#: name -> (eF, [(band, outward velocity sign)] of the Fermi contours)
RASHBA_POINTS = {
    "one circle (eF=0.2)": (0.2, [(0, 1)]),
    "two circles, one per band (eF=1.0)": (1.0, [(0, 1), (1, 1)]),
    "two circles of the lower band (eF=-0.55)": (-0.55, [(0, -1), (0, 1)]),
}


def _pair(name):
    """(quadrature model, Kubo model, eF) for the models of the finding."""
    if name.startswith("rashba:"):
        eF = RASHBA_POINTS[name[len("rashba:"):]][0]
        return models.rashba_ferromagnet(**RASHBA), kex.rashba_ferromagnet(**RASHBA), eF
    return {
        "dirac+D k^2 (one circle)": (models.dirac_quadratic(1.0, 0.5, 0.3, 0.1),
                                     kex.dirac_quadratic(1.0, 0.5, 0.3, 0.1), 1.0),
        "tilted cone t=0.3": (models.tilted_dirac(v=1.0, M=0.3, t=0.3),
                              kex.tilted_dirac(t=0.3, v=1.0, M=0.3), 1.0),
    }[name]


@lru_cache(maxsize=None)
def quad(name, reading="C"):
    if name.startswith("ti:"):
        M, eF, v, hbar = TI_POINTS[int(name[3:])]
        return evaluate(models.ti_surface(M, v, hbar), eF, W, gauge_seed=3, skew_reading=reading)
    qm, _, eF = _pair(name)
    return evaluate(qm, eF, W, gauge_seed=3, skew_reading=reading)


@lru_cache(maxsize=None)
def kubo(name):
    if name.startswith("ti:"):
        M, eF, v, hbar = TI_POINTS[int(name[3:])]
        return kubo_response(kex.massive_dirac(v=v, M=M, hbar=hbar), eF, W)
    _, km, eF = _pair(name)
    return kubo_response(km, eF, W)


def totals(name, skew="C"):
    """{quantity: (quadrature W^0 total, Kubo W^0 total, Kubo error)} for sigma_yx and <s_x>.

    ``skew="C"``: the engine's reading-C total; ``"2xFermi"``: the skew piece replaced by twice
    its Fermi-shell part (meta["skew_by_shell"]), every other piece unchanged."""
    q, k = quad(name), kubo(name)
    out = {}
    for label, qmap, kmap, kerr, get in (
            ("sigma_yx", q["sigma_yx"], k["sigma_yx"], k["extrapolation_error"]["sigma_yx"],
             lambda part: part["sigma_yx"]),
            ("s_x", q["spin_density"]["x"], k["spin_density"]["x"],
             k["extrapolation_error"]["spin_density"]["x"], lambda part: part["spin_density"]["x"])):
        total = qmap["total"]
        if skew == "2xFermi":
            fermi = [p for p in q["meta"]["skew_by_shell"] if p["fermi"]]
            assert len(fermi) == 1
            total = total - qmap["skew"] + 2 * get(fermi[0])
        out[label] = (total, kmap["total"], kerr["total"])
    return out


def agree(q, k, err):
    return abs(q - k) <= MARGIN * err + 1e-12 * abs(k)


def check_meaningful(k, err):
    assert err < 1e-6 * max(abs(k), 1e-2), "Kubo extrapolation error too large for a meaningful comparison"


# ---------------------------------------------------------------------------- TI surface: agreement
@pytest.mark.parametrize("i", range(len(TI_POINTS)), ids=[f"M={p[0]} eF={p[1]} v={p[2]} hbar={p[3]}"
                                                           for p in TI_POINTS])
def test_ti_reading_c_totals_equal_kubo(i):
    name = f"ti:{i}"
    assert quad(name)["meta"]["skew_reading"] == "C"
    for label, (q, k, err) in totals(name).items():
        check_meaningful(k, err)
        assert agree(q, k, err), (label, q, k, err)
    # reading B misses 2/3 of the skew term: far outside the Kubo error
    b = quad(name, "B")
    q_b, k = b["sigma_yx"]["total"], kubo(name)["sigma_yx"]["total"]
    assert abs(q_b - k) > 1e-3 * abs(k)
    assert abs((k - q_b) - 2 * quad(name)["sigma_yx"]["skew"] / 3) <= MARGIN * kubo(name)[
        "extrapolation_error"]["sigma_yx"]["total"] + 1e-12 * abs(k)


# ---------------------------------------------------------------------------- Rashba ferromagnet
@pytest.mark.parametrize("point", list(RASHBA_POINTS))
def test_rashba_fermi_contours_in_both_engines(point):
    eF, contours = RASHBA_POINTS[point]
    q, k = quad("rashba:" + point), kubo("rashba:" + point)
    assert [(c["band"], c["outward_velocity_sign"]) for c in q["meta"]["contours"]] == contours
    assert all(c["k_max"] - c["k_min"] < 1e-12 * c["k_max"] for c in q["meta"]["contours"])   # circles
    assert k["meta"]["fermi_points_per_ray"] == len(contours)


@pytest.mark.xfail(strict=True, reason=(
    "documented disagreement: reading C's skew distribution on the mirror shells (energy "
    "eps^cbar(k_F) != eF) differs from the NCA when d0(k) is not constant; the Kubo side matches "
    "the published NCA zero for two subbands (Nunner et al. 2007); see the module docstring and "
    "test_finding_kubo_equals_twice_the_fermi_shell_skew"))
@pytest.mark.parametrize("point", list(RASHBA_POINTS))
def test_rashba_reading_c_totals_equal_kubo(point):
    for label, (q, k, err) in totals("rashba:" + point).items():
        check_meaningful(k, err)
        assert agree(q, k, err), (label, q, k, err)


def test_rashba_disagreement_is_large_and_kubo_reproduces_the_published_zero():
    """Size of the disagreement (measured: sigma_yx -8.8e-3, -1.37e-2, +1.88e-2 absolute on the
    three points), and the anchor that decides it: with both subbands occupied the NCA sigma_yx
    vanishes (Nunner et al. 2007); Kubo gives ~4e-10, reading C -1.37e-2."""
    for point in RASHBA_POINTS:
        (q, k, err) = totals("rashba:" + point)["sigma_yx"]
        assert abs(q - k) > 5e-3 > 1e4 * MARGIN * err
    q, k, err = totals("rashba:two circles, one per band (eF=1.0)")["sigma_yx"]
    assert abs(k) < 2e-8 and abs(q) > 1e-2


# ---------------------------------------------------------------------------- the finding
@pytest.mark.parametrize("name", [*("rashba:" + p for p in RASHBA_POINTS),
                                  "dirac+D k^2 (one circle)", "tilted cone t=0.3"])
def test_finding_kubo_equals_twice_the_fermi_shell_skew(name):
    """Kubo total = intrinsic + extrinsic + side_jump + 2 x (Fermi-shell part of the reading-C skew
    distribution), for sigma_yx and <s_x>, to within the Kubo error (measured <= 1.4e-9 absolute),
    while the full reading-C sigma_yx is off by 1.4e-3 to 1.9e-2 (module docstring)."""
    exact = totals(name)
    for label, (q, k, err) in totals(name, skew="2xFermi").items():
        check_meaningful(k, err)
        assert agree(q, k, err), (label, q, k, err)
    q, k, err = exact["sigma_yx"]
    assert abs(q - k) > 1e-3 * max(abs(k), 1e-2)
    # the mirror shells are really there (not a degenerate case)
    assert any(not p["fermi"] for p in quad(name)["meta"]["skew_by_shell"])


def test_rashba_quadrature_skew_is_the_symbolic_reading_c():
    """The engine implements reading C faithfully on a model where it disagrees with Kubo: its skew
    pieces equal the closed form of semiclassical.skew (reading C, mirror shells with all their
    circles) at the one-circle Rashba point, to rounding."""
    from semiclassical import skew
    from semiclassical.bloch import BlochSystem, Gauge
    from semiclassical.fermi import W as W_sym, Shell, circle_values, find_circles
    from semiclassical.model import TwoBandModel, e as e_sym
    from semiclassical.parsing import hbar as hbar_sym

    eF = RASHBA_POINTS["one circle (eF=0.2)"][0]
    model = TwoBandModel.from_string("k**2/(2*m) + alpha*(kx*sy - ky*sx) + Delta*sz", dict(RASHBA))
    bs = BlochSystem(model, Gauge.random(4))
    values = {**RASHBA, "hbar": 1.0}
    circles = find_circles(bs, values, eF)
    shell = Shell.of([(b, s) for b, s, _ in circles])
    spec = skew.mirror_spec(bs, values, circles, eF)
    mirrors = skew.mirror_shells(shell, spec)
    num = {model.parameters[n]: x for n, x in RASHBA.items()}
    for c, (_, _, kc) in zip(shell.circles, circles):
        num.update(circle_values(bs, c, values, kc))
    num.update(skew.mirror_circle_values(bs, mirrors, spec, values))
    num.update({hbar_sym: 1.0, e_sym: 1.0, W_sym: 1.0})
    dist = skew.skew_distribution(bs, shell, "C", mirrors)
    sigma = complex(skew.skew_current(bs, shell, dist=dist).xreplace(num).evalf(30)).real
    sx = complex(skew.skew_spin_density(bs, shell, dist=dist)[0].xreplace(num).evalf(30)).real
    q = quad("rashba:one circle (eF=0.2)")
    assert q["sigma_yx"]["skew"] == pytest.approx(sigma, rel=1e-12)
    assert q["spin_density"]["x"]["skew"] == pytest.approx(sx, rel=1e-12)
