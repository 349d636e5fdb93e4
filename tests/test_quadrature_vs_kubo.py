"""Quadrature engine (semiclassical theory) vs the Kubo-Streda engine (non-crossing approximation):
the W^0 totals of sigma_yx and <s_x>.

The two engines share nothing but the numeric Hamiltonian (one NumericModel per point, H(k) and
dH/dk lambdified from the catalogue's Hamiltonian string: semiclassical.catalogue.numeric_model). Both W^0 totals are scheme independent for these components
(no 1/W piece; kubo.engine docstring).

Tolerance. The quadrature side is exact to rounding for rotationally covariant models (~1e-14
relative) and converged to its rtol = 1e-10 for the tilted cone; the comparison is limited by the
Kubo side's W -> 0 Richardson extrapolation, whose own estimate (``extrapolation_error``: change
when the largest W is dropped, plus the propagated radial/angular quadrature error) is 1e-11 to
1e-10 absolute for the TI, Dirac + D k^2 and the tilted cone and up to ~3e-8 on the Rashba points.
We assert |quadrature - Kubo| <= 3 x that estimate (the estimate is a heuristic, not a bound) plus
1e-12 relative, and that the estimate itself is small (< 1e-6 relative), so the check is never
vacuous.

Skew scattering, the engine's default reading T (quadrature.subleading): the golden rule with the
fourth-order non-crossing T-matrix, n^sk on the Fermi shell only. Its W^0 totals agree with Kubo
at every point below (measured |T - Kubo| absolute, sigma_yx / <s_x>):
  TI (three points)                  3e-12 / 3e-12, 8e-14 / 1e-13, 3e-13 / 3e-13
  Rashba, one circle (eF = 0.2)      8e-11 / 6e-11   (Kubo error 2e-9)
  Rashba, two circles (eF = 1.0)     4e-10 / 3e-10   (T gives 0 to rounding: the published NCA
                                                      zero, Nunner et al., PRB 76, 235312 (2007))
  Rashba, lower band (eF = -0.55)    6e-10 / 1.4e-9  (Kubo error 1e-8 / 3e-8)
  Dirac + D k^2                      6e-12 / 5e-12
  tilted cone t = 0.3                2e-12 / 2e-12
Reading T is derived, not fitted (lead's derivation: the Born series T = U + U G0 U + U G0 U G0 U
with non-crossed Gaussian pairings, G0 at eF, Im Sigma only); it is the default.

Recorded findings (kept as tests):

* Reading C (collision integral on the coherence S' in its static Markov form) agrees with Kubo
  for d0 = const (TI), because there its mirror-shell half equals its Fermi-shell half (Eq. 83).
  For a k-dependent d0 (Rashba ferromagnet on all three points, Dirac + D k^2, tilted cone) its
  sigma_yx differs from Kubo by 1.4e-3 to 1.9e-2 absolute, against a Kubo error of 1e-11 to 3e-8
  (for Dirac + D k^2 its <s_x> still agrees: s^{--} = -s^{++} and n^{--} = -n^{++} at each k).
  The mirror shells are an artefact of the Markov treatment of the coherence: the interband
  partner is virtual and should enter only through 1/Delta. The engine implements reading C
  faithfully (equal to the symbolic closed form of semiclassical.skew to ~1e-12, test below).
* Twice reading C's Fermi-shell part (mirror shells dropped) equals reading T's source exactly
  (tests/test_quadrature_skew_identity.py), so it too reproduces the Kubo totals (test below).
* Reading B (rotating form of Eq. 17) misses 2/3 of the TI skew term.
"""
from __future__ import annotations

from functools import lru_cache

import pytest

from semiclassical.catalogue import numeric_model
from semiclassical.kubo import kubo_response
from semiclassical.quadrature import evaluate

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


def _point(name):
    """(numeric model, eF) at a named point; both engines read this one model."""
    if name.startswith("ti:"):
        M, eF, v, hbar = TI_POINTS[int(name[3:])]
        return numeric_model("ti-surface", M=M, v=v, hbar=hbar), eF
    if name.startswith("rashba:"):
        return numeric_model("rashba-ferromagnet", **RASHBA), RASHBA_POINTS[name[len("rashba:"):]][0]
    return {
        "dirac+D k^2 (one circle)": (numeric_model("dirac-quadratic", v=1.0, M=0.5, B=0.3, D=0.1), 1.0),
        "tilted cone t=0.3": (numeric_model("tilted-dirac", v=1.0, M=0.3, t=0.3), 1.0),
    }[name]


@lru_cache(maxsize=None)
def quad(name, reading=None):
    """evaluate() at a named point; ``reading=None``: the engine's default skew reading."""
    kw = {} if reading is None else {"skew_reading": reading}
    nm, eF = _point(name)
    return evaluate(nm, eF, W, gauge_seed=3, **kw)


@lru_cache(maxsize=None)
def kubo(name):
    nm, eF = _point(name)
    return kubo_response(nm, eF, W)


def totals(name, reading=None, skew="total"):
    """{quantity: (quadrature W^0 total, Kubo W^0 total, Kubo error)} for sigma_yx and <s_x>.

    ``reading``: skew reading of the quadrature (None: the default, T). ``skew="total"``: the
    engine's total; ``"2xFermi"``: the skew piece replaced by twice its Fermi-shell part
    (meta["skew_by_shell"]), every other piece unchanged."""
    q, k = quad(name, reading), kubo(name)
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


