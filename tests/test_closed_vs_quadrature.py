"""Every closed form against the independent quadrature engine (docs/design.md section 5, item 1).

The closed forms come from :class:`Derivation` in a random k-dependent eigenvector gauge; the
quadrature engine never reads them (numeric eigenvectors in another random gauge, exact Fermi-
contour deltas, Boltzmann equations solved as linear systems on the contour nodes). Both sides
implement the same theory (paper Eqs. 27-63 with the skew reading C), so they must agree to
the quadrature's own accuracy: it converges geometrically in the number of contour nodes and is
run at rtol = 1e-11, so 1e-8 relative to the largest piece of a family leaves three orders of
margin for the radial root finding and the Fermi-sea integrals (which reach ~1e-12 here).

Every response piece is compared: sigma_yx (intrinsic, extrinsic, side_jump, skew, total),
sigma_xx (Drude), <s_x>, <s_y> (Edelstein, intrinsic, extrinsic, side_jump, skew, total), for
one and two Fermi circles, particle-hole symmetric and asymmetric models.
"""
from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from semiclassical import catalogue, quadrature
from semiclassical.bloch import Gauge
from semiclassical.derivation import Derivation
from semiclassical.model import TwoBandModel

RTOL = 1e-8
#: pieces that vanish by symmetry come out as ~1e-18 from the quadrature's round-off; the
#: natural-unit quantities compared here are O(1e-2 .. 1), so 1e-14 absolute is still strict
FLOOR = 1e-14
PIECES = ("intrinsic", "extrinsic", "side_jump", "skew", "total")

#: (model, parameter point, expected number of Fermi circles)
POINTS = [
    ("ti-surface", {"v": 1.0, "M": 0.5, "eF": 1.1}, 1),
    ("ti-surface", {"v": 1.3, "M": 0.3, "eF": 0.8, "hbar": 0.7}, 1),
    ("ti-surface", {"v": 1.0, "M": 0.4, "eF": -0.9}, 1),            # hole side: lower band
    ("ti-negative-M", {"v": 0.8, "M": -0.4, "eF": 0.9}, 1),
    ("chiral", {"m": 1.0, "M": 0.5, "eF": 1.0}, 1),
    ("dirac-quadratic", {"v": 1.0, "M": 0.5, "B": 0.3, "D": 0.1, "eF": 1.0}, 1),
    ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 0.2}, 1),
    ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 1.0}, 2),
]


#: the TI surface with a negative mass: M declared negative (parameters keep their sign)
NEGATIVE_MASS = TwoBandModel.from_string("hbar*v*(kx*sy - ky*sx) + M*sz", {"v": 1.0, "M": -0.4},
                                           name="ti-negative-M", negative=("M",))


def get_model(name):
    return NEGATIVE_MASS if name == NEGATIVE_MASS.name else catalogue.get(name)


@functools.lru_cache(maxsize=None)
def derivation(name: str, seed: int) -> Derivation:
    return Derivation(get_model(name), Gauge.random(seed))


def closed_and_quadrature(name, values, W=0.05, seed=3):
    model = get_model(name)
    closed = derivation(name, seed).evaluate(dict(values), W_value=W)
    params = {k: v for k, v in values.items() if k != "eF"}
    quad = quadrature.evaluate(model.numeric(params), values["eF"], W, rtol=1e-11, gauge_seed=seed + 11)
    return closed, quad


def assert_family(closed: dict, quad: dict, pieces, what):
    tol = max(RTOL * max(abs(quad[p]) for p in pieces), FLOOR)
    for p in pieces:
        assert abs(closed[p] - quad[p]) <= tol, (what, p, closed[p], quad[p])


def check_point(name, values):
    closed, quad = closed_and_quadrature(name, values)
    assert_family(closed["sigma_yx"], quad["sigma_yx"], PIECES, f"{name} sigma_yx")
    assert_family(closed["sigma_xx"], quad["sigma_xx"], ("drude",), f"{name} sigma_xx")
    for ax in "xy":
        assert_family(closed["spin_density"][ax], quad["spin_density"][ax], PIECES + ("edelstein",),
                      f"{name} <s_{ax}>")
    return closed, quad


@pytest.mark.parametrize("name,values,circles", POINTS, ids=[f"{n}-eF={v['eF']}" for n, v, _ in POINTS])
def test_every_piece_matches_quadrature(name, values, circles):
    closed, _ = check_point(name, values)
    assert len(closed["circles"]) == circles