# ---------------------------------------------------------------------------- default reading T
ALL = [f"ti:{i}" for i in range(len(TI_POINTS))] + ["rashba:" + p for p in RASHBA_POINTS] + \
    ["dirac+D k^2 (one circle)", "tilted cone t=0.3"]
D0_VARIES = ALL[len(TI_POINTS):]


@pytest.mark.parametrize("name", ALL)
def test_default_reading_t_totals_equal_kubo(name):
    q = quad(name, None)
    assert q["meta"]["skew_reading"] == "T"
    assert len(q["meta"]["skew_by_shell"]) == 1 and q["meta"]["skew_by_shell"][0]["fermi"]
    for label, (qv, k, err) in totals(name, None).items():
        check_meaningful(k, err)
        assert agree(qv, k, err), (label, qv, k, err)


def test_rashba_two_circles_published_zero():
    """Nunner et al. 2007: NCA sigma_yx = 0 with both Rashba subbands occupied. Kubo gives ~4e-10
    (its error 2e-9), reading T 0 to rounding (1e-16), reading C -1.37e-2."""
    name = "rashba:two circles, one per band (eF=1.0)"
    q, k, err = totals(name, None)["sigma_yx"]
    assert abs(k) < 2e-8 and abs(q) < 1e-14
    q_c, _, _ = totals(name, "C")["sigma_yx"]
    assert abs(q_c) > 1e-2


# ---------------------------------------------------------------------------- TI surface: readings C, B
@pytest.mark.parametrize("i", range(len(TI_POINTS)), ids=[f"M={p[0]} eF={p[1]} v={p[2]} hbar={p[3]}"
                                                           for p in TI_POINTS])
def test_ti_reading_c_totals_equal_kubo(i):
    """d0 = const: reading C agrees with Kubo too; reading B misses 2/3 of the skew term."""
    name = f"ti:{i}"
    assert quad(name, "C")["meta"]["skew_reading"] == "C"
    for label, (q, k, err) in totals(name, "C").items():
        check_meaningful(k, err)
        assert agree(q, k, err), (label, q, k, err)
    b = quad(name, "B")
    q_b, k = b["sigma_yx"]["total"], kubo(name)["sigma_yx"]["total"]
    assert abs(q_b - k) > 1e-3 * abs(k)
    assert abs((k - q_b) - 2 * quad(name, "C")["sigma_yx"]["skew"] / 3) <= MARGIN * kubo(name)[
        "extrapolation_error"]["sigma_yx"]["total"] + 1e-12 * abs(k)


# ---------------------------------------------------------------------------- Rashba ferromagnet
@pytest.mark.parametrize("point", list(RASHBA_POINTS))
def test_rashba_fermi_contours_in_both_engines(point):
    eF, contours = RASHBA_POINTS[point]
    q, k = quad("rashba:" + point, None), kubo("rashba:" + point)
    assert [(c["band"], c["outward_velocity_sign"]) for c in q["meta"]["contours"]] == contours
    assert all(c["k_max"] - c["k_min"] < 1e-12 * c["k_max"] for c in q["meta"]["contours"])   # circles
    assert k["meta"]["fermi_points_per_ray"] == len(contours)


# ---------------------------------------------------------------------------- recorded findings, reading C
@pytest.mark.parametrize("name", D0_VARIES)
def test_finding_reading_c_disagrees_when_d0_varies(name):
    """Reading C's sigma_yx is off by 1.4e-3 to 1.9e-2 absolute (measured -8.8e-3, -1.37e-2,
    +1.88e-2 on the Rashba points, -6.8e-3 for Dirac + D k^2, -1.4e-3 for the tilted cone), far
    outside the Kubo error, while reading T agrees (test above); the mirror shells are there."""
    q, k, err = totals(name, "C")["sigma_yx"]
    check_meaningful(k, err)
    assert abs(q - k) > 1e-3 * max(abs(k), 1e-2)
    assert abs(q - k) > 1e4 * MARGIN * err
    assert any(not p["fermi"] for p in quad(name, "C")["meta"]["skew_by_shell"])


@pytest.mark.parametrize("name", D0_VARIES)
def test_twice_the_fermi_shell_part_of_reading_c_equals_kubo(name):
    """Kubo total = intrinsic + extrinsic + side_jump + 2 x (Fermi-shell part of the reading-C skew
    distribution), for sigma_yx and <s_x>, within the Kubo error; that modified total equals the
    reading-T total to rounding (the identity of tests/test_quadrature_skew_identity.py)."""
    t = totals(name, None)
    for label, (q, k, err) in totals(name, "C", skew="2xFermi").items():
        check_meaningful(k, err)
        assert agree(q, k, err), (label, q, k, err)
        assert abs(q - t[label][0]) <= 1e-11 * max(abs(k), 1e-2), (label, q, t[label][0])


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
    q = quad("rashba:one circle (eF=0.2)", "C")
    assert q["meta"]["skew_reading"] == "C"
    assert q["sigma_yx"]["skew"] == pytest.approx(sigma, rel=1e-12)
    assert q["spin_density"]["x"]["skew"] == pytest.approx(sx, rel=1e-12)