def test_w0_pieces_do_not_depend_on_W():
    """The W^0 pieces are W independent, the Drude term is exactly 1/W (paper's order counting)."""
    vals = {"m": 1.0, "alpha": 1.0, "Delta": 0.5, "eF": 0.2}
    D = derivation("rashba-ferromagnet", 3)
    a, b = D.evaluate(vals, W_value=0.01), D.evaluate(vals, W_value=0.04)
    for p in PIECES:
        assert a["sigma_yx"][p] == pytest.approx(b["sigma_yx"][p], rel=1e-12)
        assert a["spin_density"]["x"][p] == pytest.approx(b["spin_density"]["x"][p], rel=1e-12)
    assert a["sigma_xx"]["drude"] == pytest.approx(4 * b["sigma_xx"]["drude"], rel=1e-12)


def test_sigma_odd_in_M_and_gap_keeps_only_intrinsic():
    up = derivation("ti-surface", 5).evaluate({"v": 1.0, "M": 0.4, "eF": 1.0}, W_value=0.1)["sigma_yx"]
    down = derivation("ti-negative-M", 5).evaluate({"v": 1.0, "M": -0.4, "eF": 1.0}, W_value=0.1)["sigma_yx"]
    for p in PIECES:
        assert down[p] == pytest.approx(-up[p], rel=1e-12, abs=1e-15)
    # eF in the gap: no Fermi circle, only the intrinsic (Fermi-sea) term survives
    gap = quadrature.evaluate(catalogue.get("ti-surface").numeric({"v": 1.0, "M": 0.4}), 0.1, 0.1, rtol=1e-10)
    sg = gap["sigma_yx"]
    assert sg["extrinsic"] == sg["side_jump"] == sg["skew"] == 0.0
    assert sg["total"] == pytest.approx(sg["intrinsic"], rel=1e-14)


# ------------------------------------------------------------------ property tests (hypothesis)
# One scenario per strategy (same Fermi-circle structure), so the symbolic derivation is done
# once per model and hypothesis explores the numbers; each example is then one quadrature run.
PROPERTY = settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(v=st.floats(0.5, 2.0), M=st.floats(0.1, 1.0), ratio=st.floats(1.1, 4.0), hbar=st.floats(0.5, 1.5))
def test_property_ti_surface(v, M, ratio, hbar):
    check_point("ti-surface", {"v": v, "M": M, "eF": ratio * M, "hbar": hbar})


@PROPERTY
@given(m=st.floats(0.5, 2.0), M=st.floats(0.1, 1.0), ratio=st.floats(1.1, 4.0))
def test_property_chiral(m, M, ratio):
    check_point("chiral", {"m": m, "M": M, "eF": ratio * M})


@PROPERTY
@given(M=st.floats(0.3, 0.6), B=st.floats(0.2, 0.4), D=st.floats(0.02, 0.15), eF=st.floats(0.8, 1.2))
def test_property_dirac_quadratic(M, B, D, eF):
    check_point("dirac-quadratic", {"v": 1.0, "M": M, "B": B, "D": D, "eF": eF})


@PROPERTY
@given(alpha=st.floats(0.8, 1.2), Delta=st.floats(0.4, 0.6), x=st.floats(-0.5, 0.5))
def test_property_rashba_one_circle(alpha, Delta, x):
    """|eF| < Delta: one circle of the lower band."""
    check_point("rashba-ferromagnet", {"m": 1.0, "alpha": alpha, "Delta": Delta, "eF": x * Delta})


def test_eq86_on_the_hole_side_holds_with_abs_eF():
    """Eq. 86 is printed for eF > 0; on the hole side (eF < -M) the derived total equals it with
    eF -> |eF| (xi_F = M/|eF|); as printed (with eF < 0) it would flip sign. Quadrature-checked."""
    from semiclassical import paper
    from semiclassical.model import e
    from semiclassical.parsing import hbar

    printed = paper.printed()["86"][1]
    for eF_value in (-0.9, -1.7):
        vals = {"v": 1.0, "M": 0.4, "eF": eF_value}
        closed, quad = closed_and_quadrature("ti-surface", vals)
        at = {paper.M: 0.4, e: 1.0, hbar: 1.0, paper.v: 1.0}
        with_abs = float(printed.subs({**at, paper.eF: abs(eF_value)}))
        as_printed = float(printed.subs({**at, paper.eF: eF_value}))
        assert closed["sigma_yx"]["total"] == pytest.approx(with_abs, rel=1e-12)
        assert quad["sigma_yx"]["total"] == pytest.approx(with_abs, rel=1e-9)
        assert as_printed == pytest.approx(-with_abs, rel=1e-12)
